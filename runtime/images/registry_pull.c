/* Pulling an image: the manifest (an index or list resolved to this
 * host's platform), the config, then the layers the store lacks,
 * downloaded in parallel into the pull's work directory, each verified
 * against its digest as it streams, unpacked and checked against the
 * config's diff ids (image_stage.h), and committed with the image in one
 * step under the store's lock.  A failure leaves nothing: the work
 * directory goes with it. */
#include "runtime/images/registry.h"

#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "runtime/images/image_stage.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "runtime/images/registry_client.h"
#include "spec/base/cleanup.h"
#include "spec/image.h"
#include "spec/image_ref.h"

#define MANIFEST_MAX (4 << 20)
#define CONFIG_MAX (8 << 20)
#define PARALLEL 3
#define PROGRESS_STEP (256 << 10)

static const char accept_manifests[] =
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

struct pull {
	struct registry_client c;
	struct image_stage l;
	char name[2 * IMAGE_REF_NAME_MAX + 2]; /* familiar, for messages */
	image_load_report_fn report;
	void *arg;
	pthread_mutex_t report_lock;
};

static void say(struct pull *p, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct pull *p, const char *kind, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!p->report)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&p->report_lock);
	p->report(p->arg, kind, buf);
	pthread_mutex_unlock(&p->report_lock);
}

static const char *host_arch(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64";
}

/* GET a manifest (by tag or digest), checked against want when given. */
static int get_manifest(struct pull *p, const char *tag_or_digest, const char *want,
			struct registry_resp *resp, char digest[IMAGE_DIGEST_LEN + 1],
			struct berr *err)
{
	cleanup_free char *path = NULL, *what = NULL;
	struct registry_req q = { .path = NULL, .accept = accept_manifests, .body_fd = -1,
				  .max_body = MANIFEST_MAX };
	int ret;

	if (asprintf(&path, "/v2/%s/manifests/%s", p->c.repo, tag_or_digest) < 0 ||
	    asprintf(&what, "%s%s%s: manifest", p->name, strchr(tag_or_digest, ':') ? "@" : ":",
		     tag_or_digest) < 0)
		return berr_sys(err, "manifest");
	q.path = path;
	ret = registry_do(&p->c, &q, resp, what, err);
	if (ret < 0)
		return ret;
	if (resp->status != 200)
		return registry_status_error(resp, what, err);
	image_digest_buf(resp->body, resp->len, digest);
	if (want && strcmp(digest, want) != 0)
		return berr_invalid(err, "%s: digest mismatch: the registry sent %s", what, digest);
	if (!want && resp->digest[0] && strncmp(resp->digest, "sha256:", 7) == 0 &&
	    strcmp(resp->digest, digest) != 0)
		return berr_invalid(err,
				    "%s: digest mismatch: the registry says %s but sent %s", what,
				    resp->digest, digest);
	return 0;
}

/* This host's entry of an index: linux and our architecture, an amd64
 * without a variant (or v1) before the others. */
static const struct spec_oci_descriptor *pick_platform(const struct spec_oci_descriptor *ds,
						       size_t n)
{
	const char *arch = host_arch();
	const struct spec_oci_descriptor *any = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct spec_oci_descriptor *d = &ds[i];

		if (!d->os || strcmp(d->os, "linux") != 0 || !d->architecture ||
		    strcmp(d->architecture, arch) != 0)
			continue;
		if (!d->variant || strcmp(d->variant, "v1") == 0 ||
		    (strcmp(arch, "arm64") == 0 && strcmp(d->variant, "v8") == 0))
			return d;
		if (!any)
			any = d;
	}
	return any;
}

static bool layer_type_ok(const char *mt)
{
	static const char *const ok[] = {
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		NULL,
	};

	if (!mt)
		return true;
	for (size_t i = 0; ok[i]; i++)
		if (strcmp(mt, ok[i]) == 0)
			return true;
	return false;
}

/* The image's manifest, its digest, and the digest the user's reference
 * resolved to (an index's when there was one: what docker records). */
static int resolve(struct pull *p, const struct image_ref *ref, struct spec_oci_manifest *m,
		   char repo_digest[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	struct registry_resp resp;
	struct spec_manifest_kind kind;
	char digest[IMAGE_DIGEST_LEN + 1];
	int ret;

	ret = get_manifest(p, ref->digest[0] ? ref->digest : ref->tag,
			   ref->digest[0] ? ref->digest : NULL, &resp, repo_digest, err);
	if (ret == 0)
		ret = spec_manifest_kind(resp.body, resp.len, &kind, err);
	if (ret == 0 && kind.schema_version != 2)
		ret = berr_unsupported(err,
				       "%s: manifest schema version %ld is not supported (Docker "
				       "v2 schema 2 and OCI manifests are)",
				       p->name, kind.schema_version);
	if (ret == 0 && kind.is_index) {
		struct spec_oci_descriptor *ds;
		const struct spec_oci_descriptor *d;
		size_t n;

		ret = spec_oci_index_parse(resp.body, resp.len, &p->l.arena, &ds, &n, err);
		d = ret == 0 ? pick_platform(ds, n) : NULL;
		if (ret == 0 && !d)
			ret = berr_not_found(err,
					     "%s: no matching manifest for linux/%s in the manifest "
					     "list entries",
					     p->name, host_arch());
		registry_resp_free(&resp);
		if (ret == 0)
			ret = get_manifest(p, d->digest, d->digest, &resp, digest, err);
		if (ret == 0)
			ret = spec_manifest_kind(resp.body, resp.len, &kind, err);
		if (ret == 0 && (kind.is_index || kind.schema_version != 2))
			ret = berr_unsupported(err, "%s: the platform's manifest %s is not an "
						    "image manifest", p->name, d->digest);
	}
	if (ret == 0)
		ret = spec_oci_manifest_parse(resp.body, resp.len, &p->l.arena, m, err);
	for (size_t i = 0; ret == 0 && i < m->n_layers; i++)
		if (!layer_type_ok(m->layers[i].media_type))
			ret = berr_unsupported(err, "%s: layer %s has media type %s, which berthd "
						    "does not support",
					       p->name, m->layers[i].digest,
					       m->layers[i].media_type);
	registry_resp_free(&resp);
	return ret;
}

/* A blob on its way to a file, hashed as it streams. */
struct blob {
	struct pull *p;
	const struct spec_oci_descriptor *d;
	char path[4096];
	int fd;
	struct image_digest_ctx hash;
	int64_t got, reported;
	struct berr err;
	int ret;
};

static int blob_write(void *arg, const void *data, size_t len)
{
	struct blob *b = arg;

	if (b->d->size > 0 && b->got + (int64_t)len > b->d->size)
		return berr_invalid(&b->err,
				    "%s: blob %s: the registry sent more than the %lld bytes the "
				    "manifest promises",
				    b->p->name, b->d->digest, (long long)b->d->size);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(b->fd, (const char *)data + off, len - off);

		if (w < 0)
			return berr_sys(&b->err, "write %s", b->path);
		off += (size_t)w;
	}
	image_digest_update(&b->hash, data, len);
	b->got += (int64_t)len;
	if (b->got - b->reported >= PROGRESS_STEP) {
		b->reported = b->got;
		say(b->p, "layer", "%.12s Downloading %lld %lld", b->d->digest + 7,
		    (long long)b->got, (long long)b->d->size);
	}
	return 0;
}

static void blob_reset(void *arg)
{
	struct blob *b = arg;

	if (ftruncate(b->fd, 0) < 0 || lseek(b->fd, 0, SEEK_SET) < 0) {
		/* the next write fails and says so */
	}
	image_digest_init(&b->hash);
	b->got = b->reported = 0;
}

/* Download a blob to b->path and verify it. */
static int fetch_blob(struct blob *b, struct berr *err)
{
	struct pull *p = b->p;
	cleanup_free char *path = NULL, *what = NULL;
	struct registry_sink sink = { .write = blob_write, .reset = blob_reset, .arg = b,
				      .err = &b->err };
	struct registry_req q = { .accept = NULL, .body_fd = -1, .sink = &sink,
				  .max_body = 64 << 10 };
	struct registry_resp resp;
	char got[IMAGE_DIGEST_LEN + 1];
	int ret;

	if (asprintf(&path, "/v2/%s/blobs/%s", p->c.repo, b->d->digest) < 0 ||
	    asprintf(&what, "%s: blob %s", p->name, b->d->digest) < 0)
		return berr_sys(err, "blob");
	b->fd = open(b->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (b->fd < 0)
		return berr_sys(err, "create %s", b->path);
	q.path = path;
	ret = registry_do(&p->c, &q, &resp, what, err);
	if (ret < 0 && b->err.msg[0])
		*err = b->err;
	if (ret == 0 && resp.status != 200)
		ret = registry_status_error(&resp, what, err);
	registry_resp_free(&resp);
	if (close(b->fd) < 0 && ret == 0)
		ret = berr_sys(err, "write %s", b->path);
	b->fd = -1;
	if (ret < 0)
		return ret;
	image_digest_final(&b->hash, got);
	if (strcmp(got, b->d->digest) != 0)
		return berr_invalid(err, "%s: digest mismatch: the registry sent %s", what, got);
	if (b->d->size > 0 && b->got != b->d->size)
		return berr_invalid(err, "%s: the registry sent %lld bytes, the manifest says %lld",
				    what, (long long)b->got, (long long)b->d->size);
	return 0;
}

static void *fetch_thread(void *arg)
{
	struct blob *b = arg;

	say(b->p, "layer", "%.12s Downloading 0 %lld", b->d->digest + 7, (long long)b->d->size);
	b->ret = fetch_blob(b, &b->err);
	if (b->ret == 0)
		say(b->p, "layer", "%.12s Download complete", b->d->digest + 7);
	return NULL;
}

/* PARALLEL workers take the blobs in the manifest's order, each the next
 * one as it finishes its last (a large layer holds up only its worker);
 * after a failure no new download starts. */
struct fetch_pool {
	struct blob *blobs;
	size_t n, next;
	bool failed;
	pthread_mutex_t lock;
};

static void *fetch_worker(void *arg)
{
	struct fetch_pool *fp = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&fp->lock);
		if (fp->failed || fp->next == fp->n) {
			pthread_mutex_unlock(&fp->lock);
			return NULL;
		}
		i = fp->next++;
		pthread_mutex_unlock(&fp->lock);
		fetch_thread(&fp->blobs[i]);
		if (fp->blobs[i].ret < 0) {
			pthread_mutex_lock(&fp->lock);
			fp->failed = true;
			pthread_mutex_unlock(&fp->lock);
		}
	}
}

/* Download the blobs; the first failure in the manifest's order is the
 * pull's. */
static int fetch_all(struct blob *blobs, size_t n, struct berr *err)
{
	struct fetch_pool fp = { .blobs = blobs, .n = n };
	pthread_t th[PARALLEL];
	size_t started = 0;
	int ret = 0;

	pthread_mutex_init(&fp.lock, NULL);
	for (size_t i = 0; i < PARALLEL && i < n; i++)
		if (pthread_create(&th[started], NULL, fetch_worker, &fp) == 0)
			started++;
	/* No thread to be had: one download after the other, here. */
	if (started == 0)
		fetch_worker(&fp);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&fp.lock);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (blobs[i].ret < 0) {
			*err = blobs[i].err;
			ret = blobs[i].ret;
		}
	return ret;
}

static int fetch_config(struct pull *p, const struct spec_oci_descriptor *d, char **out,
			size_t *len, struct berr *err)
{
	cleanup_free char *path = NULL, *what = NULL;
	struct registry_req q = { .body_fd = -1, .max_body = CONFIG_MAX };
	struct registry_resp resp;
	char got[IMAGE_DIGEST_LEN + 1];
	int ret;

	if (asprintf(&path, "/v2/%s/blobs/%s", p->c.repo, d->digest) < 0 ||
	    asprintf(&what, "%s: image config %s", p->name, d->digest) < 0)
		return berr_sys(err, "config");
	q.path = path;
	ret = registry_do(&p->c, &q, &resp, what, err);
	if (ret == 0 && resp.status != 200)
		ret = registry_status_error(&resp, what, err);
	if (ret == 0) {
		image_digest_buf(resp.body ? resp.body : "", resp.len, got);
		if (strcmp(got, d->digest) != 0)
			ret = berr_invalid(err, "%s: digest mismatch: the registry sent %s", what,
					   got);
	}
	if (ret == 0) {
		*out = steal_ptr(resp.body);
		*len = resp.len;
	}
	registry_resp_free(&resp);
	return ret;
}

static int pull_layers(struct pull *p, const struct spec_oci_manifest *m,
		       struct spec_image_config *cfg, struct pending_image *img,
		       struct berr *err)
{
	struct blob *blobs = calloc(m->n_layers ? m->n_layers : 1, sizeof(*blobs));
	size_t *which = calloc(m->n_layers ? m->n_layers : 1, sizeof(*which));
	size_t n = 0;
	int ret = 0;

	if (!blobs || !which) {
		free(blobs);
		free(which);
		return berr_set(err, ENOMEM, "layers");
	}
	for (size_t i = 0; i < m->n_layers; i++) {
		if (layer_store_has(p->l.data_root, cfg->diff_ids[i])) {
			say(p, "layer", "%.12s Already exists", m->layers[i].digest + 7);
			continue;
		}
		/* The same blob twice in one image is fetched once. */
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup |= strcmp(blobs[j].d->digest, m->layers[i].digest) == 0;
		if (dup)
			continue;
		say(p, "layer", "%.12s Pulling fs layer", m->layers[i].digest + 7);
		blobs[n].p = p;
		blobs[n].d = &m->layers[i];
		blobs[n].fd = -1;
		image_digest_init(&blobs[n].hash);
		snprintf(blobs[n].path, sizeof(blobs[n].path), "%s/blob-%zu", p->l.work, i);
		which[n++] = i;
	}
	ret = fetch_all(blobs, n, err);
	for (size_t k = 0; k < n && ret == 0; k++) {
		size_t i = which[k];
		char got[IMAGE_DIGEST_LEN + 1];

		say(p, "layer", "%.12s Extracting", m->layers[i].digest + 7);
		ret = image_stage_layer(&p->l, blobs[k].path, m->layers[i].digest, true,
					cfg->diff_ids[i], got, err);
		if (ret < 0)
			ret = berr_wrap(err, ret, "%s: layer %s", p->name, m->layers[i].digest);
		else
			say(p, "layer", "%.12s Pull complete", m->layers[i].digest + 7);
		unlink(blobs[k].path);
	}
	for (size_t i = 0; i < m->n_layers && ret == 0; i++)
		if (image_stage_strv_add(&img->layers, &img->n_layers, cfg->diff_ids[i]) < 0)
			ret = berr_set(err, ENOMEM, "layers");
	free(blobs);
	free(which);
	return ret;
}

int registry_pull(const char *data_root, const char *refstr, const struct registry_opts *o,
		  image_load_report_fn report, void *arg, struct berr *err)
{
	struct pull p = { .report = report, .arg = arg };
	struct image_ref ref;
	struct spec_oci_manifest m;
	struct spec_image_config *cfg = NULL;
	cleanup_free char *config = NULL;
	char repo_digest[IMAGE_DIGEST_LEN + 1];
	char tag[2 * IMAGE_REF_NAME_MAX + IMAGE_REF_TAG_MAX + 4] = "";
	char *tags[2] = { NULL, NULL };
	size_t clen = 0;
	int ret;

	ret = image_ref_parse(refstr, &ref, err);
	if (ret < 0)
		return ret;
	if (!ref.tag[0] && !ref.digest[0])
		snprintf(ref.tag, sizeof(ref.tag), "latest");
	{
		struct image_ref bare = ref;

		bare.tag[0] = bare.digest[0] = '\0';
		image_ref_familiar(&bare, p.name, sizeof(p.name));
		/* image_ref_familiar adds ":latest" to a bare name. */
		p.name[strcspn(p.name, "@")] = '\0';
		if (strlen(p.name) > 7 && strcmp(p.name + strlen(p.name) - 7, ":latest") == 0)
			p.name[strlen(p.name) - 7] = '\0';
	}
	pthread_mutex_init(&p.report_lock, NULL);
	ret = registry_client_init(&p.c, &ref, o, "pull", err);
	if (ret == 0)
		ret = image_stage_init(&p.l, data_root, err);
	if (ret == 0)
		say(&p, "from", "%s %s", ref.digest[0] ? ref.digest : ref.tag,
		    ref.path);
	if (ret == 0)
		ret = resolve(&p, &ref, &m, repo_digest, err);
	if (ret == 0)
		ret = fetch_config(&p, &m.config, &config, &clen, err);
	if (ret == 0 && ref.tag[0] && !ref.digest[0]) {
		snprintf(tag, sizeof(tag), "%s:%s", p.name, ref.tag);
		tags[0] = tag;
	}
	if (ret == 0)
		ret = image_stage_image(&p.l, config, clen, tags, tags[0] ? 1 : 0, &cfg, err);
	if (ret == 0 && cfg->n_diff_ids != m.n_layers)
		ret = berr_invalid(err, "%s: the manifest has %zu layers but the image config %zu",
				   p.name, m.n_layers, cfg->n_diff_ids);
	if (ret == 0) {
		struct pending_image *img = &p.l.images[p.l.n_images - 1];

		if (asprintf(&img->repo_digest, "%s@%s", p.name, repo_digest) < 0) {
			img->repo_digest = NULL;
			ret = berr_sys(err, "repo digest");
		}
		if (ret == 0)
			ret = pull_layers(&p, &m, cfg, img, err);
	}
	if (ret == 0) {
		say(&p, "digest", "%s", repo_digest);
		ret = image_stage_commit(&p.l, report, arg, err);
	}
	/* The commit named an image without a tag by its id already. */
	if (ret == 0 && tags[0])
		say(&p, "id", "%s", p.l.images[0].id);
	spec_image_config_free(cfg);
	if (p.l.data_root)
		image_stage_release(&p.l);
	registry_client_release(&p.c);
	pthread_mutex_destroy(&p.report_lock);
	return ret;
}
