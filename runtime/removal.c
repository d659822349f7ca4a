/* rt_removal: see runtime.h. */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/cgroup.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v1.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "spec/base/cleanup.h"
#include "spec/config.h"

static int add_dir(struct rt_removal *r, const char *dir, const char *created, struct berr *err)
{
	struct rt_removal_dir *d;

	if (r->n == RT_REMOVAL_MAX)
		return berr_fail(err, E2BIG, "more cgroup hierarchies than %d", RT_REMOVAL_MAX);
	d = &r->cgroups[r->n];
	d->dir = strdup(dir);
	d->created = strdup(created);
	if (!d->dir || !d->created) {
		free(d->dir);
		free(d->created);
		return berr_sys(err, "cgroup directory");
	}
	r->n++;
	return 0;
}

/* What cgroup_destroy would remove, and the file cgroup_oom_kills reads. */
static int plan_cgroup(struct rt_removal *r, const struct cgroup *cg, struct berr *err)
{
	const struct cgroup_v1_dir *mem = cgroup_v1_dir_of(cg->v1, cg->n_v1, CGROUP_CTL_MEMORY);
	int ret = 0;

	if (mem && asprintf(&r->oom_file, "%s/memory.oom_control", mem->dir) < 0)
		r->oom_file = NULL;
	else if (!mem && cg->v2_dir && asprintf(&r->oom_file, "%s/memory.events", cg->v2_dir) < 0)
		r->oom_file = NULL;
	for (size_t i = 0; ret == 0 && i < cg->n_v1; i++)
		if (cg->v1[i].created)
			ret = add_dir(r, cg->v1[i].dir, cg->v1[i].created, err);
	if (ret == 0 && cg->v2_dir && cg->v2_created)
		ret = add_dir(r, cg->v2_dir, cg->v2_created, err);
	return ret;
}

static int plan(const struct store_container *c, struct rt_removal *r, struct berr *err)
{
	cleanup_config struct spec_config *cfg = NULL;
	struct cgroup cg;
	int ret;

	if (!c->has_state || c->damage[0])
		return berr_fail(err, EOPNOTSUPP, "the container's state is missing or damaged");
	/* Its rootfs is bound in the caller's mount namespace: delete
	 * detaches it (release_rootfs). */
	if (store_extra_ull(c, "host_mount"))
		return berr_fail(err, EOPNOTSUPP, "the container has no mount namespace");
	ret = internal_load_hooks(c, HOOK_POSTSTOP, &cfg, err);
	if (ret < 0)
		return ret;
	if (cfg && hooks_any(&cfg->hooks, HOOK_POSTSTOP))
		return berr_fail(err, EOPNOTSUPP, "the container has poststop hooks");
	r->state_dir = strdup(c->dir);
	if (!r->state_dir)
		return berr_sys(err, "state directory");
	ret = internal_cgroup(c, &cg, err);
	if (ret < 0)
		return ret;
	ret = plan_cgroup(r, &cg, err);
	cgroup_release(&cg);
	return ret;
}

int rt_removal(const struct rt_ctx *ctx, const char *id, struct rt_removal *out,
	       struct berr *err)
{
	struct store_container c;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = internal_open(ctx, id, false, &c, err);
	if (ret < 0)
		return ret;
	ret = plan(&c, out, err);
	store_close(&c);
	if (ret < 0)
		rt_removal_release(out);
	return ret;
}

void rt_removal_release(struct rt_removal *r)
{
	free(r->state_dir);
	free(r->oom_file);
	for (size_t i = 0; i < r->n; i++) {
		free(r->cgroups[i].dir);
		free(r->cgroups[i].created);
	}
	memset(r, 0, sizeof(*r));
}
