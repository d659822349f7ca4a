/* Container statistics and runc's `events` JSON.
 *
 * One event per line: {"type":"stats","id":ID,"data":{...}} with runc's
 * stats layout (cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt,
 * network_interfaces), or {"type":"oom","id":ID}.  Times are nanoseconds,
 * sizes bytes; a limit that is "max" is UINT64_MAX, except pids' limit,
 * which runc reports as 0 when unlimited. */
#ifndef BERTH_SPEC_EVENTS_H
#define BERTH_SPEC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

struct spec_mem_entry {
	uint64_t limit, usage, max, failcnt;
};

struct spec_blkio_entry {
	uint64_t major, minor;
	const char *op; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
	uint64_t value;
};

struct spec_hugetlb_stats {
	char page_size[32]; /* "2MB" */
	uint64_t usage, max, failcnt;
};

struct spec_stat_kv {
	char *key;
	uint64_t value;
};

struct spec_stats {
	struct {
		uint64_t total, kernel, user;
		uint64_t *percpu;
		size_t n_percpu;
		uint64_t periods, throttled_periods, throttled_time;
	} cpu;
	struct {
		uint16_t *cpus, *mems;
		size_t n_cpus, n_mems;
	} cpuset;
	struct {
		uint64_t cache;
		struct spec_mem_entry usage, swap, kernel, kernel_tcp;
		struct spec_stat_kv *raw;
		size_t n_raw;
		uint64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill;
	} memory;
	struct {
		uint64_t current, limit;
	} pids;
	struct {
		struct spec_blkio_entry *service_bytes, *serviced;
		size_t n_service_bytes, n_serviced;
	} blkio;
	struct spec_hugetlb_stats *hugetlb;
	size_t n_hugetlb;
};

/* Free what the arrays and keys of s hold (malloc'd). */
void spec_stats_release(struct spec_stats *s);

/* Append to the growing arrays of s; -ENOMEM on failure. */
int spec_stats_add_raw(struct spec_stats *s, const char *key, uint64_t value);
int spec_stats_add_blkio(struct spec_blkio_entry **v, size_t *n,
			 const struct spec_blkio_entry *e);
int spec_stats_add_hugetlb(struct spec_stats *s, const struct spec_hugetlb_stats *h);
int spec_stats_add_percpu(struct spec_stats *s, uint64_t v);
/* Parse a cpu list ("0-3,7") into *out (malloc'd). */
int spec_stats_parse_list(const char *text, uint16_t **out, size_t *n);

/* One event line (without a newline): stats may be NULL (an "oom" event
 * carries no data). */
int spec_event_json(const char *type, const char *id, const struct spec_stats *stats,
		    char **out, size_t *len, struct berr *err);

#endif
