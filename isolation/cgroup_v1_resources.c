/* linux.resources -> cgroup v1 files, one controller directory each.
 * A zero number means unset, as the clients send it.  A file this kernel
 * no longer has is an error naming it, never a silent skip. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v1.h"
#include "spec/base/fsutil.h"

static int put(const char *dir, const char *name, const char *value, struct berr *err)
{
	return fsutil_write_at(AT_FDCWD, dir, name, value, err);
}

static int put_i64(const char *dir, const char *name, int64_t v, struct berr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v < 0 ? (int64_t)-1 : v);
	return put(dir, name, buf, err);
}

static int put_u64(const char *dir, const char *name, uint64_t v, struct berr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return put(dir, name, buf, err);
}

/* A file that may be missing from this kernel: say which field needs it. */
static int put_named(const char *dir, const char *name, const char *value,
		     const char *field, struct berr *err)
{
	int ret = put(dir, name, value, NULL);

	if (ret == -ENOENT)
		return berr_fail(err, EOPNOTSUPP,
				"linux.resources.%s: this kernel has no %s (in %s)", field,
				name, dir);
	if (ret < 0)
		return berr_set(err, -ret, "linux.resources.%s: write %s to %s/%s", field, value,
				dir, name);
	return 0;
}

/* A file a field needs, which this kernel may lack. */
static int need_file(const char *dir, const char *name, const char *field,
		     struct berr *err)
{
	if (faccessat(AT_FDCWD, dir, F_OK, 0) == 0) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (access(path, F_OK) < 0)
			return berr_fail(err, EOPNOTSUPP,
					"linux.resources.%s: this kernel has no %s (in %s)",
					field, name, dir);
	}
	return 0;
}

/* Kernel memory limits: since Linux 6.x some kernels keep the file but
 * ignore what is written (with a warning in dmesg).  Reading it back tells. */
static int kmem(const char *dir, const char *name, const char *field, int64_t v,
		struct berr *err)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[32];
	uint64_t back;
	int ret;

	snprintf(buf, sizeof(buf), "%" PRId64, v < 0 ? (int64_t)-1 : v);
	ret = put_named(dir, name, buf, field, err);
	if (ret < 0 || v < 0)
		return ret;
	if (cgroup_dir_read_u64(dir, name, &back) == 0 &&
	    back != (uint64_t)v / (uint64_t)page * (uint64_t)page)
		return berr_fail(err, EOPNOTSUPP,
				"linux.resources.%s: this kernel ignores %s (it reads back "
				"%" PRIu64 " after %" PRId64 " was written): kernel memory "
				"limits are gone from it",
				field, name, back, v);
	return 0;
}

static int memory_and_swap(const char *dir, int64_t limit, int64_t swap, struct berr *err)
{
	const char *memsw = "memory.memsw.limit_in_bytes";
	uint64_t cur = 0;
	int ret = 0;

	/* Unlimited memory with swap unsaid: unlimited swap too. */
	if (limit < 0 && swap == 0)
		swap = -1;
	if (swap) {
		ret = need_file(dir, memsw, "memory.swap", err);
		if (ret < 0)
			return ret;
	}
	if (limit > 0 && swap > 0 && swap < limit)
		return berr_fail(err, EINVAL,
				"linux.resources.memory.swap: %" PRId64 " is below the memory "
				"limit %" PRId64 " (swap counts memory plus swap)",
				swap, limit);
	/* memsw may never be below the limit: raise memsw first when
	 * growing, lower the limit first when shrinking. */
	if (limit && swap) {
		cgroup_dir_read_u64(dir, "memory.limit_in_bytes", &cur);
		if (swap < 0 || cur < (uint64_t)swap) {
			ret = put_i64(dir, memsw, swap, err);
			if (ret == 0)
				ret = put_i64(dir, "memory.limit_in_bytes", limit, err);
		} else {
			ret = put_i64(dir, "memory.limit_in_bytes", limit, err);
			if (ret == 0)
				ret = put_i64(dir, memsw, swap, err);
		}
		return ret;
	}
	if (limit)
		ret = put_i64(dir, "memory.limit_in_bytes", limit, err);
	if (ret == 0 && swap)
		ret = put_i64(dir, memsw, swap, err);
	return ret;
}

static int memory(const char *dir, const struct spec_memory *m, struct berr *err)
{
	int64_t limit = m->limit.set ? m->limit.v : 0;
	int ret;

	if (m->check_before_update_set && m->check_before_update && limit > 0) {
		uint64_t usage;

		if (cgroup_dir_read_u64(dir, "memory.usage_in_bytes", &usage) == 0 &&
		    usage >= (uint64_t)limit)
			return berr_fail(err, EBUSY,
					"linux.resources.memory.limit: %" PRId64 " is below the "
					"current usage %" PRIu64 " (checkBeforeUpdate)",
					limit, usage);
	}
	if (m->use_hierarchy_set) {
		ret = put_named(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
				"memory.useHierarchy", err);
		if (ret < 0)
			return ret;
	}
	ret = memory_and_swap(dir, limit, m->swap.set ? m->swap.v : 0, err);
	if (ret == 0 && m->reservation.set && m->reservation.v)
		ret = put_i64(dir, "memory.soft_limit_in_bytes", m->reservation.v, err);
	if (ret == 0 && m->kernel.set && m->kernel.v)
		ret = kmem(dir, "memory.kmem.limit_in_bytes", "memory.kernel", m->kernel.v, err);
	if (ret == 0 && m->kernel_tcp.set && m->kernel_tcp.v)
		ret = kmem(dir, "memory.kmem.tcp.limit_in_bytes", "memory.kernelTCP",
			   m->kernel_tcp.v, err);
	if (ret == 0 && m->swappiness.set) {
		if (m->swappiness.v > 100)
			return berr_fail(err, EINVAL,
					"linux.resources.memory.swappiness: %" PRIu64 " is not "
					"in 0..100",
					m->swappiness.v);
		ret = put_u64(dir, "memory.swappiness", m->swappiness.v, err);
	}
	if (ret == 0 && m->disable_oom_killer_set && m->disable_oom_killer)
		ret = put_named(dir, "memory.oom_control", "1", "memory.disableOOMKiller", err);
	return ret;
}

/* The kernel clamps cpu.shares silently; runc reports it, so does berth. */
static int shares(const char *dir, uint64_t v, struct berr *err)
{
	uint64_t back;
	int ret = put_u64(dir, "cpu.shares", v, err);

	if (ret == 0 && cgroup_dir_read_u64(dir, "cpu.shares", &back) == 0 && back != v)
		return berr_fail(err, EINVAL,
				"linux.resources.cpu.shares: %" PRIu64 " is out of range (the "
				"kernel made it %" PRIu64 "; 2..262144)",
				v, back);
	return ret;
}

static int cfs(const char *dir, const struct spec_cpu *c, struct berr *err)
{
	bool quota = c->quota.set && c->quota.v, period = c->period.set && c->period.v;
	int ret = 0;

	/* A period the current quota does not fit is refused: then the
	 * quota goes first. */
	if (period) {
		ret = put_u64(dir, "cpu.cfs_period_us", c->period.v, quota ? NULL : err);
		if (ret == -EINVAL && quota) {
			ret = put_i64(dir, "cpu.cfs_quota_us", c->quota.v, err);
			if (ret == 0)
				ret = put_u64(dir, "cpu.cfs_period_us", c->period.v, err);
			return ret;
		}
		if (ret < 0 && quota)
			return put_u64(dir, "cpu.cfs_period_us", c->period.v, err);
	}
	if (ret == 0 && quota)
		ret = put_i64(dir, "cpu.cfs_quota_us", c->quota.v, err);
	return ret;
}

/* The budget a directory has now (0 when unreadable). */
static int64_t rt_runtime_now(const char *dir)
{
	char path[4200], buf[32];

	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", dir);
	if (fsutil_read_at(AT_FDCWD, NULL, path, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoll(buf, NULL, 10);
}

/* A realtime budget must fit in the parent's, and a directory berth made
 * has none: give the ones from created down the same budget first.  An
 * ancestor's budget is only ever raised: it is shared with the siblings,
 * and lowering the container's own (docker update) must come first.
 * With raise_only, d's own budget is only raised too (a held parent's:
 * other containers may have their share of it). */
static int realtime(const struct cgroup_v1_dir *d, const struct spec_cpu *c, bool raise_only,
		    struct berr *err)
{
	bool runtime = c->realtime_runtime.set && c->realtime_runtime.v;
	bool period = c->realtime_period.set && c->realtime_period.v;
	char path[4096];
	size_t start, len;
	int ret;

	if (!runtime && !period)
		return 0;
	snprintf(path, sizeof(path), "%s", d->dir);
	len = strlen(path);
	start = d->created ? strlen(d->created) : len;
	for (size_t i = start; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		ret = need_file(path, "cpu.rt_runtime_us", "cpu.realtimeRuntime", err);
		if (ret == 0 && (i < len || raise_only) && runtime &&
		    rt_runtime_now(path) >= c->realtime_runtime.v) {
			path[i] = '/';
			continue;
		}
		if (ret == 0 && period)
			ret = put_u64(path, "cpu.rt_period_us", c->realtime_period.v, err);
		if (ret == 0 && runtime)
			ret = put_i64(path, "cpu.rt_runtime_us", c->realtime_runtime.v, err);
		if (ret < 0)
			return berr_wrap(err, ret, "linux.resources.cpu.realtime");
		if (i < len)
			path[i] = '/';
	}
	return 0;
}

static int cpu(const struct cgroup_v1_dir *d, const struct spec_cpu *c, struct berr *err)
{
	int ret = 0;

	if (c->shares.set && c->shares.v)
		ret = shares(d->dir, c->shares.v, err);
	if (ret == 0)
		ret = cfs(d->dir, c, err);
	if (ret == 0 && c->burst.set && c->burst.v) {
		ret = need_file(d->dir, "cpu.cfs_burst_us", "cpu.burst", err);
		if (ret == 0)
			ret = put_u64(d->dir, "cpu.cfs_burst_us", c->burst.v, err);
	}
	if (ret == 0)
		ret = realtime(d, c, false, err);
	if (ret == 0 && c->idle.set && c->idle.v) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRId64, c->idle.v);
		ret = put_named(d->dir, "cpu.idle", buf, "cpu.idle", err);
	}
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

/* blkio.weight went with CFQ; BFQ has its own file. */
static int weight(const char *dir, const char *file, const char *bfq_file, const char *value,
		  const char *field, struct berr *err)
{
	int ret = put(dir, file, value, NULL);

	if (ret != -ENOENT)
		return ret < 0 ? berr_set(err, -ret, "write %s to %s/%s", value, dir, file) : 0;
	ret = put(dir, bfq_file, value, NULL);
	if (ret == -ENOENT)
		return berr_fail(err, EOPNOTSUPP,
				"linux.resources.%s: this kernel has neither %s nor %s (the "
				"I/O scheduler has no weights)",
				field, file, bfq_file);
	return ret < 0 ? berr_set(err, -ret, "write %s to %s/%s", value, dir, bfq_file) : 0;
}

static int throttle(const char *dir, const char *file, const struct spec_throttle_device *d,
		    size_t n, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];
		int ret;

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major,
			 d[i].minor, d[i].rate);
		ret = put(dir, file, buf, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int blkio(const char *dir, const struct spec_blkio *b, struct berr *err)
{
	char buf[64];
	int ret = 0;

	if (b->weight_set && b->weight) {
		snprintf(buf, sizeof(buf), "%u", b->weight);
		ret = weight(dir, "blkio.weight", "blkio.bfq.weight", buf, "blockIO.weight", err);
	}
	if (ret == 0 && b->leaf_weight_set && b->leaf_weight) {
		snprintf(buf, sizeof(buf), "%u", b->leaf_weight);
		ret = put_named(dir, "blkio.leaf_weight", buf, "blockIO.leafWeight", err);
	}
	for (size_t i = 0; i < b->n_weight_device && ret == 0; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];

		if (d->weight_set && d->weight) {
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				 d->weight);
			ret = weight(dir, "blkio.weight_device", "blkio.bfq.weight_device", buf,
				     "blockIO.weightDevice", err);
		}
		if (ret == 0 && d->leaf_weight_set && d->leaf_weight) {
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				 d->leaf_weight);
			ret = put_named(dir, "blkio.leaf_weight_device", buf,
					"blockIO.weightDevice.leafWeight", err);
		}
	}
	if (ret == 0)
		ret = throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps,
			       b->n_throttle_read_bps, err);
	if (ret == 0)
		ret = throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps,
			       b->n_throttle_write_bps, err);
	if (ret == 0)
		ret = throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops,
			       b->n_throttle_read_iops, err);
	if (ret == 0)
		ret = throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops,
			       b->n_throttle_write_iops, err);
	return ret;
}

static int hugetlb(const char *dir, const struct spec_hugepage_limit *h, size_t n,
		   struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		struct cgroup_res_hugetlb f;
		int ret;

		ret = cgroup_res_hugetlb_file(h, i, "limit_in_bytes", &f, err);
		if (ret < 0)
			return ret;
		ret = put_named(dir, f.name, f.value, "hugepageLimits", err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int net_prio(const char *dir, const struct spec_net_priority *p, size_t n,
		    struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[128];
		int ret;

		snprintf(buf, sizeof(buf), "%s %u", p[i].name, p[i].priority);
		ret = put(dir, "net_prio.ifpriomap", buf, err);
		if (ret < 0)
			return ret;
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

int cgroup_v1_hold_realtime(const struct cgroup_v1_dir *d, size_t n, const struct spec_cpu *c,
			    struct berr *err)
{
	const struct cgroup_v1_dir *cpu = cgroup_v1_dir_of(d, n, CGROUP_CTL_CPU);

	/* Only what berth made: a parent someone else made keeps the
	 * budget they gave it. */
	if (!cpu || !cpu->created)
		return 0;
	return realtime(cpu, c, true, err);
}

int cgroup_v1_apply(const struct cgroup_v1_dir *d, size_t n,
		    const struct spec_resources *r, unsigned mask, struct berr *err)
{
	const struct cgroup_v1_dir *x;
	int ret = 0;

#define DIR_OF(ctl) ((mask & (ctl)) && (x = cgroup_v1_dir_of(d, n, (ctl))))
	if (DIR_OF(CGROUP_CTL_MEMORY))
		ret = memory(x->dir, &r->memory, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_CPU))
		ret = cpu(x, &r->cpu, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_CPUSET))
		ret = cpuset(x->dir, &r->cpu, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_PIDS) && r->pids_set && r->pids_limit) {
		char buf[32];

		cgroup_res_limit(r->pids_limit, true, buf, sizeof(buf));
		ret = put(x->dir, "pids.max", buf, err);
	}
	if (ret == 0 && DIR_OF(CGROUP_CTL_BLKIO))
		ret = blkio(x->dir, &r->blkio, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_HUGETLB))
		ret = hugetlb(x->dir, r->hugepage_limits, r->n_hugepage_limits, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_NET_CLS) && r->net_class_id_set && r->net_class_id)
		ret = put_u64(x->dir, "net_cls.classid", r->net_class_id, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_NET_PRIO))
		ret = net_prio(x->dir, r->net_priorities, r->n_net_priorities, err);
	if (ret == 0 && DIR_OF(CGROUP_CTL_RDMA))
		ret = rdma(x->dir, r->rdma, r->n_rdma, err);
#undef DIR_OF
	return ret;
}
