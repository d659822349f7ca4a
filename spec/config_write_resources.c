/* linux.resources.  Numbers the parser leaves unset stay absent; a
 * device rule's defaults (type "a", any major or minor) stay implicit as
 * the parser fills them in. */
#include "spec/config_write_parts.h"

static void opt_i64(struct cw *c, const char *key, struct opt_i64 v)
{
	if (v.set)
		jw_kint(c->w, key, v.v);
}

static void opt_u64(struct cw *c, const char *key, struct opt_u64 v)
{
	if (v.set)
		jw_kuint(c->w, key, v.v);
}

static void opt_bool(struct cw *c, const char *key, bool set, bool v)
{
	if (set)
		jw_kbool(c->w, key, v);
}

static void write_device_rule(struct cw *c, const struct spec_device_rule *d)
{
	char type[2] = { d->type, '\0' };

	jw_map_open(c->w);
	jw_kbool(c->w, "allow", d->allow);
	if (d->type != 'a')
		jw_kstr(c->w, "type", type);
	if (d->major != -1)
		jw_kint(c->w, "major", d->major);
	if (d->minor != -1)
		jw_kint(c->w, "minor", d->minor);
	jw_kstr(c->w, "access", d->access);
	jw_map_close(c->w);
}

static void write_memory(struct cw *c, const struct spec_memory *m)
{
	jw_key(c->w, "memory");
	jw_map_open(c->w);
	opt_i64(c, "limit", m->limit);
	opt_i64(c, "reservation", m->reservation);
	opt_i64(c, "swap", m->swap);
	opt_i64(c, "kernel", m->kernel);
	opt_i64(c, "kernelTCP", m->kernel_tcp);
	opt_u64(c, "swappiness", m->swappiness);
	opt_bool(c, "disableOOMKiller", m->disable_oom_killer_set, m->disable_oom_killer);
	opt_bool(c, "useHierarchy", m->use_hierarchy_set, m->use_hierarchy);
	opt_bool(c, "checkBeforeUpdate", m->check_before_update_set,
		 m->check_before_update);
	jw_map_close(c->w);
}

static void write_cpu(struct cw *c, const struct spec_cpu *cpu)
{
	jw_key(c->w, "cpu");
	jw_map_open(c->w);
	opt_u64(c, "shares", cpu->shares);
	opt_i64(c, "quota", cpu->quota);
	opt_u64(c, "burst", cpu->burst);
	opt_u64(c, "period", cpu->period);
	opt_i64(c, "realtimeRuntime", cpu->realtime_runtime);
	opt_u64(c, "realtimePeriod", cpu->realtime_period);
	cw_kstr_opt(c, "cpus", cpu->cpus);
	cw_kstr_opt(c, "mems", cpu->mems);
	opt_i64(c, "idle", cpu->idle);
	jw_map_close(c->w);
}

static void write_weight_devices(struct cw *c, const struct spec_blkio *b)
{
	if (!b->n_weight_device)
		return;
	jw_key(c->w, "weightDevice");
	jw_array_open(c->w);
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];

		jw_map_open(c->w);
		jw_kint(c->w, "major", d->major);
		jw_kint(c->w, "minor", d->minor);
		if (d->weight_set)
			jw_kuint(c->w, "weight", d->weight);
		if (d->leaf_weight_set)
			jw_kuint(c->w, "leafWeight", d->leaf_weight);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_throttle(struct cw *c, const char *key,
			   const struct spec_throttle_device *d, size_t n)
{
	if (!n)
		return;
	jw_key(c->w, key);
	jw_array_open(c->w);
	for (size_t i = 0; i < n; i++) {
		jw_map_open(c->w);
		jw_kint(c->w, "major", d[i].major);
		jw_kint(c->w, "minor", d[i].minor);
		jw_kuint(c->w, "rate", d[i].rate);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_blkio(struct cw *c, const struct spec_blkio *b)
{
	jw_key(c->w, "blockIO");
	jw_map_open(c->w);
	if (b->weight_set)
		jw_kuint(c->w, "weight", b->weight);
	if (b->leaf_weight_set)
		jw_kuint(c->w, "leafWeight", b->leaf_weight);
	write_weight_devices(c, b);
	write_throttle(c, "throttleReadBpsDevice", b->throttle_read_bps,
		       b->n_throttle_read_bps);
	write_throttle(c, "throttleWriteBpsDevice", b->throttle_write_bps,
		       b->n_throttle_write_bps);
	write_throttle(c, "throttleReadIOPSDevice", b->throttle_read_iops,
		       b->n_throttle_read_iops);
	write_throttle(c, "throttleWriteIOPSDevice", b->throttle_write_iops,
		       b->n_throttle_write_iops);
	jw_map_close(c->w);
}

static void write_hugepages(struct cw *c, const struct spec_resources *r)
{
	if (!r->n_hugepage_limits)
		return;
	jw_key(c->w, "hugepageLimits");
	jw_array_open(c->w);
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		jw_map_open(c->w);
		jw_kstr(c->w, "pageSize", r->hugepage_limits[i].page_size);
		jw_kuint(c->w, "limit", r->hugepage_limits[i].limit);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_network(struct cw *c, const struct spec_resources *r)
{
	jw_key(c->w, "network");
	jw_map_open(c->w);
	if (r->net_class_id_set)
		jw_kuint(c->w, "classID", r->net_class_id);
	if (r->n_net_priorities) {
		jw_key(c->w, "priorities");
		jw_array_open(c->w);
		for (size_t i = 0; i < r->n_net_priorities; i++) {
			jw_map_open(c->w);
			jw_kstr(c->w, "name", r->net_priorities[i].name);
			jw_kuint(c->w, "priority", r->net_priorities[i].priority);
			jw_map_close(c->w);
		}
		jw_array_close(c->w);
	}
	jw_map_close(c->w);
}

static void write_rdma(struct cw *c, const struct spec_resources *r)
{
	if (!r->n_rdma)
		return;
	jw_key(c->w, "rdma");
	jw_map_open(c->w);
	for (size_t i = 0; i < r->n_rdma; i++) {
		jw_key(c->w, r->rdma[i].device);
		jw_map_open(c->w);
		if (r->rdma[i].hca_handles_set)
			jw_kuint(c->w, "hcaHandles", r->rdma[i].hca_handles);
		if (r->rdma[i].hca_objects_set)
			jw_kuint(c->w, "hcaObjects", r->rdma[i].hca_objects);
		jw_map_close(c->w);
	}
	jw_map_close(c->w);
}

void cw_resources(struct cw *c, const struct spec_resources *r)
{
	jw_map_open(c->w);
	if (r->devices) {
		jw_key(c->w, "devices");
		jw_array_open(c->w);
		for (size_t i = 0; i < r->n_devices; i++)
			write_device_rule(c, &r->devices[i]);
		jw_array_close(c->w);
	}
	if (r->memory_set)
		write_memory(c, &r->memory);
	if (r->cpu_set)
		write_cpu(c, &r->cpu);
	if (r->pids_set) {
		jw_key(c->w, "pids");
		jw_map_open(c->w);
		jw_kint(c->w, "limit", r->pids_limit);
		jw_map_close(c->w);
	}
	if (r->blkio_set)
		write_blkio(c, &r->blkio);
	write_hugepages(c, r);
	if (r->network_set)
		write_network(c, r);
	write_rdma(c, r);
	cw_str_map(c, "unified", r->unified, r->n_unified);
	jw_map_close(c->w);
}
