/* Registries: pull (POST /images/create?fromImage=), push and login
 * (POST /auth).  The work is the image helper's (runtime/images/
 * registry.h), run from a thread of its own; here the docker CLI's
 * credentials are handed to it and its report becomes docker's JSON
 * progress messages, streamed as they come.  Credentials are never logged
 * or kept. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "runtime/engine/engine.h"
#include "spec/base/cleanup.h"
#include "spec/image_ref.h"
#include "spec/registry.h"

#define AUTH_HEADER_MAX (16 << 10)

/* A pull or push in progress, shared by its thread and its reply. */
struct job {
	struct http_job_stream s; /* its lock guards the rest too */
	int refs;
	struct daemon *d;
	const char *mode;
	char ref[1100];
	char tag[200];
	char *auth;
	size_t auth_len;
	bool started; /* the helper got past resolving the reference */
	int ret;
	struct berr err;
	char digest[80];
	long long size;
};

static void wipe_free(char *s, size_t len)
{
	if (s) {
		explicit_bzero(s, len);
		free(s);
	}
}

static void job_put(void *arg)
{
	struct job *j = arg;
	bool last;

	pthread_mutex_lock(&j->s.lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->s.lock);
	if (!last)
		return;
	wipe_free(j->auth, j->auth_len);
	free(j->s.out);
	pthread_mutex_destroy(&j->s.lock);
	pthread_cond_destroy(&j->s.cond);
	free(j);
}

/* X-Registry-Auth: base64url of docker's AuthConfig JSON (or nothing). */
static int registry_auth(struct req *r, char **json, size_t *len)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Registry-Auth");

	*json = NULL;
	*len = 0;
	if (!h || !*h)
		return 0;
	if (strlen(h) > AUTH_HEADER_MAX || spec_base64_decode(h, strlen(h), json, len) < 0)
		return -1;
	return 0;
}

static void progress_bar(char *buf, size_t size, long long cur, long long total)
{
	char bar[51];
	int fill = total > 0 ? (int)(cur * 50 / total) : 0;

	if (fill > 50)
		fill = 50;
	for (int i = 0; i < 50; i++)
		bar[i] = i < fill ? '=' : ' ';
	if (fill > 0 && fill < 50)
		bar[fill - 1] = '>';
	bar[50] = '\0';
	snprintf(buf, size, "[%s] %lldB/%lldB", bar, cur, total);
}

/* "<12 hex> <status...>", or "<12 hex> Downloading|Pushing <current>
 * <total>". */
static void layer_line(struct jw *w, const char *v)
{
	char id[16], status[64], word[16];
	long long cur, total;

	if (sscanf(v, "%15s %63[^\n]", id, status) != 2)
		return;
	jw_map_open(w);
	if (sscanf(status, "%15s %lld %lld", word, &cur, &total) == 3 &&
	    (strcmp(word, "Downloading") == 0 || strcmp(word, "Pushing") == 0)) {
		char bar[128];

		jw_kstr(w, "status", word);
		jw_key(w, "progressDetail");
		jw_map_open(w);
		jw_kint(w, "current", cur);
		jw_kint(w, "total", total);
		jw_map_close(w);
		progress_bar(bar, sizeof(bar), cur, total);
		jw_kstr(w, "progress", bar);
	} else {
		jw_kstr(w, "status", status);
		jw_key(w, "progressDetail");
		jw_map_open(w);
		jw_map_close(w);
	}
	jw_kstr(w, "id", id);
	jw_map_close(w);
}

static void status_line(struct jw *w, const char *status, const char *id)
{
	jw_map_open(w);
	jw_kstr(w, "status", status);
	if (id)
		jw_kstr(w, "id", id);
	jw_map_close(w);
}

/* Append the message w holds, with the job locked. */
static void job_append_locked(struct job *j, struct jw *w)
{
	char *json = NULL, *grown;
	size_t len;
	struct berr err;

	if (jw_finish(w, &json, &len, &err) < 0)
		return;
	grown = realloc(j->s.out, j->s.len + len + 1);
	if (grown) {
		j->s.out = grown;
		memcpy(grown + j->s.len, json, len);
		grown[j->s.len + len] = '\n';
		j->s.len += len + 1;
	}
	free(json);
	pthread_cond_broadcast(&j->s.cond);
}

static void job_line(void *arg, const char *text)
{
	struct job *j = arg;
	const char *v = strchr(text, ' ');
	cleanup_jw struct jw *w = jw_new(false);
	bool push = strcmp(j->mode, "push") == 0, message = true;
	char buf[1200];

	if (!v)
		return;
	v++;
	if (strncmp(text, "from ", 5) == 0) {
		const char *sp = strchr(v, ' ');
		char id[200];

		if (push) {
			snprintf(buf, sizeof(buf), "The push refers to repository [%s]",
				 sp ? sp + 1 : v);
			status_line(w, buf, NULL);
		} else {
			snprintf(id, sizeof(id), "%.*s", sp ? (int)(sp - v) : 0, v);
			snprintf(buf, sizeof(buf), "Pulling from %s", sp ? sp + 1 : v);
			status_line(w, buf, id);
		}
	} else if (strncmp(text, "layer ", 6) == 0) {
		layer_line(w, v);
	} else if (strncmp(text, "digest ", 7) == 0 && !push) {
		snprintf(buf, sizeof(buf), "Digest: %s", v);
		status_line(w, buf, NULL);
	} else {
		message = false;
	}
	pthread_mutex_lock(&j->s.lock);
	if (strncmp(text, "digest ", 7) == 0)
		snprintf(j->digest, sizeof(j->digest), "%s", v);
	else if (strncmp(text, "size ", 5) == 0)
		j->size = atoll(v);
	if (strncmp(text, "from ", 5) != 0)
		j->started = true;
	if (message)
		job_append_locked(j, w);
	pthread_cond_broadcast(&j->s.cond);
	pthread_mutex_unlock(&j->s.lock);
}

/* The last messages: docker's closing status, or the error (once
 * messages went out, an error is one of them). */
static void job_finish_locked(struct job *j)
{
	cleanup_jw struct jw *w = jw_new(false);
	char buf[1300];

	if (j->ret < 0) {
		jw_map_open(w);
		jw_key(w, "errorDetail");
		jw_map_open(w);
		jw_kstr(w, "message", j->err.msg);
		jw_map_close(w);
		jw_kstr(w, "error", j->err.msg);
		jw_map_close(w);
	} else if (strncmp(j->mode, "pull", 4) == 0) {
		snprintf(buf, sizeof(buf), "Status: Downloaded newer image for %s", j->ref);
		status_line(w, buf, NULL);
	} else if (j->digest[0]) {
		/* docker push prints this line, and reads the aux digest. */
		snprintf(buf, sizeof(buf), "%s: digest: %s size: %lld", j->tag, j->digest,
			 j->size);
		status_line(w, buf, NULL);
		job_append_locked(j, w);
		jw_free(w);
		w = jw_new(false);
		jw_map_open(w);
		jw_key(w, "progressDetail");
		jw_map_open(w);
		jw_map_close(w);
		jw_key(w, "aux");
		jw_map_open(w);
		jw_kstr(w, "Tag", j->tag);
		jw_kstr(w, "Digest", j->digest);
		jw_kint(w, "Size", j->size);
		jw_map_close(w);
		jw_map_close(w);
	} else {
		return;
	}
	job_append_locked(j, w);
}

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct berr err = { 0 };
	int ret;

	ret = daemon_image_registry(j->d, j->mode, j->ref, j->auth, j->auth_len, job_line, j,
				    &err);
	if (ret == 0) {
		char name[1200];
		char *attrs[2] = { name, NULL };

		snprintf(name, sizeof(name), "name=%s", j->ref);
		daemon_event(j->d, "image", strcmp(j->mode, "push") == 0 ? "push" : "pull", j->ref,
			     attrs);
	}
	pthread_mutex_lock(&j->s.lock);
	j->ret = ret;
	j->err = err;
	if (j->started)
		job_finish_locked(j);
	j->s.done = true;
	pthread_cond_broadcast(&j->s.cond);
	pthread_mutex_unlock(&j->s.lock);
	job_put(j);
	return NULL;
}

static ssize_t job_next(void *cls, char *buf, size_t max)
{
	struct job *j = cls;

	return http_job_stream_next(&j->s, buf, max);
}

/* Start the job; until the helper has got past the reference (resolved
 * it, or found the image to push), a failure is the reply's status, as
 * with dockerd; after, the messages stream and an error is the last. */
static enum MHD_Result job_reply(struct req *r, struct job *j)
{
	pthread_t th;
	pthread_attr_t attr;
	struct berr err;

	pthread_mutex_init(&j->s.lock, NULL);
	pthread_cond_init(&j->s.cond, NULL);
	j->refs = 2;
	j->d = r->srv->d;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, job_run, j) != 0) {
		pthread_attr_destroy(&attr);
		j->refs = 1;
		job_put(j);
		return http_reply_error(r, 500, "cannot start a thread for the %s", j->mode);
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_lock(&j->s.lock);
	while (!j->started && !j->s.done)
		pthread_cond_wait(&j->s.cond, &j->s.lock);
	if (j->s.done && !j->started && j->ret < 0) {
		err = j->err;
		pthread_mutex_unlock(&j->s.lock);
		job_put(j);
		return http_reply_berr(r, &err);
	}
	pthread_mutex_unlock(&j->s.lock);
	return http_reply_stream(r, 200, "application/json", job_next, j, job_put);
}

static struct job *job_new(struct req *r, const char *mode)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->mode = mode;
	if (registry_auth(r, &j->auth, &j->auth_len) < 0) {
		free(j);
		return NULL;
	}
	return j;
}

static bool all_tags(const char *from_image, const char *tag)
{
	struct image_ref ref;
	struct berr err;

	if (tag && *tag)
		return false;
	/* A bad name is the helper's to refuse, as for one pull. */
	return image_ref_parse(from_image, &ref, &err) == 0 && !ref.tag[0] && !ref.digest[0];
}

enum MHD_Result api_image_pull(struct req *r, const char *from_image, const char *tag)
{
	const char *platform = http_query(r, "platform");
	struct job *j;

	if (platform && *platform && strcmp(platform, "linux/amd64") != 0)
		return http_reply_error(r, 501, "pulling for platform %s is not supported by "
						"berthd (only this host's, linux/amd64)",
					platform);
	/* No tag at all, in the query or the name: every tag (docker pull
	 * --all-tags sends none), as dockerd. */
	j = job_new(r, all_tags(from_image, tag) ? "pull-all" : "pull");
	if (!j)
		return http_reply_error(r, 400, "X-Registry-Auth is not base64 of a JSON object");
	if (!tag || !*tag)
		snprintf(j->ref, sizeof(j->ref), "%s", from_image);
	else
		snprintf(j->ref, sizeof(j->ref), "%s%s%s", from_image,
			 strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	return job_reply(r, j);
}

enum MHD_Result api_image_push(struct req *r)
{
	const char *tag = http_query(r, "tag");
	struct job *j = job_new(r, "push");

	if (!j)
		return http_reply_error(r, 400, "X-Registry-Auth is not base64 of a JSON object");
	snprintf(j->tag, sizeof(j->tag), "%s", tag && *tag ? tag : "latest");
	snprintf(j->ref, sizeof(j->ref), "%s%s%s", r->params[0], tag && *tag ? ":" : "",
		 tag ? tag : "");
	return job_reply(r, j);
}

/* The login's helper says "identitytoken TOKEN" when the token server
 * gave one. */
static void login_line(void *arg, const char *text)
{
	char **token = arg;

	if (strncmp(text, "identitytoken ", 14) != 0 || *token)
		return;
	*token = strdup(text + 14);
}

/* docker login: the credentials are checked against the registry and
 * forgotten; the CLI keeps them (or the identity token a token server
 * gave for them, in place of the password) and sends them with each
 * pull. */
enum MHD_Result api_auth(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct spec_registry_auth a;
	struct berr err = { 0 };
	char server[512];
	char *token = NULL;
	enum MHD_Result res;
	int ret;

	if (!r->body || !r->body_len)
		return http_reply_error(r, 400, "the request has no body (credentials)");
	ret = spec_registry_auth_parse(r->body, r->body_len, &a, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	snprintf(server, sizeof(server), "%s", a.server_address ? a.server_address : "docker.io");
	spec_registry_auth_free(&a);
	ret = daemon_image_registry(r->srv->d, "login", server, r->body, r->body_len, login_line,
				    &token, &err);
	explicit_bzero(r->body, r->body_len);
	if (ret < 0) {
		wipe_free(token, token ? strlen(token) : 0);
		return http_reply_berr(r, &err);
	}
	jw_map_open(w);
	jw_kstr(w, "IdentityToken", token ? token : "");
	jw_kstr(w, "Status", "Login Succeeded");
	jw_map_close(w);
	res = http_reply_json(r, 200, w);
	wipe_free(token, token ? strlen(token) : 0);
	return res;
}
