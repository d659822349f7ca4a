/* berthd's earlier versions kept an image's record as key=value lines
 * (spec/base/record_legacy.h): "id", "created", "size", "added", then a
 * "layer" line per layer (bottom first) and a "tag" line per tag.  On
 * start each such record is read here, once, and written again as JSON;
 * from then on only JSON is read. */
#include "runtime/images/image_store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/record_legacy.h"

static int legacy_read(const char *path, const char *text, size_t len, struct image_rec *r,
		       struct berr *err)
{
	struct record_legacy kv;
	const char *id, *created;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = record_legacy_parse(text, len, &kv, err);
	if (ret < 0)
		return ret;
	id = record_legacy_get(&kv, "id");
	created = record_legacy_get(&kv, "created");
	if (!id || strlen(id) != IMAGE_DIGEST_LEN) {
		record_legacy_free(&kv);
		return berr_fail(err, EINVAL, "%s: corrupt image record", path);
	}
	strcpy(r->id, id);
	r->tags = record_legacy_list(&kv, "tag", &r->n_tags);
	r->layers = record_legacy_list(&kv, "layer", &r->n_layers);
	r->size = record_legacy_ll(&kv, "size", 0);
	r->added = record_legacy_ll(&kv, "added", 0);
	r->created = strdup(created ? created : "");
	record_legacy_free(&kv);
	if (!r->tags || !r->layers || !r->created) {
		image_rec_free(r);
		return berr_set(err, ENOMEM, "image record");
	}
	return 0;
}

/* 1 when the record at path was migrated, 0 when it is JSON already. */
static int migrate_one(const char *data_root, const char *path, struct berr *err)
{
	cleanup_free char *text = NULL;
	struct image_rec r;
	size_t len;
	int ret;

	ret = fsutil_read_file(path, &text, &len, err);
	if (ret < 0 || !record_legacy_is(text, len))
		return ret;
	ret = legacy_read(path, text, len, &r, err);
	if (ret < 0)
		return ret;
	ret = image_store_save_locked(data_root, &r, err);
	image_rec_free(&r);
	/* The old content is gone with the rename: make the new one last. */
	if (ret == 0)
		ret = fsutil_sync_path(path, err);
	return ret < 0 ? berr_wrap(err, ret, "migrate %s", path) : 1;
}

int image_store_migrate(const char *data_root, struct berr *err)
{
	cleanup_close int lock = image_store_lock(data_root, true, err);
	cleanup_free char *dir = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (lock < 0)
		return lock;
	if (asprintf(&dir, "%s/images", data_root) < 0)
		return berr_sys(err, "images");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : berr_sys(err, "read %s", dir);
	while ((de = readdir(d))) {
		cleanup_free char *path = NULL;
		struct berr ignored;

		if (strlen(de->d_name) != 64 || strchr(de->d_name, '.'))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			return berr_sys(err, "images");
		/* A record that cannot be read stays as it is, and is
		 * skipped as any unreadable record is. */
		migrate_one(data_root, path, &ignored);
	}
	return 0;
}
