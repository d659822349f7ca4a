/* The monitor's helper for an exec (shim.h): berthd-shim --exec-helper,
 * run from set-up's read-only view of berthd-shim, makes one process in
 * the container with the runtime, answers the monitor and exits, leaving
 * the process to the monitor. */
#include "runtime/engine/shim.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/host.h"
#include "runtime/runtime.h"

int shim_exec_helper(const struct shim_opts *o)
{
	struct rt_ctx ctx = { .root = o->oci_root };
	struct rt_exec_opts eo = {
		.id = o->id,
		.process_path = o->process_path,
		.tty = -1,
		.no_new_privs = -1,
	};
	struct rt_execed out = { .pid = -1, .tty_master = -1 };
	struct berr err = { 0 };
	char msg[sizeof(err.msg) + 8];
	int n;

	/* With a terminal the process has no pipes: the runtime makes one. */
	if (o->stdio[0] >= 0) {
		eo.has_stdio = true;
		memcpy(eo.stdio, o->stdio, sizeof(eo.stdio));
	}
	if (!o->process_path || o->reply_fd < 0)
		return 2;
	if (rt_seal_self(o->argv, environ, &err) == 0 && rt_exec(&ctx, &eo, &out, &err) == 0)
		n = snprintf(msg, sizeof(msg), "ok %d", (int)out.pid);
	else
		n = snprintf(msg, sizeof(msg), "err %s", err.msg);
	/* No one to tell when the monitor is gone; the process, if made,
	 * is then the monitor's (or init's) to reap. */
	rt_fd_send(o->reply_fd, msg, (size_t)n, out.tty_master, &err);
	return 0;
}
