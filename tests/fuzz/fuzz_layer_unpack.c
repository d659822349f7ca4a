/* The layer unpacker (layer_unpack_tar, what layer_unpack's child runs):
 * an uncompressed tar extracted, chrooted, into a fresh root per input.
 *
 * The host is kept out of reach twice: the harness runs in a private
 * mount namespace where every root lives on a tmpfs mounted nodev (a
 * device node an archive makes cannot be opened, whatever it names), and
 * each input is extracted chrooted into its root, as berth does it.  Next
 * to the root lies a canary; after each input the harness checks that
 * nothing but the root changed beside it (an archive that escaped its
 * root is a crash), then removes the root.
 *
 * The chroot is left again through a descriptor of the real root kept
 * open, so a crash during an extraction writes its artifact inside the
 * root, where it is lost with the tmpfs: the input being run is therefore
 * also kept in $TMPDIR/berth-fuzz-layer-input.PID, removed when the
 * harness exits normally. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/images/layer_unpack.h"

#define CANARY "canary: nothing may write here"

static char top[64]; /* the tmpfs, through its descriptor */
static char root[80], canary[80], last[4096];
static int host_root = -1, host_cwd = -1, input_fd = -1, last_fd = -1;

static void die(const char *what)
{
	perror(what);
	abort();
}

static void forget_input(void)
{
	unlink(last);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char mnt[] = "/tmp/berth-fuzz-layer-XXXXXX";
	int fd, top_fd;

	(void)argc;
	(void)argv;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private mount namespace");
	if (!mkdtemp(mnt) ||
	    mount("tmpfs", mnt, "tmpfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, "size=64m,mode=0700") < 0)
		die("tmpfs");
	/* The tmpfs stays reachable through a descriptor only, and its
	 * mount point goes: the host keeps nothing of it, even after a
	 * crash. */
	top_fd = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top_fd < 0 || umount2(mnt, MNT_DETACH) < 0 || rmdir(mnt) < 0)
		die("detach the tmpfs");
	snprintf(top, sizeof(top), "/proc/self/fd/%d", top_fd);
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(canary, sizeof(canary), "%s/canary", top);
	fd = open(canary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, CANARY, strlen(CANARY)) != (ssize_t)strlen(CANARY))
		die("canary");
	close(fd);
	host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	input_fd = memfd_create("layer.tar", MFD_CLOEXEC);
	snprintf(last, sizeof(last), "%s/berth-fuzz-layer-input.%d",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	last_fd = open(last, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (host_root < 0 || input_fd < 0 || last_fd < 0)
		die("harness fds");
	/* Kept only when the harness dies on an input. */
	atexit(forget_input);
	return 0;
}

static void keep(int fd, const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) < 0)
		die("keep the input");
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0)
		die(path);
	return 0;
}

/* The tmpfs holds the root and the canary, and the canary is intact. */
static void check_nothing_escaped(void)
{
	char buf[sizeof(CANARY) + 16];
	struct dirent *e;
	DIR *d = opendir(top);
	ssize_t n;
	int fd;

	if (!d)
		die(top);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "root") || !strcmp(e->d_name, "canary"))
			continue;
		fprintf(stderr, "the archive wrote %s/%s, outside its root\n", top, e->d_name);
		abort();
	}
	closedir(d);
	fd = open(canary, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	fuzz_assert(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	fuzz_assert(n == (ssize_t)strlen(CANARY) && memcmp(buf, CANARY, (size_t)n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berr err = { 0 };
	mode_t old_umask;
	int ret;

	keep(last_fd, data, size);
	keep(input_fd, data, size);
	if (mkdir(root, 0755) < 0)
		die(root);
	host_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_cwd < 0 || chroot(root) < 0 || chdir("/") < 0)
		die("chroot");
	old_umask = umask(0);
	ret = layer_unpack_tar(input_fd, &err);
	umask(old_umask);
	if (fchdir(host_root) < 0 || chroot(".") < 0 || fchdir(host_cwd) < 0)
		die("leave the chroot");
	close(host_cwd);
	fuzz_check_failure(ret, &err);
	check_nothing_escaped();
	if (nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		die("remove the root");
	return 0;
}
