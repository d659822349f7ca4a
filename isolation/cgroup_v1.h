/* cgroup v1: the container's directory in each hierarchy the host mounts.
 *
 * Which hierarchies exist, where, and the caller's own cgroup in each come
 * from libcgroup; the directories and files are written directly, so
 * that every error names the file that refused. */
#ifndef BERTH_ISOLATION_CGROUP_V1_H
#define BERTH_ISOLATION_CGROUP_V1_H

#include <stdbool.h>
#include <stddef.h>

#include "isolation/cgroup.h"
#include "isolation/cgroup_devices.h"
#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/events.h"

/* One v1 hierarchy of the host (named ones like name=systemd are left
 * out: they hold no controller). */
struct cgroup_v1_mount {
	char *path;        /* the mount point */
	char *controllers; /* "cpu,cpuacct" */
	unsigned mask;
	char *own;         /* the caller's own cgroup in it */
};

int cgroup_v1_mounts(struct cgroup_v1_mount **out, size_t *n, struct berr *err);
void cgroup_v1_mounts_free(struct cgroup_v1_mount *m, size_t n);

/* The container's directory of spec_path in hierarchy m, only named:
 * d->dir, d->mnt and d->controllers filled, nothing made (d->created
 * stays NULL). */
int cgroup_v1_locate(struct cgroup_v1_dir *d, const struct cgroup_v1_mount *m,
		     const char *spec_path, struct berr *err);

/* Make the directory d names (cgroup_v1_locate), with the missing
 * parents; refused when it exists.  d->created gets what was made. */
int cgroup_v1_make(struct cgroup_v1_dir *d, struct berr *err);

/* The directory of the hierarchy holding controller ctl, or NULL. */
const struct cgroup_v1_dir *cgroup_v1_dir_of(const struct cgroup_v1_dir *d, size_t n,
					     unsigned ctl);

/* A held parent's directories made by berth (cgroup_hold) get c's
 * realtime budget where theirs is smaller: a container below needs it. */
int cgroup_v1_hold_realtime(const struct cgroup_v1_dir *d, size_t n, const struct spec_cpu *c,
			    struct berr *err);

/* Make d's directory like cgroup_v1_make, where one that exists already
 * is no error (d->created stays NULL: it is not berth's). */
int cgroup_v1_hold(struct cgroup_v1_dir *d, struct berr *err);

/* Write the fields of res whose controllers are in mask. */
int cgroup_v1_apply(const struct cgroup_v1_dir *d, size_t n,
		    const struct spec_resources *res, unsigned mask, struct berr *err);

int cgroup_v1_freeze(const char *dir, bool freeze, struct berr *err);
int cgroup_v1_is_frozen(const char *dir, bool *frozen);

/* Wait for the processes to leave (they were killed), rmdir the
 * directory and the empty parents berth made. */
int cgroup_v1_remove(const struct cgroup_v1_dir *d, struct berr *err);

int cgroup_v1_stats(const struct cgroup_v1_dir *d, size_t n, unsigned mask,
		    struct spec_stats *st, struct berr *err);

/* An eventfd the kernel signals on each OOM of the memory cgroup dir;
 * *control gets the memory.oom_control fd that must stay open with it. */
int cgroup_v1_oom_eventfd(const char *dir, int *control, struct berr *err);

#endif
