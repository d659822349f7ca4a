/* Registries: pull (POST /images/create?fromImage=), push and login
 * (POST /auth).  The work is the image helper's (runtime/images/
 * registry.h); here the docker CLI's credentials are handed to it and its
 * report becomes docker's JSON progress messages.  Credentials are never
 * logged or kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "runtime/engine/engine.h"
#include "spec/base/cleanup.h"
#include "spec/registry.h"

#define AUTH_HEADER_MAX (16 << 10)

struct progress {
	struct jw *w;
	char ref[1100];
	char digest[80];
	char id[80];
	long long size;
	bool pushed;
};

static void wipe_free(char *s, size_t len)
{
	if (s) {
		explicit_bzero(s, len);
		free(s);
	}
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

/* "<12 hex> <status...>" or "<12 hex> Downloading <current> <total>". */
static void layer_line(struct jw *w, const char *v)
{
	char id[16], status[64];
	long long cur, total;

	if (sscanf(v, "%15s %63[^\n]", id, status) != 2)
		return;
	jw_map_open(w);
	if (sscanf(status, "Downloading %lld %lld", &cur, &total) == 2 ||
	    sscanf(status, "Pushing %lld %lld", &cur, &total) == 2) {
		char bar[128];

		status[strcspn(status, " ")] = '\0';
		jw_kstr(w, "status", status);
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

static void progress_line(void *arg, const char *text)
{
	struct progress *p = arg;
	const char *v = strchr(text, ' ');
	char buf[1200];

	if (!v)
		return;
	v++;
	if (strncmp(text, "from ", 5) == 0 && p->pushed) {
		const char *sp = strchr(v, ' ');

		snprintf(buf, sizeof(buf), "The push refers to repository [%s]", sp ? sp + 1 : v);
		status_line(p->w, buf, NULL);
	} else if (strncmp(text, "from ", 5) == 0) {
		const char *sp = strchr(v, ' ');

		if (sp) {
			char id[200];

			snprintf(id, sizeof(id), "%.*s", (int)(sp - v), v);
			snprintf(buf, sizeof(buf), "Pulling from %s", sp + 1);
			status_line(p->w, buf, id);
		}
	} else if (strncmp(text, "layer ", 6) == 0) {
		layer_line(p->w, v);
	} else if (strncmp(text, "digest ", 7) == 0) {
		snprintf(p->digest, sizeof(p->digest), "%s", v);
		if (!p->pushed) {
			snprintf(buf, sizeof(buf), "Digest: %s", v);
			status_line(p->w, buf, NULL);
		}
	} else if (strncmp(text, "size ", 5) == 0) {
		p->size = atoll(v);
	} else if (strncmp(text, "id ", 3) == 0) {
		snprintf(p->id, sizeof(p->id), "%s", v);
	}
}

enum MHD_Result api_image_pull(struct req *r, const char *from_image, const char *tag)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct progress p = { .w = w };
	char *auth = NULL;
	size_t auth_len = 0;
	struct berr err = { 0 };
	char buf[1200];
	int ret;

	if (http_query(r, "platform") && *http_query(r, "platform") &&
	    strcmp(http_query(r, "platform"), "linux/amd64") != 0)
		return http_reply_error(r, 501, "pulling for platform %s is not supported by "
						"berthd (only this host's, linux/amd64)",
					http_query(r, "platform"));
	if (!tag || !*tag)
		snprintf(p.ref, sizeof(p.ref), "%s", from_image);
	else
		snprintf(p.ref, sizeof(p.ref), "%s%s%s", from_image,
			 strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	if (registry_auth(r, &auth, &auth_len) < 0)
		return http_reply_error(r, 400, "X-Registry-Auth is not base64 of a JSON object");
	jw_array_open(w);
	ret = daemon_image_registry(r->srv->d, "pull", p.ref, auth, auth_len, progress_line, &p,
				    &err);
	wipe_free(auth, auth_len);
	if (ret < 0)
		return http_reply_berr(r, &err);
	snprintf(buf, sizeof(buf), "Status: Downloaded newer image for %s", p.ref);
	status_line(w, buf, NULL);
	jw_array_close(w);
	{
		char name[1200];
		char *attrs[2] = { name, NULL };

		snprintf(name, sizeof(name), "name=%s", p.ref);
		daemon_event(r->srv->d, "image", "pull", p.ref, attrs);
	}
	return http_reply_lines(r, w);
}

enum MHD_Result api_image_push(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	const char *tag = http_query(r, "tag");
	struct progress p = { .w = w, .pushed = true };
	char *auth = NULL;
	size_t auth_len = 0;
	struct berr err = { 0 };
	int ret;

	snprintf(p.ref, sizeof(p.ref), "%s%s%s", r->params[0], tag && *tag ? ":" : "",
		 tag ? tag : "");
	if (registry_auth(r, &auth, &auth_len) < 0)
		return http_reply_error(r, 400, "X-Registry-Auth is not base64 of a JSON object");
	jw_array_open(w);
	ret = daemon_image_registry(r->srv->d, "push", p.ref, auth, auth_len, progress_line, &p,
				    &err);
	wipe_free(auth, auth_len);
	if (ret < 0)
		return http_reply_berr(r, &err);
	if (p.digest[0]) {
		char buf[300];

		/* docker push prints this line, and reads the aux digest. */
		snprintf(buf, sizeof(buf), "%s: digest: %s size: %lld", tag && *tag ? tag : "latest",
			 p.digest, p.size);
		status_line(w, buf, NULL);
		jw_map_open(w);
		jw_key(w, "progressDetail");
		jw_map_open(w);
		jw_map_close(w);
		jw_key(w, "aux");
		jw_map_open(w);
		jw_kstr(w, "Tag", tag && *tag ? tag : "latest");
		jw_kstr(w, "Digest", p.digest);
		jw_kint(w, "Size", p.size);
		jw_map_close(w);
		jw_map_close(w);
	}
	jw_array_close(w);
	{
		char name[1200];
		char *attrs[2] = { name, NULL };

		snprintf(name, sizeof(name), "name=%s", p.ref);
		daemon_event(r->srv->d, "image", "push", p.ref, attrs);
	}
	return http_reply_lines(r, w);
}

/* docker login: the credentials are checked against the registry and
 * forgotten; the CLI keeps them and sends them with each pull. */
enum MHD_Result api_auth(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct spec_registry_auth a;
	struct berr err = { 0 };
	char server[512];
	int ret;

	if (!r->body || !r->body_len)
		return http_reply_error(r, 400, "the request has no body (credentials)");
	ret = spec_registry_auth_parse(r->body, r->body_len, &a, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	snprintf(server, sizeof(server), "%s", a.server_address ? a.server_address : "docker.io");
	spec_registry_auth_free(&a);
	ret = daemon_image_registry(r->srv->d, "login", server, r->body, r->body_len, NULL,
				    NULL, &err);
	explicit_bzero(r->body, r->body_len);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_kstr(w, "IdentityToken", "");
	jw_kstr(w, "Status", "Login Succeeded");
	jw_map_close(w);
	return http_reply_json(r, 200, w);
}
