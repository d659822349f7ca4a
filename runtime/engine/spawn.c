/* berthd's helper processes (the shim, ps), started the one way the
 * engine starts anything: posix_spawn, never fork, since berthd has
 * threads (see engine.h). */
#include "runtime/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

int daemon_spawn(const char *path, bool search, char *const argv[], int out, int out_at,
		 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out, out_at);
	for (int fd = 0; fd <= 2; fd++)
		if (fd != out_at)
			posix_spawn_file_actions_addopen(&fa, fd, "/dev/null",
							 fd ? O_WRONLY : O_RDONLY, 0);
	/* berthd blocks its signals in every thread; a helper starts clean. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	ret = search ? posix_spawnp(pid, path, &fa, &attr, argv, environ) :
		       posix_spawn(pid, path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

void daemon_run_quiet(char *const argv[])
{
	pid_t pid;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (devnull >= 0 && daemon_spawn(argv[0], true, argv, devnull, 1, &pid) == 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (devnull >= 0)
		close(devnull);
}
