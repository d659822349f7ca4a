/* Starting a helper program (a CNI plugin, iptables) from berthd.
 *
 * posix_spawn, not fork: berthd has threads (runtime/engine/engine.h).
 * berthd blocks its signals in every thread; the program starts with
 * none blocked. */
#include "runtime/network/internal.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

int net_tool_spawn(const char *path, char *const argv[], char *const envp[],
		   const int fds[3], pid_t *pid)
{
	static const int null_mode[3] = { O_RDONLY, O_WRONLY, O_WRONLY };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int ret;

	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, fds[i], i);
		else
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null", null_mode[i], 0);
	}
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	ret = posix_spawn(pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}
