#include "runtime/images/image_save.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/json_write.h"

struct saved_image {
	struct image_rec rec;
	char **tags; /* the ones to carry */
	size_t n_tags;
	char *config;
	size_t config_len;
};

struct saved_layer {
	const char *diff_id; /* a saved image's */
	int fd;
	off_t size;
};

struct save {
	struct saved_image *images;
	size_t n_images;
	struct saved_layer *layers;
	size_t n_layers;
};

static void save_release(struct save *s)
{
	for (size_t i = 0; i < s->n_images; i++) {
		image_rec_free(&s->images[i].rec);
		strv_free(s->images[i].tags);
		free(s->images[i].config);
	}
	free(s->images);
	for (size_t i = 0; i < s->n_layers; i++)
		if (s->layers[i].fd >= 0)
			close(s->layers[i].fd);
	free(s->layers);
}

static int add_tag(struct saved_image *img, const char *tag)
{
	char **grown;

	for (size_t i = 0; i < img->n_tags; i++)
		if (strcmp(img->tags[i], tag) == 0)
			return 0;
	grown = realloc(img->tags, (img->n_tags + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	img->tags = grown;
	grown[img->n_tags] = strdup(tag);
	grown[img->n_tags + 1] = NULL;
	if (!grown[img->n_tags])
		return -ENOMEM;
	img->n_tags++;
	return 0;
}

/* The tag ref names, when it names the image by one of its tags. */
static const char *tag_named(const struct image_rec *rec, const char *ref)
{
	cleanup_free char *norm = NULL;
	struct berr ignored;

	if (image_store_normalize(ref, &norm, &ignored) < 0)
		return NULL;
	for (size_t i = 0; i < rec->n_tags; i++)
		if (strcmp(rec->tags[i], norm) == 0)
			return rec->tags[i];
	return NULL;
}

static int open_layer(struct save *s, const char *data_root, const char *diff_id,
		      const char *image, struct berr *err)
{
	cleanup_free char *path = NULL;
	char digest[IMAGE_DIGEST_LEN + 1];
	struct saved_layer *grown, *l;
	struct stat st;
	int ret;

	for (size_t i = 0; i < s->n_layers; i++)
		if (strcmp(s->layers[i].diff_id, diff_id) == 0)
			return 0;
	ret = layer_store_blob(data_root, diff_id, &path, digest, err);
	if (ret == -ENOENT)
		return berr_unsupported(err,
					"image %s: layer %s was stored before berthd kept the "
					"blobs layers came as, so it cannot be saved (load, import "
					"or pull the image again)",
					image, diff_id);
	if (ret < 0)
		return ret;
	grown = realloc(s->layers, (s->n_layers + 1) * sizeof(*grown));
	if (!grown)
		return berr_set(err, ENOMEM, "save");
	s->layers = grown;
	l = &s->layers[s->n_layers];
	l->diff_id = diff_id;
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0)
		return berr_sys(err, "open %s", path);
	s->n_layers++;
	if (fstat(l->fd, &st) < 0)
		return berr_sys(err, "stat %s", path);
	l->size = st.st_size;
	return 0;
}

static int add_ref(struct save *s, const char *data_root, const char *ref, struct berr *err)
{
	struct image_rec rec;
	struct saved_image *img = NULL, *grown;
	const char *tag;
	int ret;

	ret = image_store_find(data_root, ref, &rec, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < s->n_images; i++)
		if (strcmp(s->images[i].rec.id, rec.id) == 0)
			img = &s->images[i];
	if (!img) {
		grown = realloc(s->images, (s->n_images + 1) * sizeof(*grown));
		if (!grown) {
			image_rec_free(&rec);
			return berr_set(err, ENOMEM, "save");
		}
		s->images = grown;
		img = &s->images[s->n_images++];
		memset(img, 0, sizeof(*img));
		img->rec = rec;
		ret = image_store_config(data_root, rec.id, &img->config, &img->config_len, err);
		for (size_t i = 0; ret == 0 && i < rec.n_layers; i++)
			ret = open_layer(s, data_root, img->rec.layers[i], ref, err);
		if (ret < 0)
			return ret;
	} else {
		image_rec_free(&rec);
	}
	tag = tag_named(&img->rec, ref);
	if (tag && add_tag(img, tag) < 0)
		return berr_set(err, ENOMEM, "save");
	return 0;
}

/* A name, or every tag of a repository named without a tag. */
static int add_named(struct save *s, const char *data_root, const char *ref, struct berr *err)
{
	char **tags;
	int ret = image_store_repository_tags(data_root, ref, &tags, err);

	if (ret == 0 && !tags)
		return add_ref(s, data_root, ref, err);
	for (size_t i = 0; ret == 0 && tags && tags[i]; i++)
		ret = add_ref(s, data_root, tags[i], err);
	strv_free(tags);
	return ret;
}

static int write_entry(struct archive *a, const char *name, int64_t size, struct berr *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return berr_set(err, ENOMEM, "save");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, size < 0 ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, size < 0 ? 0755 : 0644);
	archive_entry_set_size(e, size < 0 ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return berr_fail(err, EIO, "save: write %s: %s", name, archive_error_string(a));
	return 0;
}

static int write_bytes(struct archive *a, const char *name, const char *data, size_t len,
		       struct berr *err)
{
	int ret = write_entry(a, name, (int64_t)len, err);

	if (ret == 0 && len && archive_write_data(a, data, len) != (la_ssize_t)len)
		return berr_fail(err, EIO, "save: write %s: %s", name, archive_error_string(a));
	return ret;
}

static int write_layer(struct archive *a, const struct saved_layer *l, struct berr *err)
{
	char dir[80], name[96], buf[65536];
	off_t left = l->size;

	snprintf(dir, sizeof(dir), "%s", l->diff_id + 7);
	snprintf(name, sizeof(name), "%s/layer.tar", dir);
	if (write_entry(a, dir, -1, err) < 0 || write_entry(a, name, l->size, err) < 0)
		return -EIO;
	while (left > 0) {
		ssize_t n = read(l->fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n <= 0)
			return n < 0 ? berr_sys(err, "read layer %s", l->diff_id)
				     : berr_fail(err, EIO, "layer %s shrank while saved",
						 l->diff_id);
		if (archive_write_data(a, buf, (size_t)n) != n)
			return berr_fail(err, EIO, "save: write %s: %s", name,
					 archive_error_string(a));
		left -= n;
	}
	return 0;
}

static int manifest_json(const struct save *s, char **out, size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);

	jw_array_open(w);
	for (size_t i = 0; i < s->n_images; i++) {
		const struct saved_image *img = &s->images[i];
		char name[96];

		jw_map_open(w);
		snprintf(name, sizeof(name), "%s.json", img->rec.id + 7);
		jw_kstr(w, "Config", name);
		jw_key(w, "RepoTags");
		if (img->n_tags) {
			jw_array_open(w);
			for (size_t t = 0; t < img->n_tags; t++)
				jw_str(w, img->tags[t]);
			jw_array_close(w);
		} else {
			jw_null(w);
		}
		jw_key(w, "Layers");
		jw_array_open(w);
		for (size_t l = 0; l < img->rec.n_layers; l++) {
			snprintf(name, sizeof(name), "%s/layer.tar", img->rec.layers[l] + 7);
			jw_str(w, name);
		}
		jw_array_close(w);
		jw_map_close(w);
	}
	jw_array_close(w);
	return jw_finish(w, out, len, err);
}

static int write_archive(const struct save *s, int fd, struct berr *err)
{
	cleanup_free char *manifest = NULL;
	struct archive *a = archive_write_new();
	size_t len;
	int ret = 0;

	if (!a)
		return berr_set(err, ENOMEM, "save");
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		ret = berr_fail(err, EIO, "save: %s", archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; ret == 0 && i < s->n_layers; i++)
		ret = write_layer(a, &s->layers[i], err);
	for (size_t i = 0; ret == 0 && i < s->n_images; i++) {
		char name[96];

		snprintf(name, sizeof(name), "%s.json", s->images[i].rec.id + 7);
		ret = write_bytes(a, name, s->images[i].config, s->images[i].config_len, err);
	}
	if (ret == 0)
		ret = manifest_json(s, &manifest, &len, err);
	if (ret == 0)
		ret = write_bytes(a, "manifest.json", manifest, len, err);
	if (ret == 0 && archive_write_close(a) != ARCHIVE_OK)
		ret = berr_fail(err, EIO, "save: %s", archive_error_string(a));
out:
	archive_write_free(a);
	return ret;
}

int image_save(const char *data_root, char *const *refs, size_t n, int fd, struct berr *err)
{
	struct save s = { 0 };
	int lock, ret = 0;

	if (n == 0)
		return berr_invalid(err, "save: no image named");
	lock = image_store_lock(data_root, false, err);
	if (lock < 0)
		return lock;
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = add_named(&s, data_root, refs[i], err);
	/* The open files keep their bytes should an image go meanwhile. */
	close(lock);
	if (ret == 0)
		ret = write_archive(&s, fd, err);
	save_release(&s);
	return ret;
}
