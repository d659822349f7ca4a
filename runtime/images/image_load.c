#include "runtime/images/image_load.h"
#include "runtime/images/image_stage.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "runtime/images/image_digest.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "runtime/images/layer_unpack.h"
#include "spec/base/cleanup.h"
#include "spec/image.h"
#include "spec/json_write.h"
#include "spec/base/timestamp.h"

static void pending_free(struct pending_image *p)
{
	free(p->config);
	free(p->created);
	strv_free(p->layers);
	strv_free(p->tags);
	free(p->repo_digest);
}

void image_stage_release(struct image_stage *l)
{
	struct berr ignored;

	if (l->work)
		layer_store_rmtree(l->work, &ignored);
	free(l->work);
	for (size_t i = 0; i < l->n_unpacked; i++) {
		free(l->unpacked_dirs[i]);
		free(l->unpacked_ids[i]);
	}
	free(l->unpacked_dirs);
	free(l->unpacked_ids);
	for (size_t i = 0; i < l->n_images; i++)
		pending_free(&l->images[i]);
	free(l->images);
	arena_release(&l->arena);
}

int image_stage_init(struct image_stage *l, const char *data_root, struct berr *err)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->data_root = data_root;
	ret = image_store_init(data_root, err);

	if (ret < 0)
		return ret;
	if (asprintf(&l->work, "%s/tmp/load-XXXXXX", data_root) < 0) {
		l->work = NULL;
		return berr_sys(err, "load");
	}
	if (!mkdtemp(l->work))
		return berr_sys(err, "create %s", l->work);
	return 0;
}

int image_stage_strv_add(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(char *));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	grown[*n] = strdup(s);
	grown[*n + 1] = NULL;
	if (!grown[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Is the file compressed (gzip, zstd, bzip2, xz)?  An uncompressed layer
 * tar's digest is its diff id. */
static bool compressed(const char *path)
{
	static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
				   bz[] = { 'B', 'Z', 'h' }, xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	unsigned char m[6] = { 0 };
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, m, sizeof(m)) < 2)
		return false;
	return !memcmp(m, gz, sizeof(gz)) || !memcmp(m, zst, sizeof(zst)) ||
	       !memcmp(m, bz, sizeof(bz)) || !memcmp(m, xz, sizeof(xz));
}

int image_stage_layer(struct image_stage *l, const char *blob, const char *blob_digest,
		      bool verified, const char *want, char got[IMAGE_DIGEST_LEN + 1],
		      struct berr *err)
{
	cleanup_free char *dir = NULL;
	char digest[IMAGE_DIGEST_LEN + 1];
	size_t n_ids = l->n_unpacked;
	int ret;

	if (asprintf(&dir, "%s/layer-%zu", l->work, l->n_unpacked) < 0)
		return berr_sys(err, "layer");
	ret = layer_unpack(blob, verified ? NULL : blob_digest, dir, got, err);
	if (ret < 0)
		return ret;
	if (want && strcmp(got, want) != 0)
		return berr_invalid(err,
				 "layer %s has diff id %s, but the image config says %s", blob,
				 got, want);
	/* The blob stays with the layer, for pushes. */
	if (blob_digest)
		snprintf(digest, sizeof(digest), "%s", blob_digest);
	else if (!compressed(blob))
		snprintf(digest, sizeof(digest), "%s", got);
	else if ((ret = image_digest_file(blob, digest, err)) < 0)
		return ret;
	ret = layer_store_keep_blob(dir, blob, digest, err);
	if (ret < 0)
		return ret;
	if (image_stage_strv_add(&l->unpacked_ids, &n_ids, got) < 0 ||
	    image_stage_strv_add(&l->unpacked_dirs, &l->n_unpacked, dir) < 0)
		return berr_set(err, ENOMEM, "layer");
	return 0;
}

int image_stage_image(struct image_stage *l, const char *config, size_t len, char *const *tags,
		     size_t n_tags, struct spec_image_config **parsed, struct berr *err)
{
	struct pending_image *grown, *p;
	int ret;

	grown = realloc(l->images, (l->n_images + 1) * sizeof(*grown));
	if (!grown)
		return berr_set(err, ENOMEM, "image");
	l->images = grown;
	p = &l->images[l->n_images++];
	memset(p, 0, sizeof(*p));
	image_digest_buf(config, len, p->id);
	p->config = malloc(len);
	if (!p->config)
		return berr_set(err, ENOMEM, "image");
	memcpy(p->config, config, len);
	p->config_len = len;
	ret = spec_image_config_parse(config, len, parsed, err);
	if (ret < 0)
		return ret;
	p->created = strdup((*parsed)->created ? (*parsed)->created : "");
	p->layers = calloc(1, sizeof(char *));
	p->tags = calloc(1, sizeof(char *));
	if (!p->created || !p->layers || !p->tags)
		return berr_set(err, ENOMEM, "image");
	for (size_t i = 0; i < n_tags; i++) {
		cleanup_free char *norm = NULL;

		ret = image_store_normalize(tags[i], &norm, err);
		if (ret < 0)
			return ret;
		if (image_stage_strv_add(&p->tags, &p->n_tags, norm) < 0)
			return berr_set(err, ENOMEM, "image");
	}
	return 0;
}

/* A path from an archive's own documents, inside the work directory. */
static int member(struct image_stage *l, const char *rel, char *out, size_t size,
		  struct berr *err)
{
	if (!rel || rel[0] == '/' || strstr(rel, "..") ||
	    (size_t)snprintf(out, size, "%s/archive/%s", l->work, rel) >= size)
		return berr_invalid(err, "the archive names an unsafe path \"%s\"",
				 rel ? rel : "");
	return 0;
}

static int read_member(struct image_stage *l, const char *rel, char **data, size_t *len,
		       struct berr *err)
{
	char path[PATH_MAX];
	int ret = member(l, rel, path, sizeof(path), err);

	if (ret == 0)
		ret = fsutil_read_file(path, data, len, err);
	if (ret < 0)
		return berr_wrap(err, ret, "image archive");
	return 0;
}

static int load_docker(struct image_stage *l, struct berr *err)
{
	cleanup_free char *manifest = NULL;
	struct spec_archive_image *imgs = NULL;
	size_t len, n = 0;
	int ret;

	ret = read_member(l, "manifest.json", &manifest, &len, err);
	if (ret == 0)
		ret = spec_archive_manifest_parse(manifest, len, &l->arena, &imgs, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *config = NULL;
		struct spec_image_config *cfg = NULL;
		struct pending_image *p;
		size_t clen;

		ret = read_member(l, imgs[i].config, &config, &clen, err);
		if (ret == 0)
			ret = image_stage_image(l, config, clen, (char *const *)imgs[i].repo_tags,
					imgs[i].n_repo_tags, &cfg, err);
		if (ret == 0 && cfg->n_diff_ids != imgs[i].n_layers)
			ret = berr_invalid(err,
					"manifest.json lists %zu layers but the image config has "
					"%zu",
					imgs[i].n_layers, cfg->n_diff_ids);
		/* Only an image that add_image took has layers to add. */
		p = ret == 0 ? &l->images[l->n_images - 1] : NULL;
		for (size_t j = 0; ret == 0 && j < imgs[i].n_layers; j++) {
			char blob[PATH_MAX], got[IMAGE_DIGEST_LEN + 1];

			ret = member(l, imgs[i].layers[j], blob, sizeof(blob), err);
			if (ret == 0)
				ret = image_stage_layer(l, blob, NULL, false, cfg->diff_ids[j], got, err);
			if (ret == 0 && image_stage_strv_add(&p->layers, &p->n_layers, got) < 0)
				ret = berr_set(err, ENOMEM, "image");
		}
		spec_image_config_free(cfg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static bool host_arch(const char *arch)
{
	struct utsname u;
	const char *mine = "amd64";

	if (!arch)
		return true;
	if (uname(&u) == 0 && strcmp(u.machine, "aarch64") == 0)
		mine = "arm64";
	return strcmp(arch, mine) == 0;
}

static int blob_path(struct image_stage *l, const char *digest, char *out, size_t size,
		     struct berr *err)
{
	char rel[IMAGE_DIGEST_LEN + 32];

	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
	return member(l, rel, out, size, err);
}

static int read_blob(struct image_stage *l, const char *digest, char **data, size_t *len,
		     struct berr *err)
{
	char rel[IMAGE_DIGEST_LEN + 32], got[IMAGE_DIGEST_LEN + 1];
	int ret;

	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
	ret = read_member(l, rel, data, len, err);
	if (ret < 0)
		return ret;
	image_digest_buf(*data, *len, got);
	if (strcmp(got, digest) != 0)
		return berr_invalid(err, "blob %s has digest %s", digest, got);
	return 0;
}

static bool is_index(const char *media_type)
{
	return media_type && (strstr(media_type, "image.index") ||
			      strstr(media_type, "manifest.list"));
}

static int load_oci_manifest(struct image_stage *l, const struct spec_oci_descriptor *d,
			     struct berr *err);

static int load_oci_index(struct image_stage *l, const char *json, size_t len, bool nested,
			  const struct spec_oci_descriptor *parent, struct berr *err)
{
	struct spec_oci_descriptor *ds;
	size_t n;
	int ret;

	ret = spec_oci_index_parse(json, len, &l->arena, &ds, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct spec_oci_descriptor d = ds[i];

		if (nested && (!host_arch(d.architecture) || (d.os && strcmp(d.os, "linux"))))
			continue;
		if (nested && parent) {
			/* The names sit on the index that lists the platforms. */
			d.ref_name = parent->ref_name;
			d.image_name = parent->image_name;
		}
		if (is_index(d.media_type)) {
			cleanup_free char *sub = NULL;
			size_t sublen;

			ret = read_blob(l, d.digest, &sub, &sublen, err);
			if (ret == 0)
				ret = load_oci_index(l, sub, sublen, true, &d, err);
		} else {
			ret = load_oci_manifest(l, &d, err);
		}
		if (ret < 0)
			return ret;
		if (nested)
			break; /* one platform: the host's */
	}
	return 0;
}

static int load_oci_manifest(struct image_stage *l, const struct spec_oci_descriptor *d,
			     struct berr *err)
{
	cleanup_free char *json = NULL;
	cleanup_free char *config = NULL;
	struct spec_oci_manifest m;
	struct spec_image_config *cfg = NULL;
	struct pending_image *p;
	char *tags[2] = { NULL, NULL };
	size_t len, clen, n_tags = 0;
	int ret;

	ret = read_blob(l, d->digest, &json, &len, err);
	if (ret == 0)
		ret = spec_oci_manifest_parse(json, len, &l->arena, &m, err);
	if (ret == 0)
		ret = read_blob(l, m.config.digest, &config, &clen, err);
	if (ret < 0)
		return ret;
	/* containerd's full name wins; a bare ref.name is only a tag, and a
	 * tag without a repository names nothing. */
	if (d->image_name)
		tags[n_tags++] = (char *)d->image_name;
	else if (d->ref_name && (strchr(d->ref_name, ':') || strchr(d->ref_name, '/')))
		tags[n_tags++] = (char *)d->ref_name;
	ret = image_stage_image(l, config, clen, tags, n_tags, &cfg, err);
	if (ret == 0 && cfg->n_diff_ids != m.n_layers)
		ret = berr_invalid(err,
				"the image manifest has %zu layers but its config %zu",
				m.n_layers, cfg->n_diff_ids);
	p = ret == 0 ? &l->images[l->n_images - 1] : NULL;
	for (size_t j = 0; ret == 0 && j < m.n_layers; j++) {
		char blob[PATH_MAX], got[IMAGE_DIGEST_LEN + 1];

		ret = blob_path(l, m.layers[j].digest, blob, sizeof(blob), err);
		if (ret == 0)
			ret = image_stage_layer(l, blob, m.layers[j].digest, false, cfg->diff_ids[j], got,
						err);
		if (ret == 0 && image_stage_strv_add(&p->layers, &p->n_layers, got) < 0)
			ret = berr_set(err, ENOMEM, "image");
	}
	spec_image_config_free(cfg);
	return ret;
}

static int load_oci(struct image_stage *l, struct berr *err)
{
	cleanup_free char *index = NULL;
	size_t len;
	int ret;

	ret = read_member(l, "index.json", &index, &len, err);
	if (ret == 0)
		ret = load_oci_index(l, index, len, false, NULL, err);
	return ret;
}

/* Everything unpacked goes into the store together. */
int image_stage_commit(struct image_stage *l, image_load_report_fn report, void *arg, struct berr *err)
{
	cleanup_close int lock = image_store_lock(l->data_root, true, err);
	int ret = 0;

	if (lock < 0)
		return lock;
	for (size_t i = 0; i < l->n_unpacked && ret == 0; i++)
		ret = layer_store_commit(l->data_root, l->unpacked_ids[i], l->unpacked_dirs[i],
					 err);
	for (size_t i = 0; i < l->n_images && ret == 0; i++) {
		struct pending_image *p = &l->images[i];

		ret = image_store_add_locked(l->data_root, p->id, p->config, p->config_len,
					     p->layers, p->n_layers, p->created, p->tags,
					     p->n_tags, err);
		if (ret == 0 && p->repo_digest)
			ret = image_store_add_digest_locked(l->data_root, p->id, p->repo_digest,
							    err);
	}
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < l->n_images; i++) {
		struct pending_image *p = &l->images[i];

		if (!report)
			continue;
		for (size_t t = 0; t < p->n_tags; t++)
			report(arg, "tag", p->tags[t]);
		if (!p->n_tags)
			report(arg, "id", p->id);
	}
	return 0;
}

int image_load_archive(const char *data_root, const char *archive,
		       image_load_report_fn report, void *arg, struct berr *err)
{
	char dir[PATH_MAX], probe[PATH_MAX + 32];
	struct image_stage l;
	int ret;

	ret = image_stage_init(&l, data_root, err);
	if (ret == 0) {
		snprintf(dir, sizeof(dir), "%s/archive", l.work);
		if (mkdir(dir, 0700) < 0)
			ret = berr_sys(err, "create %s", dir);
	}
	if (ret == 0)
		ret = layer_unpack_plain(archive, dir, err);
	if (ret == 0) {
		snprintf(probe, sizeof(probe), "%s/manifest.json", dir);
		if (access(probe, F_OK) == 0) {
			ret = load_docker(&l, err);
		} else {
			snprintf(probe, sizeof(probe), "%s/index.json", dir);
			if (access(probe, F_OK) == 0)
				ret = load_oci(&l, err);
			else
				ret = berr_invalid(err,
						"not an image archive: it has neither manifest.json "
						"(docker save) nor index.json (OCI layout)");
		}
	}
	if (ret == 0 && l.n_images == 0)
		ret = berr_invalid(err, "the archive holds no image");
	if (ret == 0)
		ret = image_stage_commit(&l, report, arg, err);
	image_stage_release(&l);
	return ret;
}

static int import_config(const char *diff_id, const char *message, const char *run_config,
			 char **out, size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct utsname u;
	char now[48];

	timestamp_now(now, sizeof(now));
	uname(&u);
	jw_map_open(w);
	jw_kstr(w, "architecture", strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64");
	jw_kstr(w, "comment", message && *message ? message : "Imported from -");
	jw_key(w, "config");
	if (run_config) {
		jw_json(w, run_config, strlen(run_config));
	} else {
		jw_map_open(w);
		jw_map_close(w);
	}
	jw_kstr(w, "created", now);
	jw_key(w, "history");
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "created", now);
	jw_kstr(w, "comment", message && *message ? message : "Imported from -");
	jw_map_close(w);
	jw_array_close(w);
	jw_kstr(w, "os", "linux");
	jw_key(w, "rootfs");
	jw_map_open(w);
	jw_kstr(w, "type", "layers");
	jw_key(w, "diff_ids");
	jw_array_open(w);
	jw_str(w, diff_id);
	jw_array_close(w);
	jw_map_close(w);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}

int image_load_import(const char *data_root, const char *tarball, const char *repo,
		      const char *message, const char *run_config,
		      image_load_report_fn report, void *arg, struct berr *err)
{
	cleanup_free char *config = NULL;
	char got[IMAGE_DIGEST_LEN + 1];
	struct spec_image_config *cfg = NULL;
	char *tags[2] = { (char *)repo, NULL };
	struct image_stage l;
	size_t len;
	int ret;

	ret = image_stage_init(&l, data_root, err);
	if (ret == 0)
		ret = image_stage_layer(&l, tarball, NULL, false, NULL, got, err);
	if (ret == 0)
		ret = import_config(got, message, run_config, &config, &len, err);
	if (ret == 0)
		ret = image_stage_image(&l, config, len, tags, repo && *repo ? 1 : 0, &cfg, err);
	if (ret == 0 && image_stage_strv_add(&l.images[0].layers, &l.images[0].n_layers, got) < 0)
		ret = berr_set(err, ENOMEM, "import");
	spec_image_config_free(cfg);
	if (ret == 0)
		ret = image_stage_commit(&l, NULL, NULL, err);
	if (ret == 0 && report)
		report(arg, "imported", l.images[0].id);
	image_stage_release(&l);
	return ret;
}
