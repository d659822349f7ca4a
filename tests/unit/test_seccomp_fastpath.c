/* isolation/seccomp_fastpath and seccomp_emulate: the search over runs of
 * allowed numbers answers as the numbers say (in the emulator, and in the
 * kernel), the check refuses a rewrite that differs from libseccomp's
 * program in one number, only x86's architectures are rewritten, and the
 * default profile gets the fast path and still behaves. */
#include "tests/unit/seccomp_helpers.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/seccomp.h"
#include "isolation/seccomp_emulate.h"
#include "isolation/seccomp_fastpath.h"
#include "isolation/seccomp_plan.h"
#include "spec/seccomp_default.h"

#define DENY (SECCOMP_RET_ERRNO | EPERM)

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

static struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	return (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static uint32_t verdict(const struct seccomp_filter_prog *p, uint32_t arch, uint32_t nr)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch };
	struct seccomp_verdict v;

	assert_int_equal(seccomp_emulate(p->insns, p->len, &d, &v), 0);
	return v.action;
}

static void test_emulate(void **state)
{
	struct sock_filter ok[] = {
		stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		jump(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
		stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0),
		stmt(BPF_RET | BPF_A, 0),
	};
	struct sock_filter past_end[] = {
		stmt(BPF_LD | BPF_W | BPF_ABS, 0),
		jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),
		stmt(BPF_RET | BPF_K, 0),
	};
	struct sock_filter outside[] = {
		stmt(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)),
		stmt(BPF_RET | BPF_K, 0),
	};
	struct sock_filter no_return[] = { stmt(BPF_LD | BPF_IMM, 1) };
	struct seccomp_data d = { .nr = 39, .args = { 0, 0x1234 } };
	struct seccomp_verdict v;

	(void)state;
	assert_int_equal(seccomp_emulate(ok, 6, &d, &v), 0);
	assert_int_equal(v.action, SECCOMP_RET_ALLOW);
	assert_false(v.reads_args);
	d.nr = 40;
	assert_int_equal(seccomp_emulate(ok, 6, &d, &v), 0);
	assert_int_equal(v.action, 0x30);
	assert_true(v.reads_args);
	d.nr = 1;
	assert_int_equal(seccomp_emulate(past_end, 3, &d, &v), -EINVAL);
	assert_int_equal(seccomp_emulate(outside, 2, &d, &v), -EINVAL);
	assert_int_equal(seccomp_emulate(no_return, 1, &d, &v), -EINVAL);
}

/* A fast path of the numbers [from, to) where keep(nr), before a program
 * that denies everything. */
static struct seccomp_filter_prog numbers_prog(uint32_t arch, uint32_t from, uint32_t to,
					       bool (*keep)(uint32_t))
{
	static struct sock_filter deny = BPF_STMT(BPF_RET | BPF_K, DENY);
	struct seccomp_filter_prog rest = { .insns = &deny, .len = 1 };
	struct seccomp_filter_prog out = { 0 };
	struct seccomp_fastpath fp = { .n_groups = 1 };
	struct berr err = { 0 };

	fp.groups[0].arch = arch;
	fp.groups[0].nrs = calloc(to - from + 1, sizeof(uint32_t));
	assert_non_null(fp.groups[0].nrs);
	for (uint32_t nr = from; nr < to; nr++)
		if (keep(nr))
			fp.groups[0].nrs[fp.groups[0].n++] = nr;
	if (seccomp_fastpath_emit(&fp, &rest, &out, &err) < 0)
		fail_msg("emit: %s", err.msg);
	free(fp.groups[0].nrs);
	return out;
}

static bool odd_or_small(uint32_t nr)
{
	return nr < 7 || nr % 2 || nr == 39;
}

static bool runs_of_three(uint32_t nr)
{
	return nr % 5 < 3;
}

/* Hundreds of runs: the tree outgrows one block of 8-bit jumps. */
static void test_runs(void **state)
{
	struct seccomp_filter_prog p = numbers_prog(AUDIT_ARCH_X86_64, 0, 900, odd_or_small);

	(void)state;
	for (uint32_t nr = 0; nr < 1200; nr++)
		assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, nr),
				 nr < 900 && odd_or_small(nr) ? SECCOMP_RET_ALLOW : DENY);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 1), DENY);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 0x40000001), DENY);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, UINT32_MAX), DENY);
	seccomp_filter_release(&p);

	p = numbers_prog(AUDIT_ARCH_I386, 3, 600, runs_of_three);
	for (uint32_t nr = 0; nr < 700; nr++)
		assert_int_equal(verdict(&p, AUDIT_ARCH_I386, nr),
				 nr >= 3 && nr < 600 && runs_of_three(nr) ? SECCOMP_RET_ALLOW : DENY);
	seccomp_filter_release(&p);
}

/* The kernel reads the tree as the emulator does. */
static void test_runs_in_kernel(void **state)
{
	struct seccomp_filter_prog p = numbers_prog(AUDIT_ARCH_X86_64, 0, 900, odd_or_small);
	int status;
	pid_t pid;

	(void)state;
	/* The child needs exit_group (231, odd) and getpid (39). */
	assert_true(odd_or_small(SYS_exit_group) && odd_or_small(SYS_getpid));
	assert_false(odd_or_small(SYS_getppid));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct berr err;
		int code;

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_filter_install(&p, NULL, &err) < 0)
			_exit(250);
		code = syscall(SYS_getpid) > 0 ? 0 : 1;
		if (syscall(SYS_getppid) != -1 || errno != EPERM)
			code |= 2;
		syscall(SYS_exit_group, code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	seccomp_filter_release(&p);
}

/* libseccomp's whole program for nrs allowed on x86_64, as a stand-in. */
static struct seccomp_filter_prog whole(const uint32_t *nrs, size_t n)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	struct seccomp_filter_prog p = { 0 };
	FILE *f = tmpfile();
	long size;

	assert_non_null(ctx);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)nrs[i], 0), 0);
	assert_int_equal(seccomp_export_bpf(ctx, fileno(f)), 0);
	size = lseek(fileno(f), 0, SEEK_END);
	p.insns = malloc((size_t)size);
	assert_int_equal(pread(fileno(f), p.insns, (size_t)size, 0), size);
	p.len = (size_t)size / sizeof(struct sock_filter);
	fclose(f);
	seccomp_release(ctx);
	return p;
}

/* The check: one number allowed too many, or one too few, and the
 * rewrite is refused. */
static void test_agrees(void **state)
{
	static const uint32_t allowed[] = { 0, 1, 2, 3, 39, 60, 231 };
	static const uint32_t one_more[] = { 0, 1, 2, 3, 39, 40, 60, 231 };
	static const uint32_t one_less[] = { 0, 1, 2, 3, 60, 231 };
	struct seccomp_filter_prog full = whole(allowed, 7);
	static struct sock_filter deny = BPF_STMT(BPF_RET | BPF_K, DENY);
	struct { const uint32_t *nrs; size_t n; bool same; } cases[] = {
		{ allowed, 7, true }, { one_more, 8, false }, { one_less, 6, false },
	};

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		struct seccomp_fastpath fp = { .n_groups = 1 };
		struct seccomp_filter_prog rest = full, out = { 0 };
		struct berr err = { 0 };

		/* The rest is the whole program itself for the right numbers,
		 * a flat refusal for the wrong ones: either way the allowed
		 * numbers come from the fast path. */
		if (!cases[c].same) {
			rest.insns = &deny;
			rest.len = 1;
		}
		fp.groups[0].arch = AUDIT_ARCH_X86_64;
		fp.groups[0].nrs = (uint32_t *)cases[c].nrs;
		fp.groups[0].n = cases[c].n;
		assert_int_equal(seccomp_fastpath_emit(&fp, &rest, &out, &err), 0);
		assert_int_equal(seccomp_fastpath_agrees(&fp, &full, &out), cases[c].same);
		seccomp_filter_release(&out);
	}
	seccomp_filter_release(&full);
}

static struct spec_config *default_config(void)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	char *json = NULL, *doc = NULL;
	size_t len;

	if (spec_seccomp_default_json(&json, &len, &err) < 0)
		fail_msg("default profile: %s", err.msg);
	assert_true(asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
				   "\"linux\":{\"seccomp\":%s}}",
			     json) > 0);
	if (spec_config_parse(doc, strlen(doc), &cfg, &err) < 0)
		fail_msg("default profile does not parse: %s", err.msg);
	free(doc);
	free(json);
	return cfg;
}

/* What the fast path takes of a profile filtered for these
 * architectures. */
static size_t skipped(const struct spec_seccomp *s, const uint32_t *arches, size_t n)
{
	uint32_t *actions = calloc(s->n_syscalls, sizeof(*actions));
	struct seccomp_fastpath fp;
	struct seccomp_plan plan;
	struct berr err = { 0 };
	size_t taken;

	for (size_t i = 0; i < s->n_syscalls; i++)
		actions[i] = s->syscalls[i].action == SECCOMP_ACT_ALLOW ? SCMP_ACT_ALLOW
									: SCMP_ACT_ERRNO(EPERM);
	assert_int_equal(seccomp_plan_make(s, actions, SCMP_ACT_ERRNO(EPERM), &plan, &err), 0);
	assert_int_equal(seccomp_fastpath_plan(s, &plan, actions, arches, n, &fp, &err), 0);
	taken = fp.n_skipped;
	seccomp_fastpath_release(&fp);
	seccomp_plan_release(&plan);
	free(actions);
	return taken;
}

/* Only x86's three architectures are rewritten. */
static void test_x86_only(void **state)
{
	struct spec_config *cfg = default_config();
	static const uint32_t x86[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 };
	static const uint32_t arm[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64 };

	(void)state;
	assert_true(skipped(&cfg->linux.seccomp, x86, 3) > 200);
	assert_int_equal(skipped(&cfg->linux.seccomp, arm, 2), 0);
	spec_config_free(cfg);
}

/* The default profile takes the fast path (libseccomp alone makes about
 * 1,500 instructions of it), and keeps its verdicts in the kernel. */
static void test_default_profile(void **state)
{
	struct spec_config *cfg = default_config();
	struct seccomp_filter_prog p;
	struct berr err = { 0 };

	(void)state;
	if (seccomp_filter_compile(&cfg->linux.seccomp, &p, &err) < 0)
		fail_msg("compile: %s", err.msg);
	assert_true(p.len < 900);
	/* getpid is allowed, keyctl refused, i386's socketcall allowed
	 * (left to libseccomp), an unknown number ENOSYS. */
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_keyctl), DENY);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 102), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1000), SECCOMP_RET_ERRNO | ENOSYS);
	seccomp_filter_release(&p);
	spec_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_runs_in_kernel),
		cmocka_unit_test(test_agrees),
		cmocka_unit_test(test_x86_only),
		cmocka_unit_test(test_default_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
