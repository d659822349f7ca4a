/* The documents of registry traffic (spec/registry.c): docker's
 * credentials, token answers, error bodies, manifest kinds, base64. */
#include "tests/unit/helpers.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"
#include "spec/registry.h"

static void test_auth_fields(void **state)
{
	const char *json = "{\"username\":\"u\",\"password\":\"p:w\",\"serveraddress\":"
			   "\"127.0.0.1:5000\",\"email\":\"ignored\"}";
	struct spec_registry_auth a;
	struct berr err = { 0 };

	assert_int_equal(spec_registry_auth_parse(json, strlen(json), &a, &err), 0);
	assert_string_equal(a.username, "u");
	assert_string_equal(a.password, "p:w");
	assert_string_equal(a.server_address, "127.0.0.1:5000");
	assert_null(a.identity_token);
	spec_registry_auth_free(&a);
	assert_null(a.username);
}

/* "auth" is base64 of user:password, as in docker's config.json; the
 * password may hold a colon. */
static void test_auth_base64(void **state)
{
	const char *json = "{\"auth\":\"YmVydGg6czNjOnJldA==\"}";
	struct spec_registry_auth a;
	struct berr err = { 0 };

	assert_int_equal(spec_registry_auth_parse(json, strlen(json), &a, &err), 0);
	assert_string_equal(a.username, "berth");
	assert_string_equal(a.password, "s3c:ret");
	spec_registry_auth_free(&a);

	json = "{\"auth\":\"bm9jb2xvbg==\"}";
	assert_int_equal(spec_registry_auth_parse(json, strlen(json), &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "user:password"));
	json = "{\"auth\":\"***\"}";
	assert_int_equal(spec_registry_auth_parse(json, strlen(json), &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "base64"));
	json = "[1]";
	assert_true(spec_registry_auth_parse(json, strlen(json), &a, &err) < 0);
	json = "{\"username\":5}";
	assert_true(spec_registry_auth_parse(json, strlen(json), &a, &err) < 0);
}

static void test_base64(void **state)
{
	char *out, *enc;
	size_t len;

	/* The docker CLI's X-Registry-Auth is base64url. */
	assert_int_equal(spec_base64_decode("Pj4-Pz8_", 8, &out, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, ((const char[]){ '>', '>', '>', '?', '?', '?' }), 6);
	free(out);
	assert_int_equal(spec_base64_decode("e30=", 4, &out, &len), 0);
	assert_string_equal(out, "{}");
	assert_int_equal(len, 2);
	free(out);
	assert_int_equal(spec_base64_decode("a b", 3, &out, &len), -EINVAL);
	for (size_t n = 0; n < 8; n++) {
		const char *src = "abcdefgh";

		enc = spec_base64_encode(src, n);
		assert_int_equal(strlen(enc) % 4, 0);
		assert_int_equal(spec_base64_decode(enc, strlen(enc), &out, &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, src, n);
		free(out);
		free(enc);
	}
	enc = spec_base64_encode("berth:s3cret", 12);
	assert_string_equal(enc, "YmVydGg6czNjcmV0");
	free(enc);
}

static void test_token(void **state)
{
	struct berr err = { 0 };
	const char *json;
	char *t, *rt;

	assert_int_equal(spec_registry_token_parse("{\"token\":\"abc\",\"expires_in\":60}", 31,
						   &t, NULL, &err), 0);
	assert_string_equal(t, "abc");
	free(t);
	assert_int_equal(spec_registry_token_parse("{\"access_token\":\"xyz\"}", 22, &t, &rt, &err), 0);
	assert_string_equal(t, "xyz");
	assert_null(rt);
	free(t);
	/* An OAuth2 answer with offline access: the refresh token too. */
	json = "{\"access_token\":\"acc\",\"refresh_token\":\"ref\",\"expires_in\":300}";
	assert_int_equal(spec_registry_token_parse(json, strlen(json), &t, &rt, &err), 0);
	assert_string_equal(t, "acc");
	assert_string_equal(rt, "ref");
	free(t);
	free(rt);
	assert_true(spec_registry_token_parse("{\"token\":\"\"}", 12, &t, &rt, &err) < 0);
	assert_non_null(strstr(err.msg, "no token"));
	assert_null(t);
	assert_null(rt);
}

static void test_error_body(void **state)
{
	const char *body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest "
			   "unknown\\nhere\",\"detail\":{}}]}";
	char buf[128];

	spec_registry_error(body, strlen(body), buf, sizeof(buf));
	assert_string_equal(buf, "MANIFEST_UNKNOWN: manifest unknown here");
	spec_registry_error("not json", 8, buf, sizeof(buf));
	assert_string_equal(buf, "");
	spec_registry_error(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	spec_registry_error("{\"errors\":[]}", 13, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_tags(void **state)
{
	const char *page1 = "{\"name\":\"reg/x\",\"tags\":[\"1\",\"two\"]}";
	const char *page2 = "{\"name\":\"reg/x\",\"tags\":[\"latest\"]}";
	struct berr err = { 0 };
	char **tags = NULL;

	/* Pages add up. */
	assert_int_equal(spec_registry_tags_parse(page1, strlen(page1), &tags, &err), 0);
	assert_int_equal(spec_registry_tags_parse(page2, strlen(page2), &tags, &err), 0);
	assert_int_equal(strv_len(tags), 3);
	assert_string_equal(tags[0], "1");
	assert_string_equal(tags[1], "two");
	assert_string_equal(tags[2], "latest");
	strv_free(tags);
	tags = NULL;
	/* No tags: nothing, and no error. */
	assert_int_equal(spec_registry_tags_parse("{\"name\":\"reg/x\"}", 16, &tags, &err), 0);
	assert_null(tags);
	/* A tag that is not a string is refused, saying where. */
	assert_true(spec_registry_tags_parse("{\"tags\":[1]}", 12, &tags, &err) < 0);
	assert_non_null(strstr(err.msg, "tags"));
	strv_free(tags);
}

static void test_manifest_kind(void **state)
{
	const char *idx = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index."
			  "v1+json\",\"manifests\":[]}";
	const char *man = "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}";
	const char *v1 = "{\"schemaVersion\":1,\"fsLayers\":[]}";
	struct spec_manifest_kind k;
	struct berr err = { 0 };

	assert_int_equal(spec_manifest_kind(idx, strlen(idx), &k, &err), 0);
	assert_true(k.is_index);
	assert_string_equal(k.media_type, "application/vnd.oci.image.index.v1+json");
	assert_int_equal(spec_manifest_kind(man, strlen(man), &k, &err), 0);
	assert_false(k.is_index);
	assert_int_equal(k.schema_version, 2);
	assert_string_equal(k.media_type, "");
	assert_int_equal(spec_manifest_kind(v1, strlen(v1), &k, &err), 0);
	assert_int_equal(k.schema_version, 1);
	assert_true(spec_manifest_kind("[]", 2, &k, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_fields), cmocka_unit_test(test_auth_base64),
		cmocka_unit_test(test_base64),	    cmocka_unit_test(test_token),
		cmocka_unit_test(test_error_body),  cmocka_unit_test(test_manifest_kind),
		cmocka_unit_test(test_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
