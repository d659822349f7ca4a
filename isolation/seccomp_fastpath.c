#include "isolation/seccomp_fastpath.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/seccomp_emulate.h"
#include "spec/base/cleanup.h"

#define X32_BIT 0x40000000u

/* A search tree of at most this many boundaries is laid out in one block
 * with its two exits after it, so that every jump in it fits classic
 * BPF's 8-bit offsets; a larger one is split with long jumps. */
#define BLOCK_BOUNDARIES 128

/* On i386 these reach the kernel through socketcall(2) or ipc(2) as well,
 * which libseccomp's rule for the name also covers (by socketcall's or
 * ipc's first argument), and libseccomp merges those rules with
 * socketcall's and ipc's own: on i386 they are left to libseccomp. */
static const char *const multiplexed[] = {
	"socketcall", "ipc",
	"socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
	"socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt",
	"getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
	"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget",
	"msgctl", "shmat", "shmdt", "shmget", "shmctl",
};

static bool is_multiplexed(const char *name)
{
	for (size_t i = 0; i < sizeof(multiplexed) / sizeof(*multiplexed); i++)
		if (strcmp(name, multiplexed[i]) == 0)
			return true;
	return false;
}

/* The audit architecture the filter sees for a libseccomp token: x32
 * calls arrive as x86_64's, with X32_BIT in the number. */
static uint32_t audit_arch(uint32_t token)
{
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

static bool x86_family(uint32_t token)
{
	return token == SCMP_ARCH_X86_64 || token == SCMP_ARCH_X86 || token == SCMP_ARCH_X32;
}

/* --- what the fast path takes --------------------------------------- */

struct by_name {
	const struct spec_seccomp *s;
	const struct seccomp_plan *plan;
};

static const char *entry_name(const struct by_name *c, uint32_t i)
{
	const struct seccomp_plan_entry *e = &c->plan->entries[i];

	return c->s->syscalls[e->rule].names[e->name];
}

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	return strcmp(entry_name(arg, *(const uint32_t *)a), entry_name(arg, *(const uint32_t *)b));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct seccomp_fastpath_group *group_of(struct seccomp_fastpath *fp, uint32_t arch)
{
	for (size_t i = 0; i < fp->n_groups; i++)
		if (fp->groups[i].arch == arch)
			return &fp->groups[i];
	return NULL;
}

/* Each name's entries are order[from, to): the name is the fast path's
 * when every one of them allows, whatever the arguments. */
static bool unconditional(const struct spec_seccomp *s, const struct seccomp_plan *plan,
			  const uint32_t *actions, const uint32_t *order, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		const struct seccomp_plan_entry *e = &plan->entries[order[k]];

		if (actions[e->rule] != SCMP_ACT_ALLOW || s->syscalls[e->rule].n_args)
			return false;
	}
	return true;
}

static void take_name(struct seccomp_fastpath *fp, const char *name, const uint32_t *arches,
		      size_t n_arches)
{
	for (size_t a = 0; a < n_arches; a++) {
		int nr = seccomp_syscall_resolve_name_arch(arches[a], name);
		struct seccomp_fastpath_group *g = group_of(fp, audit_arch(arches[a]));

		/* Negative: not a call of its own there (libseccomp's
		 * pseudo-numbers), which the fast path leaves alone. */
		if (nr < 0 || (arches[a] == SCMP_ARCH_X86 && is_multiplexed(name)))
			continue;
		g->nrs[g->n++] = (uint32_t)nr;
	}
}

static void sort_group(struct seccomp_fastpath_group *g)
{
	size_t kept = 0;

	qsort(g->nrs, g->n, sizeof(*g->nrs), cmp_u32);
	for (size_t i = 0; i < g->n; i++)
		if (kept == 0 || g->nrs[kept - 1] != g->nrs[i])
			g->nrs[kept++] = g->nrs[i];
	g->n = kept;
}

static int make_groups(struct seccomp_fastpath *fp, const struct seccomp_plan *plan,
		       const uint32_t *arches, size_t n_arches, struct berr *err)
{
	for (size_t a = 0; a < n_arches; a++) {
		uint32_t arch = audit_arch(arches[a]);

		if (!group_of(fp, arch) && fp->n_groups < SECCOMP_FASTPATH_GROUPS)
			fp->groups[fp->n_groups++].arch = arch;
	}
	for (size_t i = 0; i < fp->n_groups; i++) {
		/* At most one number a name per architecture in the group. */
		fp->groups[i].nrs = calloc(plan->n * 2 + 1, sizeof(uint32_t));
		if (!fp->groups[i].nrs)
			return berr_sys(err, "seccomp: %zu syscall names", plan->n);
	}
	return 0;
}

int seccomp_fastpath_plan(const struct spec_seccomp *s, const struct seccomp_plan *plan,
			  const uint32_t *actions, const uint32_t *arches, size_t n_arches,
			  struct seccomp_fastpath *fp, struct berr *err)
{
	cleanup_free uint32_t *order = NULL;
	struct by_name c = { s, plan };
	bool has_x86 = false;
	int ret;

	memset(fp, 0, sizeof(*fp));
	for (size_t a = 0; a < n_arches; a++) {
		if (!x86_family(arches[a]))
			return 0;
		has_x86 |= arches[a] == SCMP_ARCH_X86;
	}
	if (plan->n == 0)
		return 0;
	order = malloc(plan->n * sizeof(*order));
	fp->skip = calloc(plan->n, sizeof(*fp->skip));
	if (!order || !fp->skip) {
		seccomp_fastpath_release(fp);
		return berr_sys(err, "seccomp: %zu syscall names", plan->n);
	}
	ret = make_groups(fp, plan, arches, n_arches, err);
	if (ret < 0) {
		seccomp_fastpath_release(fp);
		return ret;
	}
	for (size_t i = 0; i < plan->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, plan->n, sizeof(*order), cmp_by_name, &c);
	for (size_t from = 0, to; from < plan->n; from = to) {
		const char *name = entry_name(&c, order[from]);

		for (to = from + 1; to < plan->n && strcmp(entry_name(&c, order[to]), name) == 0;)
			to++;
		/* A name libseccomp does not know never reached its program. */
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR ||
		    !unconditional(s, plan, actions, order, from, to))
			continue;
		take_name(fp, name, arches, n_arches);
		if (has_x86 && is_multiplexed(name))
			continue;
		for (size_t k = from; k < to; k++)
			fp->skip[order[k]] = true;
		fp->n_skipped += to - from;
	}
	for (size_t i = 0; i < fp->n_groups; i++)
		sort_group(&fp->groups[i]);
	return 0;
}

void seccomp_fastpath_release(struct seccomp_fastpath *fp)
{
	free(fp->skip);
	for (size_t i = 0; i < fp->n_groups; i++)
		free(fp->groups[i].nrs);
	memset(fp, 0, sizeof(*fp));
}

/* --- the program ----------------------------------------------------- */

/* A group's allowed numbers as the boundaries of their runs: the first
 * number of each run and the one after its last.  A number v is allowed
 * when an odd count of boundaries is at or below it (parity flips that
 * when the first run starts at 0, whose boundary is left out). */
struct boundaries {
	uint32_t *b;
	size_t n;
	unsigned parity;
};

static int make_boundaries(const struct seccomp_fastpath_group *g, struct boundaries *out,
			   struct berr *err)
{
	out->b = malloc((g->n * 2 + 1) * sizeof(*out->b));
	out->n = 0;
	out->parity = 0;
	if (!out->b)
		return berr_sys(err, "seccomp");
	for (size_t i = 0; i < g->n; i++) {
		if (i > 0 && g->nrs[i] == g->nrs[i - 1] + 1) {
			out->b[out->n - 1] = g->nrs[i] + 1;
			continue;
		}
		if (g->nrs[i] == 0)
			out->parity = 1;
		else
			out->b[out->n++] = g->nrs[i];
		/* Numbers are below 2^31 (libseccomp's are ints). */
		out->b[out->n++] = g->nrs[i] + 1;
	}
	return 0;
}

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

static struct sock_filter jge(uint32_t k, size_t at, size_t yes, size_t no)
{
	return (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, (uint8_t)(yes - at - 1),
					    (uint8_t)(no - at - 1));
}

static size_t tree_len(size_t l, size_t r)
{
	size_t mid = l + (r - l) / 2;

	if (r - l <= BLOCK_BOUNDARIES)
		return r - l + 2;
	return 2 + tree_len(l, mid) + tree_len(mid + 1, r);
}

struct exits {
	size_t allow, out;
	unsigned parity;
};

/* The exit of region r: the numbers with r boundaries at or below them. */
static size_t exit_of(const struct exits *x, size_t region)
{
	return (region + x->parity) & 1 ? x->allow : x->out;
}

/* Boundaries [l, r) as a search tree at p[at], each node one jge: its
 * false side right after it, its true side after that. */
static void block(struct sock_filter *p, size_t at, const uint32_t *b, size_t l, size_t r,
		  const struct exits *x)
{
	size_t mid = l + (r - l) / 2;
	size_t false_at = at + 1, true_at = false_at + (mid - l);

	p[at] = jge(b[mid], at, mid + 1 == r ? exit_of(x, r) : true_at,
		    mid == l ? exit_of(x, l) : false_at);
	if (mid > l)
		block(p, false_at, b, l, mid, x);
	if (r > mid + 1)
		block(p, true_at, b, mid + 1, r, x);
}

/* The tree of boundaries [l, r) at p[at], whose numbers outside every
 * run go to main; returns where it ends. */
static size_t tree(struct sock_filter *p, size_t at, const struct boundaries *bs, size_t l,
		   size_t r, size_t main_at)
{
	size_t mid = l + (r - l) / 2, false_end;

	if (r - l <= BLOCK_BOUNDARIES) {
		struct exits x = { at + (r - l), at + (r - l) + 1, bs->parity };

		block(p, at, bs->b, l, r, &x);
		p[x.allow] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		p[x.out] = stmt(BPF_JMP | BPF_JA, (uint32_t)(main_at - x.out - 1));
		return x.out + 1;
	}
	p[at] = jge(bs->b[mid], at, at + 1, at + 2);
	false_end = tree(p, at + 2, bs, l, mid, main_at);
	p[at + 1] = stmt(BPF_JMP | BPF_JA, (uint32_t)(false_end - at - 2));
	return tree(p, false_end, bs, mid + 1, r, main_at);
}

/* A group's section: its architecture's test, then the tree. */
#define SECTION_HEAD 4

static size_t section(struct sock_filter *p, size_t at, uint32_t arch, const struct boundaries *bs,
		      size_t next, size_t main_at)
{
	p[at] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	p[at + 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
	p[at + 2] = stmt(BPF_JMP | BPF_JA, (uint32_t)(next - at - 3));
	p[at + 3] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	return tree(p, at + SECTION_HEAD, bs, 0, bs->n, main_at);
}

int seccomp_fastpath_emit(const struct seccomp_fastpath *fp, const struct seccomp_filter_prog *rest,
			  struct seccomp_filter_prog *out, struct berr *err)
{
	struct boundaries bs[SECCOMP_FASTPATH_GROUPS] = { 0 };
	size_t len[SECCOMP_FASTPATH_GROUPS] = { 0 };
	size_t head = 0, at = 0;
	int ret = 0;

	for (size_t i = 0; i < fp->n_groups && ret == 0; i++) {
		ret = make_boundaries(&fp->groups[i], &bs[i], err);
		if (ret == 0 && bs[i].n)
			len[i] = SECTION_HEAD + tree_len(0, bs[i].n);
		head += len[i];
	}
	if (ret == 0 && head + rest->len > BPF_MAXINSNS)
		ret = berr_fail(err, E2BIG, "seccomp: the filter has %zu instructions, the kernel "
				"takes at most %d", head + rest->len, BPF_MAXINSNS);
	if (ret == 0 && !(out->insns = malloc((head + rest->len) * sizeof(*out->insns))))
		ret = berr_sys(err, "seccomp");
	for (size_t i = 0; i < fp->n_groups && ret == 0; i++)
		if (len[i])
			at = section(out->insns, at, fp->groups[i].arch, &bs[i], at + len[i], head);
	if (ret == 0) {
		memcpy(out->insns + head, rest->insns, rest->len * sizeof(*out->insns));
		out->len = head + rest->len;
	}
	for (size_t i = 0; i < fp->n_groups; i++)
		free(bs[i].b);
	return ret;
}

/* --- the check ------------------------------------------------------- */

/* Argument values tried where a verdict depends on them: zeros, ones, and
 * values a profile's conditions are made of (clone's namespace flags,
 * personality's, socket's families, small numbers). */
static const uint64_t sample_args[][6] = {
	{ 0, 0, 0, 0, 0, 0 },
	{ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
	{ 1, 2, 3, 4, 5, 6 },
	{ 0x7e020000, 0x10000000, 0x20000, 8, 0x20008, 0xffffffff },
	{ 16, 40, 0x50, 0x4000, 0x80000000u, 0x100000000ull },
	{ 0x2000000, 0x1000000, 0x400000, 0x80, 0x40000000, 9 },
	{ 0xffffffff, 0, 0x7fffffff, 0x8000000000000000ull, 2, 0x800 },
};

static bool same_on(const struct seccomp_filter_prog *a, const struct seccomp_filter_prog *b,
		    struct seccomp_data *d)
{
	struct seccomp_verdict va, vb;
	size_t n_samples = sizeof(sample_args) / sizeof(*sample_args);

	for (size_t k = 0; k < n_samples; k++) {
		memcpy(d->args, sample_args[k], sizeof(d->args));
		if (seccomp_emulate(a->insns, a->len, d, &va) < 0 ||
		    seccomp_emulate(b->insns, b->len, d, &vb) < 0)
			return false;
		/* A verdict that never looked at the arguments must not come
		 * to depend on them, nor the other way round. */
		if (va.action != vb.action || va.reads_args != vb.reads_args)
			return false;
		if (!va.reads_args)
			return true;
	}
	return true;
}

static bool same_arch(const struct seccomp_filter_prog *full, const struct seccomp_filter_prog *comb,
		      uint32_t arch, uint32_t last)
{
	static const uint32_t odd[] = { X32_BIT - 1, 0x7fffffff, 0x80000000u, UINT32_MAX };
	struct seccomp_data d = { .arch = arch, .instruction_pointer = 0x1000 };

	for (uint32_t nr = 0; nr <= last; nr++) {
		d.nr = (int)nr;
		if (!same_on(full, comb, &d))
			return false;
		d.nr = (int)(nr | X32_BIT);
		if (!same_on(full, comb, &d))
			return false;
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++) {
		d.nr = (int)odd[i];
		if (!same_on(full, comb, &d))
			return false;
	}
	return true;
}

bool seccomp_fastpath_agrees(const struct seccomp_fastpath *fp,
			     const struct seccomp_filter_prog *full,
			     const struct seccomp_filter_prog *combined)
{
	/* Architectures of no group: the filter's answer to a foreign one. */
	uint32_t arches[SECCOMP_FASTPATH_GROUPS + 2] = { AUDIT_ARCH_AARCH64, 0 };
	size_t n = 2;
	uint32_t last = 1023;

	for (size_t i = 0; i < fp->n_groups; i++) {
		const struct seccomp_fastpath_group *g = &fp->groups[i];

		arches[n++] = g->arch;
		/* Every number the fast path allows, and some beyond. */
		if (g->n && (g->nrs[g->n - 1] & ~X32_BIT) + 64 > last)
			last = (g->nrs[g->n - 1] & ~X32_BIT) + 64;
	}
	for (size_t i = 0; i < n; i++)
		if (!same_arch(full, combined, arches[i], last))
			return false;
	return true;
}
