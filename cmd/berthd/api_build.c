/* docker build: POST /build, the classic builder (runtime/engine/build.h).
 * The context is the request's body (a tar file the HTTP layer kept); the
 * build runs on a thread of its own and its progress streams as docker's
 * JSON messages ({"stream": ...}, {"aux": {"ID": ...}}, an error as
 * {"errorDetail": ..., "error": ...}), which the CLI prints as they come.
 * Options dockerd's classic builder takes but berthd does not are refused
 * by name, never ignored. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "runtime/engine/build.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

struct build_job {
	struct http_job_stream s; /* its lock guards the rest too */
	int refs;
	struct daemon *d;
	char *context; /* the body's file, ours to remove */
	char *dockerfile, *target, *network_mode;
	char **tags, **build_args, **labels;
	bool no_cache, rm, quiet;
	bool gone; /* the reply ended before the build: its client went away */
};

static void job_put(void *arg)
{
	struct build_job *j = arg;
	bool last;

	pthread_mutex_lock(&j->s.lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->s.lock);
	if (!last)
		return;
	if (j->context) {
		unlink(j->context);
		free(j->context);
	}
	free(j->dockerfile);
	free(j->target);
	free(j->network_mode);
	strv_free(j->tags);
	strv_free(j->build_args);
	strv_free(j->labels);
	free(j->s.out);
	pthread_mutex_destroy(&j->s.lock);
	pthread_cond_destroy(&j->s.cond);
	free(j);
}

/* One message, newline-terminated, onto the stream. */
static void append(struct build_job *j, struct jw *w)
{
	char *text = NULL;
	size_t len = 0;
	struct berr ignored;

	if (jw_finish(w, &text, &len, &ignored) < 0)
		return;
	pthread_mutex_lock(&j->s.lock);
	{
		char *g = realloc(j->s.out, j->s.len + len + 2);

		if (g) {
			j->s.out = g;
			memcpy(j->s.out + j->s.len, text, len);
			j->s.len += len;
			j->s.out[j->s.len++] = '\n';
		}
	}
	pthread_cond_broadcast(&j->s.cond);
	pthread_mutex_unlock(&j->s.lock);
	free(text);
}

static void stream_msg(struct build_job *j, const char *key, const char *text)
{
	cleanup_jw struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_kstr(w, key, text);
	jw_map_close(w);
	append(j, w);
}

static void on_text(void *arg, const char *text)
{
	struct build_job *j = arg;

	if (!j->quiet)
		stream_msg(j, "stream", text);
}

/* The reply's end: before the build's, the client is gone. */
static void reply_end(void *arg)
{
	struct build_job *j = arg;

	pthread_mutex_lock(&j->s.lock);
	j->gone = !j->s.done;
	pthread_mutex_unlock(&j->s.lock);
	job_put(j);
}

static bool client_gone(void *arg)
{
	struct build_job *j = arg;
	bool gone;

	pthread_mutex_lock(&j->s.lock);
	gone = j->gone;
	pthread_mutex_unlock(&j->s.lock);
	return gone;
}

static void *job_run(void *arg)
{
	struct build_job *j = arg;
	struct daemon_build_opts o = {
		.context = j->context, .dockerfile = j->dockerfile, .tags = j->tags,
		.build_args = j->build_args, .labels = j->labels, .target = j->target,
		.network_mode = j->network_mode, .no_cache = j->no_cache, .rm = j->rm,
		.cancelled = client_gone, .cancel_arg = j,
	};
	struct berr err = { 0 };
	char id[80], line[1200];
	int ret = daemon_build(j->d, &o, on_text, j, id, &err);

	if (ret < 0) {
		cleanup_jw struct jw *w = jw_new(false);

		jw_map_open(w);
		jw_key(w, "errorDetail");
		jw_map_open(w);
		jw_kstr(w, "message", err.msg);
		jw_map_close(w);
		jw_kstr(w, "error", err.msg);
		jw_map_close(w);
		append(j, w);
	} else {
		cleanup_jw struct jw *w = jw_new(false);

		jw_map_open(w);
		jw_key(w, "aux");
		jw_map_open(w);
		jw_kstr(w, "ID", id);
		jw_map_close(w);
		jw_map_close(w);
		append(j, w);
		/* docker build -q prints what the stream says: the id alone. */
		if (j->quiet) {
			snprintf(line, sizeof(line), "%s\n", id);
			stream_msg(j, "stream", line);
		}
		snprintf(line, sizeof(line), "Successfully built %.12s\n", id + 7);
		on_text(j, line);
		for (size_t i = 0; j->tags && j->tags[i]; i++) {
			char *attrs[2] = { line, NULL };

			snprintf(line, sizeof(line), "Successfully tagged %s\n", j->tags[i]);
			on_text(j, line);
			snprintf(line, sizeof(line), "name=%s", j->tags[i]);
			daemon_event(j->d, "image", "tag", id, attrs);
		}
	}
	pthread_mutex_lock(&j->s.lock);
	j->s.done = true;
	pthread_cond_broadcast(&j->s.cond);
	pthread_mutex_unlock(&j->s.lock);
	job_put(j);
	return NULL;
}

static ssize_t job_next(void *cls, char *buf, size_t max)
{
	struct build_job *j = cls;

	return http_job_stream_next(&j->s, buf, max);
}

struct tags {
	char **v;
	bool oom;
};

static enum MHD_Result add_tag(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct tags *t = cls;

	(void)kind;
	if (key && !strcmp(key, "t") && value && *value && strv_push(&t->v, value) < 0)
		t->oom = true;
	return MHD_YES;
}

/* A JSON object of strings (buildargs, labels) as "key=value" (a null
 * value: "key" alone). */
static int kv_query(struct req *r, const char *name, char ***out)
{
	const char *q = http_query(r, name);
	yajl_val doc;
	int ret = 0;

	*out = calloc(1, sizeof(char *));
	if (!*out)
		return -1;
	if (!q || !*q)
		return 0;
	doc = yajl_tree_parse(q, NULL, 0);
	if (!doc || !YAJL_IS_OBJECT(doc)) {
		yajl_tree_free(doc);
		return -2;
	}
	for (size_t i = 0; ret == 0 && i < doc->u.object.len; i++) {
		yajl_val v = doc->u.object.values[i];
		char *kv = NULL;

		if (YAJL_IS_NULL(v))
			kv = strdup(doc->u.object.keys[i]);
		else if (YAJL_IS_STRING(v) &&
			 asprintf(&kv, "%s=%s", doc->u.object.keys[i], YAJL_GET_STRING(v)) < 0)
			kv = NULL;
		else if (!YAJL_IS_STRING(v))
			ret = -2;
		if (ret == 0 && strv_push_owned(out, kv) < 0)
			ret = -1;
	}
	yajl_tree_free(doc);
	return ret;
}

/* A query option berthd's builder does not have: refused when it asks
 * for anything but the default. */
static const char *unsupported(struct req *r)
{
	static const char *const zero[] = { "memory", "memswap", "cpushares", "cpuperiod",
					    "cpuquota", "shmsize", NULL };
	static const char *const empty[] = { "remote", "extrahosts", "cpusetcpus", "cpusetmems",
					     "cgroupparent", "squash", "session", "outputs",
					     NULL };
	const char *v;

	for (size_t i = 0; zero[i]; i++)
		if ((v = http_query(r, zero[i])) && *v && strcmp(v, "0") && strcmp(v, "-1"))
			return zero[i];
	for (size_t i = 0; empty[i]; i++)
		if ((v = http_query(r, empty[i])) && *v && strcmp(v, "0") && strcmp(v, "false") &&
		    strcmp(v, "[]") && strcmp(v, "{}"))
			return empty[i];
	if ((v = http_query(r, "cachefrom")) && *v && strcmp(v, "[]") && strcmp(v, "null"))
		return "cachefrom";
	if ((v = http_query(r, "ulimits")) && *v && strcmp(v, "[]") && strcmp(v, "null"))
		return "ulimits";
	if ((v = http_query(r, "isolation")) && *v && strcmp(v, "default"))
		return "isolation";
	return NULL;
}

enum MHD_Result api_build(struct req *r)
{
	const char *version = http_query(r, "version"), *platform = http_query(r, "platform");
	const char *nm = http_query(r, "networkmode"), *bad;
	struct tags t = { 0 };
	struct build_job *j;
	pthread_t th;
	pthread_attr_t attr;
	int ret;

	if (version && !strcmp(version, "2"))
		return http_reply_error(r, 501, "BuildKit is not supported by berthd: build with "
						"the classic builder (DOCKER_BUILDKIT=0)");
	if ((bad = unsupported(r)))
		return http_reply_error(r, 501, "docker build's %s option is not supported by "
						"berthd", bad);
	if (http_query_bool(r, "pull"))
		return http_reply_error(r, 501, "docker build --pull is not supported by berthd: "
						"its builder uses the images in its store (docker "
						"pull them first)");
	if (platform && *platform && strcmp(platform, "linux/amd64") && strcmp(platform, "linux"))
		return http_reply_error(r, 501, "berthd builds only linux/amd64 images, not %s",
					platform);
	if (!r->body_file)
		return http_reply_error(r, 400, "the request has no body (a build context)");
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_tag, &t);
	if (t.oom) {
		strv_free(t.v);
		return MHD_NO;
	}
	for (size_t i = 0; t.v && t.v[i]; i++) {
		char *norm = NULL;
		struct berr err = { 0 };

		if (image_store_normalize(t.v[i], &norm, &err) < 0) {
			strv_free(t.v);
			return http_reply_berr(r, &err);
		}
		free(t.v[i]);
		t.v[i] = norm;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		strv_free(t.v);
		return MHD_NO;
	}
	pthread_mutex_init(&j->s.lock, NULL);
	pthread_cond_init(&j->s.cond, NULL);
	j->refs = 1;
	j->d = r->srv->d;
	j->tags = t.v;
	ret = kv_query(r, "buildargs", &j->build_args);
	if (ret == 0)
		ret = kv_query(r, "labels", &j->labels);
	if (ret < 0) {
		job_put(j);
		return ret == -1 ? MHD_NO
				 : http_reply_error(r, 400, "buildargs and labels must be JSON "
							    "objects of strings");
	}
	j->dockerfile = http_query(r, "dockerfile") ? strdup(http_query(r, "dockerfile")) : NULL;
	j->target = http_query(r, "target") ? strdup(http_query(r, "target")) : NULL;
	j->network_mode = nm && *nm && strcmp(nm, "default") && strcmp(nm, "bridge")
				  ? strdup(nm) : NULL;
	j->no_cache = http_query_bool(r, "nocache");
	j->rm = !http_query(r, "rm") || http_query_bool(r, "rm");
	j->quiet = http_query_bool(r, "q");
	/* The body's file is the build's from here on: it outlives the
	 * request's handler. */
	j->context = r->body_file;
	r->body_file = NULL;
	j->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, job_run, j) != 0) {
		pthread_attr_destroy(&attr);
		j->refs = 1;
		job_put(j);
		return http_reply_error(r, 500, "cannot start a thread for the build");
	}
	pthread_attr_destroy(&attr);
	return http_reply_stream(r, 200, "application/json", job_next, j, reply_end);
}
