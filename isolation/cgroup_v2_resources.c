/* linux.resources -> cgroup v2 files. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "isolation/cgroup_v2.h"
#include "isolation/fsutil.h"

/* The controller each requested resource needs, or NULL when nothing is
 * asked for.  A zero value means unset, as the clients send it. */
static const char *first_requested(const struct spec_resources *r,
				   const char **field)
{
	const struct spec_memory *m = &r->memory;
	const struct spec_cpu *c = &r->cpu;

	if ((m->limit.set && m->limit.v) || (m->reservation.set && m->reservation.v) ||
	    (m->swap.set && m->swap.v) || (m->kernel.set && m->kernel.v) ||
	    (m->kernel_tcp.set && m->kernel_tcp.v) || m->swappiness.set ||
	    (m->disable_oom_killer_set && m->disable_oom_killer))
		return *field = "memory", "memory";
	if ((c->shares.set && c->shares.v) || (c->quota.set && c->quota.v) ||
	    (c->period.set && c->period.v) || (c->burst.set && c->burst.v) ||
	    (c->realtime_runtime.set && c->realtime_runtime.v) ||
	    (c->realtime_period.set && c->realtime_period.v) || c->idle.set)
		return *field = "cpu", "cpu";
	if ((c->cpus && *c->cpus) || (c->mems && *c->mems))
		return *field = "cpu.cpus/mems", "cpuset";
	if (r->pids_set && r->pids_limit)
		return *field = "pids", "pids";
	if ((r->blkio.weight_set && r->blkio.weight) || r->blkio.n_weight_device ||
	    r->blkio.n_throttle_read_bps || r->blkio.n_throttle_write_bps ||
	    r->blkio.n_throttle_read_iops || r->blkio.n_throttle_write_iops)
		return *field = "blockIO", "io";
	if (r->n_hugepage_limits)
		return *field = "hugepageLimits", "hugetlb";
	if (r->n_rdma)
		return *field = "rdma", "rdma";
	if (r->net_class_id_set || r->n_net_priorities)
		return *field = "network", "net_cls/net_prio";
	if (r->n_unified)
		return *field = "unified", "unified";
	if (r->n_devices)
		return *field = "devices", "devices";
	return NULL;
}

int cgroup_v2_apply(const char *dir, const char *mnt,
		    const struct spec_resources *res, bool hybrid,
		    struct berr *err)
{
	const char *field = NULL;
	const char *controller = first_requested(res, &field);
	char avail[512] = "";

	(void)dir;
	if (!controller)
		return 0;
	fsutil_read_at(AT_FDCWD, mnt, "cgroup.controllers", avail, sizeof(avail));
	if (hybrid && !strstr(avail, controller))
		return berr_fail(err, EOPNOTSUPP,
				"linux.resources.%s: the %s controller is not in this "
				"host's cgroup v2 hierarchy (a hybrid host keeps it in "
				"cgroup v1, which berth does not drive yet)",
				field, controller);
	return berr_fail(err, EOPNOTSUPP, "linux.resources.%s: not supported yet", field);
}
