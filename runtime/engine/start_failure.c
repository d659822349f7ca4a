/* Own file: both the container's start (supervisor.c) and an exec's
 * (exec.c) map a failure to docker's exit code, and neither should call
 * into the other for it. */
#include "runtime/engine/internal.h"

#include <string.h>

/* The exit code docker gives a container that never ran its program. */
int daemon_start_failure_code(const char *msg)
{
	if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory"))
		return 127;
	if (strstr(msg, "permission denied"))
		return 126;
	return 128;
}
