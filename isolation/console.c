#include "isolation/console.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "isolation/mount_fd.h"
#include "isolation/pathres.h"
#include "spec/base/cleanup.h"

int console_open(int *master, int *slave, bool sized, uint32_t height,
		 uint32_t width, struct berr *err)
{
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0;
	int s;

	if (m < 0)
		return berr_sys(err, "open /dev/ptmx");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return berr_sys(err, "unlock pty");
	/* TIOCGPTPEER opens the peer through the master itself, not through
	 * a /dev/pts path the container could have swapped. */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return berr_sys(err, "open pty peer");
	if (sized) {
		struct winsize ws = { .ws_row = (unsigned short)height,
				      .ws_col = (unsigned short)width };

		if (ioctl(s, TIOCSWINSZ, &ws) < 0) {
			close(s);
			return berr_sys(err, "set console size");
		}
	}
	*master = steal_fd(&m);
	*slave = s;
	return 0;
}

int console_bind_dev_console(int slave, struct berr *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int target = -1;
	int ret;

	if (root < 0)
		return berr_sys(err, "open /");
	target = pathres_open(root, "/dev/console", PATHRES_MKFILE, err);
	if (target < 0)
		return berr_wrap(err, target, "/dev/console");
	ret = mount_fd_bind(slave, "", target, false, 0, err);

	return ret < 0 ? berr_wrap(err, ret, "/dev/console") : 0;
}

int console_make_controlling(int slave, struct berr *err)
{
	if (setsid() < 0)
		return berr_sys(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return berr_sys(err, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return berr_sys(err, "console on fd %d", fd);
	return 0;
}

int console_clear_onlcr(int fd, struct berr *err)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return berr_sys(err, "read terminal settings");
	t.c_oflag &= ~(tcflag_t)ONLCR;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return berr_sys(err, "clear ONLCR");
	return 0;
}

int console_set_raw(int fd, void *saved, struct berr *err)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return berr_sys(err, "read terminal settings");
	if (saved)
		*(struct termios *)saved = t;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return berr_sys(err, "set terminal raw");
	return 0;
}
