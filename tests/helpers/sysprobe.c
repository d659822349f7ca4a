/* Make one syscall and tell how it went, for tests that check what a
 * seccomp profile lets through.  Built static, so it runs in any rootfs.
 *
 *   sysprobe NAME [ARG...]    (ARGs are numbers, or strings for paths)
 *   sysprobe NUMBER [ARG...]  (a syscall by number, named or not)
 *
 * Prints "ok <return value>" or "errno <N> <message>" and exits with 0
 * or N. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "keyctl", SYS_keyctl },
	{ "add_key", SYS_add_key },
	{ "request_key", SYS_request_key },
	{ "unshare", SYS_unshare },
	{ "setns", SYS_setns },
	{ "mount", SYS_mount },
	{ "umount2", SYS_umount2 },
	{ "mkdir", SYS_mkdir },
	{ "mkdirat", SYS_mkdirat },
	{ "rmdir", SYS_rmdir },
	{ "bpf", SYS_bpf },
	{ "perf_event_open", SYS_perf_event_open },
	{ "kexec_load", SYS_kexec_load },
	{ "open_by_handle_at", SYS_open_by_handle_at },
	{ "personality", SYS_personality },
	{ "getpid", SYS_getpid },
	{ "getppid", SYS_getppid },
	{ "uname", SYS_uname },
	{ "kill", SYS_kill },
	{ "clone3", SYS_clone3 },
	{ "socket", SYS_socket },
	{ "chmod", SYS_chmod },
	{ "chroot", SYS_chroot },
	/* Linux 6.8; older headers lack its name. */
	{ "listmount", 458 },
};

/* A number (decimal or 0x...) stays a number; anything else is passed
 * as a pointer to the string. */
static long arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (*s && !*end && !errno)
		return v;
	return (long)s;
}

int main(int argc, char **argv)
{
	long a[6] = { 0 };
	long nr = -1, r;

	if (argc < 2) {
		fprintf(stderr, "usage: sysprobe NAME [ARG...]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
		if (strcmp(calls[i].name, argv[1]) == 0)
			nr = calls[i].nr;
	if (nr < 0 && argv[1][0] >= '0' && argv[1][0] <= '9')
		nr = strtol(argv[1], NULL, 0);
	if (nr < 0) {
		fprintf(stderr, "sysprobe: unknown syscall %s\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc && i < 8; i++)
		a[i - 2] = arg(argv[i]);
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0) {
		int e = errno;

		printf("errno %d %s\n", e, strerror(e));
		return e;
	}
	printf("ok %ld\n", r);
	return 0;
}
