/* linux.resources -> cgroup v2 files.  A zero number means unset, as the
 * clients send it; -1 (any negative) is "max". */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v2.h"
#include "spec/base/fsutil.h"

static int no_v2(const char *field, const char *why, struct berr *err)
{
	return berr_fail(err, EOPNOTSUPP, "linux.resources.%s: not supported on cgroup v2 (%s)",
			 field, why);
}

static int put(const char *dir, const char *name, const char *value, struct berr *err)
{
	return fsutil_write_at(AT_FDCWD, dir, name, value, err);
}

/* The error of a quiet put, in the words fsutil uses. */
static int put_failed(int ret, const char *dir, const char *name, const char *value,
		      struct berr *err)
{
	return berr_set(err, -ret, "write %s to %s/%s", value, dir, name);
}

static int put_i64(const char *dir, const char *name, int64_t v, struct berr *err)
{
	char buf[32];

	cgroup_res_limit(v, true, buf, sizeof(buf));
	return put(dir, name, buf, err);
}

static int put_u64(const char *dir, const char *name, uint64_t v, struct berr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return put(dir, name, buf, err);
}

/* checkBeforeUpdate: a limit below what is in use would OOM-kill at once. */
static int check_usage(const char *dir, int64_t limit, struct berr *err)
{
	uint64_t usage;

	if (limit <= 0 || cgroup_dir_read_u64(dir, "memory.current", &usage) < 0)
		return 0;
	if (usage >= (uint64_t)limit)
		return berr_fail(err, EBUSY,
				"linux.resources.memory.limit: %" PRId64 " is below the "
				"current usage %" PRIu64 " (checkBeforeUpdate)",
				limit, usage);
	return 0;
}

static int memory(const char *dir, const struct spec_memory *m, struct berr *err)
{
	int64_t limit = m->limit.set ? m->limit.v : 0;
	int64_t swap = m->swap.set ? m->swap.v : 0;
	char swapv[32];
	int ret;

	if (m->disable_oom_killer_set && m->disable_oom_killer)
		return no_v2("memory.disableOOMKiller", "v2 cannot disable the OOM killer", err);
	if (m->kernel.set && m->kernel.v > 0)
		return no_v2("memory.kernel", "kernel memory counts in memory.max", err);
	if (m->kernel_tcp.set && m->kernel_tcp.v > 0)
		return no_v2("memory.kernelTCP", "kernel memory counts in memory.max", err);
	if (m->swappiness.set)
		return no_v2("memory.swappiness", "v2 has no per-cgroup swappiness", err);
	if (m->use_hierarchy_set && !m->use_hierarchy)
		return no_v2("memory.useHierarchy", "v2 is always hierarchical", err);
	if (m->check_before_update_set && m->check_before_update) {
		ret = check_usage(dir, limit, err);
		if (ret < 0)
			return ret;
	}
	/* A swap change alone (an update) is counted from the current limit. */
	if (swap > 0 && limit == 0) {
		uint64_t cur;

		if (cgroup_dir_read_u64(dir, "memory.max", &cur) == 0 && cur != UINT64_MAX)
			limit = (int64_t)cur;
	}
	ret = cgroup_res_swap_v2(limit, swap, swapv, sizeof(swapv), err);
	if (ret < 0)
		return ret;
	if (limit) {
		ret = put_i64(dir, "memory.max", limit, err);
		if (ret < 0)
			return ret;
	}
	if (swapv[0]) {
		ret = put(dir, "memory.swap.max", swapv, err);
		if (ret < 0)
			return ret;
	}
	if (m->reservation.set && m->reservation.v)
		return put_i64(dir, "memory.low", m->reservation.v, err);
	return 0;
}

/* cpu.max holds quota and period together: keep the half not asked for. */
static int cpu_max(const char *dir, const struct spec_cpu *c, struct berr *err)
{
	char cur[64] = "max 100000", quota[32], buf[64];
	unsigned long long period = 100000;

	if (!(c->quota.set && c->quota.v) && !(c->period.set && c->period.v))
		return 0;
	fsutil_read_at(AT_FDCWD, dir, "cpu.max", cur, sizeof(cur));
	if (sscanf(cur, "%31s %llu", quota, &period) < 1)
		snprintf(quota, sizeof(quota), "max");
	if (c->quota.set && c->quota.v)
		cgroup_res_limit(c->quota.v, true, quota, sizeof(quota));
	if (c->period.set && c->period.v)
		period = c->period.v;
	snprintf(buf, sizeof(buf), "%s %llu", quota, period);
	return put(dir, "cpu.max", buf, err);
}

static int cpu(const char *dir, const struct spec_cpu *c, struct berr *err)
{
	int ret = 0;

	if (c->realtime_runtime.set && c->realtime_runtime.v)
		return no_v2("cpu.realtimeRuntime", "v2 has no realtime budget", err);
	if (c->realtime_period.set && c->realtime_period.v)
		return no_v2("cpu.realtimePeriod", "v2 has no realtime budget", err);
	if (c->shares.set && c->shares.v)
		ret = put_u64(dir, "cpu.weight", cgroup_res_shares_to_weight(c->shares.v), err);
	if (ret == 0)
		ret = cpu_max(dir, c, err);
	if (ret == 0 && c->burst.set && c->burst.v)
		ret = put_u64(dir, "cpu.max.burst", c->burst.v, err);
	if (ret == 0 && c->idle.set && c->idle.v)
		ret = put_i64(dir, "cpu.idle", c->idle.v, err);
	return ret;
}

static int cpuset(const char *dir, const struct spec_cpu *c, struct berr *err)
{
	int ret = 0;

	if (c->cpus && *c->cpus)
		ret = put(dir, "cpuset.cpus", c->cpus, err);
	if (ret == 0 && c->mems && *c->mems)
		ret = put(dir, "cpuset.mems", c->mems, err);
	return ret;
}

/* io.bfq.weight takes blkio's numbers as they are; without BFQ, io.weight
 * takes them converted. */
static int io_weight(const char *dir, const char *dev, uint16_t weight, struct berr *err)
{
	char buf[64];
	int ret;

	snprintf(buf, sizeof(buf), "%s%s%u", dev, *dev ? " " : "", weight);
	ret = put(dir, "io.bfq.weight", buf, NULL);
	if (ret != -ENOENT)
		return ret < 0 ? put_failed(ret, dir, "io.bfq.weight", buf, err) : 0;
	snprintf(buf, sizeof(buf), "%s%s%" PRIu64, dev, *dev ? " " : "",
		 cgroup_res_blkio_to_io_weight(weight));
	return put(dir, "io.weight", buf, err);
}

static int io_max(const char *dir, const struct spec_throttle_device *d, size_t n,
		  const char *key, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];
		int ret;

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
			 d[i].minor, key, d[i].rate);
		ret = put(dir, "io.max", buf, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int io(const char *dir, const struct spec_blkio *b, struct berr *err)
{
	int ret = 0;

	if (b->leaf_weight_set && b->leaf_weight)
		return no_v2("blockIO.leafWeight", "v2 has no leaf weights", err);
	if (b->weight_set && b->weight)
		ret = io_weight(dir, "", b->weight, err);
	for (size_t i = 0; i < b->n_weight_device && ret == 0; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		char dev[48];

		if (d->leaf_weight_set && d->leaf_weight)
			return no_v2("blockIO.weightDevice.leafWeight", "v2 has no leaf weights",
				     err);
		if (!d->weight_set || !d->weight)
			continue;
		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, d->major, d->minor);
		ret = io_weight(dir, dev, d->weight, err);
	}
	if (ret == 0)
		ret = io_max(dir, b->throttle_read_bps, b->n_throttle_read_bps, "rbps", err);
	if (ret == 0)
		ret = io_max(dir, b->throttle_write_bps, b->n_throttle_write_bps, "wbps", err);
	if (ret == 0)
		ret = io_max(dir, b->throttle_read_iops, b->n_throttle_read_iops, "riops", err);
	if (ret == 0)
		ret = io_max(dir, b->throttle_write_iops, b->n_throttle_write_iops, "wiops", err);
	return ret;
}

static int hugetlb(const char *dir, const struct spec_hugepage_limit *h, size_t n,
		   struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		struct cgroup_res_hugetlb f;
		int ret;

		ret = cgroup_res_hugetlb_file(h, i, "max", &f, err);
		if (ret < 0)
			return ret;
		ret = put(dir, f.name, f.value, NULL);
		if (ret == -ENOENT)
			return berr_fail(err, EINVAL,
					"linux.resources.hugepageLimits[%zu]: this host has no "
					"%s huge pages (no %s)",
					i, h[i].page_size, f.name);
		if (ret < 0)
			return put_failed(ret, dir, f.name, f.value, err);
	}
	return 0;
}

static int rdma(const char *dir, const struct spec_rdma *r, size_t n, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[256];
		int ret;

		cgroup_res_rdma_line(&r[i], buf, sizeof(buf));
		ret = put(dir, "rdma.max", buf, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int unified_keys(const char *dir, const struct spec_kv *kv, size_t n,
			struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned ctl;
		int ret = cgroup_res_unified_key(kv[i].key, &ctl, err);

		if (ret < 0)
			return ret;
		ret = put(dir, kv[i].key, kv[i].value, NULL);
		if (ret == -ENOENT)
			return berr_fail(err, ENOENT,
					"linux.resources.unified: the container's cgroup has no "
					"file %s",
					kv[i].key);
		if (ret < 0)
			return berr_wrap(err, put_failed(ret, dir, kv[i].key, kv[i].value, err),
					 "linux.resources.unified");
	}
	return 0;
}

int cgroup_v2_apply(const char *dir, const struct spec_resources *r,
		    unsigned mask, bool unified, struct berr *err)
{
	int ret = 0;

	if (mask & CGROUP_CTL_MEMORY)
		ret = memory(dir, &r->memory, err);
	if (ret == 0 && (mask & CGROUP_CTL_CPU))
		ret = cpu(dir, &r->cpu, err);
	if (ret == 0 && (mask & CGROUP_CTL_CPUSET))
		ret = cpuset(dir, &r->cpu, err);
	if (ret == 0 && (mask & CGROUP_CTL_PIDS) && r->pids_set && r->pids_limit)
		ret = put_i64(dir, "pids.max", r->pids_limit, err);
	if (ret == 0 && (mask & CGROUP_CTL_BLKIO))
		ret = io(dir, &r->blkio, err);
	if (ret == 0 && (mask & CGROUP_CTL_HUGETLB))
		ret = hugetlb(dir, r->hugepage_limits, r->n_hugepage_limits, err);
	if (ret == 0 && (mask & CGROUP_CTL_RDMA))
		ret = rdma(dir, r->rdma, r->n_rdma, err);
	if (ret == 0 && (mask & CGROUP_CTL_NET_CLS) && r->net_class_id_set && r->net_class_id)
		ret = no_v2("network.classID", "v2 has no net_cls controller", err);
	if (ret == 0 && (mask & CGROUP_CTL_NET_PRIO) && r->n_net_priorities)
		ret = no_v2("network.priorities", "v2 has no net_prio controller", err);
	if (ret == 0 && unified)
		ret = unified_keys(dir, r->unified, r->n_unified, err);
	return ret;
}
