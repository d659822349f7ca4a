/* spec_config_parse_aside and spec_config_parse_seccomp (create's parse
 * when the seccomp cache may know the profile's text) and the tree builder
 * under them (jr_parse_aside): the two together read every config real
 * clients sent exactly as a whole parse; the span is the profile's text;
 * a profile that is not a lone object is parsed whole; errors are the
 * whole parse's. */
#include "tests/unit/helpers.h"

#include <glob.h>

#include "spec/config.h"
#include "spec/config_write.h"
#include "spec/json_read.h"

static char *config_text(const struct spec_config *cfg)
{
	struct berr err = { 0 };
	char *out = NULL;
	size_t len;

	if (spec_config_write(cfg, &out, &len, &err) < 0)
		fail_msg("write the config: %s", err.msg);
	return out;
}

/* Aside, then the profile read from its span: the same config as whole. */
static void same_as_whole(const char *json, size_t len, bool has_profile)
{
	struct spec_config *whole = NULL, *aside = NULL;
	struct spec_span span = { 99, 99 };
	struct berr err = { 0 };
	char *a, *b;
	int ret;

	if (spec_config_parse(json, len, &whole, &err) < 0)
		fail_msg("whole: %s", err.msg);
	ret = spec_config_parse_aside(json, len, &aside, &span, &err);
	if (ret < 0)
		fail_msg("aside: %s", err.msg);
	assert_int_equal(ret, has_profile);
	if (ret == 1) {
		assert_true(aside->linux.seccomp.set);
		assert_int_equal(aside->linux.seccomp.n_syscalls, 0);
		assert_true(span.off + span.len <= len);
		assert_int_equal(json[span.off], '{');
		assert_int_equal(json[span.off + span.len - 1], '}');
		if (spec_config_parse_seccomp(json, &span, aside, &err) < 0)
			fail_msg("profile: %s", err.msg);
	} else {
		assert_int_equal(span.len, 0);
	}
	a = config_text(whole);
	b = config_text(aside);
	assert_string_equal(a, b);
	free(a);
	free(b);
	spec_config_free(whole);
	spec_config_free(aside);
}

static void same_as_whole_file(const char *path)
{
	size_t len;
	char *json = read_fixture(path, &len);

	same_as_whole(json, len, strstr(json, "\"seccomp\"") != NULL);
	free(json);
}

static void test_clients(void **state)
{
	glob_t g;

	same_as_whole_file(FIXTURES "/full.config.json");
	assert_int_equal(glob(FIXTURES "/clients/*.config.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 12);
	for (size_t i = 0; i < g.gl_pathc; i++)
		same_as_whole_file(g.gl_pathv[i]);
	globfree(&g);
}

#define HEAD "{'ociVersion':'1.2.0','root':{'path':'rootfs'},"
#define PROFILE "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir']," \
		"'action':'SCMP_ACT_ERRNO','errnoRet':38}]}"

static void check(const char *doc, bool has_profile)
{
	char *json = squote_json(doc);

	same_as_whole(json, strlen(json), has_profile);
	free(json);
}

/* The span is the value's bytes exactly: comments and spaces around it
 * are not in it, those inside are. */
static void test_span(void **state)
{
	char *json = squote_json(HEAD "'linux':{'seccomp' : /* before */ {'defaultAction':"
				 "/* in */'SCMP_ACT_ALLOW'}  /* after */ ,'sysctl':{}}}");
	struct spec_config *cfg = NULL;
	struct spec_span span;
	struct berr err = { 0 };

	assert_int_equal(spec_config_parse_aside(json, strlen(json), &cfg, &span, &err), 1);
	assert_int_equal(span.len, strlen("{'defaultAction':/* in */'SCMP_ACT_ALLOW'}"));
	assert_memory_equal(json + span.off, "{\"defaultAction\":/* in */\"SCMP_ACT_ALLOW\"}",
			    span.len);
	spec_config_free(cfg);
	free(json);
	check(HEAD "'linux':{'seccomp' : /* before */ {'defaultAction':/* in */'SCMP_ACT_ALLOW'}"
		   "  /* after */ ,'sysctl':{}}}",
	      true);
	/* Last in the document, and nested objects in it. */
	check(HEAD "'linux':{'seccomp':" PROFILE "}}", true);
}

/* Where the readers would take another value than the one set aside, or
 * the value is no object, nothing is set aside and the tree is whole. */
static void test_unusual(void **state)
{
	/* No profile, null, no linux. */
	check(HEAD "'linux':{'sysctl':{}}}", false);
	check(HEAD "'linux':{'seccomp':null}}", false);
	check(HEAD "'hostname':'h'}", false);
	/* The key repeated: the last wins, whichever it is. */
	check(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_KILL'},'seccomp':" PROFILE
		   "}}",
	      false);
	check(HEAD "'linux':{'seccomp':" PROFILE ",'seccomp':null}}", false);
	check(HEAD "'linux':{'seccomp':null,'seccomp':" PROFILE "}}", false);
	/* linux repeated, the profile in the first or the second. */
	check(HEAD "'linux':{'seccomp':" PROFILE "},'linux':{'sysctl':{}}}", false);
	check(HEAD "'linux':{'sysctl':{}},'linux':{'seccomp':" PROFILE "}}", false);
	/* A key with a NUL is the same key to the readers (a C string). */
	check(HEAD "'linux':{'seccomp':" PROFILE ",'seccomp\\u0000x':{'defaultAction':"
		   "'SCMP_ACT_KILL'}}}",
	      false);
	check(HEAD "'linux\\u0000':{'seccomp':" PROFILE "}}", true);
	/* Deeper keys of the same name are not the profile. */
	check(HEAD "'annotations':{'seccomp':'x'},'linux':{'seccomp':" PROFILE "}}", true);
}

/* Both parses fail with the same message. */
static void same_error(const char *doc)
{
	char *json = squote_json(doc);
	size_t len = strlen(json);
	struct spec_config *whole = NULL, *aside = NULL;
	struct spec_span span;
	struct berr a = { 0 }, b = { 0 };
	int ret;

	assert_true(spec_config_parse(json, len, &whole, &a) < 0);
	ret = spec_config_parse_aside(json, len, &aside, &span, &b);
	if (ret == 1) {
		assert_true(spec_config_parse_seccomp(json, &span, aside, &b) < 0);
		spec_config_free(aside);
	} else {
		assert_true(ret < 0);
		assert_null(aside);
	}
	assert_string_equal(a.msg, b.msg);
	assert_int_equal(a.errnum, b.errnum);
	free(json);
}

static void test_errors(void **state)
{
	/* In the profile alone. */
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_NOPE'}}}");
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':"
			"[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':9,"
			"'value':1,'op':'SCMP_CMP_EQ'}]}]}}}");
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
			"'architectures':['SCMP_ARCH_NOPE']}}}");
	/* In the profile and after it: the profile's comes first. */
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_NOPE'},"
			"'personality':{'domain':'NOPE'}}}");
	/* After a good profile, before it, and in the JSON. */
	same_error(HEAD "'linux':{'seccomp':" PROFILE ",'personality':{'domain':'NOPE'}}}");
	same_error(HEAD "'process':{'cwd':7},'linux':{'seccomp':" PROFILE "}}");
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',}}}");
	same_error(HEAD "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'}}");
	/* No object. */
	same_error(HEAD "'linux':{'seccomp':['SCMP_ACT_ALLOW']}}");
}

/* The nesting bound counts what is set aside. */
static void test_deep(void **state)
{
	size_t depth = JR_MAX_DEPTH + 4;
	char *doc = malloc(depth * 2 + 256);
	size_t n = 0;
	struct spec_config *cfg = NULL;
	struct spec_span span;
	struct berr err = { 0 };

	n += (size_t)sprintf(doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
				  "\"linux\":{\"seccomp\":{\"x\":");
	for (size_t i = 0; i < depth; i++)
		doc[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		doc[n++] = ']';
	n += (size_t)sprintf(doc + n, "}}}");
	assert_true(spec_config_parse_aside(doc, n, &cfg, &span, &err) < 0);
	assert_non_null(strstr(err.msg, "nested deeper than"));
	assert_null(cfg);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_unusual),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
