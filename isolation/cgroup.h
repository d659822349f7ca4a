/* A container's cgroup, behind one interface whatever the host's layout.
 *
 * The host may be unified (cgroup v2 only), hybrid (v1 controllers plus a
 * v2 tree) or legacy (v1 only).  The container gets a directory in every
 * hierarchy the host has: the v2 one (for tracking, cgroup.kill, device
 * programs and the controllers that live there) and each v1 one.  Its
 * path is resolved per hierarchy: an absolute cgroupsPath is taken from
 * the hierarchy's root, a relative one from the caller's own cgroup there
 * (as runc does), so tests and nested callers keep containers below
 * themselves.
 *
 * Each resource goes to the hierarchy that holds its controller; one whose
 * controller the host lacks fails with an error naming it, and nothing is
 * left behind.  Only directories berth made are ever removed. */
#ifndef BERTH_ISOLATION_CGROUP_H
#define BERTH_ISOLATION_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/events.h"

enum cgroup_layout {
	CGROUP_UNIFIED, /* cgroup2 at the cgroup root */
	CGROUP_HYBRID,  /* v1 controllers plus cgroup2 at <root>/unified */
	CGROUP_LEGACY,  /* v1 only */
};

/* The container's directory in one v1 hierarchy. */
struct cgroup_v1_dir {
	unsigned mask;     /* CGROUP_CTL_* bits of the hierarchy */
	char *controllers; /* "cpu,cpuacct": as the host mounted them */
	char *dir;
	char *created;     /* the shallowest directory berth made there */
	char *mnt;         /* the hierarchy's mount point; NULL in a cgroup read
			    * back from the state (cgroup_deserialize) */
};

struct cgroup {
	enum cgroup_layout layout;
	/* The path as the container asked for it (cgroupsPath, or the
	 * default), before per-hierarchy resolution. */
	char *spec_path;
	/* The container's directory in the v2 tree, or NULL when the host
	 * has none. */
	char *v2_dir;
	/* The shallowest directory berth created in the v2 tree: delete
	 * removes the empty directories up to it, and nothing above. */
	char *v2_created;
	struct cgroup_v1_dir *v1;
	size_t n_v1;
	/* No cgroup of its own: an unprivileged caller without a delegated
	 * subtree (cgroup_delegated).  Every other field but spec_path is
	 * empty; what needs a cgroup fails with cgroup_none_error's words. */
	bool none;
};

/* What the host's layout is. */
int cgroup_detect_layout(enum cgroup_layout *layout, struct berr *err);

/* The path a container gets when its config says cgroupsPath (maybe NULL
 * or empty): the default is /berth/<id>.  Rejects ".." components and
 * control characters. */
int cgroup_spec_path(const char *cgroups_path, const char *id, char **out,
		     struct berr *err);

/* Create the container's cgroups and apply res (may be NULL: the device
 * policy still applies).  On failure nothing created is left behind.
 * The device program of cgroup v2 is only checked (the v1
 * devices controller gets its rules): cgroup_apply_devices loads it.  In
 * between, a process may be started in the cgroup as long as none of the
 * container's code runs there: the kernel checks device access when a
 * node is opened (or made, which the policy always allows), and the one
 * program is attached at once, never half of it. */
int cgroup_create_nodev(struct cgroup *cg, const char *spec_path,
			const struct spec_resources *res, struct berr *err);
/* The same for a cgroup cgroup_locate named (existing false) in this
 * process: the host's hierarchies are not looked up again. */
int cgroup_make_nodev(struct cgroup *cg, const struct spec_resources *res, struct berr *err);
int cgroup_apply_devices(const struct cgroup *cg, const struct spec_resources *res,
			 struct berr *err);

/* The container's directories in every hierarchy, named but not made,
 * for a record that must exist before they do or after the state that
 * named them was lost.  With existing false, each "created" is what
 * cgroup_create_nodev would make there (a crash in between leaves a
 * record that cgroup_destroy cleans from; directories never made are
 * no error then).  With existing true, each is the container's own
 * directory where it exists: its parents are left, as nothing says
 * which of them berth made. */
int cgroup_locate(struct cgroup *cg, const char *spec_path, bool existing,
		  struct berr *err);

/* A cgroup kept made for containers to nest in (berthd's cgroup parent):
 * cgroup_hold makes the directories of spec_path that are missing, with
 * no limits and no device rules, each "created" naming what berth made
 * (NULL where the directory was there already); cgroup_unhold removes
 * those again where empty.  cgroup_hold_realtime gives the held
 * directories berth made c's realtime budget where theirs is smaller
 * (cgroup v1), as a container below needs. */
int cgroup_hold(struct cgroup *cg, const char *spec_path, struct berr *err);
void cgroup_unhold(const struct cgroup *cg);
int cgroup_hold_realtime(const struct cgroup *cg, const struct spec_cpu *c, struct berr *err);

/* Change the limits of a live container: the fields set in res (a zero
 * number is unset); device rules only when res lists some. */
int cgroup_update(const struct cgroup *cg, const struct spec_resources *res,
		  struct berr *err);

/* An fd on the v2 directory for clone3(CLONE_INTO_CGROUP), or -1 with no
 * error when there is no v2 tree. */
int cgroup_open_v2(const struct cgroup *cg, struct berr *err);

/* For a caller without root: whether it owns a cgroup v2 subtree it may
 * make cgroups in (a delegated one, as systemd's Delegate= gives): a
 * unified host where the caller's own cgroup directory and its
 * cgroup.procs are its to write.  When not, why[] says what is missing. */
int cgroup_delegated(bool *delegated, char *why, size_t why_size, struct berr *err);

/* For a delegated caller (cgroup_delegated): the cgroup (a path from the
 * v2 root, into base) below which its containers go.  cgroup v2 gives no
 * controller to the children of a cgroup with processes of its own, so
 * it is one that holds none: the caller's own cgroup when the caller is
 * alone there (it moves itself into the leaf "berth-caller" below it,
 * which stays: it holds nothing once the caller is gone, and a
 * concurrent berth may be moving itself into it); else the parent of its
 * cgroup when that is delegated too and holds no process (the shell's
 * scope then sits beside the containers).  Else the caller's own cgroup,
 * where containers get no controller: a limit is then refused, naming
 * why (cgroup_v2_enable). */
int cgroup_delegated_base(char *base, size_t size, struct berr *err);

/* A container without a cgroup of its own (cg->none), at spec_path. */
int cgroup_none_init(struct cgroup *cg, const char *spec_path, struct berr *err);

/* The error of an operation (action: "pause") that needs the cgroup a
 * container without one lacks. */
int cgroup_none_error(const char *action, struct berr *err);

/* Put pid into the container's cgroups by its pid: the v1 hierarchies,
 * if any (for a process that clone3 placed in the v2 directory, or that
 * has none), and the v2 directory, if any (where the kernel could not
 * clone the process into it).  A process that joins its v1 hierarchies
 * itself needs only the latter. */
int cgroup_enter_v1(const struct cgroup *cg, pid_t pid, struct berr *err);
int cgroup_enter_v2(const struct cgroup *cg, pid_t pid, struct berr *err);

/* The v1 hierarchies, joined by the process itself.  A pid written to
 * cgroup.procs makes the kernel lock every thread group on the host,
 * which waits for an RCU grace period (7 to 15 ms on a hybrid host of
 * nine hierarchies) unless one passed a moment ago; a thread that writes
 * "0" to a v1 hierarchy's "tasks" moves only itself, which a recent
 * kernel does without that lock (0.3 ms for the nine, where a pid took
 * 7 to 15; an older kernel takes the lock, which costs what a pid does).
 * A process with one thread, as a container process or a joiner is
 * before its program, is then moved whole.
 *
 * cgroup_open_v1_tasks opens the "tasks" file of each hierarchy for
 * writing (malloc'd fds, one per cg->v1[i], close-on-exec; -1 ends the
 * array), before the process exists; cgroup_close_v1_tasks closes and
 * frees them.  cgroup_join_v1_self runs in the process itself: it
 * writes "0" to each and closes them. */
int cgroup_open_v1_tasks(const struct cgroup *cg, int **fds, struct berr *err);
void cgroup_close_v1_tasks(int **fds);
int cgroup_join_v1_self(const struct cgroup *cg, int *fds, struct berr *err);

/* The pids in the container's cgroup (all processes), malloc'd. */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct berr *err);

/* Send sig to every process of the container (cgroup.kill for SIGKILL
 * where the kernel has it; otherwise frozen while signalled, so no fork
 * escapes).  A SIGKILL thaws a v1 freezer, which would hold the killed. */
int cgroup_signal_all(const struct cgroup *cg, int sig, struct berr *err);

/* After a SIGKILL sent some other way: a v1 freezer holds frozen tasks
 * until thawed, so thaw it (v2 lets killed tasks die while frozen). */
void cgroup_thaw_killed(const struct cgroup *cg);

/* Freeze (or thaw) every process and wait until the kernel says so:
 * the v1 freezer where the host has one, else cgroup.freeze. */
int cgroup_freeze(const struct cgroup *cg, bool freeze, struct berr *err);
int cgroup_is_frozen(const struct cgroup *cg, bool *frozen, struct berr *err);

/* Statistics of the container (free with spec_stats_release). */
int cgroup_stats(const struct cgroup *cg, struct spec_stats *st, struct berr *err);

/* Out-of-memory notifications: fd turns readable (poll POLLIN) when
 * something happened; cgroup_oom_read then says how many OOMs. */
struct cgroup_oom_watch {
	bool v1;
	int fd;     /* v2: memory.events; v1: an eventfd */
	int aux_fd; /* v1: memory.oom_control, registered with the eventfd */
	char *dir;  /* the memory cgroup */
	uint64_t seen;
};
int cgroup_oom_watch(const struct cgroup *cg, struct cgroup_oom_watch *w,
		     struct berr *err);
/* The fd to poll, and the poll events to ask for (a v2 file always
 * reads as ready; its changes raise POLLPRI). */
int cgroup_oom_fd(const struct cgroup_oom_watch *w, short *events);
/* -ENOENT when the cgroup is gone (v1 signals its removal too). */
int cgroup_oom_read(struct cgroup_oom_watch *w, uint64_t *new_ooms, struct berr *err);
void cgroup_oom_close(struct cgroup_oom_watch *w);
/* How many processes the OOM killer took from the cgroup so far (0 when
 * it has no memory controller). */
uint64_t cgroup_oom_kills(const struct cgroup *cg);

/* Kill every process, wait until the cgroups are empty, remove them and
 * the empty parents berth created, in every hierarchy.  A cgroup already
 * gone is not an error. */
int cgroup_destroy(struct cgroup *cg, struct berr *err);

/* What the state store keeps of a cgroup between commands: a text of
 * "key=value" lines, owned by this module (malloc'd). */
char *cgroup_serialize(const struct cgroup *cg);
int cgroup_deserialize(struct cgroup *cg, const char *text, struct berr *err);

void cgroup_release(struct cgroup *cg);

#endif
