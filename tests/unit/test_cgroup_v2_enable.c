/* isolation/cgroup_v2's enabling of controllers, on plain directories
 * that hold a cgroup's files: a level with processes of its own gets no
 * controller (a threaded one would leave its children "domain invalid"),
 * and a needed one it cannot give is an error saying why. */
#include "helpers.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v2.h"

static char base[64];

static char *path(const char *rel)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s%s%s", base, *rel ? "/" : "", rel);
	return p;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(path(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[256];
	FILE *f = fopen(path(rel), "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A cgroup directory below the root: what its parent gives it, what it
 * gives its children, its own processes. */
static void level(const char *rel, const char *controllers, const char *enabled,
		  const char *procs)
{
	char name[128];

	assert_int_equal(mkdir(path(rel), 0755), 0);
	snprintf(name, sizeof(name), "%s/cgroup.controllers", rel);
	put(name, controllers);
	snprintf(name, sizeof(name), "%s/cgroup.subtree_control", rel);
	put(name, enabled);
	snprintf(name, sizeof(name), "%s/cgroup.procs", rel);
	put(name, procs);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/berth-unit-cgv2-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	/* The root (mnt) gives its children every controller. */
	put("cgroup.controllers", "cpu memory pids\n");
	put("cgroup.subtree_control", "cpu memory pids\n");
	/* The root's own processes do not count: it is exempt. */
	put("cgroup.procs", "1\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_rmtree(base);
	return 0;
}

static void a_level_with_processes_gets_none_unasked(void **state)
{
	struct berr err = { 0 };

	(void)state;
	level("d", "cpu memory pids\n", "", "42\n");
	level("d/berth", "", "", "");
	assert_int_equal(cgroup_v2_enable(path("d/berth/ctr"), path(""), 0, true, &err), 0);
	assert_string_equal(get("d/cgroup.subtree_control"), "");
}

static void a_level_with_processes_refuses_a_needed_one(void **state)
{
	struct berr err = { 0 };

	(void)state;
	level("d", "cpu memory pids\n", "cpu\n", "42\n43\n");
	level("d/berth", "cpu\n", "", "");
	assert_int_equal(cgroup_v2_enable(path("d/berth/ctr"), path(""),
					  CGROUP_CTL_CPU | CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS, false,
					  &err),
			 -EBUSY);
	assert_non_null(strstr(err.msg, "/d holds processes of its own"));
	/* cpu is there already: only what is missing is named. */
	assert_non_null(strstr(err.msg, "(here memory pids)"));
	assert_string_equal(get("d/cgroup.subtree_control"), "cpu\n");
}

static void a_level_without_processes_enables(void **state)
{
	struct berr err = { 0 };

	(void)state;
	level("d", "cpu memory pids\n", "", "");
	level("d/berth", "pids\n", "", "");
	assert_int_equal(cgroup_v2_enable(path("d/berth/ctr"), path(""), CGROUP_CTL_PIDS, false,
					  &err),
			 0);
	assert_string_equal(get("d/cgroup.subtree_control"), "+pids");
	assert_string_equal(get("d/berth/cgroup.subtree_control"), "+pids");
}

static void a_controller_the_parent_withholds_is_named(void **state)
{
	struct berr err = { 0 };

	(void)state;
	level("d", "cpu\n", "", "");
	level("d/berth", "", "", "");
	assert_int_equal(cgroup_v2_enable(path("d/berth/ctr"), path(""), CGROUP_CTL_PIDS, false,
					  &err),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "/d: its parent does not give it the pids controller"));
	assert_string_equal(get("d/cgroup.subtree_control"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_level_with_processes_gets_none_unasked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_level_with_processes_refuses_a_needed_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_level_without_processes_enables, setup, teardown),
		cmocka_unit_test_setup_teardown(a_controller_the_parent_withholds_is_named, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
