/* Answering a registry's 401: its WWW-Authenticate challenge names Basic
 * (credentials with every request) or Bearer (a token from the realm, for
 * a service and a scope, asked for with the credentials if there are
 * any: anonymous pulls get tokens too). */
#include "runtime/images/registry_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/base/cleanup.h"

#define TOKEN_MAX (1 << 20)

/* The value of key="..." (or key=token) in a challenge's parameters. */
static bool param(const char *params, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = params; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = 0;

			if (*v == '"') {
				v++;
				while (v[n] && v[n] != '"')
					n++;
			} else {
				while (v[n] && v[n] != ',' && v[n] != ' ')
					n++;
			}
			if (n >= size)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		/* Skip this parameter, quoted commas included. */
		while (*p && *p != ',') {
			if (*p++ == '"') {
				while (*p && *p != '"')
					p++;
				if (*p)
					p++;
			}
		}
	}
	return false;
}

static void set_authz(struct registry_client *c, char *value)
{
	pthread_mutex_lock(&c->lock);
	if (c->authz) {
		explicit_bzero(c->authz, strlen(c->authz));
		free(c->authz);
	}
	c->authz = value;
	pthread_mutex_unlock(&c->lock);
}

static bool has_password(const struct spec_registry_auth *a)
{
	return a && a->username && a->password;
}

static int basic(struct registry_client *c, struct berr *err)
{
	const struct spec_registry_auth *a = c->o->auth;
	cleanup_free char *plain = NULL;
	char *b64, *value;

	if (!has_password(a))
		return berr_failk(err, BERR_INVALID, EACCES,
				  "%s: the registry wants credentials (HTTP 401); log in with "
				  "'docker login %s' first",
				  c->host, c->host);
	if (asprintf(&plain, "%s:%s", a->username, a->password) < 0)
		return berr_sys(err, "credentials");
	b64 = spec_base64_encode(plain, strlen(plain));
	explicit_bzero(plain, strlen(plain));
	if (!b64 || asprintf(&value, "Basic %s", b64) < 0) {
		free(b64);
		return berr_set(err, ENOMEM, "credentials");
	}
	explicit_bzero(b64, strlen(b64));
	free(b64);
	set_authz(c, value);
	return 0;
}

struct token_buf {
	char *data;
	size_t len;
	bool too_long;
};

static size_t on_token(char *data, size_t size, size_t n, void *arg)
{
	struct token_buf *t = arg;
	size_t len = size * n;
	char *grown;

	if (t->len + len > TOKEN_MAX) {
		t->too_long = true;
		return 0;
	}
	grown = realloc(t->data, t->len + len + 1);
	if (!grown)
		return 0;
	t->data = grown;
	memcpy(t->data + t->len, data, len);
	t->len += len;
	t->data[t->len] = '\0';
	return len;
}

/* GET realm?service=...&scope=..., with Basic credentials when there are
 * some. */
static int bearer(struct registry_client *c, const char *params, struct berr *err)
{
	const struct spec_registry_auth *a = c->o->auth;
	char realm[1024], service[256] = "", scope[512] = "";
	cleanup_free char *url = NULL, *esc_service = NULL, *esc_scope = NULL;
	struct token_buf t = { 0 };
	char curl_msg[CURL_ERROR_SIZE] = "";
	char *token = NULL, *value;
	CURL *h;
	CURLcode rc;
	long status = 0;
	int ret;

	if (a && a->registry_token) {
		if (asprintf(&value, "Bearer %s", a->registry_token) < 0)
			return berr_set(err, ENOMEM, "token");
		set_authz(c, value);
		return 0;
	}
	if (!param(params, "realm", realm, sizeof(realm)) ||
	    (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0))
		return berr_fail(err, EPROTO, "%s: the registry's Bearer challenge names no realm",
				 c->host);
	/* The credentials go to the realm only over TLS, unless the
	 * registry itself is one named insecure. */
	if (strncmp(realm, "http://", 7) == 0 && strncmp(c->base, "http://", 7) != 0)
		return berr_fail(err, EPROTO,
				 "%s: the registry's token realm %s is plain HTTP", c->host,
				 realm);
	param(params, "service", service, sizeof(service));
	param(params, "scope", scope, sizeof(scope));
	if (!scope[0] && c->repo[0])
		snprintf(scope, sizeof(scope), "repository:%s:%s", c->repo, c->scope_actions);
	h = registry_curl_new(c);
	if (!h)
		return berr_fail(err, ENOMEM, "token: cannot start a transfer");
	esc_service = curl_easy_escape(h, service, 0);
	if (asprintf(&url, "%s%sservice=%s", realm, strchr(realm, '?') ? "&" : "?",
		     esc_service ? esc_service : "") < 0) {
		url = NULL;
		curl_easy_cleanup(h);
		return berr_sys(err, "token");
	}
	/* A challenge may name several scopes, space-separated (a mount
	 * needs the source repository too): one scope parameter each. */
	for (char *save = NULL, *one = strtok_r(scope, " ", &save); one;
	     one = strtok_r(NULL, " ", &save)) {
		char *grown;

		free(esc_scope);
		esc_scope = curl_easy_escape(h, one, 0);
		if (!esc_scope || asprintf(&grown, "%s&scope=%s", url, esc_scope) < 0) {
			curl_easy_cleanup(h);
			return berr_set(err, ENOMEM, "token");
		}
		free(url);
		url = grown;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_token);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
	if (has_password(a)) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, a->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, a->password);
	}
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		ret = berr_fail(err, EIO, "%s: token from %s: %s: %s", c->host, realm,
				curl_easy_strerror(rc), curl_msg);
	else if (status == 401 || status == 403)
		ret = berr_failk(err, BERR_INVALID, EACCES,
				 "%s: the token server %s refused %s (HTTP %ld)%s", c->host,
				 realm, has_password(a) ? "the credentials" : "an anonymous token",
				 status,
				 has_password(a) ? "" : "; log in with 'docker login' first");
	else if (status != 200)
		ret = berr_fail(err, EIO, "%s: the token server %s answered HTTP %ld", c->host,
				realm, status);
	else
		ret = spec_registry_token_parse(t.data, t.len, &token, err);
	if (t.data) {
		explicit_bzero(t.data, t.len);
		free(t.data);
	}
	if (ret < 0)
		return ret;
	if (asprintf(&value, "Bearer %s", token) < 0)
		value = NULL;
	explicit_bzero(token, strlen(token));
	free(token);
	if (!value)
		return berr_set(err, ENOMEM, "token");
	set_authz(c, value);
	return 0;
}

int registry_auth_challenge(struct registry_client *c, const char *challenge,
			    struct berr *err)
{
	const struct spec_registry_auth *a = c->o->auth;

	/* docker keeps an identity token (an OAuth refresh token) where a
	 * login gave one; berthd's logins never do, and it cannot use one. */
	if (a && a->identity_token && !has_password(a))
		return berr_unsupported(err, "%s: the credentials are an identity token, which "
					     "berthd does not support: log in again with a "
					     "password",
					c->host);
	if (strncasecmp(challenge, "Bearer ", 7) == 0)
		return bearer(c, challenge + 7, err);
	if (strncasecmp(challenge, "Basic", 5) == 0)
		return basic(c, err);
	return berr_unsupported(err, "%s: the registry asks for %.40s authentication, which "
				     "berthd does not support (Basic and Bearer are)",
				c->host, challenge);
}
