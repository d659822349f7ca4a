#include "runtime/images/image_commit.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "runtime/images/layer_unpack.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"
#include "spec/image.h"
#include "spec/image_history.h"
#include "spec/json_write.h"

static bool mount_point(const char *rel, const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_size == 0 &&
	       (!strcmp(rel, "etc/hostname") || !strcmp(rel, "etc/hosts") ||
		!strcmp(rel, "etc/resolv.conf"));
}

static int put_marker(struct archive *a, const char *name, struct berr *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return berr_set(err, ENOMEM, "commit");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return berr_fail(err, EIO, "commit: %s", archive_error_string(a));
	return 0;
}

/* overlayfs keeps its own bookkeeping in trusted.overlay.* (origin,
 * impure, opaque): none of it belongs in a layer, as dockerd drops it. */
static void drop_overlay_xattrs(struct archive_entry *e)
{
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[64];
	size_t n = 0;
	const char *name;
	const void *value;
	size_t size;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
		if (strncmp(name, "trusted.overlay.", 16) != 0 && n < 64) {
			keep[n].name = strdup(name);
			keep[n].value = malloc(size ? size : 1);
			if (keep[n].name && keep[n].value) {
				memcpy(keep[n].value, value, size);
				keep[n++].size = size;
			} else {
				free(keep[n].name);
				free(keep[n].value);
			}
		}
	archive_entry_xattr_clear(e);
	for (size_t i = 0; i < n; i++) {
		archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
}

static int put_file(struct archive *a, struct archive *disk, const char *path,
		    const char *rel, struct berr *err)
{
	struct archive_entry *e = archive_entry_new();
	int r, ret = 0;
	int fd = -1;

	if (!e)
		return berr_set(err, ENOMEM, "commit");
	archive_entry_copy_sourcepath(e, path);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	r = archive_read_disk_entry_from_file(disk, e, fd >= 0 ? fd : -1, NULL);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		ret = berr_fail(err, EIO, "commit: %s: %s", rel, archive_error_string(disk));
		goto out;
	}
	archive_entry_set_pathname(e, rel);
	drop_overlay_xattrs(e);
	r = archive_write_header(a, e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		ret = berr_fail(err, EIO, "commit: %s", archive_error_string(a));
		goto out;
	}
	if (archive_entry_filetype(e) == AE_IFREG && fd >= 0) {
		char buf[65536];
		ssize_t n;

		lseek(fd, 0, SEEK_SET);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (archive_write_data(a, buf, (size_t)n) != n) {
				ret = berr_fail(err, EIO, "commit: %s", archive_error_string(a));
				goto out;
			}
	}
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return ret;
}

/* path is the directory on disk, rel its name in the layer ("" the top). */
static int walk(struct archive *a, struct archive *disk, const char *path, const char *rel,
		int depth, struct berr *err)
{
	cleanup_closedir DIR *d = opendir(path);
	struct dirent *e;
	char v[2];
	int ret = 0;

	if (!d)
		return berr_sys(err, "commit: read %s", path);
	if (depth > 512)
		return berr_fail(err, ELOOP, "commit: %s is nested too deep", path);
	if (*rel && getxattr(path, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y') {
		char marker[PATH_MAX];

		snprintf(marker, sizeof(marker), "%s/.wh..wh..opq", rel);
		ret = put_marker(a, marker, err);
	}
	while (ret == 0 && (e = readdir(d))) {
		char child[PATH_MAX], name[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= sizeof(child) ||
		    (size_t)snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
			    sizeof(name))
			return berr_fail(err, ENAMETOOLONG, "commit: a name is too long");
		if (lstat(child, &st) < 0)
			return berr_sys(err, "commit: stat %s", child);
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			char wh[PATH_MAX];

			snprintf(wh, sizeof(wh), "%s%s.wh.%s", rel, *rel ? "/" : "", e->d_name);
			ret = put_marker(a, wh, err);
			continue;
		}
		if (mount_point(name, &st))
			continue;
		ret = put_file(a, disk, child, name, err);
		if (ret == 0 && S_ISDIR(st.st_mode))
			ret = walk(a, disk, child, name, depth + 1, err);
	}
	return ret;
}

int image_commit_layer_tar(const char *dir, int fd, struct berr *err)
{
	struct archive *a = archive_write_new(), *disk = archive_read_disk_new();
	int ret = 0;

	if (!a || !disk) {
		ret = berr_set(err, ENOMEM, "commit");
		goto out;
	}
	archive_read_disk_set_standard_lookup(disk);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		ret = berr_fail(err, EIO, "commit: %s", archive_error_string(a));
		goto out;
	}
	ret = walk(a, disk, dir, "", 0, err);
	if (ret == 0 && archive_write_close(a) != ARCHIVE_OK)
		ret = berr_fail(err, EIO, "commit: %s", archive_error_string(a));
out:
	if (a)
		archive_write_free(a);
	if (disk)
		archive_read_free(disk);
	return ret;
}

static int new_config(const struct spec_image_config *parent,
		      const struct spec_image_history *hist, size_t n_hist,
		      const struct image_commit_in *in, const char *diff_id, char **out,
		      size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	char now[48];

	timestamp_now(now, sizeof(now));
	jw_map_open(w);
	jw_kstr(w, "architecture", parent->architecture ? parent->architecture : "amd64");
	if (in->author && *in->author)
		jw_kstr(w, "author", in->author);
	if (in->comment && *in->comment)
		jw_kstr(w, "comment", in->comment);
	jw_key(w, "config");
	jw_json(w, in->run_config, strlen(in->run_config));
	jw_kstr(w, "created", now);
	jw_key(w, "history");
	jw_array_open(w);
	for (size_t i = 0; i < n_hist; i++) {
		jw_map_open(w);
		if (hist[i].created)
			jw_kstr(w, "created", hist[i].created);
		if (hist[i].author)
			jw_kstr(w, "author", hist[i].author);
		if (hist[i].created_by)
			jw_kstr(w, "created_by", hist[i].created_by);
		if (hist[i].comment)
			jw_kstr(w, "comment", hist[i].comment);
		if (hist[i].empty_layer)
			jw_kbool(w, "empty_layer", true);
		jw_map_close(w);
	}
	jw_map_open(w);
	jw_kstr(w, "created", now);
	if (in->author && *in->author)
		jw_kstr(w, "author", in->author);
	jw_kstr(w, "created_by", in->created_by ? in->created_by : "");
	if (in->comment && *in->comment)
		jw_kstr(w, "comment", in->comment);
	jw_map_close(w);
	jw_array_close(w);
	jw_kstr(w, "os", parent->os ? parent->os : "linux");
	jw_key(w, "rootfs");
	jw_map_open(w);
	jw_kstr(w, "type", "layers");
	jw_key(w, "diff_ids");
	jw_array_open(w);
	for (size_t i = 0; i < parent->n_diff_ids; i++)
		jw_str(w, parent->diff_ids[i]);
	jw_str(w, diff_id);
	jw_array_close(w);
	jw_map_close(w);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}

int image_commit(const char *data_root, const struct image_commit_in *in,
		 char id[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_free char *work = NULL, *tar = NULL, *unpacked = NULL, *pjson = NULL,
			  *config = NULL, *tag = NULL;
	struct spec_image_config *parent = NULL;
	struct spec_image_history *hist = NULL;
	struct arena arena = { 0 };
	char diff_id[IMAGE_DIGEST_LEN + 1];
	size_t plen, clen, n_hist = 0;
	struct berr ignored;
	int fd, lock, ret;

	if (in->tag && *in->tag && image_store_normalize(in->tag, &tag, err) < 0)
		return -EINVAL;
	ret = image_store_init(data_root, err);
	if (ret < 0)
		return ret;
	if (asprintf(&work, "%s/tmp/commit-XXXXXX", data_root) < 0) {
		work = NULL;
		return berr_set(err, ENOMEM, "commit");
	}
	if (!mkdtemp(work))
		return berr_sys(err, "create %s", work);
	if (asprintf(&tar, "%s/layer.tar", work) < 0 || asprintf(&unpacked, "%s/layer", work) < 0) {
		ret = berr_set(err, ENOMEM, "commit");
		goto out;
	}
	/* No parent: docker build's FROM scratch. */
	if (!in->parent || !*in->parent) {
		static const char empty[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

		ret = spec_image_config_parse(empty, sizeof(empty) - 1, &parent, err);
	} else {
		ret = image_store_config(data_root, in->parent, &pjson, &plen, err);
		if (ret == 0)
			ret = spec_image_config_parse(pjson, plen, &parent, err);
		if (ret == 0)
			ret = spec_image_history_parse(pjson, plen, &arena, &hist, &n_hist, err);
	}
	if (ret < 0)
		goto out;
	fd = open(tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = berr_sys(err, "create %s", tar);
		goto out;
	}
	ret = image_commit_layer_tar(in->upper, fd, err);
	close(fd);
	if (ret == 0)
		ret = layer_unpack(tar, NULL, unpacked, diff_id, err);
	/* Kept as save and push send it: an uncompressed tar, whose digest
	 * is its diff id. */
	if (ret == 0)
		ret = layer_store_keep_blob(unpacked, tar, diff_id, err);
	if (ret == 0)
		ret = new_config(parent, hist, n_hist, in, diff_id, &config, &clen, err);
	if (ret < 0)
		goto out;
	image_digest_buf(config, clen, id);
	lock = image_store_lock(data_root, true, err);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	ret = layer_store_commit(data_root, diff_id, unpacked, err);
	if (ret == 0) {
		char **layers = calloc(parent->n_diff_ids + 2, sizeof(char *));
		char *tags[2] = { tag, NULL };
		char now[48];

		timestamp_now(now, sizeof(now));
		for (size_t i = 0; layers && i < parent->n_diff_ids; i++)
			layers[i] = (char *)parent->diff_ids[i];
		if (!layers) {
			ret = berr_set(err, ENOMEM, "commit");
		} else {
			layers[parent->n_diff_ids] = diff_id;
			ret = image_store_add_locked(data_root, id, config, clen, layers,
						     parent->n_diff_ids + 1, now, tags, tag ? 1 : 0,
						     err);
		}
		free(layers);
	}
	close(lock);
out:
	spec_image_config_free(parent);
	arena_release(&arena);
	layer_store_rmtree(work, &ignored);
	return ret;
}
