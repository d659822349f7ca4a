/* berthd-shim: the process that keeps one container company (see
 * runtime/engine/shim.h).  berthd starts it with posix_spawn:
 *
 *   berthd-shim --root OCI_ROOT --id ID --bundle DIR --log FILE
 *               --exit-file FILE --socket PATH [--rootfs DIR]
 *               [--tty] [--stdin] [--stdin-once] [--loopback]
 *
 * with fd 3 open for its "ok PID START" / "err MESSAGE" answer. */
#include <getopt.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/engine/shim.h"

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'i' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'l' },
		{ "exit-file", required_argument, NULL, 'e' },
		{ "socket", required_argument, NULL, 's' },
		{ "rootfs", required_argument, NULL, 'f' },
		{ "tty", no_argument, NULL, 't' },
		{ "stdin", no_argument, NULL, 'n' },
		{ "stdin-once", no_argument, NULL, 'o' },
		{ "loopback", no_argument, NULL, 'L' },
		{ "log-max-size", required_argument, NULL, 'S' },
		{ "log-max-files", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct shim_opts o = { .ready_fd = 3, .argv = argv };
	int c;

	/* The shim outlives berthd: it keeps stdio (/dev/null) and its
	 * answer pipe, nothing else berthd had open. */
	close_range(4, ~0U, 0);

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.oci_root = optarg; break;
		case 'i': o.id = optarg; break;
		case 'b': o.bundle = optarg; break;
		case 'l': o.log_path = optarg; break;
		case 'e': o.exit_path = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'f': o.rootfs_mount = optarg; break;
		case 't': o.tty = true; break;
		case 'n': o.open_stdin = true; break;
		case 'o': o.stdin_once = true; break;
		case 'L': o.loopback = true; break;
		case 'S': o.log_max_size = atoll(optarg); break;
		case 'F': o.log_max_files = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!o.oci_root || !o.id || !o.bundle || !o.log_path || !o.exit_path ||
	    !o.socket_path) {
		fprintf(stderr, "berthd-shim: started without its options (berthd starts it)\n");
		return 2;
	}
	return shim_run(&o);
}
