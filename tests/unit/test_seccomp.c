/* linux.seccomp compiled by isolation/seccomp: what the kernel then does
 * with the filter (installed in a forked child), the argument grouping,
 * and every profile the compiler must refuse. */
#include "tests/unit/seccomp_helpers.h"

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/seccomp.h"
#include "spec/config.h"
#include "spec/config_default.h"
#include "spec/config_write.h"
#include "spec/process_state.h"
#include "spec/seccomp_default.h"

static void compile_ok(const char *seccomp, struct seccomp_filter_prog *prog)
{
	struct spec_config *cfg = profile(seccomp);
	struct berr err = { 0 };

	if (seccomp_filter_compile(&cfg->linux.seccomp, prog, &err) < 0)
		fail_msg("compile: %s", err.msg);
	assert_non_null(prog->insns);
	assert_true(prog->len > 0);
	spec_config_free(cfg);
}

static void compile_fails(const char *seccomp, const char *message)
{
	struct spec_config *cfg = profile(seccomp);
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };

	assert_true(seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err) < 0);
	if (!strstr(err.msg, message))
		fail_msg("expected \"%s\" in \"%s\"", message, err.msg);
	assert_null(prog.insns);
	spec_config_free(cfg);
}

/* Install prog in a child, make the syscall, and return what the child
 * saw: the errno (0 on success), or 1000 + N when signal N killed it. */
static int run_filtered(const struct seccomp_filter_prog *prog, long nr, long a0,
			long a1, long a2)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct berr err;
		long r;

		/* cmocka catches SIGSYS; TRAP must kill like in a container. */
		signal(SIGSYS, SIG_DFL);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_filter_install(prog, NULL, &err) < 0)
			_exit(250);
		r = syscall(nr, a0, a1, a2);
		/* Straight to the kernel: no exit handlers under the filter. */
		syscall(SYS_exit_group, r < 0 ? errno : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void test_errno_ret(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
		   "{'names':['rmdir'],'action':'SCMP_ACT_ERRNO'}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_mkdir, (long)"/nonexistent/x", 0755, 0),
			 ENOSYS);
	/* errnoRet omitted: EPERM, as the spec says. */
	assert_int_equal(run_filtered(&prog, SYS_rmdir, (long)"/nonexistent/x", 0, 0), EPERM);
	/* Everything else runs: the real error of the real call. */
	assert_int_equal(run_filtered(&prog, SYS_chdir, (long)"/nonexistent/x", 0, 0), ENOENT);
	assert_int_equal(prog.flags, 0);
	assert_false(prog.notify);
	seccomp_filter_release(&prog);
}

static void test_default_errno(void **state)
{
	struct seccomp_filter_prog prog;

	/* An allow list: the default denies with defaultErrnoRet. */
	compile_ok("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':["
		   "{'names':['exit','exit_group','getpid','brk','mmap','munmap',"
		   "'rt_sigreturn'],'action':'SCMP_ACT_ALLOW'}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_getpid, 0, 0, 0), 0);
	assert_int_equal(run_filtered(&prog, SYS_getppid, 0, 0, 0), ENOSYS);
	seccomp_filter_release(&prog);
}

/* Conditions on different arguments must all hold. */
static void test_args_all_of(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['kill'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':["
		   "{'index':0,'value':0,'op':'SCMP_CMP_EQ'},"
		   "{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		   &prog);
	/* kill(0, 0): both match. */
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 0, 0), EACCES);
	/* kill(0, 999): only the first matches, the kernel sees it. */
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 999, 0), EINVAL);
	seccomp_filter_release(&prog);
}

/* Conditions on the same argument are alternatives. */
static void test_args_any_of(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['kill'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':["
		   "{'index':1,'value':997,'op':'SCMP_CMP_EQ'},"
		   "{'index':1,'value':998,'op':'SCMP_CMP_EQ'}]}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 997, 0), EACCES);
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 998, 0), EACCES);
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 999, 0), EINVAL);
	seccomp_filter_release(&prog);
}

/* MASKED_EQ: (arg & value) == valueTwo; valueTwo omitted is 0. */
static void test_masked_eq(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['kill'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':["
		   "{'index':1,'value':768,'valueTwo':512,'op':'SCMP_CMP_MASKED_EQ'}]},"
		   "{'names':['tkill'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':["
		   "{'index':1,'value':768,'op':'SCMP_CMP_MASKED_EQ'}]}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 512 + 3, 0), EACCES);
	assert_int_equal(run_filtered(&prog, SYS_kill, 0, 768, 0), EINVAL);
	assert_int_equal(run_filtered(&prog, SYS_tkill, 0, 3, 0), EACCES);
	assert_int_equal(run_filtered(&prog, SYS_tkill, 0, 256, 0), EINVAL);
	seccomp_filter_release(&prog);
}

/* Comparison operators on an argument: close(fd) is denied with EACCES
 * when the condition holds, and fails with EBADF (no such fd) when not. */
static void test_ops(void **state)
{
	static const struct {
		const char *op;
		bool denied[3]; /* for 1009, 1010, 1011 */
	} cases[] = {
		{ "SCMP_CMP_NE", { true, false, true } },
		{ "SCMP_CMP_LT", { true, false, false } },
		{ "SCMP_CMP_LE", { true, true, false } },
		{ "SCMP_CMP_EQ", { false, true, false } },
		{ "SCMP_CMP_GE", { false, true, true } },
		{ "SCMP_CMP_GT", { false, false, true } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct seccomp_filter_prog prog;
		char *p = NULL;

		assert_true(asprintf(&p, "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
					 "{'names':['close'],'action':'SCMP_ACT_ERRNO',"
					 "'errnoRet':13,'args':[{'index':0,'value':1010,"
					 "'op':'%s'}]}]}",
				     cases[i].op) > 0);
		compile_ok(p, &prog);
		for (int k = 0; k < 3; k++)
			assert_int_equal(run_filtered(&prog, SYS_close, 1009 + k, 0, 0),
					 cases[i].denied[k] ? EACCES : EBADF);
		seccomp_filter_release(&prog);
		free(p);
	}
}

static void test_kill(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['getppid'],'action':'SCMP_ACT_KILL'},"
		   "{'names':['getpgrp'],'action':'SCMP_ACT_KILL_PROCESS'},"
		   "{'names':['getsid'],'action':'SCMP_ACT_TRAP'}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_getppid, 0, 0, 0), 1000 + SIGSYS);
	assert_int_equal(run_filtered(&prog, SYS_getpgrp, 0, 0, 0), 1000 + SIGSYS);
	assert_int_equal(run_filtered(&prog, SYS_getsid, 0, 0, 0), 1000 + SIGSYS);
	assert_int_equal(run_filtered(&prog, SYS_getpid, 0, 0, 0), 0);
	seccomp_filter_release(&prog);
}

/* Names this libseccomp does not know are skipped, as runc does. */
static void test_unknown_name_skipped(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		   "{'names':['no_such_syscall_2099','mkdir'],'action':'SCMP_ACT_ERRNO'}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, SYS_mkdir, (long)"/nonexistent/x", 0755, 0), EPERM);
	seccomp_filter_release(&prog);
}

static void test_flags(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','flags':["
		   "'SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW',"
		   "'SECCOMP_FILTER_FLAG_TSYNC'],"
		   "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_ERRNO'}]}",
		   &prog);
	assert_int_equal(prog.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
					     SECCOMP_FILTER_FLAG_TSYNC);
	assert_int_equal(run_filtered(&prog, SYS_mkdir, (long)"/nonexistent/x", 0755, 0), EPERM);
	seccomp_filter_release(&prog);
}

static void test_notify_flags(void **state)
{
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/run/agent.sock',"
		   "'listenerMetadata':'x','flags':['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',"
		   "'SECCOMP_FILTER_FLAG_TSYNC'],"
		   "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}",
		   &prog);
	assert_true(prog.notify);
	assert_int_equal(prog.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER |
					     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV |
					     SECCOMP_FILTER_FLAG_TSYNC |
					     SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
	seccomp_filter_release(&prog);
}

static void test_check_flags(void **state)
{
	struct berr err = { 0 };

	assert_int_equal(seccomp_check_flags(SECCOMP_FILTER_FLAG_LOG, &err), 0);
	assert_true(seccomp_check_flags(1u << 30, &err) < 0);
	assert_non_null(strstr(err.msg, "refuses the filter flags"));
}

static void test_refused(void **state)
{
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		      "{'names':['mkdir'],'action':'SCMP_ACT_KILL','errnoRet':1}]}",
		      ".linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno");
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1}",
		      ".linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno");
	compile_fails("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':70000}",
		      "is above 4095");
	compile_fails("{'defaultAction':'SCMP_ACT_NOTIFY'}",
		      "SCMP_ACT_NOTIFY cannot be the default");
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		      "{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}",
		      "SCMP_ACT_NOTIFY needs .linux.seccomp.listenerPath");
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/a','syscalls':["
		      "{'names':['mkdir','sendmsg'],'action':'SCMP_ACT_NOTIFY'}]}",
		      "SCMP_ACT_NOTIFY cannot be used for sendmsg");
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'m'}",
		      "listenerMetadata: needs .linux.seccomp.listenerPath");
	compile_fails("{'defaultAction':'SCMP_ACT_ALLOW','flags':"
		      "['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}",
		      "needs a rule with SCMP_ACT_NOTIFY");
}

/* The profiles podman and docker send compile, and behave. */
static void test_client_profiles(void **state)
{
	static const char *const files[] = {
		FIXTURES "/clients/podman-run.config.json",
		FIXTURES "/clients/docker-run.config.json",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct seccomp_filter_prog prog;
		struct spec_config *cfg = NULL;
		struct berr err = { 0 };
		size_t len;
		char *json = read_fixture(files[i], &len);

		if (spec_config_parse(json, len, &cfg, &err) < 0)
			fail_msg("%s: %s", files[i], err.msg);
		if (seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err) < 0)
			fail_msg("%s: %s", files[i], err.msg);
		assert_int_equal(run_filtered(&prog, SYS_getpid, 0, 0, 0), 0);
		/* Both deny keyctl without CAP_SYS_ADMIN. */
		assert_true(run_filtered(&prog, SYS_keyctl, 0, 0, 0) != 0);
		seccomp_filter_release(&prog);
		spec_config_free(cfg);
		free(json);
	}
}

/* The default profile for a container holding caps (bit n = capability
 * n), written and read back as a config's, compiled. */
static struct seccomp_filter_prog caps_prog(uint64_t caps)
{
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };
	struct arena arena = { 0 };
	struct spec_seccomp profile;
	char *json = NULL;
	char *doc = NULL;
	struct spec_config *cfg = NULL;

	if (spec_seccomp_default(&arena, caps, &profile, &err) < 0 ||
	    spec_seccomp_write(&profile, &json, NULL, &err) < 0)
		fail_msg("default profile: %s", err.msg);
	arena_release(&arena);
	assert_true(asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
				   "\"linux\":{\"seccomp\":%s}}",
			     json) > 0);
	if (spec_config_parse(doc, strlen(doc), &cfg, &err) < 0)
		fail_msg("default profile does not parse: %s", err.msg);
	if (seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err) < 0)
		fail_msg("default profile does not compile: %s", err.msg);
	spec_config_free(cfg);
	free(doc);
	free(json);
	return prog;
}

static struct seccomp_filter_prog default_prog(void)
{
	return caps_prog(SPEC_DEFAULT_CAPS);
}

/* x32 calls are x86_64 numbers with bit 30 set, under x86_64's audit
 * arch.  Listed as an architecture, they get the stub's ENOSYS above the
 * highest x32 name like any other; the seccomp filter answers before the
 * kernel looks whether it runs x32 at all. */
static void test_enosys_x32(void **state)
{
	const long x32 = 0x40000000;
	struct seccomp_filter_prog prog;

	compile_ok("{'defaultAction':'SCMP_ACT_ERRNO','architectures':"
		   "['SCMP_ARCH_X86_64','SCMP_ARCH_X32'],'syscalls':["
		   "{'names':['exit','exit_group','getpid','brk','mmap','munmap',"
		   "'rt_sigreturn'],'action':'SCMP_ACT_ALLOW'}]}",
		   &prog);
	/* x32's rt_sigreturn is its 513: getppid (110) is below, unnamed. */
	assert_int_equal(run_filtered(&prog, x32 | 110, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, x32 | 1000, 0, 0, 0), ENOSYS);
	/* x86_64's own numbers keep their own highest name (exit_group, 231). */
	assert_int_equal(run_filtered(&prog, SYS_openat, 0, 0, 0), ENOSYS);
	assert_int_equal(run_filtered(&prog, SYS_read, 0, 0, 0), EPERM);
	seccomp_filter_release(&prog);

	/* Not listed: x32 is a foreign architecture, killed by libseccomp's
	 * program, never made to look like a missing syscall. */
	compile_ok("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64'],"
		   "'syscalls':[{'names':['exit','exit_group','getpid','brk','mmap',"
		   "'munmap','rt_sigreturn'],'action':'SCMP_ACT_ALLOW'}]}",
		   &prog);
	assert_int_equal(run_filtered(&prog, x32 | 1000, 0, 0, 0), 1000 + SIGSYS);
	seccomp_filter_release(&prog);
}

/* One policy for berth spec and berthd: the profile follows the
 * container's capabilities as Docker's does.  Without them (docker's
 * default set holds CAP_SYS_CHROOT only) the refusals stay. */
static void test_default_profile_caps(void **state)
{
	/* CAP_CHOWN, CAP_SYS_CHROOT, CAP_KILL; CAP_SYS_ADMIN, CAP_SYS_TIME */
	uint64_t docker_caps = UINT64_C(1) << 0 | UINT64_C(1) << 18 | UINT64_C(1) << 5;
	uint64_t admin = UINT64_C(1) << 21 | UINT64_C(1) << 25;
	struct seccomp_filter_prog prog = caps_prog(docker_caps);

	assert_int_equal(run_filtered(&prog, SYS_chroot, (long)"/nonexistent", 0, 0), ENOENT);
	assert_int_equal(run_filtered(&prog, SYS_mount, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_unshare, 0x10000000 /* CLONE_NEWUSER */, 0, 0),
			 EPERM);
	assert_int_equal(run_filtered(&prog, SYS_clone3, 0, 0, 0), ENOSYS);
	assert_int_equal(run_filtered(&prog, SYS_keyctl, 0, 0, 0), EPERM);
	seccomp_filter_release(&prog);

	prog = caps_prog(admin);
	/* The kernel answers now (a NULL target is a bad address, a clone3
	 * without arguments is invalid). */
	assert_int_equal(run_filtered(&prog, SYS_mount, 0, 0, 0), EFAULT);
	assert_int_equal(run_filtered(&prog, SYS_chroot, (long)"/nonexistent", 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_clone3, 0, 0, 0), EINVAL);
	assert_int_equal(run_filtered(&prog, SYS_settimeofday, 0, 0, 0), 0);
	/* Never lifted: keyrings are not namespaced. */
	assert_int_equal(run_filtered(&prog, SYS_keyctl, 0, 0, 0), EPERM);
	seccomp_filter_release(&prog);
}

/* The default profile: dangerous calls say EPERM, unknown ones ENOSYS,
 * the everyday ones run. */
static void test_default_profile(void **state)
{
	struct seccomp_filter_prog prog = default_prog();

	assert_int_equal(run_filtered(&prog, SYS_getpid, 0, 0, 0), 0);
	assert_int_equal(run_filtered(&prog, SYS_mkdir, (long)"/nonexistent/x", 0755, 0),
			 ENOENT);
	assert_int_equal(run_filtered(&prog, SYS_keyctl, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_add_key, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_request_key, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_kexec_load, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_open_by_handle_at, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_bpf, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_perf_event_open, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_mount, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_umount2, 0, 0, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_setns, 0, 0, 0), EPERM);
	/* Namespaces: refused by flag; the other flags still work. */
	assert_int_equal(run_filtered(&prog, SYS_unshare, 0x10000000 /* CLONE_NEWUSER */, 0, 0),
			 EPERM);
	assert_int_equal(run_filtered(&prog, SYS_unshare, 0x40000000 /* CLONE_NEWNET */, 0, 0),
			 EPERM);
	assert_int_equal(run_filtered(&prog, SYS_unshare, 0x80 /* CLONE_NEWTIME */, 0, 0),
			 EPERM);
	assert_int_equal(run_filtered(&prog, SYS_unshare, 0x200 /* CLONE_FS */, 0, 0), 0);
	assert_int_equal(run_filtered(&prog, SYS_clone, 0x10000000 | SIGCHLD, 0, 0), EPERM);
	/* clone3's flags are out of the filter's reach: ENOSYS, so that libc
	 * falls back to clone. */
	assert_int_equal(run_filtered(&prog, SYS_clone3, 0, 0, 0), ENOSYS);
	assert_int_equal(run_filtered(&prog, SYS_socket, 40 /* AF_VSOCK */, 1, 0), EPERM);
	assert_int_equal(run_filtered(&prog, SYS_socket, 1 /* AF_UNIX */, 1, 0), 0);
	assert_int_equal(run_filtered(&prog, SYS_personality, 0xffffffff, 0, 0), 0);
	assert_int_equal(run_filtered(&prog, SYS_personality, 0x0040000, 0, 0), ENOSYS);
	/* A syscall number no kernel has yet. */
	assert_int_equal(run_filtered(&prog, 1000, 0, 0, 0), ENOSYS);
	seccomp_filter_release(&prog);
}

/* contrib/seccomp.json is the same profile, byte for byte (it is written
 * for x86_64 hosts). */
static void test_contrib_copy(void **state)
{
#if defined(__x86_64__)
	struct berr err = { 0 };
	char *json = NULL;
	size_t len, flen;
	char *file = read_fixture("contrib/seccomp.json", &flen);

	if (spec_seccomp_default_json(&json, &len, &err) < 0)
		fail_msg("%s", err.msg);
	if (flen != len + 1 || memcmp(file, json, len) != 0 || file[len] != '\n')
		fail_msg("contrib/seccomp.json differs from the default profile: run "
			 "make contrib/seccomp.json");
	free(json);
	free(file);
#else
	skip();
#endif
}

/* The container process state a seccomp agent receives. */
static void test_process_state(void **state)
{
	struct spec_kv ann[] = { { "k", "v" } };
	struct spec_state st = {
		.id = "ctr", .status = "running", .pid = 42, .bundle = "/b",
		.annotations = ann, .n_annotations = 1,
	};
	static const char *const fds[] = { "seccompFd" };
	struct berr err = { 0 };
	char *json = NULL;
	size_t len;

	if (spec_process_state_json(&st, 43, "m=1", fds, 1, &json, &len, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(json, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],"
				  "\"pid\":43,\"metadata\":\"m=1\",\"state\":{"
				  "\"ociVersion\":\"1.2.0\",\"id\":\"ctr\",\"status\":"
				  "\"running\",\"pid\":42,\"bundle\":\"/b\","
				  "\"annotations\":{\"k\":\"v\"}}}");
	free(json);
	/* No metadata: the key is left out. */
	if (spec_process_state_json(&st, 43, NULL, fds, 1, &json, &len, &err) < 0)
		fail_msg("%s", err.msg);
	assert_null(strstr(json, "metadata"));
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_ret),
		cmocka_unit_test(test_default_errno),
		cmocka_unit_test(test_args_all_of),
		cmocka_unit_test(test_args_any_of),
		cmocka_unit_test(test_masked_eq),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_unknown_name_skipped),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_notify_flags),
		cmocka_unit_test(test_check_flags),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_client_profiles),
		cmocka_unit_test(test_default_profile),
		cmocka_unit_test(test_enosys_x32),
		cmocka_unit_test(test_default_profile_caps),
		cmocka_unit_test(test_contrib_copy),
		cmocka_unit_test(test_process_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
