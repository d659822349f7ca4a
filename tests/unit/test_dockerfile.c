/* The Dockerfile parser: directives, comments, continuations, flags, the
 * JSON forms, and the words and variables of the arguments. */
#include "tests/unit/helpers.h"

#include <errno.h>
#include <string.h>

#include "spec/base/strv.h"
#include "spec/dockerfile.h"

static struct dockerfile parse(const char *text)
{
	struct dockerfile df = { 0 };
	struct berr err = { 0 };

	if (dockerfile_parse(text, strlen(text), &df, &err) < 0)
		fail_msg("refused: %s", err.msg);
	return df;
}

static void test_lines(void **state)
{
	struct dockerfile df = parse("# syntax=docker/dockerfile:1\n"
				     "# a comment\n"
				     "from busybox AS Build\n"
				     "\n"
				     "RUN echo a \\\n"
				     "  # a comment inside\n"
				     "    && echo b\r\n"
				     "COPY --from=build --chown=1:2 a b /dst/\n"
				     "CMD [\"sh\", \"-c\", \"echo hi\"]\n"
				     "ENTRYPOINT [not json\n");

	(void)state;
	assert_int_equal(df.n, 5);
	assert_int_equal(df.escape, '\\');
	assert_string_equal(df.v[0].cmd, "FROM");
	assert_int_equal(df.v[0].line, 3);
	assert_string_equal(df.v[0].args, "busybox AS Build");
	assert_string_equal(df.v[1].cmd, "RUN");
	assert_int_equal(df.v[1].line, 5);
	assert_string_equal(df.v[1].args, "echo a && echo b");
	assert_string_equal(df.v[2].args, "a b /dst/");
	assert_string_equal(dockerfile_flag(&df.v[2], "from"), "build");
	assert_string_equal(dockerfile_flag(&df.v[2], "chown"), "1:2");
	assert_null(dockerfile_flag(&df.v[2], "chmod"));
	assert_true(df.v[3].json);
	assert_int_equal(strv_len(df.v[3].argv), 3);
	assert_string_equal(df.v[3].argv[2], "echo hi");
	/* Not JSON: the shell form, as docker takes it. */
	assert_false(df.v[4].json);
	assert_string_equal(df.v[4].args, "[not json");
	dockerfile_free(&df);
}

static void test_escape_directive(void **state)
{
	struct dockerfile df = parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo\n");
	struct berr err = { 0 };

	(void)state;
	assert_int_equal(df.escape, '`');
	assert_int_equal(df.n, 2);
	assert_string_equal(df.v[1].args, "dir c:\\ && echo");
	dockerfile_free(&df);
	/* After the first instruction it is a comment. */
	df = parse("FROM x\n# escape=`\nRUN a \\\n b\n");
	assert_int_equal(df.escape, '\\');
	assert_string_equal(df.v[1].args, "a b");
	dockerfile_free(&df);
	assert_int_equal(dockerfile_parse("# escape=x\nFROM x\n", 18, &df, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(dockerfile_parse("# only\n\n", 8, &df, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no instructions"));
}

static const char *lookup(void *arg, const char *name)
{
	(void)arg;
	if (!strcmp(name, "A"))
		return "one";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

static void words_are(const char *s, const char *want)
{
	char **w = NULL, *joined;
	struct berr err = { 0 };
	size_t len = 0;
	FILE *f;

	if (dockerfile_words(s, '\\', lookup, NULL, &w, &err) < 0)
		fail_msg("\"%s\" refused: %s", s, err.msg);
	f = open_memstream(&joined, &len);
	for (size_t i = 0; w[i]; i++)
		fprintf(f, "%s<%s>", i ? " " : "", w[i]);
	fclose(f);
	if (strcmp(joined, want))
		fail_msg("\"%s\": got %s, want %s", s, joined, want);
	free(joined);
	strv_free(w);
}

static void test_words(void **state)
{
	char *one = NULL;
	struct berr err = { 0 };
	char **w = NULL;

	(void)state;
	words_are("a=$A b=${A} c=${NOPE:-dflt} d=${A:+alt} e=${EMPTY:-e}",
		  "<a=one> <b=one> <c=dflt> <d=alt> <e=e>");
	words_are("k=\"two words $A\" 'single $A' esc\\ aped \\$A",
		  "<k=two words one> <single $A> <esc aped> <$A>");
	words_are("x=${NOPE}y $ trailing$", "<x=y> <$> <trailing$>");
	assert_int_equal(dockerfile_expand("  keep  $A  ", '\\', lookup, NULL, &one, &err), 0);
	assert_string_equal(one, "  keep  one  ");
	free(one);
	assert_int_equal(dockerfile_words("\"open", '\\', lookup, NULL, &w, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "double-quote"));
	assert_int_equal(dockerfile_words("${A", '\\', lookup, NULL, &w, &err), -EINVAL);
	assert_int_equal(dockerfile_words("${A/x/y}", '\\', lookup, NULL, &w, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unsupported modifier"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_escape_directive),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
