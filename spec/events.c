/* runc's event JSON.  Field names and omissions follow runc's types
 * package: omitempty numbers vanish at zero, nested objects never do. */
#include "spec/events.h"

#include <stdlib.h>
#include <string.h>

#include "spec/json_write.h"

void spec_stats_release(struct spec_stats *s)
{
	for (size_t i = 0; i < s->memory.n_raw; i++)
		free(s->memory.raw[i].key);
	free(s->memory.raw);
	free(s->cpu.percpu);
	free(s->cpuset.cpus);
	free(s->cpuset.mems);
	free(s->blkio.service_bytes);
	free(s->blkio.serviced);
	free(s->hugetlb);
	memset(s, 0, sizeof(*s));
}

static int grow(void **v, size_t n, size_t size)
{
	void *g;

	/* The capacity doubles each time n reaches a power of two. */
	if (n && (n & (n - 1)))
		return 0;
	g = realloc(*v, (n ? n * 2 : 1) * size);
	if (!g)
		return -ENOMEM;
	*v = g;
	return 0;
}

int spec_stats_add_raw(struct spec_stats *s, const char *key, uint64_t value)
{
	char *k = strdup(key);

	if (!k || grow((void **)&s->memory.raw, s->memory.n_raw, sizeof(*s->memory.raw)) < 0) {
		free(k);
		return -ENOMEM;
	}
	s->memory.raw[s->memory.n_raw++] = (struct spec_stat_kv){ k, value };
	return 0;
}

int spec_stats_add_blkio(struct spec_blkio_entry **v, size_t *n,
			 const struct spec_blkio_entry *e)
{
	if (grow((void **)v, *n, sizeof(**v)) < 0)
		return -ENOMEM;
	(*v)[(*n)++] = *e;
	return 0;
}

int spec_stats_add_hugetlb(struct spec_stats *s, const struct spec_hugetlb_stats *h)
{
	if (grow((void **)&s->hugetlb, s->n_hugetlb, sizeof(*s->hugetlb)) < 0)
		return -ENOMEM;
	s->hugetlb[s->n_hugetlb++] = *h;
	return 0;
}

int spec_stats_add_percpu(struct spec_stats *s, uint64_t v)
{
	if (grow((void **)&s->cpu.percpu, s->cpu.n_percpu, sizeof(*s->cpu.percpu)) < 0)
		return -ENOMEM;
	s->cpu.percpu[s->cpu.n_percpu++] = v;
	return 0;
}

int spec_stats_parse_list(const char *text, uint16_t **out, size_t *n)
{
	const char *p = text;

	*out = NULL;
	*n = 0;
	while (*p && *p != '\n') {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi;

		if (end == p)
			return -EINVAL;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p || hi < lo)
				return -EINVAL;
		}
		if (hi > UINT16_MAX)
			return -ERANGE;
		for (unsigned long v = lo; v <= hi; v++) {
			if (grow((void **)out, *n, sizeof(**out)) < 0)
				return -ENOMEM;
			(*out)[(*n)++] = (uint16_t)v;
		}
		p = end;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* uint64 with Go's omitempty. */
static void kuint_nz(struct jw *w, const char *key, uint64_t v)
{
	if (v)
		jw_kuint(w, key, v);
}

static void write_cpu(struct jw *w, const struct spec_stats *s)
{
	jw_key(w, "cpu");
	jw_map_open(w);
	jw_key(w, "usage");
	jw_map_open(w);
	kuint_nz(w, "total", s->cpu.total);
	if (s->cpu.n_percpu) {
		jw_key(w, "percpu");
		jw_array_open(w);
		for (size_t i = 0; i < s->cpu.n_percpu; i++)
			jw_uint(w, s->cpu.percpu[i]);
		jw_array_close(w);
	}
	jw_kuint(w, "kernel", s->cpu.kernel);
	jw_kuint(w, "user", s->cpu.user);
	jw_map_close(w);
	jw_key(w, "throttling");
	jw_map_open(w);
	kuint_nz(w, "periods", s->cpu.periods);
	kuint_nz(w, "throttledPeriods", s->cpu.throttled_periods);
	kuint_nz(w, "throttledTime", s->cpu.throttled_time);
	jw_map_close(w);
	jw_map_close(w);
}

static void write_u16_list(struct jw *w, const char *key, const uint16_t *v, size_t n)
{
	if (!n)
		return;
	jw_key(w, key);
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		jw_uint(w, v[i]);
	jw_array_close(w);
}

static void write_cpuset(struct jw *w, const struct spec_stats *s)
{
	static const char *const zeros[] = {
		"cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
		"memory_spread_page", "memory_spread_slab", "memory_pressure",
		"sched_load_balance", "sched_relax_domain_level", NULL,
	};

	jw_key(w, "cpuset");
	jw_map_open(w);
	write_u16_list(w, "cpus", s->cpuset.cpus, s->cpuset.n_cpus);
	write_u16_list(w, "mems", s->cpuset.mems, s->cpuset.n_mems);
	/* runc always writes these; berth does not read them. */
	for (const char *const *k = zeros; *k; k++)
		jw_kuint(w, *k, 0);
	jw_map_close(w);
}

static void write_mem_entry(struct jw *w, const char *key, const struct spec_mem_entry *e)
{
	jw_key(w, key);
	jw_map_open(w);
	jw_kuint(w, "limit", e->limit);
	kuint_nz(w, "usage", e->usage);
	kuint_nz(w, "max", e->max);
	jw_kuint(w, "failcnt", e->failcnt);
	jw_map_close(w);
}

static void write_memory(struct jw *w, const struct spec_stats *s)
{
	jw_key(w, "memory");
	jw_map_open(w);
	kuint_nz(w, "cache", s->memory.cache);
	write_mem_entry(w, "usage", &s->memory.usage);
	write_mem_entry(w, "swap", &s->memory.swap);
	write_mem_entry(w, "kernel", &s->memory.kernel);
	write_mem_entry(w, "kernelTCP", &s->memory.kernel_tcp);
	if (s->memory.n_raw) {
		jw_key(w, "raw");
		jw_map_open(w);
		for (size_t i = 0; i < s->memory.n_raw; i++)
			jw_kuint(w, s->memory.raw[i].key, s->memory.raw[i].value);
		jw_map_close(w);
	}
	jw_key(w, "event_count");
	jw_map_open(w);
	kuint_nz(w, "low", s->memory.ev_low);
	kuint_nz(w, "high", s->memory.ev_high);
	kuint_nz(w, "max", s->memory.ev_max);
	kuint_nz(w, "oom", s->memory.ev_oom);
	kuint_nz(w, "oom_kill", s->memory.ev_oom_kill);
	jw_map_close(w);
	jw_map_close(w);
}

static void write_blkio_list(struct jw *w, const char *key,
			     const struct spec_blkio_entry *v, size_t n)
{
	if (!n)
		return;
	jw_key(w, key);
	jw_array_open(w);
	for (size_t i = 0; i < n; i++) {
		jw_map_open(w);
		kuint_nz(w, "major", v[i].major);
		kuint_nz(w, "minor", v[i].minor);
		if (v[i].op && *v[i].op)
			jw_kstr(w, "op", v[i].op);
		kuint_nz(w, "value", v[i].value);
		jw_map_close(w);
	}
	jw_array_close(w);
}

static void write_stats(struct jw *w, const struct spec_stats *s)
{
	jw_map_open(w);
	write_cpu(w, s);
	write_cpuset(w, s);
	write_memory(w, s);
	jw_key(w, "pids");
	jw_map_open(w);
	kuint_nz(w, "current", s->pids.current);
	kuint_nz(w, "limit", s->pids.limit);
	jw_map_close(w);
	jw_key(w, "blkio");
	jw_map_open(w);
	write_blkio_list(w, "ioServiceBytesRecursive", s->blkio.service_bytes,
			 s->blkio.n_service_bytes);
	write_blkio_list(w, "ioServicedRecursive", s->blkio.serviced, s->blkio.n_serviced);
	jw_map_close(w);
	jw_key(w, "hugetlb");
	jw_map_open(w);
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		jw_key(w, s->hugetlb[i].page_size);
		jw_map_open(w);
		kuint_nz(w, "usage", s->hugetlb[i].usage);
		kuint_nz(w, "max", s->hugetlb[i].max);
		jw_kuint(w, "failcnt", s->hugetlb[i].failcnt);
		jw_map_close(w);
	}
	jw_map_close(w);
	jw_key(w, "intel_rdt");
	jw_map_open(w);
	jw_map_close(w);
	jw_key(w, "network_interfaces");
	jw_null(w);
	jw_map_close(w);
}

int spec_event_json(const char *type, const char *id, const struct spec_stats *stats,
		    char **out, size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_kstr(w, "type", type);
	jw_kstr(w, "id", id);
	if (stats) {
		jw_key(w, "data");
		write_stats(w, stats);
	}
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
