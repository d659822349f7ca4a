#include "isolation/seccomp_enosys.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/seccomp_arch.h"

/* x32 syscalls are x86_64's numbers with this bit, under x86_64's audit
 * arch: the x86_64 block tells them apart by the bit and compares each
 * kind with its own highest name. */
#define X32_BIT 0x40000000u

/* A block: load arch, compare, load nr, the x32 test, compare with the
 * highest x86_64 (or other) name, [compare with the highest x32 name]. */
#define MAX_ARCHES 8
#define MAX_BLOCK_LEN 6

struct arch_max {
	uint32_t arch; /* AUDIT_ARCH_*, which is libseccomp's token */
	long max;      /* the highest syscall number named, -1 for none */
	long x32_max;  /* on x86_64, the highest x32 number (bit included), -1 for none */
};

static void add_arch(struct arch_max *a, size_t *n, uint32_t arch)
{
	/* x32 shares x86_64's audit arch: its numbers go in that block. */
	if (!arch || arch == SCMP_ARCH_X32)
		return;
	for (size_t i = 0; i < *n; i++)
		if (a[i].arch == arch)
			return;
	if (*n < MAX_ARCHES)
		a[(*n)++] = (struct arch_max){ arch, -1, -1 };
}

static bool lists_x32(const struct spec_seccomp *s)
{
	for (size_t i = 0; i < s->n_architectures; i++)
		if (seccomp_arch_token(s->architectures[i]) == SCMP_ARCH_X32)
			return true;
	return false;
}

/* The highest number of arch that a rule names within [lo, hi). */
static long find_max(const struct spec_seccomp *s, uint32_t arch, uint32_t lo, uint32_t hi)
{
	long max = -1;

	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_rule *r = &s->syscalls[i];

		for (size_t k = 0; k < r->n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, r->names[k]);

			/* Negative: not a syscall of this architecture. */
			if (nr >= 0 && (uint32_t)nr >= lo && (uint32_t)nr < hi && nr > max)
				max = nr;
		}
	}
	return max;
}

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

/* A conditional jump from index at to the indexes yes and no. */
static struct sock_filter jump_to(uint16_t code, uint32_t k, size_t at, size_t yes, size_t no)
{
	return (struct sock_filter)BPF_JUMP(code, k, (uint8_t)(yes - at - 1),
					    (uint8_t)(no - at - 1));
}

static size_t block_len(const struct arch_max *a)
{
	return a->x32_max >= 0 ? MAX_BLOCK_LEN : MAX_BLOCK_LEN - 1;
}

/* One architecture's block at b[at]; next is where the following block
 * starts, enosys the ENOSYS return, main libseccomp's program. */
static size_t emit_block(struct sock_filter *b, const struct arch_max *a, size_t at,
			 size_t next, size_t enosys, size_t main_at)
{
	/* Nothing of this kind named: the call goes to the profile. */
	uint32_t max = a->max >= 0 ? (uint32_t)a->max : X32_BIT - 1;
	size_t n = at;
	size_t x32_at = at + MAX_BLOCK_LEN - 1;

	b[n] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	n++;
	b[n] = jump_to(BPF_JMP | BPF_JEQ | BPF_K, a->arch, n, n + 1, next);
	n++;
	b[n] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	n++;
	b[n] = jump_to(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, n,
		       a->x32_max >= 0 ? x32_at : main_at, n + 1);
	n++;
	b[n] = jump_to(BPF_JMP | BPF_JGT | BPF_K, max, n, enosys, main_at);
	n++;
	if (a->x32_max >= 0) {
		b[n] = jump_to(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->x32_max, n, enosys,
			       main_at);
		n++;
	}
	return n - at;
}

int seccomp_enosys_prepend(const struct spec_seccomp *s, uint32_t def,
			   struct seccomp_filter_prog *prog, struct berr *err)
{
	struct arch_max arches[MAX_ARCHES];
	struct sock_filter stub[MAX_ARCHES * MAX_BLOCK_LEN + 2];
	struct sock_filter *insns;
	size_t n_arches = 0, n = 0, n_blocks = 0, total = 2;
	bool x32 = lists_x32(s);

	if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG || def == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	add_arch(arches, &n_arches, seccomp_arch_native());
	for (size_t i = 0; i < s->n_architectures; i++)
		add_arch(arches, &n_arches, seccomp_arch_token(s->architectures[i]));
	for (size_t i = 0; i < n_arches; i++) {
		struct arch_max *a = &arches[i];

		a->max = find_max(s, a->arch, 0, X32_BIT);
		if (x32 && a->arch == SCMP_ARCH_X86_64)
			a->x32_max = find_max(s, SCMP_ARCH_X32, X32_BIT, UINT32_MAX);
		if (a->max >= 0 || a->x32_max >= 0) {
			arches[n_blocks++] = *a;
			total += block_len(a);
		}
	}
	if (!n_blocks)
		return 0;
	/* Laid out as: a block per architecture, "ja main", the ENOSYS
	 * return, then libseccomp's program ("main"), which loads what it
	 * needs itself. */
	for (size_t i = 0; i < n_blocks; i++)
		n += emit_block(stub, &arches[i], n, n + block_len(&arches[i]), total - 1, total);
	stub[n++] = stmt(BPF_JMP | BPF_JA, 1);
	stub[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	if (prog->len + n > BPF_MAXINSNS)
		return berr_fail(err, E2BIG, "seccomp: the filter has %zu instructions, the kernel "
				 "takes at most %d", prog->len + n, BPF_MAXINSNS);
	insns = malloc((prog->len + n) * sizeof(*insns));
	if (!insns)
		return berr_sys(err, "seccomp");
	memcpy(insns, stub, n * sizeof(*insns));
	memcpy(insns + n, prog->insns, prog->len * sizeof(*insns));
	free(prog->insns);
	prog->insns = insns;
	prog->len += n;
	return 0;
}
