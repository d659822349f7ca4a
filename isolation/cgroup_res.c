#include "isolation/cgroup_res.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *v1, *v2;
} ctl_names[] = {
	{ CGROUP_CTL_CPU, "cpu", "cpu" },
	{ CGROUP_CTL_CPUACCT, "cpuacct", NULL },
	{ CGROUP_CTL_CPUSET, "cpuset", "cpuset" },
	{ CGROUP_CTL_MEMORY, "memory", "memory" },
	{ CGROUP_CTL_DEVICES, "devices", NULL },
	{ CGROUP_CTL_FREEZER, "freezer", NULL },
	{ CGROUP_CTL_BLKIO, "blkio", "io" },
	{ CGROUP_CTL_PIDS, "pids", "pids" },
	{ CGROUP_CTL_HUGETLB, "hugetlb", "hugetlb" },
	{ CGROUP_CTL_NET_CLS, "net_cls", NULL },
	{ CGROUP_CTL_NET_PRIO, "net_prio", NULL },
	{ CGROUP_CTL_RDMA, "rdma", "rdma" },
	{ CGROUP_CTL_MISC, "misc", "misc" },
	{ CGROUP_CTL_PERF_EVENT, "perf_event", "perf_event" },
};

unsigned cgroup_res_ctl_bit(const char *name)
{
	for (size_t i = 0; i < sizeof(ctl_names) / sizeof(ctl_names[0]); i++)
		if (strcmp(name, ctl_names[i].v1) == 0 ||
		    (ctl_names[i].v2 && strcmp(name, ctl_names[i].v2) == 0))
			return ctl_names[i].bit;
	return 0;
}

bool cgroup_res_ctl_in_v2(unsigned bit)
{
	for (size_t i = 0; i < sizeof(ctl_names) / sizeof(ctl_names[0]); i++)
		if (ctl_names[i].bit == bit)
			return ctl_names[i].v2 != NULL;
	return false;
}

const char *cgroup_res_ctl_name(unsigned bit, bool v2)
{
	for (size_t i = 0; i < sizeof(ctl_names) / sizeof(ctl_names[0]); i++)
		if (ctl_names[i].bit == bit)
			return v2 && ctl_names[i].v2 ? ctl_names[i].v2 : ctl_names[i].v1;
	return "?";
}

struct needs {
	struct cgroup_res_need *v;
	size_t n, cap;
	bool oom;
};

static void need(struct needs *l, bool cond, const char *field, unsigned ctl)
{
	if (!cond || l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct cgroup_res_need *grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown) {
			l->oom = true;
			return;
		}
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = (struct cgroup_res_need){ field, ctl };
}

static void memory_needs(struct needs *l, const struct spec_memory *m)
{
	const unsigned c = CGROUP_CTL_MEMORY;

	need(l, m->limit.set && m->limit.v, "memory.limit", c);
	need(l, m->reservation.set && m->reservation.v, "memory.reservation", c);
	need(l, m->swap.set && m->swap.v, "memory.swap", c);
	need(l, m->kernel.set && m->kernel.v, "memory.kernel", c);
	need(l, m->kernel_tcp.set && m->kernel_tcp.v, "memory.kernelTCP", c);
	/* 0 is a real swappiness ("avoid swap"); clients omit it when unset. */
	need(l, m->swappiness.set, "memory.swappiness", c);
	need(l, m->disable_oom_killer_set && m->disable_oom_killer,
	     "memory.disableOOMKiller", c);
	need(l, m->use_hierarchy_set, "memory.useHierarchy", c);
}

static void cpu_needs(struct needs *l, const struct spec_cpu *p)
{
	const unsigned c = CGROUP_CTL_CPU;

	need(l, p->shares.set && p->shares.v, "cpu.shares", c);
	need(l, p->quota.set && p->quota.v, "cpu.quota", c);
	need(l, p->period.set && p->period.v, "cpu.period", c);
	need(l, p->burst.set && p->burst.v, "cpu.burst", c);
	need(l, p->realtime_runtime.set && p->realtime_runtime.v, "cpu.realtimeRuntime", c);
	need(l, p->realtime_period.set && p->realtime_period.v, "cpu.realtimePeriod", c);
	need(l, p->idle.set && p->idle.v, "cpu.idle", c);
	need(l, p->cpus && *p->cpus, "cpu.cpus", CGROUP_CTL_CPUSET);
	need(l, p->mems && *p->mems, "cpu.mems", CGROUP_CTL_CPUSET);
}

static void blkio_needs(struct needs *l, const struct spec_blkio *b)
{
	const unsigned c = CGROUP_CTL_BLKIO;

	need(l, b->weight_set && b->weight, "blockIO.weight", c);
	need(l, b->leaf_weight_set && b->leaf_weight, "blockIO.leafWeight", c);
	need(l, b->n_weight_device, "blockIO.weightDevice", c);
	need(l, b->n_throttle_read_bps, "blockIO.throttleReadBpsDevice", c);
	need(l, b->n_throttle_write_bps, "blockIO.throttleWriteBpsDevice", c);
	need(l, b->n_throttle_read_iops, "blockIO.throttleReadIOPSDevice", c);
	need(l, b->n_throttle_write_iops, "blockIO.throttleWriteIOPSDevice", c);
}

int cgroup_res_needs(const struct spec_resources *r, struct cgroup_res_need **out,
		     size_t *n, struct berr *err)
{
	struct needs l = { 0 };

	*out = NULL;
	*n = 0;
	memory_needs(&l, &r->memory);
	cpu_needs(&l, &r->cpu);
	need(&l, r->pids_set && r->pids_limit, "pids.limit", CGROUP_CTL_PIDS);
	blkio_needs(&l, &r->blkio);
	need(&l, r->n_hugepage_limits, "hugepageLimits", CGROUP_CTL_HUGETLB);
	need(&l, r->net_class_id_set && r->net_class_id, "network.classID",
	     CGROUP_CTL_NET_CLS);
	need(&l, r->n_net_priorities, "network.priorities", CGROUP_CTL_NET_PRIO);
	need(&l, r->n_rdma, "rdma", CGROUP_CTL_RDMA);
	for (size_t i = 0; i < r->n_unified; i++) {
		unsigned ctl;
		int ret = cgroup_res_unified_key(r->unified[i].key, &ctl, err);

		if (ret < 0) {
			free(l.v);
			return ret;
		}
		need(&l, true, "unified", ctl);
	}
	if (l.oom) {
		free(l.v);
		return berr_set(err, ENOMEM, "linux.resources");
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

uint64_t cgroup_res_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_res_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int cgroup_res_swap_v2(int64_t limit, int64_t swap, char *out, size_t size,
		       struct berr *err)
{
	out[0] = '\0';
	/* An unlimited memory with swap unsaid means both unlimited, as on v1. */
	if (limit == -1 && swap == 0) {
		snprintf(out, size, "max");
		return 0;
	}
	if (swap == 0)
		return 0;
	if (swap < 0) {
		snprintf(out, size, "max");
		return 0;
	}
	if (limit <= 0)
		return berr_fail(err, EINVAL,
				"linux.resources.memory.swap: a swap limit needs a memory "
				"limit (swap counts memory plus swap)");
	if (swap < limit)
		return berr_fail(err, EINVAL,
				"linux.resources.memory.swap: %" PRId64 " is below the memory "
				"limit %" PRId64 " (swap counts memory plus swap)",
				swap, limit);
	snprintf(out, size, "%" PRId64, swap - limit);
	return 0;
}

static bool has_v2_name(const char *name)
{
	for (size_t i = 0; i < sizeof(ctl_names) / sizeof(ctl_names[0]); i++)
		if (ctl_names[i].v2 && strcmp(name, ctl_names[i].v2) == 0)
			return true;
	return false;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

int cgroup_res_unified_key(const char *key, unsigned *ctl, struct berr *err)
{
	static const char *const reserved[] = {
		"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze",
		"cgroup.subtree_control", NULL,
	};
	const char *dot = strchr(key, '.');
	char prefix[32];

	*ctl = 0;
	for (const char *p = key; *p; p++)
		if (!key_char(*p))
			return berr_fail(err, EINVAL,
					"linux.resources.unified: key \"%s\" is not a cgroup "
					"file name (letters, digits, '_' and '.')",
					key);
	if (!dot || dot == key || !dot[1] || strstr(key, "..") ||
	    (size_t)(dot - key) >= sizeof(prefix))
		return berr_fail(err, EINVAL,
				"linux.resources.unified: key \"%s\" is not of the form "
				"<controller>.<file>",
				key);
	for (const char *const *r = reserved; *r; r++)
		if (strcmp(key, *r) == 0)
			return berr_fail(err, EPERM,
					"linux.resources.unified: %s is managed by the runtime "
					"and cannot be set",
					key);
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - key), key);
	if (strcmp(prefix, "cgroup") == 0)
		return 0;
	*ctl = cgroup_res_ctl_bit(prefix);
	if (!*ctl || !has_v2_name(prefix))
		return berr_fail(err, EINVAL,
				"linux.resources.unified: key \"%s\": \"%s\" is not a cgroup "
				"v2 controller",
				key, prefix);
	return 0;
}

void cgroup_res_limit(int64_t v, bool v2, char *out, size_t size)
{
	if (v < 0)
		snprintf(out, size, "%s", v2 ? "max" : "-1");
	else
		snprintf(out, size, "%" PRId64, v);
}

bool cgroup_res_page_size_ok(const char *size)
{
	size_t digits = strspn(size, "0123456789");

	return digits > 0 && digits < 12 &&
	       (strcmp(size + digits, "KB") == 0 || strcmp(size + digits, "MB") == 0 ||
		strcmp(size + digits, "GB") == 0);
}

int cgroup_res_hugetlb_file(const struct spec_hugepage_limit *h, size_t i, const char *suffix,
			    struct cgroup_res_hugetlb *out, struct berr *err)
{
	if (!cgroup_res_page_size_ok(h[i].page_size))
		return berr_fail(err, EINVAL,
				 "linux.resources.hugepageLimits[%zu].pageSize: \"%s\" is not a "
				 "page size like 2MB or 1GB",
				 i, h[i].page_size);
	snprintf(out->name, sizeof(out->name), "hugetlb.%s.%s", h[i].page_size, suffix);
	snprintf(out->value, sizeof(out->value), "%" PRIu64, h[i].limit);
	return 0;
}

void cgroup_res_rdma_line(const struct spec_rdma *r, char *out, size_t size)
{
	int len = snprintf(out, size, "%s", r->device);

	if (r->hca_handles_set && len >= 0 && (size_t)len < size)
		len += snprintf(out + len, size - (size_t)len, " hca_handle=%u", r->hca_handles);
	if (r->hca_objects_set && len >= 0 && (size_t)len < size)
		snprintf(out + len, size - (size_t)len, " hca_object=%u", r->hca_objects);
}
