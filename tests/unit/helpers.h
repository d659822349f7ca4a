/* Shared by the unit tests: cmocka's includes in the order it needs, and
 * small helpers.  Tests run from the repository root (make does that), so
 * fixtures are found at tests/unit/fixtures/. */
#ifndef BERTH_TESTS_UNIT_HELPERS_H
#define BERTH_TESTS_UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIXTURES "tests/unit/fixtures"

/* JSON written with single quotes, so tests can spell documents inline
 * without a backslash before every quote.  Free the result. */
static inline char *squote_json(const char *s)
{
	char *out = strdup(s);

	assert_non_null(out);
	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* A whole file, NUL-terminated; fails the test when unreadable. */
static inline char *read_fixture(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long size;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)size;
	return buf;
}

/* Remove a test's own directory and all below it; fails the test when
 * that does not work (a test that leaves its files behind is a defect). */
static inline void unit_rmtree(const char *dir)
{
	char *cmd = NULL;

	assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

#endif
