/* linux.resources, which `update -r` also sends on its own.
 *
 * Clients send 0 for "leave it alone" (docker's "shares": 0, "weight": 0),
 * so the consumer treats zero as unset; the set flags here still record
 * exactly what the JSON said. */
#include "spec/config_parts.h"

#include <string.h>

/* The access string in the kernel's canonical order, or -1. */
static int parse_access(const char *s, char out[4])
{
	bool r = false, w = false, m = false;
	int n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s == 'r')
			r = true;
		else if (*s == 'w')
			w = true;
		else if (*s == 'm')
			m = true;
		else
			return -1;
	}
	if (r)
		out[n++] = 'r';
	if (w)
		out[n++] = 'w';
	if (m)
		out[n++] = 'm';
	out[n] = '\0';
	return 0;
}

static int read_device_rule(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_device_rule *d = elem;
	const char *type = "a";
	const char *access = "rwm";

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req(r, jr_bool(r, v, "allow", &d->allow), "allow"));
	JR_TRY(jr_str(r, v, "type", &type));
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return jr_fail_key(r, "type", "unknown device type \"%s\"", type);
	d->type = type[0];
	/* An omitted number matches every device, as "*" in the cgroup file. */
	d->major = -1;
	d->minor = -1;
	JR_TRY(jr_i64(r, v, "major", &d->major));
	JR_TRY(jr_i64(r, v, "minor", &d->minor));
	JR_TRY(jr_str(r, v, "access", &access));
	if (parse_access(access, d->access) < 0)
		return jr_fail_key(r, "access",
				   "invalid access \"%s\": expected letters from \"rwm\"",
				   access);
	return 0;
}

static int read_memory(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_memory *m = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_opt_i64(r, v, "limit", &m->limit));
	JR_TRY(jr_opt_i64(r, v, "reservation", &m->reservation));
	JR_TRY(jr_opt_i64(r, v, "swap", &m->swap));
	JR_TRY(jr_opt_i64(r, v, "kernel", &m->kernel));
	JR_TRY(jr_opt_i64(r, v, "kernelTCP", &m->kernel_tcp));
	JR_TRY(jr_opt_u64(r, v, "swappiness", &m->swappiness));
	JR_TRY_SET(m->disable_oom_killer_set,
		   jr_bool(r, v, "disableOOMKiller", &m->disable_oom_killer));
	JR_TRY_SET(m->use_hierarchy_set,
		   jr_bool(r, v, "useHierarchy", &m->use_hierarchy));
	JR_TRY_SET(m->check_before_update_set,
		   jr_bool(r, v, "checkBeforeUpdate", &m->check_before_update));
	return 0;
}

static int read_cpu(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_cpu *c = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_opt_u64(r, v, "shares", &c->shares));
	JR_TRY(jr_opt_i64(r, v, "quota", &c->quota));
	JR_TRY(jr_opt_u64(r, v, "burst", &c->burst));
	JR_TRY(jr_opt_u64(r, v, "period", &c->period));
	JR_TRY(jr_opt_i64(r, v, "realtimeRuntime", &c->realtime_runtime));
	JR_TRY(jr_opt_u64(r, v, "realtimePeriod", &c->realtime_period));
	JR_TRY(jr_str(r, v, "cpus", &c->cpus));
	JR_TRY(jr_str(r, v, "mems", &c->mems));
	JR_TRY(jr_opt_i64(r, v, "idle", &c->idle));
	return 0;
}

static int read_pids(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_i64(r, v, "limit", elem));
	return 0;
}

static int read_weight_device(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_weight_device *d = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_i64(r, v, "major", &d->major));
	JR_TRY(jr_req_i64(r, v, "minor", &d->minor));
	JR_TRY_SET(d->weight_set, jr_u16(r, v, "weight", &d->weight));
	JR_TRY_SET(d->leaf_weight_set,
		   jr_u16(r, v, "leafWeight", &d->leaf_weight));
	return 0;
}

static int read_throttle_device(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_throttle_device *d = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_i64(r, v, "major", &d->major));
	JR_TRY(jr_req_i64(r, v, "minor", &d->minor));
	JR_TRY(jr_req_u64(r, v, "rate", &d->rate));
	return 0;
}

static int read_blkio(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_blkio *b = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY_SET(b->weight_set, jr_u16(r, v, "weight", &b->weight));
	JR_TRY_SET(b->leaf_weight_set,
		   jr_u16(r, v, "leafWeight", &b->leaf_weight));
	JR_TRY(jr_list(r, v, "weightDevice", b->weight_device,
		       &b->n_weight_device, read_weight_device, NULL));
	JR_TRY(jr_list(r, v, "throttleReadBpsDevice", b->throttle_read_bps,
		       &b->n_throttle_read_bps, read_throttle_device, NULL));
	JR_TRY(jr_list(r, v, "throttleWriteBpsDevice", b->throttle_write_bps,
		       &b->n_throttle_write_bps, read_throttle_device, NULL));
	JR_TRY(jr_list(r, v, "throttleReadIOPSDevice", b->throttle_read_iops,
		       &b->n_throttle_read_iops, read_throttle_device, NULL));
	JR_TRY(jr_list(r, v, "throttleWriteIOPSDevice", b->throttle_write_iops,
		       &b->n_throttle_write_iops, read_throttle_device, NULL));
	return 0;
}

static int read_hugepage_limit(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_hugepage_limit *h = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "pageSize", &h->page_size));
	JR_TRY(jr_req_u64(r, v, "limit", &h->limit));
	return 0;
}

static int read_net_priority(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_net_priority *p = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "name", &p->name));
	JR_TRY(jr_req_u32(r, v, "priority", &p->priority));
	return 0;
}

static int read_network(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_resources *res = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY_SET(res->net_class_id_set,
		   jr_u32(r, v, "classID", &res->net_class_id));
	JR_TRY(jr_list(r, v, "priorities", res->net_priorities,
		       &res->n_net_priorities, read_net_priority, NULL));
	return 0;
}

static int read_rdma(struct jr *r, const char *device, yajl_val v, void *elem)
{
	struct spec_rdma *d = elem;

	JR_TRY(jr_val_object(r, v));
	d->device = device;
	JR_TRY_SET(d->hca_handles_set,
		   jr_u32(r, v, "hcaHandles", &d->hca_handles));
	JR_TRY_SET(d->hca_objects_set,
		   jr_u32(r, v, "hcaObjects", &d->hca_objects));
	return 0;
}

int config_resources_read(struct jr *r, yajl_val v, struct spec_resources *res)
{
	JR_TRY(jr_val_object(r, v));
	res->set = true;
	JR_TRY(jr_list(r, v, "devices", res->devices, &res->n_devices,
		       read_device_rule, NULL));
	JR_TRY_SET(res->memory_set,
		   jr_section(r, v, "memory", read_memory, &res->memory, NULL));
	JR_TRY_SET(res->cpu_set,
		   jr_section(r, v, "cpu", read_cpu, &res->cpu, NULL));
	JR_TRY_SET(res->pids_set,
		   jr_section(r, v, "pids", read_pids, &res->pids_limit, NULL));
	JR_TRY_SET(res->blkio_set,
		   jr_section(r, v, "blockIO", read_blkio, &res->blkio, NULL));
	JR_TRY(jr_list(r, v, "hugepageLimits", res->hugepage_limits,
		       &res->n_hugepage_limits, read_hugepage_limit, NULL));
	JR_TRY_SET(res->network_set,
		   jr_section(r, v, "network", read_network, res, NULL));
	JR_TRY(jr_map(r, v, "rdma", res->rdma, &res->n_rdma, read_rdma));
	JR_TRY(jr_str_map(r, v, "unified", &res->unified, &res->n_unified));
	return 0;
}
