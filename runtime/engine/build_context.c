/* docker build's context: extracted by the unpack helper the first time
 * a step needs its files, and what earlier builds of the same tar (by its
 * digest) learnt from it. */
#include "runtime/engine/build_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/engine/internal.h"
#include "runtime/images/image_digest.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"

int build_context(struct builder *b, struct berr *err)
{
	cleanup_free char *dir = NULL;
	const char *argv[10];
	size_t k = 0;
	int ret;

	if (b->ctx)
		return 0;
	if (asprintf(&dir, "%s/context", b->work) < 0) {
		dir = NULL;
		return berr_set(err, ENOMEM, "build");
	}
	if (mkdir(dir, 0755) < 0)
		return berr_sys(err, "build: create %s", dir);
	argv[k++] = "berthd-unpack";
	argv[k++] = "build-context";
	argv[k++] = "--data-root";
	argv[k++] = b->d->o.data_root;
	argv[k++] = "--file";
	argv[k++] = b->o->context;
	argv[k++] = "--path";
	argv[k++] = dir;
	argv[k] = NULL;
	ret = daemon_helper_run(b->d, argv, NULL, NULL, err);
	if (ret < 0)
		return berr_wrap(err, ret, "the build context");
	b->ctx = dir;
	dir = NULL;
	return 0;
}

static char *memo_path(struct builder *b, const char *kind, const char *name)
{
	struct image_digest_ctx c;
	char key[IMAGE_DIGEST_LEN + 1];
	char *path = NULL;

	/* v1: the extraction and checksum of today; a change to either that
	 * gives other files or sums for the same tar needs v2. */
	image_digest_init(&c);
	image_digest_update(&c, "memo-v1", 8);
	image_digest_update(&c, b->ctx_digest, strlen(b->ctx_digest) + 1);
	image_digest_update(&c, kind, strlen(kind) + 1);
	image_digest_update(&c, name, strlen(name) + 1);
	image_digest_final(&c, key);
	if (asprintf(&path, "%s/build-cache/context/%s", b->d->o.data_root, key + 7) < 0)
		return NULL;
	return path;
}

int build_memo_get(struct builder *b, const char *kind, const char *name, char **text)
{
	cleanup_free char *path = NULL;
	struct berr ignored;
	size_t len;

	if (!b->ctx_digest[0] || !(path = memo_path(b, kind, name)))
		return -ENOENT;
	if (fsutil_read_file(path, text, &len, &ignored) < 0)
		return -ENOENT;
	/* Used: prune keeps recently used memos (build_prune.c). */
	utimensat(AT_FDCWD, path, NULL, 0);
	return 0;
}

void build_memo_put(struct builder *b, const char *kind, const char *name, const char *text,
		    size_t len)
{
	cleanup_free char *path = NULL, *dir = NULL;
	struct berr ignored;

	if (!b->ctx_digest[0] || !(path = memo_path(b, kind, name)) ||
	    asprintf(&dir, "%s/build-cache", b->d->o.data_root) < 0) {
		dir = NULL;
		return;
	}
	mkdir(dir, 0700);
	*strrchr(path, '/') = '\0';
	mkdir(path, 0700);
	path[strlen(path)] = '/';
	/* Like the cache, a memo that cannot be kept costs only time. */
	fsutil_write_atomic(path, text, len, 0600, &ignored);
}
