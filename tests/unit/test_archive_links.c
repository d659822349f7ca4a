/* Symlinks between the members of a docker save archive
 * (runtime/images/archive_links.c): targets resolved against the link's
 * directory, refused when they leave the archive, made hard links only to
 * a regular file of it. */
#include "tests/unit/helpers.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/images/archive_links.h"

static void test_resolve(void **state)
{
	static const struct {
		const char *rel, *target, *to; /* to NULL: refused */
	} cases[] = {
		{ "b/layer.tar", "../a/layer.tar", "a/layer.tar" },
		{ "b/layer.tar", "./../a/./layer.tar", "a/layer.tar" },
		{ "b/c/layer.tar", "../../a/layer.tar", "a/layer.tar" },
		{ "layer.tar", "a/layer.tar", "a/layer.tar" },
		{ "b/layer.tar", "/etc/passwd", NULL },
		{ "b/layer.tar", "../../etc/passwd", NULL },
		{ "b/layer.tar", "../a/../../x", NULL },
		{ "layer.tar", "../x", NULL },
		{ "b/layer.tar", "", NULL },
		{ "b/layer.tar", "..", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct archive_links l = { 0 };
		struct berr err = { 0 };
		int ret = archive_links_add(&l, cases[i].rel, cases[i].target, &err);

		if (cases[i].to) {
			assert_int_equal(ret, 0);
			assert_string_equal(l.to[0], cases[i].to);
		} else {
			assert_int_equal(ret, -EINVAL);
			assert_non_null(strstr(err.msg, "points outside it"));
			assert_int_equal(l.n, 0);
		}
		archive_links_free(&l);
	}
}

/* A chain (c -> b -> a) is made whatever the order; a link to a
 * directory or to nothing is refused. */
static void test_apply(void **state)
{
	char dir[] = "/tmp/berth-unit-links.XXXXXX", p[128];
	struct archive_links l = { 0 };
	struct berr err = { 0 };
	struct stat a, c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/a", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/b", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/c", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/a/layer.tar", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs("bytes", f);
	fclose(f);
	assert_int_equal(archive_links_add(&l, "c/layer.tar", "../b/layer.tar", &err), 0);
	assert_int_equal(archive_links_add(&l, "b/layer.tar", "../a/layer.tar", &err), 0);
	assert_int_equal(archive_links_apply(&l, dir, &err), 0);
	assert_int_equal(stat(p, &a), 0);
	snprintf(p, sizeof(p), "%s/c/layer.tar", dir);
	assert_int_equal(lstat(p, &c), 0);
	assert_true(S_ISREG(c.st_mode));
	assert_int_equal(a.st_ino, c.st_ino);
	archive_links_free(&l);

	assert_int_equal(archive_links_add(&l, "c/dir.tar", "../a", &err), 0);
	assert_int_equal(archive_links_apply(&l, dir, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "names no file of the archive"));
	archive_links_free(&l);
	assert_int_equal(archive_links_add(&l, "c/loop", "loop", &err), 0);
	assert_int_equal(archive_links_apply(&l, dir, &err), -EINVAL);
	archive_links_free(&l);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
