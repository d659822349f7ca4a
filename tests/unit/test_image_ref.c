/* Docker's image reference grammar: what it accepts, in familiar form,
 * and what it refuses. */
#include "tests/unit/helpers.h"

#include <string.h>

#include "spec/image_ref.h"

/* s parses; its familiar form is want. */
static void accepts(const char *s, const char *want)
{
	struct image_ref r;
	struct berr err = { 0 };
	char buf[600];
	int ret = image_ref_parse(s, &r, &err);

	if (ret < 0)
		fail_msg("\"%s\" refused: %s", s, err.msg);
	assert_int_equal(image_ref_familiar(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* s is refused with a message that contains why. */
static void refuses(const char *s, const char *why)
{
	struct image_ref r;
	struct berr err = { 0 };

	if (image_ref_parse(s, &r, &err) != -EINVAL)
		fail_msg("\"%s\" accepted", s);
	if (!strstr(err.msg, why))
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", s, err.msg, why);
}

static void test_docker_hub_names(void **state)
{
	struct image_ref r;
	struct berr err = { 0 };

	accepts("busybox", "busybox:latest");
	accepts("busybox:1.36", "busybox:1.36");
	accepts("library/busybox", "busybox:latest");
	accepts("docker.io/library/busybox:1", "busybox:1");
	accepts("docker.io/team/app", "team/app:latest");
	accepts("index.docker.io/team/app:2", "team/app:2");
	assert_int_equal(image_ref_parse("busybox", &r, &err), 0);
	assert_string_equal(r.domain, "docker.io");
	assert_string_equal(r.path, "library/busybox");
	assert_string_equal(r.tag, "");
}

static void test_separators(void **state)
{
	accepts("a.b_c__d-e---f/g", "a.b_c__d-e---f/g:latest");
	accepts("a0/1b", "a0/1b:latest");
	refuses("a..b", "components of lowercase");
	refuses("a___b", "components of lowercase");
	refuses("a._b", "components of lowercase");
	refuses("-a", "components of lowercase");
	refuses("a-", "components of lowercase");
	refuses("_a", "components of lowercase");
	refuses(".a", "components of lowercase");
	refuses("a/.b", "components of lowercase");
	refuses("a//b", "components of lowercase");
	refuses("/a", "components of lowercase");
	refuses("a/", "components of lowercase");
	refuses("a b", "components of lowercase");
	refuses("a\nb", "components of lowercase");
	refuses("../../../etc/x:1", "components of lowercase");
	refuses("a/../b", "components of lowercase");
	refuses("..", "components of lowercase");
}

static void test_uppercase(void **state)
{
	refuses("Busybox", "must be lowercase");
	refuses("team/App:1", "must be lowercase");
	/* Capitals make the first component a registry host, where they are
	 * allowed; the tag may have them too. */
	accepts("Registry.Example.com/app:V1", "Registry.Example.com/app:V1");
	accepts("MyHost/app", "MyHost/app:latest");
	refuses("MyHost/App", "must be lowercase");
}

static void test_domains(void **state)
{
	accepts("localhost/app", "localhost/app:latest");
	accepts("localhost:5000/team/app:1", "localhost:5000/team/app:1");
	accepts("registry.example.com:443/a", "registry.example.com:443/a:latest");
	accepts("a-b.example/x", "a-b.example/x:latest");
	accepts("[::1]:5000/app", "[::1]:5000/app:latest");
	accepts("192.168.0.1:5000/app", "192.168.0.1:5000/app:latest");
	/* Without a "/", localhost:5000 is the image localhost, tag 5000. */
	accepts("localhost:5000", "localhost:5000");
	refuses("-bad.example/app", "components of lowercase");
	refuses("bad-.example/app", "components of lowercase");
	refuses("host:port/app", "components of lowercase");
	refuses("host:/app", "components of lowercase");
	refuses("exa..mple.com/app", "components of lowercase");
	refuses("[zz]:5000/app", "components of lowercase");
	refuses("localhost/", "components of lowercase");
}

static void test_tags(void **state)
{
	char tag[300];

	accepts("app:_x", "app:_x");
	accepts("app:v1.2-rc_3", "app:v1.2-rc_3");
	refuses("app:", "a tag is");
	refuses("app:.x", "a tag is");
	refuses("app:-x", "a tag is");
	refuses("app:a/b", "components of lowercase"); /* ":" before the last "/" */
	refuses("app:a b", "a tag is");
	refuses("app:a:b", "components of lowercase"); /* name "app:a", tag "b" */
	memset(tag, 'a', sizeof(tag));
	strcpy(tag, "app:");
	memset(tag + 4, 'x', 128);
	tag[4 + 128] = '\0';
	accepts(tag, tag);
	tag[4 + 128] = 'x';
	tag[4 + 129] = '\0';
	refuses(tag, "at most 128");
}

static void test_digests(void **state)
{
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char s[400], want[400];
	struct image_ref r;
	struct berr err = { 0 };

	snprintf(s, sizeof(s), "app@sha256:%s", hex);
	snprintf(want, sizeof(want), "app@sha256:%s", hex);
	accepts(s, want);
	assert_int_equal(image_ref_parse(s, &r, &err), 0);
	assert_string_equal(r.tag, "");
	assert_int_equal(strncmp(r.digest, "sha256:", 7), 0);
	snprintf(s, sizeof(s), "localhost:5000/app:1@sha256:%s", hex);
	snprintf(want, sizeof(want), "localhost:5000/app:1@sha256:%s", hex);
	accepts(s, want);
	refuses("app@sha256:abc", "wrong length");
	snprintf(s, sizeof(s), "app@sha256:%.63sG", hex);
	refuses(s, "lowercase 0-9a-f");
	snprintf(s, sizeof(s), "app@SHA256:%s", hex);
	refuses(s, "unsupported digest algorithm");
	snprintf(s, sizeof(s), "app@md5:%s", hex);
	refuses(s, "unsupported digest algorithm");
	refuses("app@", "algorithm:hex");
	/* A bare 64-digit hex string is an image id, never a name. */
	refuses(hex, "is an image id");
}

static void test_lengths(void **state)
{
	char s[400];

	/* 255 characters in all, docker.io/library/ counted. */
	memset(s, 'a', sizeof(s));
	s[255 - 18] = '\0';
	accepts(s, strcat(strcpy((char[400]){ 0 }, s), ":latest"));
	s[255 - 18] = 'a';
	s[256 - 18] = '\0';
	refuses(s, "at most 255");
	refuses("", "empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_hub_names), cmocka_unit_test(test_separators),
		cmocka_unit_test(test_uppercase),	 cmocka_unit_test(test_domains),
		cmocka_unit_test(test_tags),		 cmocka_unit_test(test_digests),
		cmocka_unit_test(test_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
