/* The shim's command line: each stage hands its options to the next as
 * argv (runtime/engine/shim_args.c), and what one writes the next must
 * read back as it was; anything else is refused. */
#include "tests/unit/helpers.h"

#include <errno.h>

#include "runtime/engine/shim.h"

#define NO_FDS { -1, -1, -1, -1, -1, -1, -1 }

static int count(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static struct shim_opts parsed(char **argv)
{
	struct shim_opts o = { .fds = NO_FDS, .stdio = { -1, -1, -1 }, .reply_fd = -1 };

	assert_int_equal(shim_parse(count(argv), argv, &o), 0);
	return o;
}

static const struct shim_opts full = {
	.oci_root = "/run/x/oci",
	.id = "abc",
	.bundle = "/b",
	.log_path = "/b/container.log",
	.log_max_size = 1048576,
	.log_max_files = 3,
	.exit_path = "/b/exit",
	.socket_path = "/run/x/shim/abc",
	.rootfs_mount = "/b/rootfs",
	.removal = "/run/x/oci/abc\t/cg/memory/x/abc/memory.oom_control\t2:/cg/cpu/x/abc",
	.tty = true,
	.stdin_once = true,
	.init = 4242,
	.fds = { 4, 5, 7, 9, -1, 7, 3 },
	.stdio = { -1, -1, -1 },
	.reply_fd = -1,
};

/* set-up -> monitor: the container's options, its init and its fds;
 * named as berthd named the shim, root and id first (tests find a shim
 * by that). */
static void test_monitor_round_trip(void **state)
{
	char *argv[SHIM_ARGV_MAX], buf[128];
	struct shim_opts o;

	assert_int_equal(shim_argv(&full, NULL, argv, buf, sizeof(buf)), 0);
	assert_string_equal(argv[0], "berthd-shim");
	assert_string_equal(argv[1], "--root");
	assert_string_equal(argv[3], "--id");
	o = parsed(argv);
	assert_string_equal(o.oci_root, full.oci_root);
	assert_string_equal(o.id, full.id);
	assert_string_equal(o.log_path, full.log_path);
	assert_string_equal(o.exit_path, full.exit_path);
	assert_string_equal(o.socket_path, full.socket_path);
	assert_string_equal(o.rootfs_mount, full.rootfs_mount);
	assert_string_equal(o.removal, full.removal);
	assert_true(o.tty);
	assert_false(o.open_stdin);
	assert_true(o.stdin_once);
	assert_int_equal(o.log_max_size, 1048576);
	assert_int_equal(o.log_max_files, 3);
	assert_int_equal(o.init, 4242);
	assert_memory_equal(&o.fds, &full.fds, sizeof(o.fds));
	assert_null(o.process_path);
}

/* monitor -> helper and finish: the mode second, then what each needs. */
static void test_helper_and_finish(void **state)
{
	struct shim_opts h = full, o;
	char *argv[SHIM_ARGV_MAX], buf[64];

	h.init = 0;
	h.process_path = "/b/exec/1.json";
	h.stdio[0] = 10, h.stdio[1] = 11, h.stdio[2] = 12;
	h.reply_fd = 13;
	assert_int_equal(shim_argv(&h, "--exec-helper", argv, buf, sizeof(buf)), 0);
	assert_string_equal(argv[1], "--exec-helper");
	o = parsed(argv);
	assert_string_equal(o.process_path, "/b/exec/1.json");
	assert_int_equal(o.stdio[0], 10);
	assert_int_equal(o.stdio[2], 12);
	assert_int_equal(o.reply_fd, 13);
	assert_int_equal(o.init, 0);
	assert_int_equal(o.fds.listen, -1);
	/* The monitor's alone. */
	assert_null(o.removal);

	h.process_path = NULL;
	h.status = 0x0900; /* exit code 9 */
	assert_int_equal(shim_argv(&h, "--finish", argv, buf, sizeof(buf)), 0);
	o = parsed(argv);
	assert_int_equal(o.status, 0x0900);
	assert_string_equal(o.rootfs_mount, "/b/rootfs");
	assert_null(o.removal);
}

/* Numbers that do not fit the buffer fail rather than cut. */
static void test_small_buffer_is_e2big(void **state)
{
	char *argv[SHIM_ARGV_MAX], buf[8];

	assert_int_equal(shim_argv(&full, NULL, argv, buf, sizeof(buf)), -E2BIG);
}

static void test_refused(void **state)
{
	char *unknown[] = { "berthd-shim", "--root", "r", "--id", "i", "--bogus", "x", NULL };
	char *missing[] = { "berthd-shim", "--root", "r", "--id", NULL };
	char *bad_fds[] = { "berthd-shim", "--root", "r", "--id", "i", "--fds", "1,2", NULL };
	char *no_id[] = { "berthd-shim", "--root", "r", NULL };
	struct shim_opts o = { 0 };

	assert_int_equal(shim_parse(count(unknown), unknown, &o), -EINVAL);
	assert_int_equal(shim_parse(count(missing), missing, &o), -EINVAL);
	assert_int_equal(shim_parse(count(bad_fds), bad_fds, &o), -EINVAL);
	memset(&o, 0, sizeof(o));
	assert_int_equal(shim_parse(count(no_id), no_id, &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_round_trip),
		cmocka_unit_test(test_helper_and_finish),
		cmocka_unit_test(test_small_buffer_is_e2big),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
