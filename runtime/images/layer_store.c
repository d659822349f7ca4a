#include "runtime/images/layer_store.h"

#define _XOPEN_SOURCE_EXTENDED 1
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

char *layer_store_dir(const char *data_root, const char *diff_id)
{
	char *p;
	const char *hex = strncmp(diff_id, "sha256:", 7) == 0 ? diff_id + 7 : diff_id;

	if (asprintf(&p, "%s/layers/%s", data_root, hex) < 0)
		return NULL;
	return p;
}

bool layer_store_has(const char *data_root, const char *diff_id)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	cleanup_free char *diff = NULL;

	if (!dir || asprintf(&diff, "%s/diff", dir) < 0) {
		diff = NULL;
		return false;
	}
	return access(diff, F_OK) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int layer_store_rmtree(const char *path, struct berr *err)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return berr_sys(err, "remove %s", path);
	return 0;
}

/* A layer stored before berthd kept blobs takes the one unpacked now,
 * so that its images can be saved and pushed: the digest first, as the
 * blob's presence is what says both are there. */
static void adopt_file(const char *dir, const char *tmp_dir, const char *name)
{
	cleanup_free char *have = NULL, *got = NULL;

	if (asprintf(&have, "%s/%s", dir, name) < 0) {
		have = NULL;
		return;
	}
	if (asprintf(&got, "%s/%s", tmp_dir, name) < 0) {
		got = NULL;
		return;
	}
	if (access(have, F_OK) < 0 && errno == ENOENT)
		(void)!rename(got, have);
}

static void adopt_blob(const char *dir, const char *tmp_dir)
{
	adopt_file(dir, tmp_dir, "blob-digest");
	adopt_file(dir, tmp_dir, "blob");
}

int layer_store_commit(const char *data_root, const char *diff_id, const char *tmp_dir,
		       struct berr *err)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	struct berr ignored;

	if (!dir)
		return berr_sys(err, "layer %s", diff_id);
	if (layer_store_has(data_root, diff_id)) {
		adopt_blob(dir, tmp_dir);
		return layer_store_rmtree(tmp_dir, &ignored), 0;
	}
	/* A directory without diff/ is the remains of an interrupted removal. */
	layer_store_rmtree(dir, &ignored);
	if (rename(tmp_dir, dir) < 0)
		return berr_sys(err, "store layer %s", diff_id);
	return 0;
}

int layer_store_blob(const char *data_root, const char *diff_id, char **path,
		     char digest[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	cleanup_free char *dpath = NULL, *text = NULL;
	size_t len;
	int ret;

	*path = NULL;
	if (!dir || asprintf(&dpath, "%s/blob-digest", dir) < 0 ||
	    asprintf(path, "%s/blob", dir) < 0)
		return berr_sys(err, "layer %s", diff_id);
	if (access(dpath, F_OK) != 0 || access(*path, F_OK) != 0) {
		free(*path);
		*path = NULL;
		return berr_not_found(err,
				      "layer %s has no blob kept (it was stored by an earlier "
				      "berthd): pull or load its image again",
				      diff_id);
	}
	ret = fsutil_read_file(dpath, &text, &len, err);
	if (ret == 0 && (len < IMAGE_DIGEST_LEN || strncmp(text, "sha256:", 7) != 0))
		ret = berr_fail(err, EINVAL, "%s: not a digest", dpath);
	if (ret < 0) {
		free(*path);
		*path = NULL;
		return ret;
	}
	memcpy(digest, text, IMAGE_DIGEST_LEN);
	digest[IMAGE_DIGEST_LEN] = '\0';
	return 0;
}

static int copy_file(const char *from, const char *to, struct berr *err)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return berr_sys(err, "open %s", from);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return berr_sys(err, "create %s", to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0)
				return berr_sys(err, "write %s", to);
			off += w;
		}
	if (n < 0)
		return berr_sys(err, "read %s", from);
	return 0;
}

int layer_store_keep_blob(const char *tmp_dir, const char *blob, const char *digest,
			  struct berr *err)
{
	cleanup_free char *to = NULL, *dpath = NULL;
	int ret;

	if (asprintf(&to, "%s/blob", tmp_dir) < 0 || asprintf(&dpath, "%s/blob-digest", tmp_dir) < 0)
		return berr_sys(err, "keep blob");
	if (link(blob, to) < 0) {
		ret = copy_file(blob, to, err);
		if (ret < 0)
			return ret;
	}
	return fsutil_write_atomic(dpath, digest, strlen(digest), 0600, err);
}

long long layer_store_size(const char *data_root, const char *diff_id)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	char buf[32];
	ssize_t n;

	if (!dir)
		return 0;
	n = fsutil_read_at(AT_FDCWD, dir, "size", buf, sizeof(buf));
	return n > 0 ? strtoll(buf, NULL, 10) : 0;
}

int layer_store_remove(const char *data_root, const char *diff_id, struct berr *err)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	cleanup_free char *doomed = NULL;

	if (!dir)
		return berr_sys(err, "layer %s", diff_id);
	/* Rename first, so that a crash mid-way leaves no half layer that
	 * looks whole. */
	if (asprintf(&doomed, "%s/tmp/removing-%s", data_root,
		     strncmp(diff_id, "sha256:", 7) == 0 ? diff_id + 7 : diff_id) < 0)
		return berr_sys(err, "layer %s", diff_id);
	if (rename(dir, doomed) < 0) {
		if (errno == ENOENT)
			return 0;
		return berr_sys(err, "remove layer %s", diff_id);
	}
	return layer_store_rmtree(doomed, err);
}

/* A volatile mount leaves work/incompat/volatile behind, and overlayfs
 * refuses any later mount of that work directory while it is there (it
 * cannot tell a clean unmount from a crash).  Only throwaway containers
 * are mounted volatile, and their next mount (docker restart) may reuse
 * the upper directory: a crash would have removed them. */
static void forget_volatile(const char *work)
{
	cleanup_free char *incompat = NULL;
	struct berr ignored;

	if (asprintf(&incompat, "%s/work/incompat", work) >= 0)
		layer_store_rmtree(incompat, &ignored);
}

int layer_store_mount(const char *data_root, char *const *diff_ids, size_t n,
		      const char *upper, const char *work, const char *target,
		      bool throwaway, struct berr *err)
{
	cleanup_free char *opts = NULL;
	size_t len;
	FILE *f;

	if (n == 0)
		return berr_invalid(err, "the image has no layers");
	f = open_memstream(&opts, &len);
	if (!f)
		return berr_sys(err, "mount options");
	fputs("lowerdir=", f);
	/* overlayfs lists the top layer first. */
	for (size_t i = n; i-- > 0;) {
		cleanup_free char *dir = layer_store_dir(data_root, diff_ids[i]);

		fprintf(f, "%s%s/diff", i == n - 1 ? "" : ":", dir ? dir : "");
	}
	fprintf(f, ",upperdir=%s,workdir=%s", upper, work);
	if (fclose(f) != 0)
		return berr_sys(err, "mount options");
	if (len >= 4096)
		return berr_failk(err, BERR_INVALID, E2BIG,
				 "the image has too many layers (%zu) for one overlay mount", n);
	forget_volatile(work);
	if (throwaway) {
		cleanup_free char *fast = NULL;

		if (asprintf(&fast, "%s,volatile", opts) < 0)
			return berr_set(err, ENOMEM, "mount options");
		if (mount("overlay", target, "overlay", MS_NODEV, fast) == 0)
			return 0;
		/* Kernels before 5.10 know no "volatile": mount it plainly. */
		if (errno != EINVAL)
			return berr_sys(err, "mount the container's root (overlay at %s)", target);
	}
	if (mount("overlay", target, "overlay", MS_NODEV, opts) < 0)
		return berr_sys(err, "mount the container's root (overlay at %s)", target);
	return 0;
}

int layer_store_umount(const char *target, struct berr *err)
{
	if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
	    errno != ENOENT)
		return berr_sys(err, "unmount %s", target);
	return 0;
}
