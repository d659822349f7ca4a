/* The layer unpacker (layer_unpack_tar, what layer_unpack's child runs):
 * an uncompressed tar extracted, chrooted, into a fresh root per input,
 * in the harness's sandbox (sandbox.h: a private nodev tmpfs, so a device
 * node an archive makes cannot be opened, whatever it names).  After each
 * input the harness checks that nothing but the root changed beside it
 * (an archive that escaped its root is a crash), then removes the root.
 *
 * The chroot is left again through a descriptor of the real root kept
 * open.  Decompression (libarchive's filters, in layer_unpack's parent)
 * is not fuzzed here. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/images/layer_unpack.h"
#include "sandbox.h"

static char root[128];
static int host_root = -1, input_fd = -1;

static void die(const char *what)
{
	perror(what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/root", sandbox_init("layer"));
	host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	input_fd = memfd_create("layer.tar", MFD_CLOEXEC);
	if (host_root < 0 || input_fd < 0)
		die("harness fds");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "root", NULL };
	struct berr err = { 0 };
	mode_t old_umask;
	int host_cwd, ret;

	sandbox_keep_input(data, size);
	if (ftruncate(input_fd, 0) < 0 || pwrite(input_fd, data, size, 0) != (ssize_t)size ||
	    lseek(input_fd, 0, SEEK_SET) < 0)
		die("input");
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
	sandbox_check(allowed);
	sandbox_rmtree(root);
	return 0;
}
