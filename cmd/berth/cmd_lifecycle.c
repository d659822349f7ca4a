/* create, start, run, kill, delete. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "spec/names.h"

struct create_flags {
	struct rt_create_opts o;
	bool detach;
	bool keep;
};

#define CREATE_OPTS(f)                                                                    \
	{ "bundle", 'b', OPT_STRING, &(f).o.bundle, "bundle directory (default: .)" },    \
	{ "pid-file", 0, OPT_STRING, &(f).o.pid_file, "write the init's pid here" },      \
	{ "console-socket", 0, OPT_STRING, &(f).o.console_socket,                         \
	  "unix socket that receives the terminal's master fd" },                         \
	{ "preserve-fds", 0, OPT_INT, &(f).o.preserve_fds,                                \
	  "pass this many extra fds (from 3) to the container" },                         \
	{ "no-pivot", 0, OPT_BOOL, &(f).o.no_pivot,                                       \
	  "use MS_MOVE and chroot instead of pivot_root" },                               \
	{ "no-new-keyring", 0, OPT_BOOL, &(f).o.no_new_keyring,                           \
	  "keep the caller's session keyring" }

/* SIGTERM, SIGINT and SIGHUP end a create cleanly, not midway: blocked,
 * they make the library's cancel fd readable (rt_ctx.cancel_fd), and it
 * removes what it made.  Without a signalfd they keep their default.
 * The fd lies above those that pass into the container (3 to
 * 3 + listen_fds + preserve_fds - 1), even where the caller left one of
 * them closed, which the library then reports. */
static void cancel_on_signals(struct cli *cli, const struct rt_create_opts *o)
{
	int above = 3 + o->listen_fds + o->preserve_fds;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/* 0 means none to the library. */
	if (fd >= 0 && fd < above) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, above);

		close(fd);
		fd = high;
	}
	if (fd < 0)
		return;
	sigprocmask(SIG_BLOCK, &set, NULL);
	cli->rt.cancel_fd = fd;
}

/* A failed create or run; interrupted by a signal, its status is that
 * of a process the signal ended (128 + N). */
static int create_failed(const struct cli *cli, int ret, struct berr *err)
{
	struct signalfd_siginfo si;
	const char *name;
	size_t n;

	if (ret != -ECANCELED || cli->rt.cancel_fd <= 0 ||
	    read(cli->rt.cancel_fd, &si, sizeof(si)) != sizeof(si))
		return cli_fail(cli, err);
	name = names_name(names_signals, (long)si.ssi_signo);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, " by SIG%s", name ? name : "?");
	cli_fail(cli, err);
	return 128 + (int)si.ssi_signo;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "create", "[options] <container-id>",
					    "Create a container: everything up to the user "
					    "process, which waits for 'berth start'." };
	struct create_flags f = { 0 };
	const struct opt opts[] = { CREATE_OPTS(f), { 0 } };
	struct rt_created created;
	struct berr err = { 0 };
	int status, i, ret;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	f.o.id = argv[i];
	if (cli_listen_fds(cli, &f.o.listen_fds) != 0)
		return 1;
	cancel_on_signals(cli, &f.o);
	ret = rt_create(&cli->rt, &f.o, &created, &err);
	if (ret < 0)
		return create_failed(cli, ret, &err);
	return 0;
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "start", "<container-id>",
					    "Run the user process of a created container." };
	struct berr err = { 0 };
	int status, i;

	i = cli_parse(cli, &u, NULL, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	if (rt_start(&cli->rt, argv[i], &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}

static int run_foreground(struct cli *cli, struct create_flags *f)
{
	struct rt_created created;
	struct berr err = { 0 };
	sigset_t all, old;
	int status = 0, ret;

	/* Signals that arrive while the container is being set up are held
	 * until it runs, then forwarded (the container resets its mask);
	 * SIGTERM, SIGINT and SIGHUP end the set-up instead. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	cancel_on_signals(cli, &f->o);
	f->o.foreground_tty = !f->o.console_socket;
	ret = rt_run(&cli->rt, &f->o, &created, &err);
	if (ret < 0)
		return create_failed(cli, ret, &err);
	if (rt_wait_foreground(created.pid, created.tty_master, &status, &err) < 0)
		cli_fail(cli, &err);
	if (created.tty_master >= 0)
		close(created.tty_master);
	if (!f->keep && rt_delete(&cli->rt, f->o.id, true, &err) < 0)
		cli_fail(cli, &err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "run", "[options] <container-id>",
					    "Create and start a container.  In the foreground "
					    "it forwards signals and exits with the "
					    "container's status (128+N when killed by signal N)." };
	struct create_flags f = { 0 };
	const struct opt opts[] = {
		CREATE_OPTS(f),
		{ "detach", 'd', OPT_BOOL, &f.detach, "return once the container started" },
		{ "keep", 0, OPT_BOOL, &f.keep, "do not delete the container when it exits" },
		{ 0 },
	};
	struct rt_created created;
	struct berr err = { 0 };
	int status, i, ret;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	f.o.id = argv[i];
	if (cli_listen_fds(cli, &f.o.listen_fds) != 0)
		return 1;
	if (!f.detach)
		return run_foreground(cli, &f);
	cancel_on_signals(cli, &f.o);
	ret = rt_run(&cli->rt, &f.o, &created, &err);
	if (ret < 0)
		return create_failed(cli, ret, &err);
	return 0;
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "kill", "[options] <container-id> [signal]",
					    "Send a signal (default SIGTERM; a name with or "
					    "without SIG, or a number) to the container's "
					    "init, or with --all to all its processes." };
	bool all = false;
	const struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "signal every process of the container" },
		{ 0 },
	};
	struct berr err = { 0 };
	int status, i, sig = 15;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 2, &status);
	if (i < 0)
		return status;
	if (i + 1 < argc) {
		sig = names_signal(argv[i + 1]);
		if (sig <= 0)
			return cli_failf(cli, "kill: unknown signal \"%s\"", argv[i + 1]);
	}
	if (rt_kill(&cli->rt, argv[i], sig, all, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "delete", "[options] <container-id>",
					    "Delete a container: its processes, cgroup and "
					    "state." };
	bool force = false;
	const struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force,
		  "kill a running container first; a missing one is not an error" },
		{ 0 },
	};
	struct berr err = { 0 };
	int status, i, ret;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	ret = rt_delete(&cli->rt, argv[i], force, &err);
	if (ret == -ENOENT && force)
		return 0;
	if (ret < 0)
		return cli_fail(cli, &err);
	return 0;
}
