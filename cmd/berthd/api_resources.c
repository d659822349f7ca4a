/* A container's resources as docker shows them: top and stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"

enum MHD_Result api_container_top(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_top t;
	struct berr err = { 0 };
	int ret;

	ret = daemon_top(r->srv->d, r->params[0], http_query(r, "ps_args"), &t, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_key(w, "Titles");
	jw_array_open(w);
	for (size_t i = 0; t.titles[i]; i++)
		jw_str(w, t.titles[i]);
	jw_array_close(w);
	jw_key(w, "Processes");
	jw_array_open(w);
	for (size_t i = 0; i < t.n_rows; i++) {
		jw_array_open(w);
		for (size_t j = 0; t.rows[i][j]; j++)
			jw_str(w, t.rows[i][j]);
		jw_array_close(w);
	}
	jw_array_close(w);
	jw_map_close(w);
	daemon_top_free(&t);
	return http_reply_json(r, 200, w);
}

/* --- stats ------------------------------------------------------------------- */

#define STATS_INTERVAL_MS 1000

/* What one sample needs to become docker's JSON, CPU figures of the
 * sample before it included. */
struct sample {
	bool have;
	char read[48];
	uint64_t total, kernel, user, system_ns;
	uint64_t *percpu;
	size_t n_percpu;
	uint64_t periods, throttled_periods, throttled_time;
	unsigned online_cpus;
};

static void sample_take(struct sample *p, const struct daemon_stats *s)
{
	free(p->percpu);
	*p = (struct sample){ .have = true,
			      .total = s->st.cpu.total,
			      .kernel = s->st.cpu.kernel,
			      .user = s->st.cpu.user,
			      .system_ns = s->system_ns,
			      .periods = s->st.cpu.periods,
			      .throttled_periods = s->st.cpu.throttled_periods,
			      .throttled_time = s->st.cpu.throttled_time,
			      .online_cpus = s->online_cpus };
	snprintf(p->read, sizeof(p->read), "%s", s->read);
	if (s->st.cpu.n_percpu && (p->percpu = malloc(s->st.cpu.n_percpu * sizeof(uint64_t)))) {
		memcpy(p->percpu, s->st.cpu.percpu, s->st.cpu.n_percpu * sizeof(uint64_t));
		p->n_percpu = s->st.cpu.n_percpu;
	}
}

static void cpu_json(struct jw *w, const char *key, const struct sample *p)
{
	jw_key(w, key);
	jw_map_open(w);
	jw_key(w, "cpu_usage");
	jw_map_open(w);
	jw_kuint(w, "total_usage", p->total);
	if (p->n_percpu) {
		jw_key(w, "percpu_usage");
		jw_array_open(w);
		for (size_t i = 0; i < p->n_percpu; i++)
			jw_uint(w, p->percpu[i]);
		jw_array_close(w);
	}
	jw_kuint(w, "usage_in_kernelmode", p->kernel);
	jw_kuint(w, "usage_in_usermode", p->user);
	jw_map_close(w);
	if (p->have) {
		jw_kuint(w, "system_cpu_usage", p->system_ns);
		jw_kuint(w, "online_cpus", p->online_cpus);
	}
	jw_key(w, "throttling_data");
	jw_map_open(w);
	jw_kuint(w, "periods", p->periods);
	jw_kuint(w, "throttled_periods", p->throttled_periods);
	jw_kuint(w, "throttled_time", p->throttled_time);
	jw_map_close(w);
	jw_map_close(w);
}

static void blkio_list(struct jw *w, const char *key, const struct spec_blkio_entry *v,
		       size_t n, bool lower)
{
	jw_key(w, key);
	if (!n) {
		jw_null(w);
		return;
	}
	jw_array_open(w);
	for (size_t i = 0; i < n; i++) {
		char op[16];

		/* cgroup v1 names ops as "Read"; dockerd gives v2's as "read". */
		snprintf(op, sizeof(op), "%s", v[i].op ? v[i].op : "");
		if (lower)
			for (char *c = op; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		jw_map_open(w);
		jw_kuint(w, "major", v[i].major);
		jw_kuint(w, "minor", v[i].minor);
		jw_kstr(w, "op", op);
		jw_kuint(w, "value", v[i].value);
		jw_map_close(w);
	}
	jw_array_close(w);
}

static void memory_json(struct jw *w, const struct daemon_stats *s)
{
	const struct spec_stats *st = &s->st;
	uint64_t limit = st->memory.usage.limit;

	jw_key(w, "memory_stats");
	jw_map_open(w);
	if (s->running) {
		/* No limit: the host's memory, as dockerd reports it. */
		if (!limit || (s->mem_total && limit > s->mem_total))
			limit = s->mem_total;
		jw_kuint(w, "usage", st->memory.usage.usage);
		if (!s->v2) {
			jw_kuint(w, "max_usage", st->memory.usage.max);
			jw_kuint(w, "failcnt", st->memory.usage.failcnt);
		}
		jw_key(w, "stats");
		jw_map_open(w);
		for (size_t i = 0; i < st->memory.n_raw; i++)
			jw_kuint(w, st->memory.raw[i].key, st->memory.raw[i].value);
		jw_map_close(w);
		jw_kuint(w, "limit", limit);
	}
	jw_map_close(w);
}

static int stats_json(const char *id, const char *name, const struct daemon_stats *s,
		      const struct sample *cur, const struct sample *pre, char **out, size_t *len)
{
	cleanup_jw struct jw *w = jw_new(false);
	char full_name[300];
	struct berr err;

	snprintf(full_name, sizeof(full_name), "/%s", name);
	jw_map_open(w);
	jw_kstr(w, "name", full_name);
	jw_kstr(w, "id", id);
	jw_kstr(w, "read", s->running ? cur->read : "0001-01-01T00:00:00Z");
	jw_kstr(w, "preread", pre->have ? pre->read : "0001-01-01T00:00:00Z");
	jw_key(w, "pids_stats");
	jw_map_open(w);
	if (s->running) {
		jw_kuint(w, "current", s->st.pids.current);
		if (s->st.pids.limit && s->st.pids.limit != UINT64_MAX)
			jw_kuint(w, "limit", s->st.pids.limit);
	}
	jw_map_close(w);
	jw_key(w, "blkio_stats");
	jw_map_open(w);
	blkio_list(w, "io_service_bytes_recursive", s->st.blkio.service_bytes,
		   s->st.blkio.n_service_bytes, s->v2);
	blkio_list(w, "io_serviced_recursive", s->st.blkio.serviced, s->st.blkio.n_serviced,
		   s->v2);
	jw_key(w, "io_queue_service_bytes_recursive");
	jw_null(w);
	jw_key(w, "io_service_time_recursive");
	jw_null(w);
	jw_key(w, "io_wait_time_recursive");
	jw_null(w);
	jw_key(w, "io_merged_recursive");
	jw_null(w);
	jw_key(w, "io_time_recursive");
	jw_null(w);
	jw_key(w, "sectors_recursive");
	jw_null(w);
	jw_map_close(w);
	jw_kint(w, "num_procs", 0);
	jw_key(w, "storage_stats");
	jw_map_open(w);
	jw_map_close(w);
	cpu_json(w, "cpu_stats", s->running ? cur : &(struct sample){ 0 });
	cpu_json(w, "precpu_stats", pre);
	memory_json(w, s);
	jw_map_close(w);
	if (jw_finish(w, out, len, &err) < 0)
		return -1;
	return 0;
}

struct stats_stream {
	struct daemon *d;
	struct daemon_container *c;
	char id[65];
	char *name;
	bool stream, one_shot, done;
	struct sample pre;
	int64_t next; /* CLOCK_MONOTONIC ms of the next sample */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One sample as a JSON line in buf; -1 when it cannot be had. */
static ssize_t emit_sample(struct stats_stream *s, char *buf, size_t max, bool *running)
{
	struct daemon_stats ds;
	struct sample cur = { 0 };
	struct berr err;
	char *json = NULL;
	size_t len;
	ssize_t n = -1;

	if (daemon_stats(s->d, s->c, &ds, &err) < 0)
		return -1;
	*running = ds.running;
	if (ds.running)
		sample_take(&cur, &ds);
	if (stats_json(s->id, s->name, &ds, &cur, &s->pre, &json, &len) == 0 && len + 1 <= max) {
		memcpy(buf, json, len);
		buf[len] = '\n';
		n = (ssize_t)len + 1;
	}
	free(json);
	free(s->pre.percpu);
	s->pre = cur;
	spec_stats_release(&ds.st);
	return n;
}

static ssize_t stats_next(void *cls, char *buf, size_t max)
{
	struct stats_stream *s = cls;
	bool running = false;
	int64_t now = mono_ms();

	if (s->done || s->d->stopping)
		return -1;
	if (now < s->next) {
		int64_t left = s->next - now;

		/* Come back soon: the HTTP layer checks the client meanwhile. */
		usleep((useconds_t)(left > 100 ? 100 : left) * 1000);
		return 0;
	}
	s->next = now + STATS_INTERVAL_MS;
	if (!s->stream && !s->one_shot && !s->pre.have) {
		/* docker's no-stream answer carries the CPU figures of a
		 * sample a second earlier, for a CPU percentage. */
		struct daemon_stats ds;
		struct berr err;

		if (daemon_stats(s->d, s->c, &ds, &err) == 0 && ds.running) {
			sample_take(&s->pre, &ds);
			spec_stats_release(&ds.st);
			return 0;
		}
	}
	{
		ssize_t n = emit_sample(s, buf, max, &running);

		if (!s->stream || !running)
			s->done = true;
		return n;
	}
}

static void stats_free(void *cls)
{
	struct stats_stream *s = cls;

	daemon_put(s->d, s->c);
	free(s->name);
	free(s->pre.percpu);
	free(s);
}

enum MHD_Result api_container_stats(struct req *r)
{
	const char *stream = http_query(r, "stream");
	struct stats_stream *s = calloc(1, sizeof(*s));
	struct berr err;
	int ret;

	if (!s)
		return MHD_NO;
	s->d = r->srv->d;
	s->stream = !stream || http_query_bool(r, "stream");
	s->one_shot = http_query_bool(r, "one-shot");
	if (s->one_shot && s->stream) {
		free(s);
		return http_reply_error(r, 400, "cannot have stream=true and one-shot=true");
	}
	ret = daemon_get(r->srv->d, r->params[0], &s->c, &err);
	if (ret < 0) {
		free(s);
		return http_reply_berr(r, &err);
	}
	daemon_lock(s->d);
	snprintf(s->id, sizeof(s->id), "%s", s->c->id);
	s->name = strdup(s->c->name);
	daemon_unlock(s->d);
	if (!s->name) {
		stats_free(s);
		return MHD_NO;
	}
	return http_reply_stream(r, 200, "application/json", stats_next, s, stats_free);
}
