/* exec: run another process in a running container. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Was a boolean flag given as false (--tty=false)?  runc honours that
 * over the process's own setting. */
static int flag_value(int argc, char **argv, int end, const char *name, char short_name,
		      bool value)
{
	int result = -1;

	for (int i = 1; i < end && i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(name);

		if (a[0] != '-')
			continue;
		if ((a[1] == '-' && strncmp(a + 2, name, n) == 0 &&
		     (a[2 + n] == '\0' || a[2 + n] == '=')) ||
		    (short_name && a[1] == short_name && (a[2] == '\0' || a[2] == '=')))
			result = value;
	}
	return result;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = {
		"exec", "[options] <container-id> [command [args...]]",
		"Run a process in a running container: in its namespaces, cgroup and "
		"root, with its restrictions.  In the foreground it forwards signals "
		"and exits with the process's status (128+N when killed by signal N)."
	};
	struct rt_exec_opts o = { .tty = -1, .no_new_privs = -1 };
	bool tty = false, nnp = false;
	struct opt_list env = { 0 }, gids = { 0 }, caps = { 0 };
	const struct opt opts[] = {
		{ "process", 'p', OPT_STRING, &o.process_path,
		  "the process as a process.json (the config's process otherwise)" },
		{ "tty", 't', OPT_BOOL, &tty, "give the process a terminal" },
		{ "console-socket", 0, OPT_STRING, &o.console_socket,
		  "unix socket that receives the terminal's master fd" },
		{ "detach", 'd', OPT_BOOL, &o.detach, "return once the process runs" },
		{ "pid-file", 0, OPT_STRING, &o.pid_file, "write the process's pid here" },
		{ "env", 'e', OPT_LIST, &env, "set KEY=VALUE in the environment (repeatable)" },
		{ "cwd", 0, OPT_STRING, &o.cwd, "working directory in the container" },
		{ "user", 'u', OPT_STRING, &o.user, "UID[:GID] to run as" },
		{ "additional-gids", 'g', OPT_LIST, &gids, "another group (repeatable)" },
		{ "cap", 'c', OPT_LIST, &caps, "add a capability (repeatable)" },
		{ "no-new-privs", 0, OPT_BOOL, &nnp, "set no_new_privs" },
		{ "preserve-fds", 0, OPT_INT, &o.preserve_fds,
		  "pass this many extra fds (from 3) to the process" },
		{ "apparmor", 0, OPT_STRING, &o.apparmor, "AppArmor profile for the process" },
		{ "process-label", 0, OPT_STRING, &o.process_label,
		  "SELinux label for the process" },
		{ "ignore-paused", 0, OPT_BOOL, &o.ignore_paused,
		  "exec into a paused container too: the process runs once it is resumed" },
		{ 0 },
	};
	struct rt_execed execed;
	struct berr err = { 0 };
	sigset_t all, old;
	int status = 0, i;

	i = cli_parse(cli, &u, opts, argc, argv, 1, -1, &status);
	if (i < 0)
		return status;
	o.tty = tty ? 1 : flag_value(argc, argv, i, "tty", 't', false);
	o.no_new_privs = nnp ? 1 : flag_value(argc, argv, i, "no-new-privs", 0, false);
	o.id = argv[i];
	o.args = (const char *const *)argv + i + 1;
	o.n_args = (size_t)(argc - i - 1);
	o.env = env.items;
	o.n_env = env.n;
	o.additional_gids = gids.items;
	o.n_additional_gids = gids.n;
	o.caps = caps.items;
	o.n_caps = caps.n;
	/* In the foreground, signals that arrive during set-up are held
	 * and then forwarded (the process starts with none blocked). */
	sigfillset(&all);
	if (!o.detach)
		sigprocmask(SIG_BLOCK, &all, &old);
	if (rt_exec(&cli->rt, &o, &execed, &err) < 0)
		return cli_fail(cli, &err);
	if (o.detach)
		return 0;
	if (rt_wait_foreground(execed.pid, execed.tty_master, &status, &err) < 0)
		cli_fail(cli, &err);
	if (execed.tty_master >= 0)
		close(execed.tty_master);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
