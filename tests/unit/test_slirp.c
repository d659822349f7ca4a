/* A rootless berthd's slirp4netns (runtime/network/slirp.h) without a
 * network: the record a restarted berthd reads, the stop that must never
 * signal a process that only took a helper's pid, and a helper that fails
 * at its start, which must leave an error that says why and no file. */
#include "tests/unit/helpers.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/proc.h"
#include "runtime/network/slirp.h"
#include "spec/base/fsutil.h"

#define ID "0123456789abcdef"

struct fixture {
	char dir[64];
	char *old_path;
};

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	struct berr err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(fsutil_write_atomic(path, text, strlen(text), mode, &err), 0);
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* The record of a helper, with its API socket and log as plain files. */
static void write_record(const char *dir, pid_t pid, uint64_t start, const char *ports)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"pid\": %d, \"start_time\": %llu, \"ports\": %s}",
		 (int)pid, (unsigned long long)start, ports);
	write_file(dir, ID ".slirp", text, 0600);
	write_file(dir, ID ".slirp.sock", "", 0600);
	write_file(dir, ID ".slirp.log", "", 0600);
}

static bool no_files(const char *dir)
{
	return !exists(dir, ID ".slirp") && !exists(dir, ID ".slirp.sock") &&
	       !exists(dir, ID ".slirp.log");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *path = getenv("PATH");

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-unit-slirp.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->old_path = strdup(path ? path : "/usr/bin:/bin");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	setenv("PATH", f->old_path, 1);
	free(f->old_path);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static void test_load_reads_the_ports(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct net_port *ports = NULL;
	struct berr err = { 0 };
	size_t n = 0;

	assert_int_equal(net_slirp_load(f->dir, ID, &ep, &ports, &n, &err), -ENOENT);
	write_record(f->dir, 1, 2, "[\"tcp//8080/80\", \"udp/127.0.0.1/5353/53\"]");
	assert_int_equal(net_slirp_load(f->dir, ID, &ep, &ports, &n, &err), 0);
	assert_string_equal(ep.ip, "10.0.2.100");
	assert_int_equal(ep.prefix, 24);
	assert_string_equal(ep.gateway, "10.0.2.2");
	assert_int_equal(n, 2);
	assert_string_equal(ports[0].protocol, "tcp");
	assert_string_equal(ports[0].host_ip, "");
	assert_int_equal(ports[0].host_port, 8080);
	assert_int_equal(ports[0].container_port, 80);
	assert_string_equal(ports[1].protocol, "udp");
	assert_string_equal(ports[1].host_ip, "127.0.0.1");
	assert_int_equal(ports[1].host_port, 5353);
	assert_int_equal(ports[1].container_port, 53);
	free(ports);
}

/* A pid the helper had, taken since by another process (here this test
 * itself, with another start time): left alone, the files go. */
static void test_stop_spares_a_reused_pid(void **state)
{
	struct fixture *f = *state;
	struct berr err = { 0 };
	uint64_t start;
	bool zombie;

	assert_int_equal(proc_stat(getpid(), &start, &zombie), 0);
	write_record(f->dir, getpid(), start + 1, "[]");
	assert_int_equal(net_slirp_stop(f->dir, ID, &err), 0);
	assert_true(no_files(f->dir));
	/* Nothing there is no error. */
	assert_int_equal(net_slirp_stop(f->dir, ID, &err), 0);
}

static void test_stop_ends_the_helper(void **state)
{
	struct fixture *f = *state;
	struct berr err = { 0 };
	uint64_t start;
	bool zombie;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(proc_stat(pid, &start, &zombie), 0);
	write_record(f->dir, pid, start, "[]");
	assert_int_equal(net_slirp_stop(f->dir, ID, &err), 0);
	/* Ended, and reaped by the stop (it was our child). */
	assert_int_equal(waitpid(pid, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(no_files(f->dir));
}

/* A slirp4netns (first in PATH) that fails before it is ready. */
static void test_failed_start_says_why_and_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char bin[PATH_MAX], path[PATH_MAX * 2];

	snprintf(bin, sizeof(bin), "%s/bin", f->dir);
	assert_int_equal(mkdir(bin, 0700), 0);
	write_file(bin, "slirp4netns", "#!/bin/sh\necho \"cannot open netns ${10}\" >&2\nexit 1\n",
		   0755);
	snprintf(path, sizeof(path), "%s:%s", bin, f->old_path);
	setenv("PATH", path, 1);
	assert_true(net_slirp_start(f->dir, ID, "/nonexistent/ns", NULL, 0, &ep, &err) < 0);
	assert_non_null(strstr(err.msg, "slirp4netns failed: cannot open netns /nonexistent/ns"));
	assert_true(no_files(f->dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_reads_the_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_spares_a_reused_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_ends_the_helper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_start_says_why_and_leaves_nothing,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
