/* Namespaces: their clone flags, joining one by path, time offsets, and
 * the names that live in them. */
#ifndef BERTH_ISOLATION_NAMESPACES_H
#define BERTH_ISOLATION_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* CLONE_NEW* for a namespace type. */
unsigned long ns_clone_flag(enum spec_ns_type type);

/* The name under /proc/PID/ns/ ("pid", "net", "mnt"...). */
const char *ns_proc_name(enum spec_ns_type type);

/* setns() into the namespace at path, checking it is of the given type. */
int ns_join(const char *path, enum spec_ns_type type, struct berr *err);

/* Join every namespace of process pid (pidfd refers to it): with one
 * setns(pidfd) where the kernel can (5.8+), else only those that are not
 * already the caller's, one /proc/PID/ns file at a time, the user
 * namespace first.  The caller's root and cwd may be reset to the mount
 * namespace's root even when that namespace was its own.  The pid and time namespaces apply to children made afterwards.
 * The caller must be single-threaded. */
int ns_join_process(int pidfd, pid_t pid, struct berr *err);

/* Offsets of the time namespace this process created with
 * unshare(CLONE_NEWTIME), before any process enters it. */
int ns_time_offsets(const struct spec_time_offset *monotonic,
		    const struct spec_time_offset *boottime, struct berr *err);

/* Is the namespace at path the one this process is in? */
bool ns_is_ours(const char *path, enum spec_ns_type type);

int ns_set_hostname(const char *name, struct berr *err);
int ns_set_domainname(const char *name, struct berr *err);

#endif
