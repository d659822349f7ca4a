/* Images: load, import, list, inspect, tag, remove (pulls and pushes
 * are in api_registry.c). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "spec/base/strv.h"
#include "runtime/engine/build.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/image.h"

struct lines {
	struct jw *w;
	struct daemon *d;
	bool quiet;
	char *last_id;
};

static void load_line(void *arg, const char *text)
{
	struct lines *l = arg;
	char msg[1024];
	const char *sp = strchr(text, ' ');

	if (!sp)
		return;
	if (strncmp(text, "tag ", 4) == 0)
		snprintf(msg, sizeof(msg), "Loaded image: %s\n", sp + 1);
	else if (strncmp(text, "id ", 3) == 0)
		snprintf(msg, sizeof(msg), "Loaded image ID: %s\n", sp + 1);
	else
		return;
	jw_map_open(l->w);
	jw_kstr(l->w, "stream", msg);
	jw_map_close(l->w);
	{
		char *attrs[] = { NULL, NULL };
		char name[1100];

		snprintf(name, sizeof(name), "name=%s", sp + 1);
		attrs[0] = name;
		daemon_event(l->d, "image", "load", sp + 1, attrs);
	}
}

enum MHD_Result api_image_load(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct lines l = { .w = w, .d = r->srv->d, .quiet = http_query_bool(r, "quiet") };
	struct berr err = { 0 };
	int ret;

	if (!r->body_file)
		return http_reply_error(r, 400, "the request has no body (an image archive)");
	jw_array_open(w);
	ret = daemon_image_helper(r->srv->d, "load", r->body_file, NULL, NULL, load_line, &l,
				  &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_array_close(w);
	return http_reply_lines(r, w);
}

static void import_line(void *arg, const char *text)
{
	struct lines *l = arg;

	if (strncmp(text, "imported ", 9) == 0) {
		free(l->last_id);
		l->last_id = strdup(text + 9);
	}
}

/* import --change: each a Dockerfile instruction, as commit's. */
struct changes {
	char **v;
	bool oom;
};

static enum MHD_Result add_change(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct changes *c = cls;

	(void)kind;
	if (key && !strcmp(key, "changes") && value && *value && strv_push(&c->v, value) < 0) {
		c->oom = true;
		return MHD_NO;
	}
	return MHD_YES;
}

enum MHD_Result api_image_create(struct req *r)
{
	const char *from_src = http_query(r, "fromSrc"), *from_image = http_query(r, "fromImage");
	const char *repo = http_query(r, "repo"), *tag = http_query(r, "tag");
	const char *message = http_query(r, "message");
	cleanup_free char *ref = NULL;
	cleanup_jw struct jw *w = jw_new(false);
	struct lines l = { .w = w, .d = r->srv->d };
	struct changes ch = { 0 };
	struct berr err = { 0 };
	int ret;

	if (from_image && *from_image)
		return api_image_pull(r, from_image, tag);
	if (!from_src || strcmp(from_src, "-") != 0)
		return http_reply_error(r, 501,
					"importing from a URL is not supported by berthd (only "
					"fromSrc=-, the request body)");
	if (!r->body_file)
		return http_reply_error(r, 400, "the request has no body (a rootfs tarball)");
	if (repo && *repo) {
		if (tag && *tag) {
			if (asprintf(&ref, "%s:%s", repo, tag) < 0)
				return MHD_NO;
		} else {
			ref = strdup(repo);
		}
		{
			cleanup_free char *norm = NULL;

			if (image_store_normalize(ref, &norm, &err) < 0)
				return http_reply_berr(r, &err);
		}
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_change, &ch);
	if (ch.oom) {
		strv_free(ch.v);
		return MHD_NO;
	}
	ret = daemon_image_import(r->srv->d, r->body_file, ref, message, ch.v, import_line, &l,
				  &err);
	strv_free(ch.v);
	if (ret < 0 || !l.last_id) {
		free(l.last_id);
		if (ret < 0)
			return http_reply_berr(r, &err);
		return http_reply_error(r, 500, "import failed: the importer named no image");
	}
	{
		char *attrs[2] = { NULL, NULL };
		char name[1100];

		snprintf(name, sizeof(name), "name=%s", ref ? ref : l.last_id);
		attrs[0] = name;
		daemon_event(r->srv->d, "image", "import", l.last_id, attrs);
	}
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "status", l.last_id);
	jw_map_close(w);
	jw_array_close(w);
	free(l.last_id);
	return http_reply_lines(r, w);
}

static int64_t created_secs(const char *created)
{
	int64_t ns;

	if (!created || !*created || daemon_log_time(created, &ns) < 0)
		return 0;
	return ns / 1000000000LL;
}

/* With a reference filter (f not NULL), only the tags and digests it
 * names, as dockerd lists them. */
static bool ref_wanted(const struct filters *f, const char *ref);

static void tags_json(struct jw *w, const char *key, const struct image_rec *img,
		      const struct filters *f)
{
	jw_key(w, key);
	jw_array_open(w);
	for (size_t i = 0; i < img->n_tags; i++)
		if (ref_wanted(f, img->tags[i]))
			jw_str(w, img->tags[i]);
	jw_array_close(w);
}

static void digests_json(struct jw *w, const struct image_rec *img, const struct filters *f)
{
	jw_key(w, "RepoDigests");
	jw_array_open(w);
	for (size_t i = 0; i < img->n_digests; i++)
		if (ref_wanted(f, img->digests[i]))
			jw_str(w, img->digests[i]);
	jw_array_close(w);
}

static void run_config(struct jw *w, const struct spec_image_config *cfg)
{
	const struct spec_image_run *run = cfg ? &cfg->run : NULL;

	jw_map_open(w);
	jw_kstr(w, "Hostname", "");
	jw_kstr(w, "Domainname", "");
	jw_kstr(w, "User", run && run->user ? run->user : "");
	jw_kbool(w, "AttachStdin", false);
	jw_kbool(w, "AttachStdout", false);
	jw_kbool(w, "AttachStderr", false);
	jw_kbool(w, "Tty", false);
	jw_kbool(w, "OpenStdin", false);
	jw_kbool(w, "StdinOnce", false);
	jw_key(w, "ExposedPorts");
	if (run && run->n_exposed_ports) {
		jw_map_open(w);
		for (size_t i = 0; i < run->n_exposed_ports; i++) {
			jw_key(w, run->exposed_ports[i]);
			jw_map_open(w);
			jw_map_close(w);
		}
		jw_map_close(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "Env");
	if (run && run->n_env) {
		jw_array_open(w);
		for (size_t i = 0; i < run->n_env; i++)
			jw_str(w, run->env[i]);
		jw_array_close(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "Cmd");
	if (run && run->cmd_set) {
		jw_array_open(w);
		for (size_t i = 0; i < run->n_cmd; i++)
			jw_str(w, run->cmd[i]);
		jw_array_close(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "Image", "");
	jw_key(w, "Volumes");
	if (run && run->n_volumes) {
		jw_map_open(w);
		for (size_t i = 0; i < run->n_volumes; i++) {
			jw_key(w, run->volumes[i]);
			jw_map_open(w);
			jw_map_close(w);
		}
		jw_map_close(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "WorkingDir", run && run->working_dir ? run->working_dir : "");
	jw_key(w, "Entrypoint");
	if (run && run->entrypoint_set) {
		jw_array_open(w);
		for (size_t i = 0; i < run->n_entrypoint; i++)
			jw_str(w, run->entrypoint[i]);
		jw_array_close(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "OnBuild");
	if (run && run->n_onbuild) {
		jw_array_open(w);
		for (size_t i = 0; i < run->n_onbuild; i++)
			jw_str(w, run->onbuild[i]);
		jw_array_close(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "Labels");
	if (run && run->n_labels) {
		jw_map_open(w);
		for (size_t i = 0; i < run->n_labels; i++)
			jw_kstr(w, run->labels[i].key, run->labels[i].value);
		jw_map_close(w);
	} else {
		jw_null(w);
	}
	if (run && run->stop_signal)
		jw_kstr(w, "StopSignal", run->stop_signal);
	if (run && run->n_health_test) {
		jw_key(w, "Healthcheck");
		jw_map_open(w);
		jw_key(w, "Test");
		jw_array_open(w);
		for (size_t i = 0; i < run->n_health_test; i++)
			jw_str(w, run->health_test[i]);
		jw_array_close(w);
		if (run->health_interval)
			jw_kint(w, "Interval", run->health_interval);
		if (run->health_timeout)
			jw_kint(w, "Timeout", run->health_timeout);
		if (run->health_start_period)
			jw_kint(w, "StartPeriod", run->health_start_period);
		if (run->health_retries)
			jw_kint(w, "Retries", run->health_retries);
		jw_map_close(w);
	}
	jw_map_close(w);
}

static struct spec_image_config *load_config(struct srv *s, const char *id)
{
	cleanup_free char *json = NULL;
	struct spec_image_config *cfg = NULL;
	struct berr err;
	size_t len;

	if (image_store_config(s->data_root, id, &json, &len, &err) < 0 ||
	    spec_image_config_parse(json, len, &cfg, &err) < 0)
		return NULL;
	return cfg;
}

/* reference=PATTERN as dockerd matches it: a glob ('*' stops at '/')
 * against the familiar "name:tag" (or name@digest), then the name alone. */
static bool ref_glob(const char *pattern, const char *ref)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
	size_t n = strchr(ref, '@') ? strcspn(ref, "@")
		   : colon && (!slash || colon > slash) ? (size_t)(colon - ref)
							 : strlen(ref);
	cleanup_free char *name = strndup(ref, n);

	return fnmatch(pattern, ref, FNM_PATHNAME) == 0 ||
	       (name && fnmatch(pattern, name, FNM_PATHNAME) == 0);
}

/* Whether reference=NAME[:TAG] names ref, a tag ("repo:tag") or a repo
 * digest ("repo@sha256:..."): NAME:TAG that tag, NAME alone every tag and
 * digest of its repository (an image pulled by digest is in it too). */
static bool ref_wanted(const struct filters *f, const char *ref)
{
	char **want = f ? filters_values(f, "reference") : NULL;

	if (!want)
		return true;
	for (size_t i = 0; want[i]; i++) {
		cleanup_free char *norm = NULL;
		struct berr err;
		const char *slash = strrchr(want[i], '/'), *colon = strrchr(want[i], ':');
		bool tagged = colon && (!slash || colon > slash);
		size_t n;

		if (ref_glob(want[i], ref))
			return true;
		if (image_store_normalize(want[i], &norm, &err) < 0)
			continue;
		if (tagged) {
			if (strcmp(ref, norm) == 0)
				return true;
			continue;
		}
		/* norm is "repo:latest": compare the repository part. */
		n = strlen(norm) - 7;
		if (strncmp(ref, norm, n) == 0 && (ref[n] == ':' || ref[n] == '@'))
			return true;
	}
	return false;
}

static bool reference_match(const struct filters *f, const struct image_rec *img)
{
	if (!filters_values(f, "reference"))
		return true;
	for (size_t t = 0; t < img->n_tags; t++)
		if (ref_wanted(f, img->tags[t]))
			return true;
	for (size_t t = 0; t < img->n_digests; t++)
		if (ref_wanted(f, img->digests[t]))
			return true;
	return false;
}

static int64_t created_ns(const char *created)
{
	int64_t ns;

	return created && *created && daemon_log_time(created, &ns) == 0 ? ns : 0;
}

/* before= and since=: the creation time of the image named (an error
 * when there is none), into *ns; 0 when the filter is not given. */
static int time_of(struct req *r, const struct filters *f, const char *key, int64_t *ns,
		   struct berr *err)
{
	char **v = filters_values(f, key);
	struct image_rec img;
	int ret;

	*ns = 0;
	if (!v)
		return 0;
	if (v[1])
		return berr_invalid(err, "filter '%s' takes one image", key);
	ret = image_store_find(r->srv->data_root, v[0], &img, err);
	if (ret < 0)
		return ret;
	*ns = created_ns(img.created);
	image_rec_free(&img);
	return 0;
}

static char **labels_of(const struct spec_image_config *cfg)
{
	char **out = calloc((cfg ? cfg->run.n_labels : 0) + 1, sizeof(char *));

	for (size_t i = 0; out && cfg && i < cfg->run.n_labels; i++)
		if (asprintf(&out[i], "%s=%s", cfg->run.labels[i].key,
			     cfg->run.labels[i].value) < 0)
			out[i] = NULL;
	return out;
}

static bool image_filtered(const struct filters *f, const struct image_rec *img,
			   const struct spec_image_config *cfg, int64_t before, int64_t since)
{
	int64_t created = created_ns(img->created);
	char **labels;
	bool ok;

	if (!reference_match(f, img) ||
	    (filters_has(f, "dangling") &&
	     !filters_match(f, "dangling", img->n_tags ? "false" : "true")) ||
	    (before && created >= before) || (since && created <= since))
		return false;
	if (!filters_has(f, "label") && !filters_has(f, "label!"))
		return true;
	labels = labels_of(cfg);
	ok = filters_labels(f, labels);
	strv_free(labels);
	return ok;
}

enum MHD_Result api_image_list(struct req *r)
{
	static const char *const allowed[] = { "reference", "dangling", "label", "label!",
					       "before", "since", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct image_rec *imgs;
	struct filters f;
	struct berr err;
	bool all = http_query_bool(r, "all");
	int64_t before, since;
	size_t n;
	int ret;

	ret = filters_query(r, allowed, &f, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	ret = time_of(r, &f, "before", &before, &err);
	if (ret == 0)
		ret = time_of(r, &f, "since", &since, &err);
	if (ret == 0)
		ret = image_store_list(r->srv->data_root, &imgs, &n, &err);
	if (ret < 0) {
		filters_free(&f);
		return http_reply_berr(r, &err);
	}
	jw_array_open(w);
	for (size_t i = 0; i < n; i++) {
		struct spec_image_config *cfg;
		bool named = imgs[i].n_tags || imgs[i].n_digests;

		/* An intermediate image (a build step's, untagged, the parent
		 * of another) only with all, as dockerd lists them. */
		if (!named && !all && image_store_has_child(imgs, n, imgs[i].id))
			continue;
		cfg = load_config(r->srv, imgs[i].id);
		if (!image_filtered(&f, &imgs[i], cfg, before, since)) {
			spec_image_config_free(cfg);
			continue;
		}
		jw_map_open(w);
		jw_kint(w, "Containers", -1);
		jw_kint(w, "Created", created_secs(imgs[i].created));
		jw_kstr(w, "Id", imgs[i].id);
		jw_key(w, "Labels");
		if (cfg && cfg->run.n_labels) {
			jw_map_open(w);
			for (size_t j = 0; j < cfg->run.n_labels; j++)
				jw_kstr(w, cfg->run.labels[j].key, cfg->run.labels[j].value);
			jw_map_close(w);
		} else {
			jw_null(w);
		}
		jw_kstr(w, "ParentId", imgs[i].parent);
		digests_json(w, &imgs[i], &f);
		tags_json(w, "RepoTags", &imgs[i], &f);
		jw_kint(w, "SharedSize", -1);
		jw_kint(w, "Size", imgs[i].size);
		jw_map_close(w);
		spec_image_config_free(cfg);
	}
	jw_array_close(w);
	image_recs_free(imgs, n);
	filters_free(&f);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_image_inspect(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct spec_image_config *cfg;
	struct image_rec img;
	struct berr err;
	int ret = image_store_find(r->srv->data_root, r->params[0], &img, &err);

	if (ret < 0)
		return http_reply_berr(r, &err);
	cfg = load_config(r->srv, img.id);
	jw_map_open(w);
	jw_kstr(w, "Id", img.id);
	tags_json(w, "RepoTags", &img, NULL);
	digests_json(w, &img, NULL);
	jw_kstr(w, "Parent", img.parent);
	jw_kstr(w, "Comment", cfg && cfg->comment ? cfg->comment : "");
	jw_kstr(w, "Created", img.created);
	jw_kstr(w, "DockerVersion", "");
	jw_kstr(w, "Author", cfg && cfg->author ? cfg->author : "");
	jw_key(w, "Config");
	run_config(w, cfg);
	/* Deprecated in the API, but docker-compose 1.x reads the image's
	 * volumes from it. */
	jw_key(w, "ContainerConfig");
	run_config(w, cfg);
	jw_kstr(w, "Architecture", cfg && cfg->architecture ? cfg->architecture : "");
	jw_kstr(w, "Os", cfg && cfg->os ? cfg->os : "");
	jw_kint(w, "Size", img.size);
	jw_key(w, "GraphDriver");
	jw_map_open(w);
	jw_kstr(w, "Name", "overlay");
	jw_key(w, "Data");
	jw_map_open(w);
	jw_map_close(w);
	jw_map_close(w);
	jw_key(w, "RootFS");
	jw_map_open(w);
	jw_kstr(w, "Type", "layers");
	jw_key(w, "Layers");
	jw_array_open(w);
	for (size_t i = 0; i < img.n_layers; i++)
		jw_str(w, img.layers[i]);
	jw_array_close(w);
	jw_map_close(w);
	jw_key(w, "Metadata");
	jw_map_open(w);
	jw_kstr(w, "LastTagTime", "0001-01-01T00:00:00Z");
	jw_map_close(w);
	jw_map_close(w);
	spec_image_config_free(cfg);
	image_rec_free(&img);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_image_tag(struct req *r)
{
	const char *repo = http_query(r, "repo"), *tag = http_query(r, "tag");
	cleanup_free char *ref = NULL;
	struct berr err = { 0 };
	int ret;

	if (!repo || !*repo)
		return http_reply_error(r, 400, "repository name (repo) is required");
	if (asprintf(&ref, "%s%s%s", repo, tag && *tag ? ":" : "", tag ? tag : "") < 0)
		return MHD_NO;
	ret = image_store_tag(r->srv->data_root, r->params[0], ref, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	{
		char name[1100];
		char *attrs[2] = { name, NULL };

		snprintf(name, sizeof(name), "name=%s", ref);
		daemon_event(r->srv->d, "image", "tag", r->params[0], attrs);
	}
	return http_reply_empty(r, 201);
}

enum MHD_Result api_image_remove(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	char **untagged = NULL, **deleted = NULL;
	struct berr err = { 0 };
	int ret;

	ret = image_store_remove(r->srv->data_root, r->params[0], http_query_bool(r, "force"),
				 daemon_image_in_use, r->srv->d, &untagged, &deleted, &err);
	if (ret < 0) {
		strv_free(untagged);
		strv_free(deleted);
		return http_reply_berr(r, &err);
	}
	jw_array_open(w);
	for (size_t i = 0; untagged && untagged[i]; i++) {
		char name[1100];
		char *attrs[2] = { name, NULL };

		jw_map_open(w);
		jw_kstr(w, "Untagged", untagged[i]);
		jw_map_close(w);
		snprintf(name, sizeof(name), "name=%s", untagged[i]);
		daemon_event(r->srv->d, "image", "untag", untagged[i], attrs);
	}
	for (size_t i = 0; deleted && deleted[i]; i++) {
		jw_map_open(w);
		jw_kstr(w, "Deleted", deleted[i]);
		jw_map_close(w);
		if (i == 0)
			daemon_event(r->srv->d, "image", "delete", deleted[i], NULL);
	}
	jw_array_close(w);
	strv_free(untagged);
	strv_free(deleted);
	return http_reply_json(r, 200, w);
}
