/* berthd-monitor: the shim's second stage (runtime/engine/shim.h), which
 * berthd-shim becomes once the container is made:
 *
 *   berthd-shim --root OCI_ROOT --id ID ... --init PID
 *               --fds LOG,LISTEN,OUT,ERR,IN,TTY,EXE
 *
 * (named berthd-shim in its command line, as the same process was).  It
 * lives as long as the container, once per container: a small static
 * program, linked without position independence so that no relocation
 * dirties its data pages. */
#include <stdio.h>
#include <sys/prctl.h>

#include "runtime/engine/shim.h"

int main(int argc, char **argv)
{
	struct shim_opts o = {
		.ready_fd = -1,
		.argv = argv,
		.fds = { -1, -1, -1, -1, -1, -1, -1 },
		.stdio = { -1, -1, -1 },
		.reply_fd = -1,
	};

	prctl(PR_SET_NAME, "berthd-shim", 0, 0, 0);
	if (shim_parse(argc, argv, &o) < 0 || o.init <= 0 || !o.log_path || !o.exit_path ||
	    !o.socket_path || o.fds.listen < 0) {
		fprintf(stderr, "berthd-monitor: started without its options (berthd-shim starts it)\n");
		return 2;
	}
	return shim_monitor_run(&o);
}
