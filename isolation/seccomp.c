#include "isolation/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isolation/seccomp_arch.h"
#include "isolation/seccomp_enosys.h"
#include "isolation/seccomp_fastpath.h"
#include "isolation/seccomp_plan.h"
#include "spec/base/cleanup.h"
#include "spec/names.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Bump when seccomp_filter_build makes a different program of the same
 * profile (other attributes, another order of rules...): it is part of
 * the key of cached programs. */
#define SECCOMP_BUILD_VERSION 5

/* The kernel caps an errno at MAX_ERRNO. */
#define SECCOMP_MAX_ERRNO 4095

static const char *action_name(enum spec_seccomp_action a)
{
	return names_name(names_seccomp_actions, a);
}

static bool takes_errno(enum spec_seccomp_action a)
{
	return a == SECCOMP_ACT_ERRNO || a == SECCOMP_ACT_TRACE;
}

static uint32_t action_of(enum spec_seccomp_action a, bool errno_set,
			  uint32_t errno_ret)
{
	switch (a) {
	case SECCOMP_ACT_KILL:
	case SECCOMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SECCOMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SECCOMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SECCOMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(errno_set ? errno_ret : EPERM);
	case SECCOMP_ACT_TRACE:
		return SCMP_ACT_TRACE(errno_set ? errno_ret : EPERM);
	case SECCOMP_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case SECCOMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case SECCOMP_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static enum scmp_compare op_of(enum spec_seccomp_op op)
{
	static const enum scmp_compare ops[] = {
		[SECCOMP_OP_NE] = SCMP_CMP_NE, [SECCOMP_OP_LT] = SCMP_CMP_LT,
		[SECCOMP_OP_LE] = SCMP_CMP_LE, [SECCOMP_OP_EQ] = SCMP_CMP_EQ,
		[SECCOMP_OP_GE] = SCMP_CMP_GE, [SECCOMP_OP_GT] = SCMP_CMP_GT,
		[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};
	return ops[op];
}

static unsigned int filter_flags(uint32_t spec_flags)
{
	unsigned int f = 0;

	if (spec_flags & SPEC_SECCOMP_FLAG_TSYNC)
		f |= SECCOMP_FILTER_FLAG_TSYNC;
	if (spec_flags & SPEC_SECCOMP_FLAG_LOG)
		f |= SECCOMP_FILTER_FLAG_LOG;
	if (spec_flags & SPEC_SECCOMP_FLAG_SPEC_ALLOW)
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (spec_flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
		f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	return f;
}

static struct scmp_arg_cmp arg_of(const struct spec_seccomp_arg *a)
{
	/* MASKED_EQ compares (arg & value) == valueTwo. */
	struct scmp_arg_cmp c = {
		.arg = a->index,
		.op = op_of(a->op),
		.datum_a = a->value,
		.datum_b = a->value_two,
	};

	return c;
}

static int add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_rule *r,
		    const char *name, uint32_t action, struct berr *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int ret = 0;

	/* A name this libseccomp does not know is skipped, as runc does: a
	 * profile written for a newer kernel still loads. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (r->n_args == 0) {
		ret = seccomp_rule_add(ctx, action, nr, 0);
	} else if (seccomp_plan_all_of(r)) {
		/* Indexes are 0 to 5 (the parser checks): at most six. */
		struct scmp_arg_cmp cmp[6];

		for (size_t i = 0; i < r->n_args; i++)
			cmp[i] = arg_of(&r->args[i]);
		ret = seccomp_rule_add_array(ctx, action, nr, (unsigned int)r->n_args, cmp);
	} else {
		for (size_t i = 0; i < r->n_args && ret == 0; i++) {
			struct scmp_arg_cmp cmp = arg_of(&r->args[i]);

			ret = seccomp_rule_add_array(ctx, action, nr, 1, &cmp);
		}
	}
	if (ret < 0)
		return berr_set(err, -ret, "seccomp rule for %s", name);
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *s,
		      struct berr *err)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch = seccomp_arch_token(s->architectures[i]);
		int ret;

		if (!arch)
			return berr_fail(err, EINVAL, "seccomp: unknown architecture %s",
					s->architectures[i]);
		ret = seccomp_arch_add(ctx, arch);
		if (ret < 0 && ret != -EEXIST)
			return berr_set(err, -ret, "seccomp: add architecture %s",
					s->architectures[i]);
	}
	return 0;
}

/* libseccomp 2.5 exports BPF only to an fd. */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_filter_prog *out,
		      struct berr *err)
{
	cleanup_close int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	off_t size;
	int ret;

	if (fd < 0)
		return berr_sys(err, "seccomp: memfd");
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0)
		return berr_fail(err, -ret, "seccomp: export BPF");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter))
		return berr_fail(err, EINVAL, "seccomp: bad BPF size %lld", (long long)size);
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return berr_fail(err, E2BIG,
				"seccomp: the filter has %lld instructions, the kernel takes "
				"at most %d",
				(long long)(size / sizeof(struct sock_filter)), BPF_MAXINSNS);
	out->insns = malloc((size_t)size);
	if (!out->insns)
		return berr_sys(err, "seccomp");
	if (pread(fd, out->insns, (size_t)size, 0) != size)
		return berr_sys(err, "seccomp: read BPF");
	out->len = (size_t)size / sizeof(struct sock_filter);
	return 0;
}

/* Whatever the profile asks that cannot work, refused before anything
 * runs: the spec wants an error, not a silently different filter. */
static int check_rule(const struct spec_seccomp *s, size_t i, struct berr *err)
{
	const struct spec_seccomp_rule *r = &s->syscalls[i];

	if (r->errno_ret_set && !takes_errno(r->action))
		return berr_fail(err, EINVAL,
				".linux.seccomp.syscalls[%zu].errnoRet: %s takes no errno", i,
				action_name(r->action));
	if (r->errno_ret_set && r->errno_ret > SECCOMP_MAX_ERRNO)
		return berr_fail(err, EINVAL,
				".linux.seccomp.syscalls[%zu].errnoRet: %u is above %d", i,
				r->errno_ret, SECCOMP_MAX_ERRNO);
	if (r->action != SECCOMP_ACT_NOTIFY)
		return 0;
	if (!s->listener_path || !*s->listener_path)
		return berr_fail(err, EINVAL,
				".linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY needs "
				".linux.seccomp.listenerPath",
				i);
	/* The container process hands the listener over with sendmsg right
	 * after installing the filter: a notification there would wait for
	 * a listener that never gets the fd. */
	for (size_t j = 0; j < r->n_names; j++)
		if (strcmp(r->names[j], "sendmsg") == 0)
			return berr_fail(err, EINVAL,
					".linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be "
					"used for sendmsg (berth needs it to hand the listener over)",
					i);
	return 0;
}

static int check_profile(const struct spec_seccomp *s, struct berr *err)
{
	if (s->default_action == SECCOMP_ACT_NOTIFY)
		return berr_fail(err, EINVAL,
				".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
	if (s->default_errno_ret_set && !takes_errno(s->default_action))
		return berr_fail(err, EINVAL, ".linux.seccomp.defaultErrnoRet: %s takes no errno",
				action_name(s->default_action));
	if (s->default_errno_ret_set && s->default_errno_ret > SECCOMP_MAX_ERRNO)
		return berr_fail(err, EINVAL, ".linux.seccomp.defaultErrnoRet: %u is above %d",
				s->default_errno_ret, SECCOMP_MAX_ERRNO);
	if (s->listener_metadata && *s->listener_metadata &&
	    (!s->listener_path || !*s->listener_path))
		return berr_fail(err, EINVAL,
				".linux.seccomp.listenerMetadata: needs .linux.seccomp.listenerPath");
	for (size_t i = 0; i < s->n_syscalls; i++) {
		int ret = check_rule(s, i, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static const struct {
	unsigned int flag;
	const char *name;
} flag_names[] = {
	{ SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC" },
	{ SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
	{ SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
	{ SECCOMP_FILTER_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
	{ SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" },
	{ SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

/* seccomp(2) checks the flags before it reads the program: a NULL program
 * gives EFAULT when the flags are acceptable, EINVAL when not. */
static bool kernel_takes(unsigned int flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 &&
	       errno == EFAULT;
}

int seccomp_check_flags(unsigned int flags, struct berr *err)
{
	if (flags == 0 || kernel_takes(flags))
		return 0;
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++) {
		unsigned int f = flag_names[i].flag;
		/* WAIT_KILLABLE_RECV means nothing without a listener. */
		unsigned int with = f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
					    ? SECCOMP_FILTER_FLAG_NEW_LISTENER
					    : 0;

		if ((flags & f) && !kernel_takes(f | with))
			return berr_fail(err, EINVAL,
					"seccomp: this kernel does not support %s",
					flag_names[i].name);
	}
	return berr_fail(err, EINVAL, "seccomp: this kernel refuses the filter flags 0x%x",
			flags);
}

size_t seccomp_supported_flags(const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names) && n < max; i++) {
		unsigned int f = flag_names[i].flag;

		/* Only the flags a profile may name (spec/names.h). */
		if (f == SECCOMP_FILTER_FLAG_NEW_LISTENER || f == SECCOMP_FILTER_FLAG_TSYNC_ESRCH)
			continue;
		if (kernel_takes(f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
					 ? f | SECCOMP_FILTER_FLAG_NEW_LISTENER
					 : f))
			names[n++] = flag_names[i].name;
	}
	return n;
}

/* The flags for seccomp(2): the profile's, plus what berth itself needs. */
static int final_flags(const struct spec_seccomp *s, struct seccomp_filter_prog *out,
		       struct berr *err)
{
	out->flags = filter_flags(s->flags);
	if (out->notify)
		out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if ((out->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !out->notify)
		return berr_fail(err, EINVAL,
				".linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
				"needs a rule with SCMP_ACT_NOTIFY");
	/* TSYNC with a listener cannot report which thread failed unless
	 * told to fail with ESRCH instead. */
	if ((out->flags & SECCOMP_FILTER_FLAG_TSYNC) && out->notify)
		out->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	return seccomp_check_flags(out->flags, err);
}

int seccomp_filter_prepare(const struct spec_seccomp *s,
			   struct seccomp_filter_prog *out, struct berr *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_profile(s, err);
	if (ret < 0)
		return ret;
	/* The default cannot be SCMP_ACT_NOTIFY (checked above), so every
	 * such rule makes it into the filter. */
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (s->syscalls[i].action == SECCOMP_ACT_NOTIFY)
			out->notify = true;
	return final_flags(s, out, err);
}

/* The rules, each once (see seccomp_plan.h), with libseccomp's action of
 * each rule of the profile. */
struct rules {
	uint32_t def;
	uint32_t *actions;
	struct seccomp_plan plan;
};

static void rules_release(struct rules *r)
{
	free(r->actions);
	seccomp_plan_release(&r->plan);
}

static int rules_make(const struct spec_seccomp *s, struct rules *out, struct berr *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->def = action_of(s->default_action, s->default_errno_ret_set, s->default_errno_ret);
	out->actions = calloc(s->n_syscalls ? s->n_syscalls : 1, sizeof(*out->actions));
	if (!out->actions)
		return berr_sys(err, "seccomp");
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_rule *r = &s->syscalls[i];

		out->actions[i] = action_of(r->action, r->errno_ret_set, r->errno_ret);
	}
	/* Rules that repeat the default are left out: libseccomp refuses
	 * them. */
	ret = seccomp_plan_make(s, out->actions, out->def, &out->plan, err);
	if (ret < 0)
		rules_release(out);
	return ret;
}

/* libseccomp's program of the rules, less the entries skip marks. */
static int libseccomp_program(const struct spec_seccomp *s, const struct rules *rules,
			      const bool *skip, struct seccomp_filter_prog *out, struct berr *err)
{
	scmp_filter_ctx ctx = seccomp_init(rules->def);
	int ret;

	if (!ctx)
		return berr_set(err, ENOMEM, "seccomp: init");
	/* no_new_privs is process.noNewPrivileges' business, not the
	 * filter's. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (ret == 0)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (ret < 0)
		ret = berr_set(err, -ret, "seccomp: attributes");
	else
		ret = add_arches(ctx, s, err);
	for (size_t i = 0; ret == 0 && i < rules->plan.n; i++) {
		const struct seccomp_plan_entry *e = &rules->plan.entries[i];
		const struct spec_seccomp_rule *r = &s->syscalls[e->rule];

		if (!skip || !skip[i])
			ret = add_rule(ctx, r, r->names[e->name], rules->actions[e->rule], err);
	}
	if (ret == 0)
		ret = export_bpf(ctx, out, err);
	seccomp_release(ctx);
	return ret;
}

/* The filter's architectures: the native one, which libseccomp always
 * adds, and the profile's. */
static size_t filter_arches(const struct spec_seccomp *s, uint32_t *arches, size_t max)
{
	size_t n = 0;

	arches[n++] = seccomp_arch_native();
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t a = seccomp_arch_token(s->architectures[i]);
		bool seen = false;

		for (size_t j = 0; j < n; j++)
			seen |= arches[j] == a;
		if (!seen && n < max)
			arches[n++] = a;
	}
	return n;
}

/* prog (libseccomp's whole program) replaced by the fast path and a
 * program of the other rules, when the two agree (seccomp_fastpath.h). */
static int take_fastpath(const struct spec_seccomp *s, const struct rules *rules,
			 struct seccomp_filter_prog *prog, struct berr *err)
{
	struct seccomp_filter_prog rest = { 0 }, combined = { 0 };
	struct seccomp_fastpath fp;
	struct berr scratch = { 0 };
	uint32_t arches[16];
	size_t n_arches = filter_arches(s, arches, sizeof(arches) / sizeof(*arches));
	int ret;

	ret = seccomp_fastpath_plan(s, &rules->plan, rules->actions, arches, n_arches, &fp, err);
	if (ret < 0 || fp.n_skipped == 0) {
		seccomp_fastpath_release(&fp);
		return ret;
	}
	/* The fast path only makes a program shorter: where it cannot be
	 * made (libseccomp refusing the smaller rule set, a program past the
	 * kernel's limit, any difference), libseccomp's whole one stays. */
	if (libseccomp_program(s, rules, fp.skip, &rest, &scratch) == 0 &&
	    seccomp_fastpath_emit(&fp, &rest, &combined, &scratch) == 0 &&
	    seccomp_fastpath_agrees(&fp, prog, &combined)) {
		free(prog->insns);
		prog->insns = combined.insns;
		prog->len = combined.len;
		combined.insns = NULL;
	}
	seccomp_filter_release(&combined);
	seccomp_filter_release(&rest);
	seccomp_fastpath_release(&fp);
	return 0;
}

int seccomp_filter_build(const struct spec_seccomp *s,
			 struct seccomp_filter_prog *out, struct berr *err)
{
	struct rules rules;
	int ret = rules_make(s, &rules, err);

	if (ret < 0)
		return ret;
	ret = libseccomp_program(s, &rules, NULL, out, err);
	if (ret == 0)
		ret = take_fastpath(s, &rules, out, err);
	if (ret == 0)
		ret = seccomp_enosys_prepend(s, rules.def, out, err);
	rules_release(&rules);
	return ret;
}

int seccomp_filter_compile(const struct spec_seccomp *s,
			   struct seccomp_filter_prog *out, struct berr *err)
{
	int ret = seccomp_filter_prepare(s, out, err);

	if (ret == 0)
		ret = seccomp_filter_build(s, out, err);
	if (ret < 0)
		seccomp_filter_release(out);
	return ret;
}

void seccomp_compiler_id(struct seccomp_compiler *c)
{
	const struct scmp_version *v = seccomp_version();

	memset(c, 0, sizeof(*c));
	if (v) {
		c->major = v->major;
		c->minor = v->minor;
		c->micro = v->micro;
	}
	c->api = seccomp_api_get();
	c->native_arch = seccomp_arch_native();
	c->berth = SECCOMP_BUILD_VERSION;
}

int seccomp_filter_install(const struct seccomp_filter_prog *p, int *listener,
			   struct berr *err)
{
	struct sock_fprog prog = { .len = (unsigned short)p->len, .filter = p->insns };
	long ret;

	if (listener)
		*listener = -1;
	ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (ret < 0)
		return berr_sys(err, "install seccomp filter");
	if (p->notify && listener)
		*listener = (int)ret;
	else if (p->notify)
		close((int)ret);
	return 0;
}

void seccomp_filter_release(struct seccomp_filter_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->len = 0;
}
