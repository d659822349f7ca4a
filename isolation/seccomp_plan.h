/* The rules libseccomp is given for a profile: each (action, syscall
 * name, arguments) once, in the profile's order, and no more than
 * SECCOMP_MAX_RULES of them.
 *
 * libseccomp's rule database grows worse than linearly with the rules
 * added to it, repeats included: one rule naming 56 syscalls repeated a
 * thousand times keeps it busy for minutes.  Adding a rule libseccomp
 * already holds changes nothing in the filter it makes (it finds the same
 * syscall with the same arguments and action, and stops), so repeats are
 * dropped, the first occurrence kept where it stood.  What remains is
 * bounded: a profile that needs more distinct rules than about eight per
 * syscall any architecture has is refused, as its compilation would take
 * seconds and its program would not fit the kernel's instruction limit
 * anyway. */
#ifndef BERTH_ISOLATION_SECCOMP_PLAN_H
#define BERTH_ISOLATION_SECCOMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Rules as libseccomp counts them: a rule whose conditions are
 * alternatives (several on one argument) is one rule per condition. */
#define SECCOMP_MAX_RULES 4096

struct seccomp_plan_entry {
	uint32_t rule; /* index in .syscalls */
	uint32_t name; /* index in its .names */
};

struct seccomp_plan {
	struct seccomp_plan_entry *entries; /* malloc'd, in profile order */
	size_t n;
};

/* Arguments on distinct indexes must all match (one rule); several
 * conditions on the same index are alternatives (one rule each), as runc
 * reads the spec. */
bool seccomp_plan_all_of(const struct spec_seccomp_rule *r);

/* The entries to add.  actions[i] is the libseccomp action of rule i;
 * rules whose action is the default (def) are left out, as libseccomp
 * refuses them.  More than SECCOMP_MAX_RULES distinct rules is -E2BIG
 * with a message saying how many. */
int seccomp_plan_make(const struct spec_seccomp *s, const uint32_t *actions, uint32_t def,
		      struct seccomp_plan *plan, struct berr *err);

void seccomp_plan_release(struct seccomp_plan *plan);

#endif
