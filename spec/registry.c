#include "spec/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"
#include "spec/base/strv.h"

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int spec_base64_decode(const char *in, size_t len, char **out, size_t *out_len)
{
	char *buf = malloc(len / 4 * 3 + 4);
	unsigned int acc = 0;
	size_t n = 0;
	int bits = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		int v;

		if (in[i] == '=' || in[i] == '\n' || in[i] == '\r')
			continue;
		v = b64_value(in[i]);
		if (v < 0) {
			free(buf);
			return -EINVAL;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	buf[n] = '\0';
	*out = buf;
	if (out_len)
		*out_len = n;
	return 0;
}

char *spec_base64_encode(const void *in, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned int v = (unsigned int)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned int)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = abc[(v >> 18) & 63];
		*o++ = abc[(v >> 12) & 63];
		*o++ = i + 1 < len ? abc[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? abc[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void spec_registry_auth_free(struct spec_registry_auth *a)
{
	wipe_free(a->username);
	wipe_free(a->password);
	wipe_free(a->identity_token);
	wipe_free(a->registry_token);
	free(a->server_address);
	memset(a, 0, sizeof(*a));
}

/* "auth" is base64 of "user:password", as docker's config.json keeps it. */
static int split_auth(const char *auth, struct spec_registry_auth *out, struct berr *err)
{
	char *plain, *colon;
	size_t len;

	if (spec_base64_decode(auth, strlen(auth), &plain, &len) < 0)
		return berr_invalid(err, "registry credentials: \"auth\" is not base64");
	colon = strchr(plain, ':');
	if (!colon) {
		wipe_free(plain);
		return berr_invalid(err, "registry credentials: \"auth\" is not user:password");
	}
	*colon = '\0';
	out->username = strdup(plain);
	out->password = strdup(colon + 1);
	explicit_bzero(colon + 1, strlen(colon + 1));
	wipe_free(plain);
	return 0;
}

int spec_registry_auth_parse(const char *json, size_t len, struct spec_registry_auth *out,
			     struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	const char *user = NULL, *pass = NULL, *auth = NULL, *itok = NULL, *rtok = NULL,
		   *server = NULL;
	struct jr r;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "registry credentials");
	jr_init(&r, &a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_str(&r, doc, "username", &user);
	if (ret >= 0)
		ret = jr_str(&r, doc, "password", &pass);
	if (ret >= 0)
		ret = jr_str(&r, doc, "auth", &auth);
	if (ret >= 0)
		ret = jr_str(&r, doc, "identitytoken", &itok);
	if (ret >= 0)
		ret = jr_str(&r, doc, "registrytoken", &rtok);
	if (ret >= 0)
		ret = jr_str(&r, doc, "serveraddress", &server);
	if (ret < 0) {
		arena_release(&a);
		return berr_wrap(err, ret, "registry credentials");
	}
	out->username = dup_or_null(user);
	out->password = dup_or_null(pass);
	out->identity_token = dup_or_null(itok);
	out->registry_token = dup_or_null(rtok);
	out->server_address = dup_or_null(server);
	ret = 0;
	if (!out->username && !out->password && auth && *auth)
		ret = split_auth(auth, out, err);
	arena_release(&a);
	if (ret < 0)
		spec_registry_auth_free(out);
	return ret;
}

int spec_registry_token_parse(const char *json, size_t len, char **token, char **refresh,
			      struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	const char *t = NULL, *at = NULL, *rt = NULL;
	struct jr r;
	int ret;

	*token = NULL;
	if (refresh)
		*refresh = NULL;
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "token server's answer");
	jr_init(&r, &a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_str(&r, doc, "token", &t);
	if (ret >= 0)
		ret = jr_str(&r, doc, "access_token", &at);
	if (ret >= 0)
		ret = jr_str(&r, doc, "refresh_token", &rt);
	if (ret >= 0 && !(t && *t) && !(at && *at))
		ret = berr_invalid(err, "the token server's answer holds no token");
	if (ret >= 0) {
		*token = strdup(t && *t ? t : at);
		ret = *token ? 0 : berr_set(err, ENOMEM, "token");
	}
	if (ret == 0 && refresh && rt && *rt) {
		*refresh = strdup(rt);
		if (!*refresh) {
			wipe_free(steal_ptr(*token));
			ret = berr_set(err, ENOMEM, "token");
		}
	}
	arena_release(&a);
	return ret < 0 ? berr_wrap(err, ret, "token server's answer") : 0;
}

int spec_manifest_kind(const char *json, size_t len, struct spec_manifest_kind *out,
		       struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	const char *mt = NULL;
	int64_t version = 0;
	struct jr r;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "manifest");
	jr_init(&r, &a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_str(&r, doc, "mediaType", &mt);
	if (ret >= 0)
		ret = jr_i64(&r, doc, "schemaVersion", &version);
	if (ret >= 0) {
		snprintf(out->media_type, sizeof(out->media_type), "%s", mt ? mt : "");
		out->schema_version = (long)version;
		out->is_index = jr_get(doc, "manifests") != NULL;
		ret = 0;
	}
	arena_release(&a);
	return ret < 0 ? berr_wrap(err, ret, "manifest") : 0;
}

void spec_registry_error(const char *json, size_t len, char *buf, size_t size)
{
	cleanup_tree yajl_val doc = NULL;
	struct berr ignored;
	yajl_val errors, first, code, msg;

	buf[0] = '\0';
	if (!json || !len || jr_parse(json, len, &doc, &ignored) < 0 || !YAJL_IS_OBJECT(doc))
		return;
	errors = jr_get(doc, "errors");
	if (!errors || !YAJL_IS_ARRAY(errors) || errors->u.array.len == 0)
		return;
	first = errors->u.array.values[0];
	if (!YAJL_IS_OBJECT(first))
		return;
	code = jr_get(first, "code");
	msg = jr_get(first, "message");
	snprintf(buf, size, "%s%s%s", YAJL_IS_STRING(code) ? code->u.string : "",
		 YAJL_IS_STRING(code) && YAJL_IS_STRING(msg) ? ": " : "",
		 YAJL_IS_STRING(msg) ? msg->u.string : "");
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || (unsigned char)*p < 0x20)
			*p = ' ';
}

int spec_registry_tags_parse(const char *json, size_t len, char ***tags, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	const char **list = NULL;
	size_t n = 0;
	struct jr r;
	int ret;

	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "tags list");
	jr_init(&r, &a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_str_array(&r, doc, "tags", &list, &n);
	for (size_t i = 0; ret >= 0 && i < n; i++)
		if (strv_push(tags, list[i]) < 0)
			ret = berr_set(err, ENOMEM, "tags list");
	arena_release(&a);
	return ret < 0 ? berr_wrap(err, ret, "tags list") : 0;
}
