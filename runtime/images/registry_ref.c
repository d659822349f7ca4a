/* Where a reference's repository lives, and how to reach it: the API host
 * (Docker Hub's is not docker.io), the scheme (plain HTTP only for the
 * registries named insecure), the CAs (the system's plus those in the
 * registry's folder of certs_dir) and a client certificate. */
#include "runtime/images/registry_client.h"

#include <curl/curl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"

#define DOCKER_HUB_API "registry-1.docker.io"

static bool insecure(const struct registry_opts *o, const char *host)
{
	for (size_t i = 0; o->insecure && o->insecure[i]; i++)
		if (strcmp(o->insecure[i], host) == 0)
			return true;
	return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int append_file(struct registry_client *c, const char *path, struct berr *err)
{
	cleanup_free char *data = NULL;
	size_t len;
	char *grown;
	int ret = fsutil_read_file(path, &data, &len, err);

	if (ret < 0)
		return ret;
	grown = realloc(c->ca_bundle, c->ca_len + len + 2);
	if (!grown)
		return berr_set(err, ENOMEM, "CA certificates");
	c->ca_bundle = grown;
	memcpy(grown + c->ca_len, data, len);
	c->ca_len += len;
	grown[c->ca_len++] = '\n';
	grown[c->ca_len] = '\0';
	return 0;
}

/* The system's CA bundle, where libcurl was built to look for it. */
static const char *system_cainfo(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	return v && v->cainfo ? v->cainfo : "/etc/ssl/certs/ca-certificates.crt";
}

/* docker's layout: every *.crt is a CA; client.cert goes with client.key
 * (any NAME.cert with its NAME.key). */
static int load_certs(struct registry_client *c, struct berr *err)
{
	cleanup_free char *dir = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	bool extra = false;
	int ret;

	if (!c->o->certs_dir || strstr(c->host, "..") || strchr(c->host, '/'))
		return 0;
	if (asprintf(&dir, "%s/%s", c->o->certs_dir, c->host) < 0)
		return berr_sys(err, "certificates");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		cleanup_free char *path = NULL;

		if (de->d_name[0] == '.' || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (has_suffix(de->d_name, ".crt")) {
			if (!extra) {
				struct berr ignored;

				/* A host without the system bundle still trusts the
				 * registry's own CA. */
				append_file(c, system_cainfo(), &ignored);
				extra = true;
			}
			ret = append_file(c, path, err);
			if (ret < 0)
				return berr_wrap(err, ret, "CA certificate of %s", c->host);
		} else if (has_suffix(de->d_name, ".cert")) {
			cleanup_free char *key = NULL;

			if (asprintf(&key, "%.*s.key", (int)(strlen(path) - 5), path) < 0)
				return berr_sys(err, "certificates");
			if (access(key, R_OK) != 0)
				return berr_invalid(err,
						    "client certificate %s has no key %s next to "
						    "it",
						    path, key);
			free(c->client_cert);
			free(c->client_key);
			c->client_cert = steal_ptr(path);
			c->client_key = steal_ptr(key);
		}
	}
	return 0;
}

int registry_client_init_host(struct registry_client *c, const char *host,
			      const struct registry_opts *o, struct berr *err)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->scope_actions = "pull";
	pthread_mutex_init(&c->lock, NULL);
	/* docker login's default server is the index URL of Docker Hub. */
	if (strcmp(host, "docker.io") == 0 || strstr(host, "index.docker.io"))
		host = DOCKER_HUB_API;
	if (strlen(host) >= sizeof(c->host))
		return berr_invalid(err, "registry name %s is too long", host);
	snprintf(c->host, sizeof(c->host), "%s", host);
	snprintf(c->base, sizeof(c->base), "%s://%s", insecure(o, host) ? "http" : "https",
		 host);
	return load_certs(c, err);
}

int registry_client_init(struct registry_client *c, const struct image_ref *ref,
			 const struct registry_opts *o, const char *scope_actions,
			 struct berr *err)
{
	int ret = registry_client_init_host(c, ref->domain, o, err);

	if (ret < 0)
		return ret;
	snprintf(c->repo, sizeof(c->repo), "%s", ref->path);
	c->scope_actions = scope_actions;
	return 0;
}

void registry_client_release(struct registry_client *c)
{
	free(c->ca_bundle);
	free(c->client_cert);
	free(c->client_key);
	if (c->authz) {
		explicit_bzero(c->authz, strlen(c->authz));
		free(c->authz);
	}
	if (c->refresh_token) {
		explicit_bzero(c->refresh_token, strlen(c->refresh_token));
		free(c->refresh_token);
	}
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

void registry_curl_setup(struct registry_client *c, void *handle)
{
	CURL *h = handle;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "berthd");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A registry that stops sending for a minute is gone. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Blobs may be redirected to storage elsewhere; never to plain HTTP
	 * from a registry reached over TLS. */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
			 strncmp(c->base, "http:", 5) == 0 ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	if (c->ca_bundle) {
		struct curl_blob blob = { .data = c->ca_bundle, .len = c->ca_len,
					  .flags = CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (c->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	}
}

void *registry_curl_new(struct registry_client *c)
{
	CURL *h = curl_easy_init();

	if (h)
		registry_curl_setup(c, h);
	return h;
}
