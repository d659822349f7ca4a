/* docker's seccomp profile format into linux.seccomp: the archMap entry
 * of the target, and the rules whose includes and excludes say so. */
#include "tests/unit/helpers.h"

#include <string.h>

#include "spec/seccomp_docker.h"

#define CAP_SYS_ADMIN_BIT 21

static const char profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
	"\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
	"[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\","
	"\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
	"\"syscalls\":["
	"{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"name\":\"mount\",\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
	"{\"names\":[\"umount2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,"
	"\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
	"{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"amd64\"]}},"
	"{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"5.3\"}},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	"\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}";

static struct spec_seccomp_target amd64(uint64_t caps, unsigned major, unsigned minor)
{
	return (struct spec_seccomp_target){ "SCMP_ARCH_X86_64", "amd64", major, minor, caps };
}

static bool has_rule(const struct spec_seccomp *s, const char *name)
{
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t j = 0; j < s->syscalls[i].n_names; j++)
			if (strcmp(s->syscalls[i].names[j], name) == 0)
				return true;
	return false;
}

static void test_archmap_and_defaults(void **state)
{
	struct spec_seccomp_target t = amd64(0, 6, 1);
	struct arena a = { 0 };
	struct spec_seccomp s;
	struct berr err = { 0 };

	assert_int_equal(spec_seccomp_docker(&a, profile, strlen(profile), &t, &s, &err), 0);
	assert_true(s.set);
	assert_int_equal(s.default_action, SECCOMP_ACT_ERRNO);
	assert_true(s.default_errno_ret_set);
	assert_int_equal(s.default_errno_ret, 1);
	assert_int_equal(s.n_architectures, 3);
	assert_string_equal(s.architectures[0], "SCMP_ARCH_X86_64");
	assert_string_equal(s.architectures[1], "SCMP_ARCH_X86");
	assert_string_equal(s.architectures[2], "SCMP_ARCH_X32");
	assert_true(has_rule(&s, "read") && has_rule(&s, "personality"));
	assert_int_equal(s.syscalls[s.n_syscalls - 1].n_args, 1);
	assert_int_equal(s.syscalls[s.n_syscalls - 1].args[0].value, 8);
	arena_release(&a);
}

static void test_includes_and_excludes(void **state)
{
	struct spec_seccomp_target none = amd64(0, 5, 2), admin = amd64(UINT64_C(1) << CAP_SYS_ADMIN_BIT, 5, 3);
	struct spec_seccomp_target arm = { "SCMP_ARCH_AARCH64", "arm64", 6, 0, 0 };
	struct arena a = { 0 };
	struct spec_seccomp s;
	struct berr err = { 0 };

	assert_int_equal(spec_seccomp_docker(&a, profile, strlen(profile), &none, &s, &err), 0);
	assert_false(has_rule(&s, "mount"));   /* includes caps: not held */
	assert_true(has_rule(&s, "umount2"));  /* excludes caps: not held */
	assert_true(has_rule(&s, "arch_prctl"));
	assert_false(has_rule(&s, "clone3")); /* 5.2 < 5.3 */
	assert_int_equal(spec_seccomp_docker(&a, profile, strlen(profile), &admin, &s, &err), 0);
	assert_true(has_rule(&s, "mount"));
	assert_false(has_rule(&s, "umount2"));
	assert_true(has_rule(&s, "clone3"));
	assert_int_equal(spec_seccomp_docker(&a, profile, strlen(profile), &arm, &s, &err), 0);
	assert_false(has_rule(&s, "arch_prctl"));
	assert_int_equal(s.n_architectures, 2);
	assert_string_equal(s.architectures[1], "SCMP_ARCH_ARM");
	arena_release(&a);
}

static void test_errors_name_the_path(void **state)
{
	static const char bad_action[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
		"\"action\":\"SCMP_ACT_SOMETIMES\"}]}";
	static const char no_names[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}";
	static const char bad_cap[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_NOPE\"]}}]}";
	struct spec_seccomp_target t = amd64(0, 6, 1);
	struct arena a = { 0 };
	struct spec_seccomp s;
	struct berr err = { 0 };

	assert_true(spec_seccomp_docker(&a, bad_action, strlen(bad_action), &t, &s, &err) < 0);
	assert_non_null(strstr(err.msg, ".syscalls[0].action"));
	assert_true(spec_seccomp_docker(&a, no_names, strlen(no_names), &t, &s, &err) < 0);
	assert_non_null(strstr(err.msg, "names no syscall"));
	assert_true(spec_seccomp_docker(&a, bad_cap, strlen(bad_cap), &t, &s, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown capability \"CAP_NOPE\""));
	assert_true(spec_seccomp_docker(&a, "{", 1, &t, &s, &err) < 0);
	assert_non_null(strstr(err.msg, "seccomp profile: invalid JSON"));
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archmap_and_defaults),
		cmocka_unit_test(test_includes_and_excludes),
		cmocka_unit_test(test_errors_name_the_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
