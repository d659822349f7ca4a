#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CANARY "canary: nothing may write here"

static char top[64], canary[96], last[4096];
static int last_fd = -1;

static void die(const char *what)
{
	perror(what);
	abort();
}

static void forget_input(void)
{
	unlink(last);
}

const char *sandbox_init(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int fs, fd, top_fd;

	/* A mount that is attached nowhere (the new mount API): no mount
	 * point, no namespace, no propagation to the host, and it works
	 * where the tests run chrooted, where / is no mount point. */
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", "128m", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die("tmpfs");
	top_fd = fsmount(fs, FSMOUNT_CLOEXEC,
			 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (top_fd < 0)
		die("fsmount");
	close(fs);
	snprintf(top, sizeof(top), "/proc/self/fd/%d", top_fd);
	snprintf(canary, sizeof(canary), "%s/canary", top);
	fd = open(canary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, CANARY, strlen(CANARY)) != (ssize_t)strlen(CANARY))
		die("canary");
	close(fd);
	snprintf(last, sizeof(last), "%s/berth-fuzz-%s-input.%d", tmp ? tmp : "/tmp", name,
		 (int)getpid());
	last_fd = open(last, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (last_fd < 0)
		die(last);
	atexit(forget_input);
	return top;
}

void sandbox_keep_input(const uint8_t *data, size_t size)
{
	if (ftruncate(last_fd, 0) < 0 || pwrite(last_fd, data, size, 0) != (ssize_t)size)
		die(last);
}

void sandbox_check(const char *const *allowed)
{
	char buf[sizeof(CANARY) + 16];
	struct dirent *e;
	DIR *d = opendir(top);
	ssize_t n;
	int fd;

	if (!d)
		die(top);
	while ((e = readdir(d))) {
		const char *const *a = allowed;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "canary"))
			continue;
		while (*a && strcmp(*a, e->d_name))
			a++;
		if (*a)
			continue;
		fprintf(stderr, "the input made \"%s\" beside the harness's directories\n",
			e->d_name);
		abort();
	}
	closedir(d);
	fd = open(canary, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die("the canary is gone");
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != (ssize_t)strlen(CANARY) || memcmp(buf, CANARY, (size_t)n) != 0) {
		fprintf(stderr, "the canary was overwritten\n");
		abort();
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0)
		die(path);
	return 0;
}

void sandbox_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		die(path);
}

int sandbox_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errno == ENOENT;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}
