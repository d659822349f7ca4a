/* The monitor's own finish (runtime/engine/shim_remove.c) on a tree of
 * plain directories standing for the state directory and the cgroups:
 * all of it goes, the parents only up to those the runtime made; an OOM
 * kill, or a directory that will not go, leaves the rest to the finish. */
#include "tests/unit/helpers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/shim.h"

struct tree {
	char root[64];
	char state[96], oom[192], cg_parent[96], cg[128], removal[512];
};

static void touch(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* root/state (two files), root/cg/parent/ctr (the container's cgroup,
 * its parent made by the runtime too), root/mem/memory.oom_control. */
static void make_tree(struct tree *t, const char *oom_kills)
{
	char mem[96];

	snprintf(t->root, sizeof(t->root), "/tmp/berth-unit-remove.XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->state, sizeof(t->state), "%s/state", t->root);
	snprintf(mem, sizeof(mem), "%s/mem", t->root);
	snprintf(t->oom, sizeof(t->oom), "%s/memory.oom_control", mem);
	snprintf(t->cg_parent, sizeof(t->cg_parent), "%s/cg/parent", t->root);
	snprintf(t->cg, sizeof(t->cg), "%s/ctr", t->cg_parent);
	assert_int_equal(mkdir(t->state, 0700), 0);
	touch(t->state, "state.json", "{}");
	touch(t->state, "config.json", "{}");
	assert_int_equal(mkdir(mem, 0700), 0);
	touch(mem, "memory.oom_control", oom_kills);
	snprintf(mem, sizeof(mem), "%s/cg", t->root);
	assert_int_equal(mkdir(mem, 0700), 0);
	assert_int_equal(mkdir(t->cg_parent, 0700), 0);
	assert_int_equal(mkdir(t->cg, 0700), 0);
	snprintf(t->removal, sizeof(t->removal), "%s\t%s\t2:%s", t->state, t->oom, t->cg);
}

static void drop_tree(struct tree *t)
{
	unit_rmtree(t->root);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void test_removes_all_it_was_given(void **state)
{
	struct tree t;
	char above[96];
	struct shim_opts o = { 0 };

	make_tree(&t, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	o.removal = t.removal;
	assert_int_equal(shim_remove(&o), 0);
	assert_false(exists(t.state));
	assert_false(exists(t.cg));
	assert_false(exists(t.cg_parent));
	/* Above what the runtime made: not its to remove. */
	snprintf(above, sizeof(above), "%s/cg", t.root);
	assert_true(exists(above));
	/* Again: nothing there, so the finish must look (no state). */
	assert_int_equal(shim_remove(&o), -1);
	drop_tree(&t);
}

/* A parent another container still uses stays; its own goes. */
static void test_shared_parent_stays(void **state)
{
	struct tree t;
	char other[160];
	struct shim_opts o = { 0 };

	make_tree(&t, "oom_kill 0\n");
	snprintf(other, sizeof(other), "%s/other", t.cg_parent);
	assert_int_equal(mkdir(other, 0700), 0);
	o.removal = t.removal;
	assert_int_equal(shim_remove(&o), 0);
	assert_false(exists(t.cg));
	assert_true(exists(other));
	drop_tree(&t);
}

static void test_oom_kill_is_the_finishs(void **state)
{
	struct tree t;
	struct shim_opts o = { 0 };

	make_tree(&t, "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	o.removal = t.removal;
	assert_int_equal(shim_remove(&o), -1);
	assert_true(exists(t.state));
	assert_true(exists(t.cg));
	drop_tree(&t);
}

/* Something left in the cgroup (here a file: rmdir fails as it does
 * with EBUSY for a process): the state stays for the finish. */
static void test_busy_cgroup_is_the_finishs(void **state)
{
	struct tree t;
	struct shim_opts o = { 0 };

	make_tree(&t, "oom_kill 0\n");
	touch(t.cg, "tasks", "42\n");
	o.removal = t.removal;
	assert_int_equal(shim_remove(&o), -1);
	assert_true(exists(t.state));
	assert_true(exists(t.cg));
	drop_tree(&t);
}

static void test_nothing_given(void **state)
{
	struct shim_opts o = { 0 };

	assert_int_equal(shim_remove(&o), -1);
	o.removal = "";
	assert_int_equal(shim_remove(&o), -1);
	o.removal = "/nonexistent/state\t";
	assert_int_equal(shim_remove(&o), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removes_all_it_was_given),
		cmocka_unit_test(test_shared_parent_stays),
		cmocka_unit_test(test_oom_kill_is_the_finishs),
		cmocka_unit_test(test_busy_cgroup_is_the_finishs),
		cmocka_unit_test(test_nothing_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
