/* The fast path of a seccomp program: the system calls a profile allows
 * whatever their arguments, answered before libseccomp's program by a
 * binary search over runs of consecutive numbers.
 *
 * libseccomp compares each allowed call on its own: the default profile's
 * 1,500 instructions are mostly the unconditional allows of its three
 * x86 architectures, and the kernel's cost of loading a filter (its check,
 * the conversion to eBPF, the JIT, the cache of always-allowed calls) grows
 * with the instructions.  Those allows fall into about 120 runs of
 * consecutive numbers, which a search tree tests in one comparison per
 * boundary: the fast path plus libseccomp's program for the other rules is
 * about half as long, and loads in about half the time.
 *
 * The rewrite is checked before it is used: the combined program is run
 * (seccomp_emulate.h) against libseccomp's whole program on every system
 * call number of each architecture of the filter, and any difference
 * keeps libseccomp's program.  Only the x86 family is rewritten; elsewhere
 * libseccomp's program is used as it is. */
#ifndef BERTH_ISOLATION_SECCOMP_FASTPATH_H
#define BERTH_ISOLATION_SECCOMP_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isolation/seccomp.h"
#include "isolation/seccomp_plan.h"
#include "spec/base/err.h"

/* The audit architectures the fast path can see: x86_64 (with x32) and
 * i386. */
#define SECCOMP_FASTPATH_GROUPS 2

struct seccomp_fastpath_group {
	uint32_t arch; /* AUDIT_ARCH_* as the filter sees it */
	uint32_t *nrs; /* sorted, each once; x32's with their bit */
	size_t n;
};

struct seccomp_fastpath {
	bool *skip;       /* per plan entry: libseccomp need not see it */
	size_t n_skipped; /* 0: no fast path for this profile */
	struct seccomp_fastpath_group groups[SECCOMP_FASTPATH_GROUPS];
	size_t n_groups;
};

/* What the fast path takes of plan (actions: libseccomp's action of each
 * rule) for a filter of the n_arches architectures (libseccomp tokens).
 * n_skipped is 0 when it takes nothing. */
int seccomp_fastpath_plan(const struct spec_seccomp *s, const struct seccomp_plan *plan,
			  const uint32_t *actions, const uint32_t *arches, size_t n_arches,
			  struct seccomp_fastpath *fp, struct berr *err);

/* The fast path, then rest (libseccomp's program without the skipped
 * entries), into out->insns and out->len. */
int seccomp_fastpath_emit(const struct seccomp_fastpath *fp, const struct seccomp_filter_prog *rest,
			  struct seccomp_filter_prog *out, struct berr *err);

/* Whether combined gives every system call the verdict full gives, tried
 * on every number of every architecture of the filter (and on others). */
bool seccomp_fastpath_agrees(const struct seccomp_fastpath *fp,
			     const struct seccomp_filter_prog *full,
			     const struct seccomp_filter_prog *combined);

void seccomp_fastpath_release(struct seccomp_fastpath *fp);

#endif
