#include "isolation/loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

/* lo up through a socket of the namespace: the socket stays in the
 * namespace it was made in, whatever its user joins later. */
static int set_up(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

int loopback_up(pid_t pid, struct berr *err)
{
	cleanup_close int ns = -1, own = -1, fd = -1;
	char path[64];
	int e;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return berr_sys(err, "open %s", path);
	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return berr_sys(err, "open /proc/thread-self/ns/net");
	/* The calling thread alone visits the namespace, just long enough
	 * to make a socket there (a fork would cost more than the rest of
	 * this: it copies the caller's page tables). */
	if (setns(ns, CLONE_NEWNET) < 0)
		return berr_sys(err, "join the container's network namespace");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	e = errno;
	if (setns(own, CLONE_NEWNET) < 0)
		return berr_sys(err, "return to the network namespace of berth");
	if (fd < 0)
		return berr_set(err, e, "socket in the container's network namespace");
	if (set_up(fd) < 0)
		return berr_sys(err, "could not bring up lo in the container's network "
				"namespace");
	return 0;
}

int loopback_up_in_child(pid_t pid, struct berr *err)
{
	cleanup_close int ns = -1;
	char path[64];
	int status;
	pid_t child;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return berr_sys(err, "open %s", path);
	child = fork();
	if (child < 0)
		return berr_sys(err, "fork");
	if (child == 0) {
		int fd;

		if (setns(ns, CLONE_NEWNET) < 0)
			_exit(1);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		_exit(fd < 0 || set_up(fd) < 0 ? 2 : 0);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, "wait");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return berr_fail(err, EPERM, "join the container's network namespace");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_fail(err, EPERM,
				 "could not bring up lo in the container's network namespace");
	return 0;
}
