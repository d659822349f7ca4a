/* berthd-shim: the process that keeps one container company (see
 * runtime/engine/shim.h).  berthd starts it with posix_spawn:
 *
 *   berthd-shim --root OCI_ROOT --id ID --bundle DIR --log FILE
 *               --exit-file FILE --socket PATH --monitor PATH [--rootfs DIR]
 *               [--tty] [--stdin] [--stdin-once] [--loopback]
 *               [--log-max-size BYTES --log-max-files N]
 *
 * with fd 3 open for its "ok PID START" / "err MESSAGE" answer.  The
 * shim's monitor runs it again as `berthd-shim --exec-helper ...` for an
 * exec and, at the end, as `berthd-shim --finish ...`. */
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "runtime/engine/shim.h"
#include "spec/base/early.h"

/* Before the C library starts (spec/base/early.h): every mode but the
 * finish makes a container or a process in one (set-up, --exec-helper),
 * so it runs from a read-only view of this binary, which the entry takes
 * before glibc's start-up (its cpuid probing traps to a hypervisor) and
 * so starts glibc once.  The helpers the monitor starts run from that
 * view already; the entry sees so and goes on. */
EARLY_FN int early_wants_seal(char **argv)
{
	return !(argv[1] && early_same(argv[1], "--finish"));
}

int main(int argc, char **argv)
{
	struct shim_opts o = {
		.ready_fd = 3,
		.argv = argv,
		.fds = { -1, -1, -1, -1, -1, -1, -1 },
		.stdio = { -1, -1, -1 },
		.reply_fd = -1,
	};
	const char *mode = argc > 1 && strncmp(argv[1], "--", 2) == 0 ? argv[1] : "";

	/* Executed from an fd, the kernel names us after its number. */
	prctl(PR_SET_NAME, "berthd-shim", 0, 0, 0);
	if (shim_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "berthd-shim: started without its options (berthd starts it)\n");
		return 2;
	}
	if (strcmp(mode, "--exec-helper") == 0)
		return shim_exec_helper(&o);
	if (strcmp(mode, "--finish") == 0)
		return shim_finish(&o);
	if (!o.bundle || !o.log_path || !o.exit_path || !o.socket_path) {
		fprintf(stderr, "berthd-shim: started without its options (berthd starts it)\n");
		return 2;
	}
	/* The shim outlives berthd: it keeps stdio (/dev/null) and its
	 * answer pipe, nothing else berthd had open. */
	close_range(4, ~0U, 0);
	return shim_run(&o);
}
