/* berthd: a daemon that runs containers for the docker CLI.
 *
 *   berthd [--socket PATH] [--root DIR] [--data-root DIR]
 *          [--cgroup-parent PATH] [--group NAME] [--log-level LEVEL]
 *          [--log-file FILE] [--bridge NAME|none] [--bip ADDRESS/PREFIX]
 *          [--cni-path DIRS] [--init-path FILE] [--certs-dir DIR]
 *          [--insecure-registry HOST:PORT]...
 *
 * The socket is created mode 0660, owned by root and --group: the kernel's
 * permission check on the socket file keeps every other user out.
 * SIGTERM and SIGINT stop the daemon (containers keep running, under
 * their shims); SIGHUP reopens the log file. */
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <linux/close_range.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "version.h"
#include "http.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/rootless.h"
#include "spec/base/cleanup.h"

#define TRIM_AFTER_MS 1000

static void usage(void)
{
	printf("Usage: berthd [options]\n\n"
	       "A daemon that runs containers, with a Docker-compatible API on a unix socket.\n\n"
	       "Options:\n"
	       "  --socket PATH         API socket (default /run/berth/berthd.sock;\n"
	       "                        unprivileged: $XDG_RUNTIME_DIR/berth/berthd.sock)\n"
	       "  --root DIR            state directory (default /run/berth;\n"
	       "                        unprivileged: $XDG_RUNTIME_DIR/berth)\n"
	       "  --data-root DIR       images and containers (default /var/lib/berth;\n"
	       "                        unprivileged: ~/.local/share/berth)\n"
	       "  --cgroup-parent PATH  parent cgroup of the containers (default /berth;\n"
	       "                        a relative path nests below berthd's own cgroup)\n"
	       "  --group NAME          group that may use the socket besides root\n"
	       "  --log-level LEVEL     error, warn, info (default) or debug\n"
	       "  --log-file FILE       log there instead of stderr (reopened on SIGHUP)\n"
	       "  --bridge NAME         bridge device of the default network (default berth0);\n"
	       "                        none: no default network, containers get loopback only;\n"
	       "                        run by a user: slirp4netns, and only none is taken\n"
	       "  --bip ADDRESS/PREFIX  the default network's gateway and subnet (default: the\n"
	       "                        first private /16 of a fixed list free of the host's routes)\n"
	       "  --cni-path DIRS       where the CNI plugins are, ':'-separated (default /usr/lib/cni)\n"
	       "  --init-path FILE      the static init of --init (default /usr/bin/tini-static)\n"
	       "  --certs-dir DIR       registries' CAs and client certificates, as\n"
	       "                        DIR/HOST[:PORT]/ca.crt (default /etc/berth/certs.d)\n"
	       "  --insecure-registry HOST[:PORT]\n"
	       "                        reach this registry over plain HTTP (repeatable)\n"
	       "  --version             print the version\n");
}

static int log_level(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The engine's warnings: what failed after its request was answered. */
static void engine_warn(void *arg, const char *msg)
{
	http_log(arg, 1, "%s", msg);
}

static int open_log(const char *path)
{
	int fd;

	if (!path)
		return 2;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return fd;
}

static int mkdir_parent(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* The API socket, 0660 from the moment it exists: created under a umask
 * that leaves no window with looser permissions. */
static int listen_socket(const char *path, const char *group, struct berr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;
	gid_t gid = 0;
	mode_t old;

	if (strlen(path) >= sizeof(addr.sun_path))
		return berr_fail(err, ENAMETOOLONG, "socket path %s is too long", path);
	if (group) {
		struct group *g = getgrnam(group);

		if (!g)
			return berr_fail(err, ENOENT, "group %s does not exist", group);
		gid = g->gr_gid;
	}
	if (mkdir_parent(path) < 0)
		return berr_sys(err, "create the directory of %s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, "socket");
	strcpy(addr.sun_path, path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, "remove the old %s", path);
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		umask(old);
		return berr_sys(err, "bind %s", path);
	}
	umask(old);
	if (chown(path, 0, gid) < 0 || chmod(path, 0660) < 0)
		return berr_sys(err, "set the owner and mode of %s", path);
	/* A burst of clients waits in the backlog rather than being refused
	 * (EAGAIN to a non-blocking connect, as Go's, the docker CLI's, is):
	 * the kernel caps it at net.core.somaxconn. */
	if (listen(fd, 4096) < 0)
		return berr_sys(err, "listen on %s", path);
	return steal_fd(&fd);
}

/* A rootless berthd's state root, for leave_namespaces, and the pid of
 * berthd itself (a child that exits must not end the namespaces). */
static const char *rootless_root;
static pid_t rootless_pid;

/* At every exit after the namespaces were entered, the failed starts'
 * too: a berthd that ran nothing leaves no holder behind. */
static void leave_namespaces(void)
{
	if (rootless_root && getpid() == rootless_pid)
		daemon_rootless_leave(rootless_root);
}

/* The helpers live next to berthd (the build tree) or in libexec. */
static char *helper_path(const char *name)
{
	char exe[PATH_MAX], *dir, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	dir = dirname(exe);
	if (asprintf(&p, "%s/%s", dir, name) >= 0 && access(p, X_OK) == 0)
		return p;
	free(p);
	if (asprintf(&p, "%s/../libexec/berth/%s", dir, name) >= 0 && access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "data-root", required_argument, NULL, 'd' },
		{ "cgroup-parent", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "bip", required_argument, NULL, 'B' },
		{ "cni-path", required_argument, NULL, 'C' },
		{ "init-path", required_argument, NULL, 'i' },
		{ "certs-dir", required_argument, NULL, 'R' },
		{ "insecure-registry", required_argument, NULL, 'I' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock_path = "/run/berth/berthd.sock", *group = NULL, *log_file = NULL;
	struct daemon_opts o = {
		.root = "/run/berth",
		.data_root = "/var/lib/berth",
		.cgroup_parent = "/berth",
		/* Static: it runs inside images that have no libc. */
		.init_path = "/usr/bin/tini-static",
		.certs_dir = "/etc/berth/certs.d",
	};
	char **insecure = NULL;
	size_t n_insecure = 0;
	struct srv srv = { .log_level = 2 };
	struct daemon d;
	struct berr err = { 0 };
	sigset_t mask;
	int c, sfd, listen_fd, ret;
	bool running = true, trim_due = false;
	static struct daemon_rootless rl;
	bool rootless = geteuid() != 0;

	if (rootless) {
		if (daemon_rootless_defaults(&rl, &err) < 0) {
			fprintf(stderr, "berthd: %s\n", err.msg);
			return 1;
		}
		sock_path = rl.sock;
		o.root = rl.run;
		o.data_root = rl.data;
		/* Used only where the user's cgroup is delegated to it. */
		o.cgroup_parent = "berth";
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'r': o.root = optarg; break;
		case 'd': o.data_root = optarg; break;
		case 'c': o.cgroup_parent = optarg; break;
		case 'g': group = optarg; break;
		case 'L': log_file = optarg; break;
		case 'b': o.bridge = optarg; break;
		case 'B': o.bip = optarg; break;
		case 'C': o.cni_path = optarg; break;
		case 'i': o.init_path = optarg; break;
		case 'R': o.certs_dir = optarg; break;
		case 'I': {
			char **grown = realloc(insecure, (n_insecure + 2) * sizeof(char *));

			if (!grown || strchr(optarg, '/') || !*optarg) {
				fprintf(stderr, "berthd: --insecure-registry takes HOST[:PORT], "
						"not %s\n", optarg);
				return 2;
			}
			insecure = grown;
			insecure[n_insecure++] = optarg;
			insecure[n_insecure] = NULL;
			o.insecure = insecure;
			break;
		}
		case 'l':
			srv.log_level = log_level(optarg);
			if (srv.log_level < 0) {
				fprintf(stderr, "berthd: unknown log level %s\n", optarg);
				return 2;
			}
			break;
		case 'v':
			printf("berthd version %s\ncommit: %s\n", BERTH_VERSION, BERTH_COMMIT);
			return 0;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "berthd: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (o.root[0] != '/' || o.data_root[0] != '/' || sock_path[0] != '/') {
		fprintf(stderr, "berthd: --root, --data-root and --socket must be absolute\n");
		return 2;
	}
	if (strstr(o.cgroup_parent, "..")) {
		fprintf(stderr, "berthd: --cgroup-parent must not contain \"..\"\n");
		return 2;
	}
	if (rootless && daemon_rootless_enter(o.data_root, o.root, &err) < 0) {
		fprintf(stderr, "berthd: rootless: %s\n", err.msg);
		return 1;
	}
	if (rootless) {
		rootless_root = o.root;
		rootless_pid = getpid();
		atexit(leave_namespaces);
	}
	berthd_log_fd = open_log(log_file);
	if (berthd_log_fd < 0) {
		fprintf(stderr, "berthd: open %s: %s\n", log_file, strerror(errno));
		return 1;
	}
	o.shim_path = helper_path("berthd-shim");
	o.unpack_path = helper_path("berthd-unpack");
	if (!o.shim_path || !o.unpack_path) {
		fprintf(stderr, "berthd: berthd-shim and berthd-unpack must be installed next to "
				"berthd or in ../libexec/berth\n");
		return 1;
	}
	srv.data_root = o.data_root;

	/* What berthd inherited beyond stdio (a test harness's pipes, say)
	 * must not reach the shims, which outlive it. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	/* One malloc arena for every thread: an arena per connection thread
	 * would keep memory that a finished connection no longer needs (a
	 * second one alone holds about 200 KiB after a few hundred runs),
	 * and berthd's threads seldom allocate at once. */
	mallopt(M_ARENA_MAX, 1);
	/* Large blocks (request bodies above all) get mappings of their own,
	 * unmapped when freed.  Left to itself, glibc raises this threshold
	 * after the first large free, and a burst of big bodies then stays
	 * in the heap. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Signals go to the main thread's signalfd only: blocked before any
	 * thread exists, so every thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("berthd: signalfd");
		return 1;
	}
	umask(0022);
	o.warn = engine_warn;
	o.warn_arg = &srv;
	ret = daemon_open(&d, &o, &err);
	if (ret < 0) {
		fprintf(stderr, "berthd: %s\n", err.msg);
		return 1;
	}
	srv.d = &d;
	listen_fd = listen_socket(sock_path, group, &err);
	if (listen_fd < 0) {
		fprintf(stderr, "berthd: %s\n", err.msg);
		daemon_close(&d);
		return 1;
	}
	if (http_start(&srv, listen_fd, &err) < 0) {
		fprintf(stderr, "berthd: %s\n", err.msg);
		daemon_close(&d);
		return 1;
	}
	http_log(&srv, 2, "berthd %s listening on %s", BERTH_VERSION, sock_path);
	while (running) {
		struct pollfd p[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = daemon_supervisor_fd(&d), .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int timeout = daemon_supervisor_timeout(&d), n;

		/* A second after the last exit, what the containers that came
		 * and went left free in the heap goes back to the kernel. */
		if (trim_due && (timeout < 0 || timeout > TRIM_AFTER_MS))
			timeout = TRIM_AFTER_MS;
		n = poll(p, 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && trim_due) {
			malloc_trim(0);
			trim_due = false;
		}
		if (p[1].revents)
			trim_due = true;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				running = false;
			} else if (si.ssi_signo == SIGHUP && log_file) {
				int fd = open_log(log_file);

				if (fd >= 0) {
					dup2(fd, berthd_log_fd);
					close(fd);
				}
				http_log(&srv, 2, "log file reopened");
			}
		}
		daemon_supervise(&d);
	}
	http_log(&srv, 2, "shutting down; containers keep running");
	/* Connections that wait for containers end with the server. */
	daemon_shutdown_begin(&d);
	http_stop(&srv);
	close(listen_fd);
	unlink(sock_path);
	daemon_close(&d);
	free((char *)o.shim_path);
	free((char *)o.unpack_path);
	free(insecure);
	return 0;
}
