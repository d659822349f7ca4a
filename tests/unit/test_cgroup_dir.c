/* isolation/cgroup_dir on plain directories: what berth makes it removes,
 * exactly, and never what was there before; the file readers. */
#include "helpers.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/cgroup_dir.h"

static char base[64];

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/berth-unit-cgdir-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unit_rmtree(base);
	return 0;
}

static char *path(const char *rel)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s%s%s", base, *rel ? "/" : "", rel);
	return p;
}

static bool exists(const char *rel)
{
	return access(path(rel), F_OK) == 0;
}

static void creates_parents_and_remembers_the_first(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(mkdir(path("own"), 0755), 0);
	assert_int_equal(cgroup_dir_create(path("own/a/b/c"), path(""), &created, NULL, &err), 0);
	assert_string_equal(created, path("own/a"));
	assert_true(exists("own/a/b/c"));
	cgroup_dir_remove_chain(path("own/a/b/c"), created);
	assert_false(exists("own/a"));
	assert_true(exists("own"));
	free(created);
}

static void an_existing_directory_is_refused(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(mkdir(path("x"), 0755), 0);
	assert_int_equal(cgroup_dir_create(path("x"), path(""), &created, NULL, &err), -EEXIST);
	assert_null(created);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_true(exists("x"));
}

static void remove_stops_at_a_parent_in_use(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(cgroup_dir_create(path("p/q/r"), path(""), &created, NULL, &err), 0);
	/* Someone else's directory beside ours keeps the parent. */
	assert_int_equal(mkdir(path("p/other"), 0755), 0);
	cgroup_dir_remove_chain(path("p/q/r"), created);
	assert_false(exists("p/q"));
	assert_true(exists("p/other"));
	free(created);
}

static void remove_refuses_a_path_outside_created(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(cgroup_dir_create(path("m/n"), path(""), &created, NULL, &err), 0);
	assert_int_equal(mkdir(path("mm"), 0755), 0);
	/* "mm" starts with "m" but is not below it. */
	cgroup_dir_remove_chain(path("mm"), created);
	assert_true(exists("mm"));
	cgroup_dir_remove_chain(path("m/n"), NULL);
	assert_true(exists("m/n"));
	cgroup_dir_remove_chain(path("m/n"), created);
	assert_false(exists("m"));
	free(created);
}

static int failing_init(const char *p, struct berr *err)
{
	return strstr(p, "/fail") ? berr_fail(err, EIO, "init %s", p) : 0;
}

static void a_failing_init_leaves_nothing(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(cgroup_dir_create(path("i/j/fail"), path(""), &created, failing_init, &err),
			 -EIO);
	assert_null(created);
	assert_false(exists("i"));
}

static void must_be_below_the_mount(void **state)
{
	struct berr err = { 0 };
	char *created = NULL;

	(void)state;
	assert_int_equal(cgroup_dir_create("/elsewhere/x", path(""), &created, NULL, &err), -EINVAL);
	assert_int_equal(cgroup_dir_create(path(""), path(""), &created, NULL, &err), -EINVAL);
}

static void readers(void **state)
{
	FILE *f;
	uint64_t v = 0;

	(void)state;
	f = fopen(path("memory.stat"), "w");
	assert_non_null(f);
	fputs("anon 10\nfile 20\nfile_mapped 5\n", f);
	fclose(f);
	assert_int_equal(cgroup_dir_read_key(path(""), "memory.stat", "file", &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(cgroup_dir_read_key(path(""), "memory.stat", "shmem", &v), -ENOENT);
	assert_int_equal(cgroup_dir_read_key(path(""), "nosuch", "x", &v), -ENOENT);
	f = fopen(path("pids.max"), "w");
	fputs("max\n", f);
	fclose(f);
	assert_int_equal(cgroup_dir_read_u64(path(""), "pids.max", &v), 0);
	assert_true(v == UINT64_MAX);
	f = fopen(path("pids.current"), "w");
	fputs("17\n", f);
	fclose(f);
	assert_int_equal(cgroup_dir_read_u64(path(""), "pids.current", &v), 0);
	assert_int_equal(v, 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(creates_parents_and_remembers_the_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_existing_directory_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_stops_at_a_parent_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_refuses_a_path_outside_created, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_failing_init_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(must_be_below_the_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(readers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
