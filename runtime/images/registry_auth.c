/* Answering a registry's 401: its WWW-Authenticate challenge names Basic
 * (credentials with every request) or Bearer (a token from the realm, for
 * a service and a scope, asked for with the credentials if there are
 * any: anonymous pulls get tokens too).
 *
 * Tokens come as docker's token authentication gives them (GET, with
 * Basic credentials), or through OAuth2 (RFC 6749: a POST of a form) as
 * docker asks for them: a login with a password asks for offline access
 * (grant_type=password, access_type=offline), and the refresh token the
 * server answers with is the identity token the docker CLI keeps in
 * place of the password; a later pull or push trades that for access
 * tokens (grant_type=refresh_token).  A token server that takes no POST
 * (404, 405) gets docker's GET at a login; an identity token it cannot
 * take is refused, with what to do. */
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

static void token_buf_wipe(struct token_buf *t)
{
	if (t->data) {
		explicit_bzero(t->data, t->len);
		free(t->data);
	}
	memset(t, 0, sizeof(*t));
}

/* What a challenge asks a token for. */
struct token_ask {
	char realm[1024];
	char service[256];
	char scope[512]; /* space-separated */
};

enum token_way { TOKEN_GET, TOKEN_PASSWORD, TOKEN_REFRESH };

/* docker's client id in OAuth2 requests. */
#define CLIENT_ID "docker"

/* Append "&key=value" (value escaped) to *s. */
static int add_param(CURL *h, char **s, const char *key, const char *value)
{
	char *esc = curl_easy_escape(h, value, 0), *grown;
	int ret = 0;

	if (!esc || asprintf(&grown, "%s%s%s=%s", *s, **s ? "&" : "", key, esc) < 0) {
		ret = -ENOMEM;
	} else {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = grown;
	}
	if (esc) {
		explicit_bzero(esc, strlen(esc));
		curl_free(esc);
	}
	return ret;
}

/* docker's token authentication: GET realm?service=...&scope=... (a
 * parameter for each scope: a mount needs the source repository too),
 * with Basic credentials when there are some; a login asks for offline
 * access as docker does (a server may answer with a refresh token). */
static int token_get(struct registry_client *c, CURL *h, const struct token_ask *ask,
		     char **url)
{
	const struct spec_registry_auth *a = c->o->auth;
	char scopes[sizeof(ask->scope)];
	char *q = strdup("");
	int ret;

	if (!q)
		return -ENOMEM;
	ret = add_param(h, &q, "service", ask->service);
	snprintf(scopes, sizeof(scopes), "%s", ask->scope);
	for (char *save = NULL, *one = strtok_r(scopes, " ", &save); one && ret == 0;
	     one = strtok_r(NULL, " ", &save))
		ret = add_param(h, &q, "scope", one);
	if (ret == 0 && c->login) {
		ret = add_param(h, &q, "offline_token", "true");
		if (ret == 0)
			ret = add_param(h, &q, "client_id", CLIENT_ID);
	}
	if (ret == 0 && asprintf(url, "%s%s%s", ask->realm, strchr(ask->realm, '?') ? "&" : "?",
				 q) < 0)
		ret = -ENOMEM;
	free(q);
	if (ret < 0)
		return ret;
	curl_easy_setopt(h, CURLOPT_URL, *url);
	if (has_password(a)) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, a->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, a->password);
	}
	return 0;
}

/* OAuth2: the form of a password or a refresh_token grant, POSTed to
 * the realm.  *form holds secrets: the caller wipes it. */
static int token_post(struct registry_client *c, CURL *h, const struct token_ask *ask,
		      enum token_way way, char **form)
{
	const struct spec_registry_auth *a = c->o->auth;
	int ret;

	*form = strdup("");
	if (!*form)
		return -ENOMEM;
	if (way == TOKEN_REFRESH) {
		ret = add_param(h, form, "grant_type", "refresh_token");
		if (ret == 0)
			ret = add_param(h, form, "refresh_token", a->identity_token);
	} else {
		ret = add_param(h, form, "grant_type", "password");
		if (ret == 0)
			ret = add_param(h, form, "username", a->username);
		if (ret == 0)
			ret = add_param(h, form, "password", a->password);
		if (ret == 0)
			ret = add_param(h, form, "access_type", "offline");
	}
	if (ret == 0)
		ret = add_param(h, form, "client_id", CLIENT_ID);
	if (ret == 0)
		ret = add_param(h, form, "service", ask->service);
	if (ret == 0 && ask->scope[0])
		ret = add_param(h, form, "scope", ask->scope);
	if (ret < 0)
		return ret;
	curl_easy_setopt(h, CURLOPT_URL, ask->realm);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, *form);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(*form));
	return 0;
}

/* One request to the token server; its status and body. */
static int token_request(struct registry_client *c, const struct token_ask *ask,
			 enum token_way way, struct token_buf *t, long *status,
			 struct berr *err)
{
	char curl_msg[CURL_ERROR_SIZE] = "";
	cleanup_free char *url = NULL;
	char *form = NULL;
	CURL *h = registry_curl_new(c);
	CURLcode rc = CURLE_OK;
	int ret;

	*status = 0;
	if (!h)
		return berr_fail(err, ENOMEM, "token: cannot start a transfer");
	ret = way == TOKEN_GET ? token_get(c, h, ask, &url) : token_post(c, h, ask, way, &form);
	if (ret == 0) {
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_token);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	}
	curl_easy_cleanup(h);
	if (form) {
		explicit_bzero(form, strlen(form));
		free(form);
	}
	if (ret < 0)
		return berr_set(err, -ret, "token");
	if (rc != CURLE_OK)
		return berr_fail(err, EIO, "%s: token from %s: %s: %s", c->host, ask->realm,
				 curl_easy_strerror(rc), curl_msg);
	return 0;
}

/* The answer's token, or why there is none. */
static int token_answer(struct registry_client *c, const struct token_ask *ask,
			enum token_way way, long status, const struct token_buf *t,
			char **token, char **refresh, struct berr *err)
{
	const struct spec_registry_auth *a = c->o->auth;

	if (way == TOKEN_REFRESH && (status == 404 || status == 405))
		return berr_unsupported(err,
					"%s: the login kept an identity token (OAuth2), which the "
					"token server %s does not take (HTTP %ld: no OAuth2 "
					"there); log in again with 'docker login %s'",
					c->host, ask->realm, status, c->host);
	if (way == TOKEN_REFRESH && (status == 400 || status == 401 || status == 403))
		return berr_failk(err, BERR_INVALID, EACCES,
				  "%s: the token server %s refused the identity token of the "
				  "login (HTTP %ld); log in again with 'docker login %s'",
				  c->host, ask->realm, status, c->host);
	if (status == 401 || status == 403 || (way == TOKEN_PASSWORD && status == 400))
		return berr_failk(err, BERR_INVALID, EACCES,
				  "%s: the token server %s refused %s (HTTP %ld)%s", c->host,
				  ask->realm,
				  has_password(a) ? "the credentials" : "an anonymous token",
				  status, has_password(a) ? "" : "; log in with 'docker login' first");
	if (status != 200)
		return berr_fail(err, EIO, "%s: the token server %s answered HTTP %ld", c->host,
				 ask->realm, status);
	return spec_registry_token_parse(t->data, t->len, token, refresh, err);
}

static int bearer(struct registry_client *c, const char *params, struct berr *err)
{
	const struct spec_registry_auth *a = c->o->auth;
	struct token_ask ask = { .service = "", .scope = "" };
	struct token_buf t = { 0 };
	enum token_way way = TOKEN_GET;
	char *token = NULL, *refresh = NULL, *value;
	long status = 0;
	int ret;

	if (a && a->registry_token) {
		if (asprintf(&value, "Bearer %s", a->registry_token) < 0)
			return berr_set(err, ENOMEM, "token");
		set_authz(c, value);
		return 0;
	}
	if (!param(params, "realm", ask.realm, sizeof(ask.realm)) ||
	    (strncmp(ask.realm, "https://", 8) != 0 && strncmp(ask.realm, "http://", 7) != 0))
		return berr_fail(err, EPROTO, "%s: the registry's Bearer challenge names no realm",
				 c->host);
	/* The credentials go to the realm only over TLS, unless the
	 * registry itself is one named insecure. */
	if (strncmp(ask.realm, "http://", 7) == 0 && strncmp(c->base, "http://", 7) != 0)
		return berr_fail(err, EPROTO,
				 "%s: the registry's token realm %s is plain HTTP", c->host,
				 ask.realm);
	param(params, "service", ask.service, sizeof(ask.service));
	param(params, "scope", ask.scope, sizeof(ask.scope));
	if (!ask.scope[0] && c->repo[0])
		snprintf(ask.scope, sizeof(ask.scope), "repository:%s:%s", c->repo,
			 c->scope_actions);
	if (a && a->identity_token && !has_password(a))
		way = TOKEN_REFRESH;
	else if (c->login && has_password(a))
		way = TOKEN_PASSWORD;
	ret = token_request(c, &ask, way, &t, &status, err);
	/* A server with docker's GET alone. */
	if (ret == 0 && way == TOKEN_PASSWORD && (status == 404 || status == 405)) {
		token_buf_wipe(&t);
		way = TOKEN_GET;
		ret = token_request(c, &ask, way, &t, &status, err);
	}
	if (ret == 0)
		ret = token_answer(c, &ask, way, status, &t, &token, &refresh, err);
	token_buf_wipe(&t);
	if (ret < 0)
		return ret;
	if (refresh && c->login) {
		free(c->refresh_token);
		c->refresh_token = steal_ptr(refresh);
	} else if (refresh) {
		explicit_bzero(refresh, strlen(refresh));
		free(refresh);
	}
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

	if (strncasecmp(challenge, "Bearer ", 7) == 0)
		return bearer(c, challenge + 7, err);
	if (strncasecmp(challenge, "Basic", 5) != 0)
		return berr_unsupported(err, "%s: the registry asks for %.40s authentication, "
					     "which berthd does not support (Basic and Bearer "
					     "are)",
					c->host, challenge);
	/* An identity token is good only at the token server that gave it. */
	if (a && a->identity_token && !has_password(a))
		return berr_failk(err, BERR_INVALID, EACCES,
				  "%s: the registry asks for Basic credentials, but the login "
				  "kept an identity token (OAuth2) in place of a password; log in "
				  "again with 'docker login %s'",
				  c->host, c->host);
	return basic(c, err);
}
