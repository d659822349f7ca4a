#include "isolation/loopback.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/cleanup.h"

static int set_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

int loopback_up(pid_t pid, struct berr *err)
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
	if (child == 0)
		_exit(setns(ns, CLONE_NEWNET) < 0 || set_up() < 0 ? 1 : 0);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, "wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_fail(err, EIO, "could not bring up lo in the container's network "
				 "namespace");
	return 0;
}
