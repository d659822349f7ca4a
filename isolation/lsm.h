/* Linux security modules: process.apparmorProfile and
 * process.selinuxLabel, set for the program the next execve runs.
 *
 * berth never ignores a label it was given: when the module is not
 * active on this kernel, asking for a label is an error. */
#ifndef BERTH_ISOLATION_LSM_H
#define BERTH_ISOLATION_LSM_H

#include "spec/base/err.h"

/* Fail unless the modules for the given labels are active (NULL or empty
 * labels ask for nothing). */
int lsm_check(const char *apparmor_profile, const char *selinux_label,
	      struct berr *err);

/* Label the next execve of the calling thread.  Runs in the container,
 * with its /proc. */
int lsm_exec_labels(const char *apparmor_profile, const char *selinux_label,
		    struct berr *err);

#endif
