#include "isolation/cgroup.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "isolation/cgroup_devices.h"
#include "isolation/cgroup_hier.h"
#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v1.h"
#include "isolation/cgroup_v2.h"
#include "spec/base/cleanup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

int cgroup_detect_layout(enum cgroup_layout *layout, struct berr *err)
{
	struct statfs fs;

	if (statfs(CGROUP_ROOT, &fs) < 0)
		return berr_sys(err, "statfs " CGROUP_ROOT);
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		*layout = CGROUP_UNIFIED;
		return 0;
	}
	if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		*layout = CGROUP_HYBRID;
	else
		*layout = CGROUP_LEGACY;
	return 0;
}

static const char *v2_mountpoint(enum cgroup_layout layout)
{
	switch (layout) {
	case CGROUP_UNIFIED:
		return CGROUP_ROOT;
	case CGROUP_HYBRID:
		return CGROUP_ROOT "/unified";
	case CGROUP_LEGACY:
		break;
	}
	return NULL;
}

static bool has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, ".."))) {
		bool start = p == path || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';

		if (start && end)
			return true;
		p += 2;
	}
	return false;
}

int cgroup_spec_path(const char *cgroups_path, const char *id, char **out,
		     struct berr *err)
{
	int n;

	if (cgroups_path && *cgroups_path) {
		if (has_dotdot(cgroups_path))
			return berr_fail(err, 0, "cgroupsPath %s: must not contain \"..\"",
					cgroups_path);
		/* The state keeps paths one per line. */
		for (const char *p = cgroups_path; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return berr_fail(err, 0,
						"cgroupsPath: must not contain control characters");
		*out = strdup(cgroups_path);
	} else {
		n = asprintf(out, "/berth/%s", id);
		if (n < 0)
			*out = NULL;
	}
	if (!*out)
		return berr_sys(err, "cgroup path");
	return 0;
}

/* The caller's own cgroup in the v2 tree ("0::/path" in /proc/self/cgroup). */
static int own_v2_path(char **out, struct berr *err)
{
	const struct cgroup_hier v2 = { .v2 = true };
	char path[4096];
	int ret = cgroup_hier_own_path(&v2, path, sizeof(path), err);

	if (ret < 0)
		return ret;
	*out = strdup(path);
	return *out ? 0 : berr_sys(err, "own cgroup");
}

/* Absolute directory of spec_path in the v2 tree mounted at mnt. */
static int v2_dir_for(const char *mnt, const char *spec_path, char **out,
		      struct berr *err)
{
	cleanup_free char *own = NULL;
	int ret, n;

	if (spec_path[0] == '/') {
		n = asprintf(out, "%s%s", mnt, spec_path);
	} else {
		ret = own_v2_path(&own, err);
		if (ret < 0)
			return ret;
		n = asprintf(out, "%s%s/%s", mnt, strcmp(own, "/") ? own : "", spec_path);
	}
	if (n < 0)
		return berr_sys(err, "cgroup path");
	/* A trailing slash would make two names for one cgroup. */
	for (size_t len = strlen(*out); len > 1 && (*out)[len - 1] == '/'; len--)
		(*out)[len - 1] = '\0';
	return 0;
}

static unsigned v1_mask(const struct cgroup *cg)
{
	unsigned mask = 0;

	for (size_t i = 0; i < cg->n_v1; i++)
		mask |= cg->v1[i].mask;
	return mask;
}

/* --- which hierarchy gets what -------------------------------------- */

struct route {
	unsigned v1, v2; /* controllers to write in each */
	bool unified;    /* the unified map goes to the v2 directory */
};

static int unavailable(enum cgroup_layout layout, const struct cgroup_res_need *need,
		       struct berr *err)
{
	const char *name = cgroup_res_ctl_name(need->ctl, layout == CGROUP_UNIFIED);

	if (layout == CGROUP_UNIFIED && !cgroup_res_ctl_in_v2(need->ctl))
		return berr_fail(err, EOPNOTSUPP,
				"linux.resources.%s: the %s controller exists only in cgroup "
				"v1, and this host has cgroup v2 alone",
				need->field, name);
	return berr_fail(err, EOPNOTSUPP,
			 "linux.resources.%s: the %s controller is not available on this "
			 "host (%s)",
			 need->field, name,
			 layout == CGROUP_UNIFIED ? "not in the cgroup v2 hierarchy's "
						    "cgroup.controllers" :
			 layout == CGROUP_HYBRID ? "neither mounted as a cgroup v1 "
						   "hierarchy nor in the cgroup v2 hierarchy" :
						   "not mounted as a cgroup v1 hierarchy");
}

static int route(enum cgroup_layout layout, const struct spec_resources *res,
		 unsigned avail_v1, unsigned avail_v2, bool has_v2, struct route *r,
		 struct berr *err)
{
	cleanup_free struct cgroup_res_need *needs = NULL;
	size_t n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!res)
		return 0;
	ret = cgroup_res_needs(res, &needs, &n, err);
	if (ret < 0)
		return ret;
	/* cgroup_res_needs lists a unified non-controller key with ctl 0
	 * ("cgroup.max.depth"); it is a core file of any v2 directory. */
	for (size_t i = 0; i < n; i++) {
		const struct cgroup_res_need *x = &needs[i];

		if (strcmp(x->field, "unified") == 0) {
			if (!has_v2)
				return berr_fail(err, EOPNOTSUPP,
						"linux.resources.unified: this host has no cgroup "
						"v2 hierarchy");
			if (x->ctl && !(avail_v2 & x->ctl))
				return berr_fail(err, EOPNOTSUPP,
						"linux.resources.unified: the %s controller is not "
						"in this host's cgroup v2 hierarchy%s",
						cgroup_res_ctl_name(x->ctl, true),
						(avail_v1 & x->ctl) ? " (it is mounted as cgroup v1 "
								      "here)" :
								      "");
			r->unified = true;
			r->v2 |= x->ctl;
		} else if (avail_v1 & x->ctl) {
			r->v1 |= x->ctl;
		} else if (avail_v2 & x->ctl) {
			r->v2 |= x->ctl;
		} else {
			return unavailable(layout, x, err);
		}
	}
	return 0;
}

/* --- devices --------------------------------------------------------- */

/* With commit false, only what can be refused: the rules, and a host
 * with nowhere to put them. */
/* Check the device rules, then apply them to the v1 devices controller
 * (when v1) and as the v2 device program (when v2). */
static int apply_devices(const struct cgroup *cg, const struct spec_device_rule *rules,
			 size_t n, bool v1, bool v2, struct berr *err)
{
	const struct cgroup_v1_dir *dev = cgroup_v1_dir_of(cg->v1, cg->n_v1, CGROUP_CTL_DEVICES);
	struct cgroup_dev_policy policy;
	struct bpf_insn *prog = NULL;
	size_t len = 0;
	int ret;

	ret = cgroup_devices_policy(rules, n, &policy, err);
	if (ret < 0)
		return ret;
	if (!cg->v2_dir && !dev && n) {
		ret = berr_fail(err, EOPNOTSUPP,
			       "linux.resources.devices: this host has neither a devices "
			       "controller nor a cgroup v2 hierarchy to hold a device program");
		goto out;
	}
	if (v2 && cg->v2_dir) {
		cleanup_close int fd = open(cg->v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		ret = cgroup_devices_bpf(&policy, &prog, &len, err);
		if (ret == 0 && fd < 0)
			ret = berr_sys(err, "open cgroup %s", cg->v2_dir);
		if (ret == 0)
			ret = cgroup_devices_attach(fd, prog, len, err);
		if (ret < 0)
			goto out;
	}
	if (v1 && dev)
		ret = cgroup_devices_v1_apply(dev->dir, &policy, err);
out:
	free(prog);
	cgroup_devices_policy_release(&policy);
	return ret < 0 ? berr_wrap(err, ret, "linux.resources.devices") : 0;
}

/* --- create and update ----------------------------------------------- */

static void v1_dir_free(struct cgroup_v1_dir *d)
{
	free(d->controllers);
	free(d->dir);
	free(d->created);
	free(d->mnt);
	memset(d, 0, sizeof(*d));
}

/* Forget the v1 directories from the one at from on, which were never
 * made: cgroup_destroy must not touch what may be someone else's. */
static void drop_v1(struct cgroup *cg, size_t from)
{
	for (size_t j = from; j < cg->n_v1; j++)
		v1_dir_free(&cg->v1[j]);
	if (from < cg->n_v1)
		cg->n_v1 = from;
}

/* Make the located v1 directories; one that fails and those after it
 * are dropped. */
static int make_v1(struct cgroup *cg, struct berr *err)
{
	for (size_t i = 0; i < cg->n_v1; i++) {
		int ret = cg->v1[i].mnt ? cgroup_v1_make(&cg->v1[i], err)
					: berr_fail(err, EINVAL, "cgroup %s: not located here",
						    cg->v1[i].dir);

		if (ret < 0) {
			drop_v1(cg, i);
			return ret;
		}
	}
	return 0;
}

static int apply(const struct cgroup *cg, const struct spec_resources *res,
		 const struct route *r, struct berr *err)
{
	int ret = 0;

	if (res && r->v1)
		ret = cgroup_v1_apply(cg->v1, cg->n_v1, res, r->v1, err);
	if (ret == 0 && res && (r->v2 || r->unified))
		ret = cgroup_v2_apply(cg->v2_dir, res, r->v2, r->unified, err);
	return ret;
}

/* Forget what cgroup_locate planned to make (its "created"): the caller
 * is about to make the directories and record what it made. */
static void forget_created(struct cgroup *cg)
{
	free(cg->v2_created);
	cg->v2_created = NULL;
	for (size_t i = 0; i < cg->n_v1; i++) {
		free(cg->v1[i].created);
		cg->v1[i].created = NULL;
	}
}

/* Make the cgroup that locate named, and apply res. */
static int make(struct cgroup *cg, const struct spec_resources *res, struct berr *err)
{
	const char *mnt = cg->v2_dir ? v2_mountpoint(cg->layout) : NULL;
	unsigned avail_v2 = mnt ? cgroup_v2_controllers(mnt) : 0;
	struct route r;
	int ret;

	/* Everything that cannot work fails before anything exists. */
	ret = route(cg->layout, res, v1_mask(cg), avail_v2, mnt != NULL, &r, err);
	if (ret < 0)
		return ret;
	/* What locate planned to make is made now, and recorded as made. */
	forget_created(cg);
	if (mnt) {
		ret = cgroup_dir_create(cg->v2_dir, mnt, &cg->v2_created, NULL, err);
		if (ret < 0) {
			free(cg->v2_dir);
			cg->v2_dir = NULL;
			drop_v1(cg, 0);
			return ret;
		}
		/* A hybrid host's v2 tree is mostly for tracking: only what
		 * the container needs is enabled there. */
		ret = cgroup_v2_enable(cg->v2_dir, mnt, r.v2, cg->layout == CGROUP_UNIFIED, err);
		if (ret < 0)
			drop_v1(cg, 0);
	}
	if (ret == 0)
		ret = make_v1(cg, err);
	if (ret == 0)
		ret = apply(cg, res, &r, err);
	/* The v1 rules now, while no process is in the cgroup: written as
	 * "deny all" and then each allowed device, they would refuse a node
	 * the container's set-up makes in between. */
	if (ret == 0)
		ret = apply_devices(cg, res ? res->devices : NULL, res ? res->n_devices : 0,
				    true, false, err);
	if (ret < 0) {
		struct berr ignored;

		cgroup_destroy(cg, &ignored);
	}
	return ret;
}

/* What "created" records of dir: see cgroup_locate. */
static int mark_created(char **created, const char *dir, const char *mnt, bool existing)
{
	if (!existing) {
		*created = cgroup_dir_missing(dir, mnt);
		return 0;
	}
	if (access(dir, F_OK) < 0)
		return 0;
	*created = strdup(dir);
	return *created ? 0 : -ENOMEM;
}

static int locate(struct cgroup *cg, const char *spec_path, bool existing,
		  struct cgroup_v1_mount *mounts, size_t n_mounts, struct berr *err)
{
	const char *mnt = v2_mountpoint(cg->layout);
	int ret;

	cg->spec_path = strdup(spec_path);
	if (!cg->spec_path)
		return berr_sys(err, "cgroup path");
	if (mnt) {
		ret = v2_dir_for(mnt, spec_path, &cg->v2_dir, err);
		if (ret == 0 && mark_created(&cg->v2_created, cg->v2_dir, mnt, existing) < 0)
			ret = berr_set(err, ENOMEM, "cgroup %s", spec_path);
		if (ret < 0)
			return ret;
	}
	cg->v1 = calloc(n_mounts ? n_mounts : 1, sizeof(*cg->v1));
	if (!cg->v1)
		return berr_set(err, ENOMEM, "cgroups");
	for (size_t i = 0; i < n_mounts; i++) {
		struct cgroup_v1_dir *d = &cg->v1[cg->n_v1];

		ret = cgroup_v1_locate(d, &mounts[i], spec_path, err);
		if (ret == 0 && mark_created(&d->created, d->dir, mounts[i].path, existing) < 0)
			ret = berr_set(err, ENOMEM, "cgroup %s", spec_path);
		cg->n_v1++;
		if (ret < 0)
			return ret;
	}
	return 0;
}

int cgroup_locate(struct cgroup *cg, const char *spec_path, bool existing,
		  struct berr *err)
{
	struct cgroup_v1_mount *mounts = NULL;
	size_t n_mounts = 0;
	int ret;

	memset(cg, 0, sizeof(*cg));
	ret = cgroup_detect_layout(&cg->layout, err);
	if (ret == 0 && cg->layout != CGROUP_UNIFIED)
		ret = cgroup_v1_mounts(&mounts, &n_mounts, err);
	if (ret == 0)
		ret = locate(cg, spec_path, existing, mounts, n_mounts, err);
	cgroup_v1_mounts_free(mounts, n_mounts);
	if (ret < 0)
		cgroup_release(cg);
	return ret;
}

int cgroup_create_nodev(struct cgroup *cg, const char *spec_path,
			const struct spec_resources *res, struct berr *err)
{
	int ret = cgroup_locate(cg, spec_path, false, err);

	return ret < 0 ? ret : make(cg, res, err);
}

int cgroup_make_nodev(struct cgroup *cg, const struct spec_resources *res, struct berr *err)
{
	return make(cg, res, err);
}

int cgroup_hold(struct cgroup *cg, const char *spec_path, struct berr *err)
{
	const char *mnt;
	int ret = cgroup_locate(cg, spec_path, false, err);

	if (ret < 0)
		return ret;
	/* Nothing is berth's until it made it. */
	forget_created(cg);
	mnt = cg->v2_dir ? v2_mountpoint(cg->layout) : NULL;
	if (mnt)
		ret = cgroup_dir_hold(cg->v2_dir, mnt, &cg->v2_created, NULL, err);
	for (size_t i = 0; ret == 0 && i < cg->n_v1; i++)
		ret = cgroup_v1_hold(&cg->v1[i], err);
	if (ret < 0) {
		cgroup_unhold(cg);
		cgroup_release(cg);
	}
	return ret;
}

void cgroup_unhold(const struct cgroup *cg)
{
	if (cg->v2_dir)
		cgroup_dir_remove_chain(cg->v2_dir, cg->v2_created);
	for (size_t i = 0; i < cg->n_v1; i++)
		cgroup_dir_remove_chain(cg->v1[i].dir, cg->v1[i].created);
}

int cgroup_hold_realtime(const struct cgroup *cg, const struct spec_cpu *c, struct berr *err)
{
	return cgroup_v1_hold_realtime(cg->v1, cg->n_v1, c, err);
}

int cgroup_apply_devices(const struct cgroup *cg, const struct spec_resources *res,
			 struct berr *err)
{
	return apply_devices(cg, res ? res->devices : NULL, res ? res->n_devices : 0, false,
			     true, err);
}

int cgroup_update(const struct cgroup *cg, const struct spec_resources *res,
		  struct berr *err)
{
	const char *mnt = cg->v2_dir ? v2_mountpoint(cg->layout) : NULL;
	unsigned avail_v2 = mnt ? cgroup_v2_controllers(mnt) : 0;
	struct route r;
	int ret;

	if (cg->none)
		return cgroup_none_error("change limits", err);
	ret = route(cg->layout, res, v1_mask(cg), avail_v2, mnt != NULL, &r, err);
	/* A controller the container did not need so far gets enabled now. */
	if (ret == 0 && r.v2)
		ret = cgroup_v2_enable(cg->v2_dir, mnt, r.v2, false, err);
	if (ret == 0)
		ret = apply(cg, res, &r, err);
	if (ret == 0 && res->n_devices)
		ret = apply_devices(cg, res->devices, res->n_devices, true, true, err);
	return ret;
}

/* --- processes ------------------------------------------------------- */

int cgroup_open_v2(const struct cgroup *cg, struct berr *err)
{
	int fd;

	if (!cg->v2_dir)
		return -1;
	fd = open(cg->v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open cgroup %s", cg->v2_dir);
	return fd;
}

int cgroup_enter_v2(const struct cgroup *cg, pid_t pid, struct berr *err)
{
	return cg->v2_dir ? cgroup_dir_enter(cg->v2_dir, pid, err) : 0;
}

int cgroup_enter_v1(const struct cgroup *cg, pid_t pid, struct berr *err)
{
	int ret = 0;

	for (size_t i = 0; i < cg->n_v1 && ret == 0; i++)
		ret = cgroup_dir_enter(cg->v1[i].dir, pid, err);
	return ret;
}

int cgroup_open_v1_tasks(const struct cgroup *cg, int **fds, struct berr *err)
{
	int *v = malloc((cg->n_v1 + 1) * sizeof(*v));

	*fds = NULL;
	if (!v)
		return berr_set(err, ENOMEM, "cgroup v1 tasks");
	for (size_t i = 0; i <= cg->n_v1; i++)
		v[i] = -1;
	for (size_t i = 0; i < cg->n_v1; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/tasks", cg->v1[i].dir);
		v[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (v[i] < 0) {
			int ret = berr_sys(err, "open %s", path);

			cgroup_close_v1_tasks(&v);
			return ret;
		}
	}
	*fds = v;
	return 0;
}

void cgroup_close_v1_tasks(int **fds)
{
	if (!*fds)
		return;
	for (int *fd = *fds; *fd >= 0; fd++)
		close(*fd);
	free(*fds);
	*fds = NULL;
}

int cgroup_join_v1_self(const struct cgroup *cg, int *fds, struct berr *err)
{
	for (size_t i = 0; i < cg->n_v1 && fds[i] >= 0; i++) {
		ssize_t n = write(fds[i], "0", 1);

		if (n < 0)
			return berr_sys(err, "join %s", cg->v1[i].dir);
		close(fds[i]);
		fds[i] = -1;
	}
	return 0;
}

int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct berr *err)
{
	*pids = NULL;
	*n = 0;
	if (cg->none)
		return cgroup_none_error("list the processes", err);
	/* Every hierarchy holds every process of the container, some maybe
	 * in cgroups it made below its own. */
	if (cg->v2_dir)
		return cgroup_dir_tree_pids(cg->v2_dir, pids, n, err);
	if (cg->n_v1)
		return cgroup_dir_tree_pids(cg->v1[0].dir, pids, n, err);
	return 0;
}

static const struct cgroup_v1_dir *freezer(const struct cgroup *cg)
{
	return cgroup_v1_dir_of(cg->v1, cg->n_v1, CGROUP_CTL_FREEZER);
}

int cgroup_freeze(const struct cgroup *cg, bool freeze, struct berr *err)
{
	const struct cgroup_v1_dir *f = freezer(cg);

	if (cg->none)
		return cgroup_none_error(freeze ? "freeze" : "thaw", err);
	if (f)
		return cgroup_v1_freeze(f->dir, freeze, err);
	if (cg->v2_dir)
		return cgroup_v2_freeze(cg->v2_dir, freeze, err);
	return berr_fail(err, EOPNOTSUPP,
			 "this host has no freezer: neither a freezer controller nor cgroup v2");
}

int cgroup_is_frozen(const struct cgroup *cg, bool *frozen, struct berr *err)
{
	const struct cgroup_v1_dir *f = freezer(cg);
	int ret = -ENOENT;

	*frozen = false;
	if (f)
		ret = cgroup_v1_is_frozen(f->dir, frozen);
	else if (cg->v2_dir)
		ret = cgroup_v2_is_frozen(cg->v2_dir, frozen);
	if (ret < 0)
		return berr_set(err, -ret, "freezer state of the container's cgroup");
	return 0;
}

void cgroup_thaw_killed(const struct cgroup *cg)
{
	const struct cgroup_v1_dir *f = freezer(cg);
	struct berr ignored;
	bool frozen = false;

	if (f && cgroup_v1_is_frozen(f->dir, &frozen) == 0 && frozen)
		cgroup_v1_freeze(f->dir, false, &ignored);
}

int cgroup_signal_all(const struct cgroup *cg, int sig, struct berr *err)
{
	cleanup_free pid_t *pids = NULL;
	struct berr ignored;
	bool was_frozen = false, froze = false;
	size_t n = 0;
	int ret;

	if (cg->none)
		return cgroup_none_error("signal every process", err);
	/* cgroup.kill also reaches processes forked while we iterate. */
	if (sig == SIGKILL && cg->v2_dir && cgroup_v2_kill(cg->v2_dir) == 0) {
		cgroup_thaw_killed(cg);
		return 0;
	}
	/* Otherwise freeze, so that no fork escapes between list and kill. */
	if (cgroup_is_frozen(cg, &was_frozen, &ignored) == 0 && !was_frozen)
		froze = cgroup_freeze(cg, true, &ignored) == 0;
	ret = cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = berr_sys(err, "signal %d to pid %d", sig, (int)pids[i]);
	if (froze)
		cgroup_freeze(cg, false, &ignored);
	else if (sig == SIGKILL)
		cgroup_thaw_killed(cg);
	return ret;
}

/* --- statistics and OOM ---------------------------------------------- */

int cgroup_stats(const struct cgroup *cg, struct spec_stats *st, struct berr *err)
{
	unsigned v1 = v1_mask(cg);
	unsigned v2 = cg->v2_dir ? cgroup_v2_controllers(cg->v2_dir) & ~v1 : 0;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (cg->none)
		return cgroup_none_error("read statistics", err);
	/* v2's cpu.stat has the usage lines without the cpu controller. */
	if (cg->v2_dir && !(v1 & (CGROUP_CTL_CPU | CGROUP_CTL_CPUACCT)))
		v2 |= CGROUP_CTL_CPU;
	if (v1)
		ret = cgroup_v1_stats(cg->v1, cg->n_v1, v1, st, err);
	if (ret == 0 && v2)
		ret = cgroup_v2_stats(cg->v2_dir, v2, st, err);
	if (ret < 0)
		spec_stats_release(st);
	return ret;
}

int cgroup_oom_watch(const struct cgroup *cg, struct cgroup_oom_watch *w,
		     struct berr *err)
{
	const struct cgroup_v1_dir *mem = cgroup_v1_dir_of(cg->v1, cg->n_v1, CGROUP_CTL_MEMORY);
	cleanup_free char *path = NULL;

	memset(w, 0, sizeof(*w));
	w->fd = w->aux_fd = -1;
	if (cg->none)
		return cgroup_none_error("watch for OOMs", err);
	if (mem) {
		w->v1 = true;
		w->dir = strdup(mem->dir);
		if (!w->dir)
			return berr_sys(err, "cgroup %s", mem->dir);
		w->fd = cgroup_v1_oom_eventfd(mem->dir, &w->aux_fd, err);
		if (w->fd < 0) {
			int ret = w->fd;

			cgroup_oom_close(w);
			return ret;
		}
		return 0;
	}
	if (!cg->v2_dir || !(cgroup_v2_controllers(cg->v2_dir) & CGROUP_CTL_MEMORY))
		return berr_fail(err, EOPNOTSUPP,
				"the container has no memory controller to report OOMs");
	if (asprintf(&path, "%s/memory.events", cg->v2_dir) < 0)
		return berr_sys(err, "cgroup %s", cg->v2_dir);
	w->dir = strdup(cg->v2_dir);
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!w->dir || w->fd < 0) {
		int ret = berr_sys(err, "open %s", path);

		cgroup_oom_close(w);
		return ret;
	}
	cgroup_v2_oom_count(w->dir, &w->seen);
	return 0;
}

int cgroup_oom_fd(const struct cgroup_oom_watch *w, short *events)
{
	*events = w->v1 ? POLLIN : POLLPRI;
	return w->fd;
}

int cgroup_oom_read(struct cgroup_oom_watch *w, uint64_t *new_ooms, struct berr *err)
{
	uint64_t count = 0;

	*new_ooms = 0;
	if (access(w->dir, F_OK) < 0)
		return -ENOENT;
	if (w->v1) {
		ssize_t n = read(w->fd, &count, sizeof(count));

		if (n < 0 && errno != EAGAIN)
			return berr_sys(err, "read the OOM eventfd");
		*new_ooms = n == sizeof(count) ? count : 0;
		return 0;
	}
	if (cgroup_v2_oom_count(w->dir, &count) < 0)
		return 0;
	if (count > w->seen)
		*new_ooms = count - w->seen;
	w->seen = count;
	return 0;
}

void cgroup_oom_close(struct cgroup_oom_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->aux_fd >= 0)
		close(w->aux_fd);
	free(w->dir);
	memset(w, 0, sizeof(*w));
	w->fd = w->aux_fd = -1;
}

uint64_t cgroup_oom_kills(const struct cgroup *cg)
{
	const struct cgroup_v1_dir *mem = cgroup_v1_dir_of(cg->v1, cg->n_v1, CGROUP_CTL_MEMORY);
	uint64_t n = 0;

	if (mem)
		cgroup_dir_read_key(mem->dir, "memory.oom_control", "oom_kill", &n);
	else if (cg->v2_dir)
		cgroup_dir_read_key(cg->v2_dir, "memory.events", "oom_kill", &n);
	return n;
}

/* --- destroy --------------------------------------------------------- */

static bool any_process(const struct cgroup *cg)
{
	cleanup_free pid_t *pids = NULL;
	struct berr ignored;
	size_t n = 0;

	if (cg->v2_dir)
		return cgroup_v2_populated(cg->v2_dir);
	return cgroup_pids(cg, &pids, &n, &ignored) == 0 && n > 0;
}

int cgroup_destroy(struct cgroup *cg, struct berr *err)
{
	struct berr ignored;
	bool ours = cg->v2_created != NULL;
	int ret = 0;

	for (size_t i = 0; i < cg->n_v1; i++)
		ours = ours || cg->v1[i].created;
	/* Only what berth made is berth's to kill and remove. */
	if (!ours)
		return 0;
	if (any_process(cg)) {
		cgroup_signal_all(cg, SIGKILL, &ignored);
		if (cg->v2_dir)
			ret = cgroup_v2_wait_empty(cg->v2_dir, err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < cg->n_v1; i++) {
		int r = cgroup_v1_remove(&cg->v1[i], ret < 0 ? &ignored : err);

		if (r < 0 && ret == 0)
			ret = r;
	}
	if (cg->v2_dir && cg->v2_created) {
		cgroup_dir_remove_below(cg->v2_dir);
		if (rmdir(cg->v2_dir) < 0 && errno != ENOENT && ret == 0)
			ret = berr_sys(err, "remove cgroup %s", cg->v2_dir);
		cgroup_dir_remove_chain(cg->v2_dir, cg->v2_created);
	}
	return ret;
}

/* --- no cgroup (unprivileged, nothing delegated) --------------------- */

int cgroup_none_init(struct cgroup *cg, const char *spec_path, struct berr *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->none = true;
	cg->spec_path = strdup(spec_path);
	return cg->spec_path ? 0 : berr_sys(err, "cgroup path");
}

int cgroup_none_error(const char *action, struct berr *err)
{
	return berr_unsupported(err,
				"cannot %s: the container has no cgroup of its own (berth ran it "
				"unprivileged, without a delegated cgroup v2 subtree)",
				action);
}

/* --- the state's text ------------------------------------------------ */

char *cgroup_serialize(const struct cgroup *cg)
{
	char *out = NULL, *more;

	if (asprintf(&out, "layout=%d\nspec_path=%s\nv2_dir=%s\nv2_created=%s\nnone=%d\n",
		     (int)cg->layout, cg->spec_path ? cg->spec_path : "",
		     cg->v2_dir ? cg->v2_dir : "",
		     cg->v2_created ? cg->v2_created : "", cg->none ? 1 : 0) < 0)
		return NULL;
	for (size_t i = 0; i < cg->n_v1; i++) {
		const struct cgroup_v1_dir *d = &cg->v1[i];

		if (asprintf(&more, "%sv1.%zu.controllers=%s\nv1.%zu.dir=%s\nv1.%zu.created=%s\n",
			     out, i, d->controllers ? d->controllers : "", i, d->dir, i,
			     d->created ? d->created : "") < 0) {
			free(out);
			return NULL;
		}
		free(out);
		out = more;
	}
	return out;
}

static int take_value(char **field, const char *value)
{
	free(*field);
	*field = *value ? strdup(value) : NULL;
	return (*value && !*field) ? -ENOMEM : 0;
}

static unsigned mask_of(const char *controllers)
{
	cleanup_free char *copy = strdup(controllers ? controllers : "");
	char *save = NULL, *name;
	unsigned mask = 0;

	for (name = copy ? strtok_r(copy, ",", &save) : NULL; name;
	     name = strtok_r(NULL, ",", &save))
		mask |= cgroup_res_ctl_bit(name);
	return mask;
}

/* "v1.<i>.<what>=value" */
static int take_v1(struct cgroup *cg, const char *key, const char *value)
{
	char *end;
	unsigned long i = strtoul(key + 3, &end, 10);
	struct cgroup_v1_dir *d;

	if (*end != '.' || i > 64)
		return 0;
	if (i >= cg->n_v1) {
		struct cgroup_v1_dir *grown = realloc(cg->v1, (i + 1) * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		memset(grown + cg->n_v1, 0, (i + 1 - cg->n_v1) * sizeof(*grown));
		cg->v1 = grown;
		cg->n_v1 = i + 1;
	}
	d = &cg->v1[i];
	if (strcmp(end, ".controllers") == 0) {
		d->mask = mask_of(value);
		return take_value(&d->controllers, value);
	}
	if (strcmp(end, ".dir") == 0)
		return take_value(&d->dir, value);
	if (strcmp(end, ".created") == 0)
		return take_value(&d->created, value);
	return 0;
}

int cgroup_deserialize(struct cgroup *cg, const char *text, struct berr *err)
{
	cleanup_free char *copy = strdup(text);
	char *save = NULL, *line;
	int ret = 0;

	memset(cg, 0, sizeof(*cg));
	if (!copy)
		return berr_sys(err, "cgroup state");
	for (line = strtok_r(copy, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "layout") == 0)
			cg->layout = (enum cgroup_layout)atoi(eq);
		else if (strcmp(line, "spec_path") == 0)
			ret = take_value(&cg->spec_path, eq);
		else if (strcmp(line, "v2_dir") == 0)
			ret = take_value(&cg->v2_dir, eq);
		else if (strcmp(line, "v2_created") == 0)
			ret = take_value(&cg->v2_created, eq);
		else if (strcmp(line, "none") == 0)
			cg->none = strcmp(eq, "1") == 0;
		else if (strncmp(line, "v1.", 3) == 0)
			ret = take_v1(cg, line, eq);
	}
	/* An entry without a directory is none. */
	for (size_t i = 0; i < cg->n_v1 && ret == 0; i++)
		if (!cg->v1[i].dir) {
			v1_dir_free(&cg->v1[i]);
			memmove(&cg->v1[i], &cg->v1[i + 1], (cg->n_v1 - i - 1) * sizeof(*cg->v1));
			cg->n_v1--;
			i--;
		}
	if (ret < 0) {
		cgroup_release(cg);
		return berr_set(err, -ret, "cgroup state");
	}
	return 0;
}

void cgroup_release(struct cgroup *cg)
{
	free(cg->spec_path);
	free(cg->v2_dir);
	free(cg->v2_created);
	for (size_t i = 0; i < cg->n_v1; i++)
		v1_dir_free(&cg->v1[i]);
	free(cg->v1);
	memset(cg, 0, sizeof(*cg));
}
