/* The process's environment: runc's dedup and HOME. */
#include "tests/unit/helpers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/process_env.h"

static FILE *passwd(void)
{
	static const char text[] =
		"root:x:0:0:root:/root:/bin/sh\n"
		"broken\n"
		"nohome:x:7:7::\n"
		"user:x:1000:1000:A User:/home/user:/bin/sh\n";

	return fmemopen((void *)text, sizeof(text) - 1, "r");
}

static char *joined(const char *const *env, size_t n, uid_t uid, bool with_passwd)
{
	FILE *f = with_passwd ? passwd() : NULL;
	const char **out;
	size_t m, len = 0;
	struct berr err = { 0 };
	char *s;

	assert_int_equal(process_env_final(env, n, uid, f, &out, &m, &err), 0);
	if (f)
		fclose(f);
	assert_null(out[m]);
	s = calloc(1, 4096);
	for (size_t i = 0; i < m; i++)
		len += (size_t)snprintf(s + len, 4096 - len, "%s|", out[i]);
	/* A HOME made here lives until execve in the runtime. */
	for (size_t i = 0; i < m; i++)
		if (strncmp(out[i], "HOME=", 5) == 0 && !strstr(s, "HOME=/h|"))
			free((char *)out[i]);
	free(out);
	return s;
}

static void test_last_value_first_place(void **state)
{
	const char *env[] = { "A=1", "PATH=/bin", "B=2", "A=3", "NL=x\ny", "HOME=/h" };
	char *s = joined(env, 6, 0, true);

	assert_string_equal(s, "A=3|PATH=/bin|B=2|NL=x\ny|HOME=/h|");
	free(s);
}

static void test_home_from_passwd(void **state)
{
	const char *env[] = { "PATH=/bin" };
	const char *empty[] = { "HOME=", "PATH=/bin" };
	char *s;

	s = joined(env, 1, 1000, true);
	assert_string_equal(s, "PATH=/bin|HOME=/home/user|");
	free(s);
	s = joined(empty, 2, 0, true);
	assert_string_equal(s, "HOME=/root|PATH=/bin|");
	free(s);
	/* Unknown uid, a line without a home, no passwd at all: "/". */
	s = joined(env, 1, 4242, true);
	assert_string_equal(s, "PATH=/bin|HOME=/|");
	free(s);
	s = joined(env, 1, 7, true);
	assert_string_equal(s, "PATH=/bin|HOME=/|");
	free(s);
	s = joined(NULL, 0, 1000, false);
	assert_string_equal(s, "HOME=/|");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_value_first_place),
		cmocka_unit_test(test_home_from_passwd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
