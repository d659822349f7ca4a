/* Pushing an image: each layer's blob as it came into the store (a HEAD
 * first: what the registry has is skipped; then a cross-repository mount
 * from a repository of the same registry the image was pulled from; else
 * an upload), the config, then an OCI manifest under the tag; the digest
 * the registry names it by becomes a repo digest of the image. */
#include "runtime/images/registry.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "runtime/images/registry_client.h"
#include "runtime/images/registry_upload.h"
#include "spec/base/cleanup.h"
#include "spec/image_ref.h"
#include "spec/json_write.h"

struct push {
	struct registry_client c;
	char name[2 * IMAGE_REF_NAME_MAX + 2];
	image_load_report_fn report;
	void *arg;
};

static void say(struct push *p, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct push *p, const char *kind, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!p->report)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->report(p->arg, kind, buf);
}

/* The media type of a layer blob, from its first bytes. */
static const char *layer_media_type(const char *path)
{
	unsigned char m[4] = { 0 };
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && read(fd, m, sizeof(m)) >= 2) {
		if (m[0] == 0x1f && m[1] == 0x8b)
			return "application/vnd.oci.image.layer.v1.tar+gzip";
		if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
			return "application/vnd.oci.image.layer.v1.tar+zstd";
	}
	return "application/vnd.oci.image.layer.v1.tar";
}

static int blob_exists(struct push *p, const char *digest, bool *exists, struct berr *err)
{
	cleanup_free char *path = NULL, *what = NULL;
	struct registry_req q = { .method = "HEAD", .body_fd = -1, .max_body = 64 << 10 };
	struct registry_resp resp;
	int ret;

	if (asprintf(&path, "/v2/%s/blobs/%s", p->c.repo, digest) < 0 ||
	    asprintf(&what, "%s: blob %s", p->name, digest) < 0)
		return berr_sys(err, "push");
	q.path = path;
	ret = registry_do(&p->c, &q, &resp, what, err);
	if (ret < 0)
		return ret;
	*exists = resp.status == 200;
	if (resp.status != 200 && resp.status != 404)
		ret = registry_status_error(&resp, what, err);
	registry_resp_free(&resp);
	return ret;
}

enum put_result { PUT_UPLOADED, PUT_EXISTED, PUT_MOUNTED };

/* A chunked upload's progress, as docker's "Pushing" lines. */
struct pushing {
	struct push *p;
	const char *digest;
};

static void pushing(void *arg, size_t sent, size_t total)
{
	struct pushing *g = arg;

	say(g->p, "layer", "%.12s Pushing %zu %zu", g->digest + 7, sent, total);
}

/* One blob: from the file (fd >= 0) or memory. */
static int put_blob(struct push *p, const char *digest, const char *from, int fd,
		    const void *data, size_t len, enum put_result *how, struct berr *err)
{
	cleanup_free char *what = NULL;
	struct pushing g = { .p = p, .digest = digest };
	struct registry_upload u = { .c = &p->c, .digest = digest, .fd = fd, .data = data,
				     .len = len, .progress = pushing, .arg = &g };
	bool exists = false, mounted = false;
	int ret;

	*how = PUT_UPLOADED;
	ret = blob_exists(p, digest, &exists, err);
	if (ret < 0)
		return ret;
	if (exists) {
		*how = PUT_EXISTED;
		return 0;
	}
	if (asprintf(&what, "%s: upload of blob %s", p->name, digest) < 0)
		return berr_sys(err, "push");
	u.what = what;
	ret = registry_upload_start(&u, from, &mounted, err);
	if (ret < 0)
		return ret;
	if (mounted) {
		*how = PUT_MOUNTED;
		return 0;
	}
	return registry_upload_blob(&u, err);
}

/* A repository of the same registry that the image came from, to mount
 * blobs from (the first repo digest on this host other than ours). */
static const char *mount_source(struct push *p, const struct image_rec *img, char *buf,
				size_t size)
{
	for (size_t i = 0; i < img->n_digests; i++) {
		struct image_ref r;
		struct berr ignored;

		if (image_ref_parse(img->digests[i], &r, &ignored) < 0)
			continue;
		if (strcmp(r.domain, p->c.host) != 0 || strcmp(r.path, p->c.repo) == 0)
			continue;
		snprintf(buf, size, "%s", r.path);
		return buf;
	}
	return NULL;
}

/* Every layer's blob, then the manifest's layer list in w. */
static int push_layers(struct push *p, const char *data_root, const struct image_rec *img,
		       struct jw *w, struct berr *err)
{
	char from_buf[IMAGE_REF_NAME_MAX + 1];
	const char *from = mount_source(p, img, from_buf, sizeof(from_buf));

	jw_key(w, "layers");
	jw_array_open(w);
	for (size_t i = 0; i < img->n_layers; i++) {
		cleanup_free char *blob = NULL;
		cleanup_close int fd = -1;
		char digest[IMAGE_DIGEST_LEN + 1];
		struct stat st;
		enum put_result how;
		int ret;

		ret = layer_store_blob(data_root, img->layers[i], &blob, digest, err);
		if (ret < 0)
			return berr_wrap(err, ret, "%s", p->name);
		fd = open(blob, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return berr_sys(err, "open %s", blob);
		say(p, "layer", "%.12s Preparing", digest + 7);
		ret = put_blob(p, digest, from, fd, NULL, (size_t)st.st_size, &how, err);
		if (ret < 0)
			return ret;
		if (how == PUT_MOUNTED)
			say(p, "layer", "%.12s Mounted from %s", digest + 7, from);
		else
			say(p, "layer", "%.12s %s", digest + 7,
			    how == PUT_EXISTED ? "Layer already exists" : "Pushed");
		jw_map_open(w);
		jw_kstr(w, "mediaType", layer_media_type(blob));
		jw_kstr(w, "digest", digest);
		jw_kint(w, "size", (int64_t)st.st_size);
		jw_map_close(w);
	}
	jw_array_close(w);
	return 0;
}

static int put_manifest(struct push *p, const char *tag, const char *manifest, size_t len,
			char digest[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_free char *path = NULL, *what = NULL;
	struct registry_req q = { .method = "PUT",
				  .content_type = "application/vnd.oci.image.manifest.v1+json",
				  .body = manifest, .body_len = len, .body_fd = -1,
				  .max_body = 64 << 10 };
	struct registry_resp resp;
	int ret;

	if (asprintf(&path, "/v2/%s/manifests/%s", p->c.repo, tag) < 0 ||
	    asprintf(&what, "%s: manifest %s", p->name, tag) < 0)
		return berr_sys(err, "push");
	q.path = path;
	image_digest_buf(manifest, len, digest);
	ret = registry_do(&p->c, &q, &resp, what, err);
	if (ret < 0)
		return ret;
	if (resp.status != 201)
		ret = registry_status_error(&resp, what, err);
	else if (resp.digest[0] && strcmp(resp.digest, digest) != 0)
		ret = berr_fail(err, EIO, "%s: the registry took it as %s, not %s", what,
				resp.digest, digest);
	registry_resp_free(&resp);
	return ret;
}

int registry_push(const char *data_root, const char *refstr, const struct registry_opts *o,
		  image_load_report_fn report, void *arg, struct berr *err)
{
	struct push p = { .report = report, .arg = arg };
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *config = NULL, *manifest = NULL, *repo_digest = NULL;
	struct image_rec img = { 0 };
	struct image_ref ref;
	char digest[IMAGE_DIGEST_LEN + 1];
	size_t clen = 0, mlen = 0;
	enum put_result how;
	int ret;

	ret = image_ref_parse(refstr, &ref, err);
	if (ret < 0)
		return ret;
	if (ref.digest[0])
		return berr_invalid(err, "push %s: a push names a tag, not a digest", refstr);
	if (!ref.tag[0])
		snprintf(ref.tag, sizeof(ref.tag), "latest");
	{
		struct image_ref bare = ref;
		char tagged[2 * IMAGE_REF_NAME_MAX + IMAGE_REF_TAG_MAX + 4];

		bare.tag[0] = '\0';
		image_ref_familiar(&bare, p.name, sizeof(p.name));
		if (strlen(p.name) > 7 && strcmp(p.name + strlen(p.name) - 7, ":latest") == 0)
			p.name[strlen(p.name) - 7] = '\0';
		snprintf(tagged, sizeof(tagged), "%s:%s", p.name, ref.tag);
		ret = image_store_find(data_root, tagged, &img, err);
		if (ret < 0)
			return ret;
	}
	say(&p, "from", "%s %s", ref.tag, p.name);
	ret = registry_client_init(&p.c, &ref, o, "pull,push", err);
	if (ret == 0)
		ret = image_store_config(data_root, img.id, &config, &clen, err);
	if (ret == 0) {
		jw_map_open(w);
		jw_kint(w, "schemaVersion", 2);
		jw_kstr(w, "mediaType", "application/vnd.oci.image.manifest.v1+json");
		jw_key(w, "config");
		jw_map_open(w);
		jw_kstr(w, "mediaType", "application/vnd.oci.image.config.v1+json");
		jw_kstr(w, "digest", img.id);
		jw_kint(w, "size", (int64_t)clen);
		jw_map_close(w);
		ret = push_layers(&p, data_root, &img, w, err);
	}
	if (ret == 0)
		ret = put_blob(&p, img.id, NULL, -1, config, clen, &how, err);
	if (ret == 0) {
		jw_map_close(w);
		ret = jw_finish(w, &manifest, &mlen, err);
	}
	if (ret == 0)
		ret = put_manifest(&p, ref.tag, manifest, mlen, digest, err);
	if (ret == 0 && asprintf(&repo_digest, "%s@%s", p.name, digest) < 0)
		ret = berr_sys(err, "repo digest");
	if (ret == 0) {
		cleanup_close int lock = image_store_lock(data_root, true, err);

		ret = lock < 0 ? lock
			       : image_store_add_digest_locked(data_root, img.id, repo_digest, err);
	}
	if (ret == 0) {
		say(&p, "digest", "%s", digest);
		say(&p, "size", "%zu", mlen);
	}
	image_rec_free(&img);
	registry_client_release(&p.c);
	return ret;
}
