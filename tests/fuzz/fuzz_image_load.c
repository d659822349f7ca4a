/* `docker load`: an archive (docker save's manifest.json, or an OCI
 * layout's index.json; gzip or not) loaded into an empty image store, as
 * berthd's unpack helper does it (image_load_archive), in the harness's
 * sandbox (sandbox.h).  Each layer is unpacked by layer_unpack's own
 * child, chrooted, so the extraction's coverage is not seen here (the
 * layer_unpack harness has it); the archive's documents, its member
 * paths, the digests and the commit into the store are.
 *
 * Beyond no crash: nothing outside the data root changes, a load leaves
 * no work directory behind, and a load that fails leaves the store
 * empty.  BERTH_FUZZ_VERBOSE=1 prints each load's outcome. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/images/image_load.h"
#include "sandbox.h"

static char data_root[128], archive[128], sub[192];

static void die(const char *what)
{
	perror(what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *top = sandbox_init("image-load");

	(void)argc;
	(void)argv;
	snprintf(data_root, sizeof(data_root), "%s/data", top);
	snprintf(archive, sizeof(archive), "%s/archive", top);
	return 0;
}

static void report(void *arg, const char *kind, const char *value)
{
	size_t *n = arg;

	fuzz_assert(value && *value && (!strcmp(kind, "tag") || !strcmp(kind, "id")));
	(*n)++;
}

static int empty(const char *name)
{
	snprintf(sub, sizeof(sub), "%s/%s", data_root, name);
	return sandbox_empty(sub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "data", "archive", NULL };
	struct berr err = { 0 };
	size_t reported = 0;
	int fd, ret;

	sandbox_keep_input(data, size);
	fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		die(archive);
	close(fd);
	ret = image_load_archive(data_root, archive, report, &reported, &err);
	fuzz_check_failure(ret, &err);
	/* To see what a seed does: BERTH_FUZZ_VERBOSE=1 fuzz_image_load FILE */
	if (getenv("BERTH_FUZZ_VERBOSE"))
		fprintf(stderr, "load: %s (%zu reported)\n", ret < 0 ? err.msg : "ok", reported);
	sandbox_check(allowed);
	fuzz_assert(empty("tmp"));
	if (ret < 0) {
		if (!(empty("images") && empty("layers") && empty("blobs/sha256")))
			fprintf(stderr, "a failed load left images or layers: %s\n", err.msg);
		fuzz_assert(empty("images") && empty("layers") && empty("blobs/sha256"));
	} else {
		fuzz_assert(reported > 0);
	}
	sandbox_rmtree(data_root);
	return 0;
}
