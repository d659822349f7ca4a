#include "isolation/seccomp_enosys.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* x32 syscalls are x86_64's numbers with this bit: the stub leaves them
 * to libseccomp's program rather than compare them with x86_64's. */
#define X32_BIT 0x40000000u

/* Each architecture's block: load arch, compare, load nr, [x32 test],
 * compare with the highest named. */
#define MAX_ARCHES 8
#define BLOCK_LEN 5

struct arch_max {
	uint32_t arch; /* AUDIT_ARCH_*, which is libseccomp's token */
	long max;      /* the highest syscall number named, -1 for none */
};

static uint32_t arch_token(const char *spec_name)
{
	const char *name = spec_name + strlen("SCMP_ARCH_");
	char lower[32];
	size_t j;

	for (j = 0; name[j] && j < sizeof(lower) - 1; j++)
		lower[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j]);
	lower[j] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static void add_arch(struct arch_max *a, size_t *n, uint32_t arch)
{
	/* x32 shares x86_64's audit arch: its own numbers are left alone. */
	if (!arch || arch == SCMP_ARCH_X32)
		return;
	for (size_t i = 0; i < *n; i++)
		if (a[i].arch == arch)
			return;
	if (*n < MAX_ARCHES)
		a[(*n)++] = (struct arch_max){ arch, -1 };
}

static void find_max(const struct spec_seccomp *s, struct arch_max *a)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_rule *r = &s->syscalls[i];

		for (size_t k = 0; k < r->n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(a->arch, r->names[k]);

			/* Negative: not a syscall of this architecture. */
			if (nr >= 0 && (uint32_t)nr < X32_BIT && nr > a->max)
				a->max = nr;
		}
	}
}

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

static struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	return (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

int seccomp_enosys_prepend(const struct spec_seccomp *s, uint32_t def,
			   struct seccomp_filter_prog *prog, struct berr *err)
{
	struct arch_max arches[MAX_ARCHES];
	struct sock_filter stub[MAX_ARCHES * BLOCK_LEN + 2];
	struct sock_filter *insns;
	size_t n_arches = 0, n = 0, n_blocks = 0;

	if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG || def == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	add_arch(arches, &n_arches, seccomp_arch_native());
	for (size_t i = 0; i < s->n_architectures; i++)
		add_arch(arches, &n_arches, arch_token(s->architectures[i]));
	for (size_t i = 0; i < n_arches; i++) {
		find_max(s, &arches[i]);
		if (arches[i].max >= 0)
			arches[n_blocks++] = arches[i];
	}
	if (!n_blocks)
		return 0;
	/* Laid out as: a block per architecture, "ja main", the ENOSYS
	 * return, then libseccomp's program ("main"), which loads what it
	 * needs itself.  Jumps count from the next instruction. */
	for (size_t i = 0; i < n_blocks; i++) {
		/* From the end of this block to the ENOSYS return. */
		size_t after = (n_blocks - 1 - i) * BLOCK_LEN + 1;

		stub[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
		stub[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, arches[i].arch, 0, BLOCK_LEN - 2);
		stub[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		stub[n++] = jump(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, (uint8_t)(after + 2), 0);
		stub[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)arches[i].max,
				 (uint8_t)after, (uint8_t)(after + 1));
	}
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
