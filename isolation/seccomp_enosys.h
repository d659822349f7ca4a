/* runc's ENOSYS stub: a syscall newer than every one a profile names
 * fails with ENOSYS, not with the profile's default action.  glibc and
 * others try a new syscall first (clone3, faccessat2, openat2...) and fall
 * back to the old one only on ENOSYS; a default of EPERM would make them
 * fail instead.  The stub is a few instructions put before libseccomp's
 * program: for each architecture of the filter, a syscall number above
 * the highest one the profile names there returns ENOSYS. */
#ifndef BERTH_ISOLATION_SECCOMP_ENOSYS_H
#define BERTH_ISOLATION_SECCOMP_ENOSYS_H

#include <stdint.h>

#include "isolation/seccomp.h"
#include "spec/config.h"
#include "spec/base/err.h"

/* Put the stub before prog, built for profile s whose default action is
 * def (a libseccomp action).  Nothing to do when the default allows or
 * already is ENOSYS. */
int seccomp_enosys_prepend(const struct spec_seccomp *s, uint32_t def,
			   struct seccomp_filter_prog *prog, struct berr *err);

#endif
