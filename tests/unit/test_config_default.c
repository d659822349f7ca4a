/* The default config.json reads back through the parser as intended, in
 * both its privileged and rootless forms. */
#include "tests/unit/helpers.h"

#include <sys/resource.h>

#include "spec/config.h"
#include "spec/config_default.h"
#include "spec/names.h"

#define CAP(n) (UINT64_C(1) << (n))

static struct spec_config *default_config(const struct spec_default_opts *opts)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	char *doc = NULL;
	size_t len = 0;

	if (spec_default_config_json(opts, &doc, &len, &err) < 0)
		fail_msg("default config: %s", err.msg);
	assert_int_equal(len, strlen(doc));
	assert_true(doc[len - 1] == '}');
	if (spec_config_parse(doc, len, &cfg, &err) < 0)
		fail_msg("default config does not parse: %s", err.msg);
	free(doc);
	return cfg;
}

static const struct spec_mount *find_mount(const struct spec_config *c,
					   const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].destination, dest) == 0)
			return &c->mounts[i];
	return NULL;
}

static bool has_option(const struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], opt) == 0)
			return true;
	return false;
}

static void test_privileged(void **state)
{
	struct spec_default_opts opts = { 0 };
	struct spec_config *c = default_config(&opts);
	const struct spec_process *p = &c->process;
	uint64_t caps = CAP(29) | CAP(5) | CAP(10);
	static const enum spec_ns_type ns[] = { NS_PID, NS_NETWORK, NS_IPC,
						NS_UTS, NS_MOUNT, NS_CGROUP };

	assert_string_equal(c->oci_version, "1.2.0");
	assert_true(p->terminal); /* runc spec: an interactive shell */
	assert_int_equal(p->n_args, 1);
	assert_string_equal(p->args[0], "sh");
	assert_int_equal(p->n_env, 2);
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_string_equal(p->cwd, "/");
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_int_equal(p->caps.bounding, caps);
	assert_int_equal(p->caps.effective, caps);
	assert_int_equal(p->caps.permitted, caps);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.ambient, 0);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].type, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 1024);
	assert_true(p->no_new_privileges);
	assert_string_equal(c->root.path, "rootfs");
	assert_true(c->root.readonly);
	assert_string_equal(c->hostname, "berth");

	assert_int_equal(c->n_mounts, 7);
	assert_string_equal(c->mounts[0].destination, "/proc");
	assert_string_equal(c->mounts[5].destination, "/sys");
	assert_string_equal(c->mounts[5].type, "sysfs");
	assert_true(has_option(&c->mounts[5], "ro"));
	assert_string_equal(c->mounts[6].destination, "/sys/fs/cgroup");
	assert_string_equal(c->mounts[6].type, "cgroup");
	assert_true(has_option(&c->mounts[6], "ro"));
	assert_true(has_option(find_mount(c, "/dev/pts"), "gid=5"));
	assert_non_null(find_mount(c, "/dev/shm"));
	assert_non_null(find_mount(c, "/dev/mqueue"));

	assert_int_equal(c->linux.n_namespaces, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(c->linux.namespaces[i].type, ns[i]);
	assert_int_equal(c->linux.n_uid_mappings, 0);
	assert_true(c->linux.resources.set);
	assert_int_equal(c->linux.resources.n_devices, 1);
	assert_false(c->linux.resources.devices[0].allow);
	assert_int_equal(c->linux.n_masked_paths, 11);
	assert_string_equal(c->linux.masked_paths[0], "/proc/acpi");
	assert_int_equal(c->linux.n_readonly_paths, 5);
	assert_string_equal(c->linux.readonly_paths[4], "/proc/sysrq-trigger");
	assert_false(c->linux.seccomp.set);
	spec_config_free(c);
}

static void test_rootless(void **state)
{
	struct spec_default_opts opts = { .rootless = true, .host_uid = 1000,
					  .host_gid = 100 };
	struct spec_config *c = default_config(&opts);
	const struct spec_mount *sys;

	assert_null(spec_namespace_find(c, NS_NETWORK));
	assert_int_equal(c->linux.n_namespaces, 6);
	assert_int_equal(c->linux.namespaces[5].type, NS_USER);
	assert_int_equal(c->linux.n_uid_mappings, 1);
	assert_int_equal(c->linux.uid_mappings[0].container_id, 0);
	assert_int_equal(c->linux.uid_mappings[0].host_id, 1000);
	assert_int_equal(c->linux.uid_mappings[0].size, 1);
	assert_int_equal(c->linux.n_gid_mappings, 1);
	assert_int_equal(c->linux.gid_mappings[0].host_id, 100);

	assert_int_equal(c->n_mounts, 6);
	assert_null(find_mount(c, "/sys/fs/cgroup"));
	sys = find_mount(c, "/sys");
	assert_string_equal(sys->type, "none");
	assert_string_equal(sys->source, "/sys");
	assert_int_equal(sys->n_options, 5);
	assert_true(has_option(sys, "rbind"));
	assert_true(has_option(sys, "ro"));
	assert_false(has_option(find_mount(c, "/dev/pts"), "gid=5"));
	assert_true(has_option(find_mount(c, "/dev/pts"), "newinstance"));
	assert_false(c->linux.resources.set);
	spec_config_free(c);
}

/* The profile in the config is the default one for the config's own
 * capabilities. */
static void test_seccomp(void **state)
{
	struct spec_default_opts opts = { .seccomp = true };
	struct spec_config *c = default_config(&opts);
	struct spec_config *built = NULL;
	struct berr err = { 0 };

	assert_true(c->linux.seccomp.set);
	assert_int_equal(c->linux.seccomp.default_action, SECCOMP_ACT_ERRNO);
	assert_int_equal(c->linux.seccomp.default_errno_ret, 38);
	assert_string_equal(c->linux.seccomp.syscalls[0].names[0], "read");
	assert_int_equal(c->linux.seccomp.syscalls[0].action, SECCOMP_ACT_ALLOW);
	if (spec_config_default(&opts, &built, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(built->process.caps.bounding, SPEC_DEFAULT_CAPS);
	assert_int_equal(built->linux.seccomp.n_syscalls, c->linux.seccomp.n_syscalls);
	spec_config_free(built);
	spec_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_rootless),
		cmocka_unit_test(test_seccomp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
