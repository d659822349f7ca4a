/* Name <-> number tables for the spec's enumerations.  Kept in one place so
 * the parser, `berth features` and the CLI agree on what berth knows. */
#ifndef BERTH_SPEC_NAMES_H
#define BERTH_SPEC_NAMES_H

#include <stddef.h>

#include "spec/config.h"

struct name_value {
	const char *name;
	long value;
};

/* Look a name up in a table; returns 0 and sets *value, or -1. */
int names_lookup(const struct name_value *table, const char *name, long *value);
/* Reverse lookup; NULL when absent. */
const char *names_name(const struct name_value *table, long value);

extern const struct name_value names_namespaces[];   /* "pid" -> NS_PID */
extern const struct name_value names_rlimits[];      /* "RLIMIT_NOFILE" */
extern const struct name_value names_capabilities[]; /* "CAP_CHOWN" -> 0 */
extern const struct name_value names_signals[];      /* "TERM" -> SIGTERM */
extern const struct name_value names_propagation[];  /* "rprivate" */
extern const struct name_value names_seccomp_actions[];
extern const struct name_value names_seccomp_ops[];
extern const struct name_value names_seccomp_flags[];
extern const struct name_value names_seccomp_archs[]; /* value unused */
extern const struct name_value names_sched_policies[];
extern const struct name_value names_sched_flags[];
extern const struct name_value names_ioprio_classes[];
extern const struct name_value names_hooks[];        /* "prestart" -> HOOK_PRESTART */
extern const struct name_value names_personality_domains[]; /* "LINUX" */

/* The highest capability number berth knows (CAP_CHECKPOINT_RESTORE). */
#define NAMES_CAP_LAST 40

/* Parse a signal as runc does: "9", "KILL", "SIGKILL", "SIGRTMIN+3".
 * Returns the number or -1. */
int names_signal(const char *s);

#endif
