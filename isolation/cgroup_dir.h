/* What a cgroup directory is on either version: made with its missing
 * parents (remembering the shallowest one berth made), removed back up
 * to exactly that one, its processes listed and joined. */
#ifndef BERTH_ISOLATION_CGROUP_DIR_H
#define BERTH_ISOLATION_CGROUP_DIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* mkdir -p dir below mnt (which exists).  *created gets the shallowest
 * directory made; a dir that already existed is refused with EEXIST
 * (a container needs a cgroup of its own).  init, when not NULL, is
 * called on every directory made, parents first (v1 cpuset needs its
 * cpus and mems filled before anything can join); on failure everything
 * made is removed again. */
int cgroup_dir_create(const char *dir, const char *mnt, char **created,
		      int (*init)(const char *path, struct berr *err),
		      struct berr *err);

/* cgroup_dir_create for a directory kept for others to nest in: that it
 * exists already is no error, and *created then stays NULL (it is not
 * berth's). */
int cgroup_dir_hold(const char *dir, const char *mnt, char **created,
		    int (*init)(const char *path, struct berr *err), struct berr *err);

/* What cgroup_dir_create(dir, mnt) would make (the shallowest directory
 * below mnt missing on the way to dir, malloc'd), or NULL when dir
 * exists: a record written before the directories are, so that a crash
 * in between leaves enough to remove them. */
char *cgroup_dir_missing(const char *dir, const char *mnt);

/* rmdir dir, then its parents while they are empty, up to and including
 * created.  Nothing happens when dir is not below created. */
void cgroup_dir_remove_chain(const char *dir, const char *created);

/* rmdir every cgroup below dir, deepest first: those the container made
 * for itself go with it, as runc removes them.  What cannot go yet (a
 * process still leaving) stays, and the caller's rmdir of dir says so. */
void cgroup_dir_remove_below(const char *dir);

/* The pids in dir/cgroup.procs, malloc'd. */
int cgroup_dir_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err);

/* The same, and those of every cgroup below dir. */
int cgroup_dir_tree_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err);

/* Write pid into dir/cgroup.procs. */
int cgroup_dir_enter(const char *dir, pid_t pid, struct berr *err);

/* A file of dir holding one unsigned number ("max" reads as
 * UINT64_MAX).  -errno when unreadable. */
int cgroup_dir_read_u64(const char *dir, const char *name, uint64_t *v);

/* The value of key in a "key value" per line file (memory.stat,
 * cpu.stat, memory.events...).  -ENOENT when the file or key is absent. */
int cgroup_dir_read_key(const char *dir, const char *name, const char *key,
			uint64_t *v);

#endif
