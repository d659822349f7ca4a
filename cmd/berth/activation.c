/* systemd socket activation: the sockets systemd (or
 * systemd-socket-activate) passed to berth, which create and run hand on
 * to the container as runc does. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

/* sd_listen_fds(3)'s rule: LISTEN_FDS counts fds from 3 when LISTEN_PID
 * is our pid; set for another process (a parent that did not unset
 * them), they are not ours and say nothing.  LISTEN_FDNAMES only names
 * them: runc does not pass it on, and neither does berth. */
int cli_listen_fds(const struct cli *cli, int *n)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	char *end;
	long v;

	*n = 0;
	if (!fds || !pid)
		return 0;
	errno = 0;
	v = strtol(pid, &end, 10);
	if (!*pid || *end || errno || v != (long)getpid())
		return 0;
	v = strtol(fds, &end, 10);
	if (!*fds || *end || errno || v < 0 || v > 4096)
		return cli_failf(cli, "LISTEN_FDS=\"%s\": expected a number of fds", fds);
	*n = (int)v;
	if (v > 0)
		cli_debug(cli, "socket activation: LISTEN_FDS=%d (fds 3 to %d) pass into the container",
			  *n, 2 + *n);
	return 0;
}
