/* pause, resume, update, events. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec/base/fsutil.h"
#include "runtime/cgroups.h"
#include "spec/base/arena.h"
#include "spec/config.h"
#include "spec/events.h"

int cmd_pause(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "pause", "<container-id>",
					    "Freeze every process of a container." };
	struct berr err = { 0 };
	int status, i;

	i = cli_parse(cli, &u, NULL, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	if (rt_pause(&cli->rt, argv[i], &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}

int cmd_resume(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "resume", "<container-id>",
					    "Thaw the processes of a paused container." };
	struct berr err = { 0 };
	int status, i;

	i = cli_parse(cli, &u, NULL, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	if (rt_resume(&cli->rt, argv[i], &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}

/* --- update ---------------------------------------------------------- */

/* A size as runc reads it: bytes, or with k, m, g, t (powers of 1024,
 * optional "b" or "ib"); "-1" where unlimited is allowed. */
static int parse_bytes(const char *flag, const char *s, bool allow_unlimited, int64_t *out,
		       char *msg, size_t size)
{
	static const char units[] = "kmgtp";
	char *end;
	long long v;
	const char *u;
	int shift = 0;

	if (allow_unlimited && strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || v < 0 || errno)
		goto bad;
	if (*end) {
		u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			goto bad;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcasecmp(end, "b") && strcasecmp(end, "ib") && *end)
			goto bad;
	}
	if (shift && v > (INT64_MAX >> shift))
		goto bad;
	*out = (int64_t)v << shift;
	return 0;
bad:
	snprintf(msg, size, "update: --%s: \"%s\" is not a size (like 512m or 1g%s)", flag, s,
		 allow_unlimited ? ", or -1" : "");
	return -1;
}

static int parse_int(const char *flag, const char *s, int64_t min, int64_t *out, char *msg,
		     size_t size)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < min) {
		snprintf(msg, size, "update: --%s: \"%s\" is not a number%s", flag, s,
			 min < 0 ? " (or -1)" : "");
		return -1;
	}
	*out = v;
	return 0;
}

struct update_flags {
	const char *resources;
	const char *memory, *memory_reservation, *memory_swap, *kernel_memory,
		*kernel_memory_tcp;
	const char *cpu_shares, *cpu_share, *cpu_quota, *cpu_period, *cpu_burst,
		*cpu_rt_runtime, *cpu_rt_period, *cpuset_cpus, *cpuset_mems;
	const char *pids_limit, *blkio_weight;
	const char *l3_cache_schema, *mem_bw_schema;
};

/* Every field after resources is a flag's string. */
static bool any_flag(const struct update_flags *f)
{
	const char *const *p = &f->memory;
	const char *const *end = (const char *const *)(f + 1);

	for (; p < end; p++)
		if (*p)
			return true;
	return false;
}

static int set_i64(const char *flag, const char *s, int64_t min, struct opt_i64 *o,
		   char *msg, size_t size)
{
	if (!s)
		return 0;
	o->set = true;
	return parse_int(flag, s, min, &o->v, msg, size);
}

static int set_u64(const char *flag, const char *s, struct opt_u64 *o, char *msg, size_t size)
{
	int64_t v;

	if (!s)
		return 0;
	if (parse_int(flag, s, 0, &v, msg, size) < 0)
		return -1;
	o->set = true;
	o->v = (uint64_t)v;
	return 0;
}

static int set_bytes(const char *flag, const char *s, bool unlimited, struct opt_i64 *o,
		     char *msg, size_t size)
{
	if (!s)
		return 0;
	o->set = true;
	return parse_bytes(flag, s, unlimited, &o->v, msg, size);
}

static int resources_from_flags(const struct update_flags *f, struct spec_resources *r,
				char *msg, size_t size)
{
	struct spec_memory *m = &r->memory;
	struct spec_cpu *c = &r->cpu;
	int64_t v;

	if (f->l3_cache_schema || f->mem_bw_schema) {
		snprintf(msg, size, "update: Intel RDT (--l3-cache-schema, --mem-bw-schema) is "
				    "not supported");
		return -1;
	}
	r->set = true;
	if (set_bytes("memory", f->memory, true, &m->limit, msg, size) < 0 ||
	    set_bytes("memory-reservation", f->memory_reservation, true, &m->reservation, msg,
		      size) < 0 ||
	    set_bytes("memory-swap", f->memory_swap, true, &m->swap, msg, size) < 0 ||
	    set_bytes("kernel-memory", f->kernel_memory, true, &m->kernel, msg, size) < 0 ||
	    set_bytes("kernel-memory-tcp", f->kernel_memory_tcp, true, &m->kernel_tcp, msg,
		      size) < 0)
		return -1;
	if (set_u64("cpu-shares", f->cpu_shares ? f->cpu_shares : f->cpu_share, &c->shares,
		    msg, size) < 0 ||
	    set_i64("cpu-quota", f->cpu_quota, -1, &c->quota, msg, size) < 0 ||
	    set_u64("cpu-period", f->cpu_period, &c->period, msg, size) < 0 ||
	    set_u64("cpu-burst", f->cpu_burst, &c->burst, msg, size) < 0 ||
	    set_i64("cpu-rt-runtime", f->cpu_rt_runtime, -1, &c->realtime_runtime, msg, size) <
		    0 ||
	    set_u64("cpu-rt-period", f->cpu_rt_period, &c->realtime_period, msg, size) < 0)
		return -1;
	c->cpus = f->cpuset_cpus;
	c->mems = f->cpuset_mems;
	if (f->pids_limit) {
		if (parse_int("pids-limit", f->pids_limit, -1, &r->pids_limit, msg, size) < 0)
			return -1;
		r->pids_set = true;
	}
	if (f->blkio_weight) {
		if (parse_int("blkio-weight", f->blkio_weight, 0, &v, msg, size) < 0)
			return -1;
		if (v && (v < 10 || v > 1000)) {
			snprintf(msg, size, "update: --blkio-weight: %" PRId64 " is not in 10..1000",
				 v);
			return -1;
		}
		r->blkio.weight_set = true;
		r->blkio.weight = (uint16_t)v;
	}
	return 0;
}

static int resources_from_file(const struct cli *cli, const char *path, struct arena *a,
			       struct spec_resources *r, struct berr *err)
{
	char *json = NULL;
	size_t len = 0;
	int ret;

	if (strcmp(path, "-") == 0) {
		size_t cap = 0;

		for (;;) {
			char *grown;
			size_t n;

			if (len + 4096 > cap) {
				cap = cap ? cap * 2 : 8192;
				grown = realloc(json, cap + 1);
				if (!grown) {
					free(json);
					return berr_set(err, ENOMEM, "update: read stdin");
				}
				json = grown;
			}
			n = fread(json + len, 1, cap - len, stdin);
			len += n;
			if (n == 0)
				break;
		}
		if (ferror(stdin)) {
			free(json);
			return berr_sys(err, "update: read stdin");
		}
		json[len] = '\0';
	} else {
		ret = fsutil_read_file(path, &json, &len, err);
		if (ret < 0)
			return berr_wrap(err, ret, "update");
	}
	(void)cli;
	memset(r, 0, sizeof(*r));
	ret = spec_resources_parse(json, len, a, r, err);
	free(json);
	return ret < 0 ? berr_wrap(err, ret, "update: resources %s",
				   strcmp(path, "-") ? path : "from stdin") :
			 0;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = {
		"update", "[options] <container-id>",
		"Change the resource limits of a running container.  Sizes take k, m, g "
		"suffixes; -r FILE (or - for stdin) gives linux.resources as JSON instead."
	};
	struct update_flags f = { 0 };
	const struct opt opts[] = {
		{ "resources", 'r', OPT_STRING, &f.resources,
		  "linux.resources JSON file, - for stdin" },
		{ "memory", 'm', OPT_STRING, &f.memory, "memory limit (-1: none)" },
		{ "memory-reservation", 0, OPT_STRING, &f.memory_reservation,
		  "memory soft limit" },
		{ "memory-swap", 0, OPT_STRING, &f.memory_swap,
		  "memory plus swap limit (-1: unlimited swap)" },
		{ "kernel-memory", 0, OPT_STRING, &f.kernel_memory, "kernel memory limit" },
		{ "kernel-memory-tcp", 0, OPT_STRING, &f.kernel_memory_tcp,
		  "kernel TCP buffer limit" },
		{ "cpu-shares", 0, OPT_STRING, &f.cpu_shares, "CPU shares (relative weight)" },
		{ "cpu-share", 0, OPT_STRING, &f.cpu_share, NULL },
		{ "cpu-quota", 0, OPT_STRING, &f.cpu_quota, "CFS quota in us per period (-1: none)" },
		{ "cpu-period", 0, OPT_STRING, &f.cpu_period, "CFS period in us" },
		{ "cpu-burst", 0, OPT_STRING, &f.cpu_burst, "CFS burst in us" },
		{ "cpu-rt-runtime", 0, OPT_STRING, &f.cpu_rt_runtime, "realtime runtime in us" },
		{ "cpu-rt-period", 0, OPT_STRING, &f.cpu_rt_period, "realtime period in us" },
		{ "cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "CPUs to run on (0-3,7)" },
		{ "cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "memory nodes to use" },
		{ "pids-limit", 0, OPT_STRING, &f.pids_limit, "maximum number of tasks (-1: none)" },
		{ "blkio-weight", 0, OPT_STRING, &f.blkio_weight, "block I/O weight (10..1000)" },
		{ "l3-cache-schema", 0, OPT_STRING, &f.l3_cache_schema, NULL },
		{ "mem-bw-schema", 0, OPT_STRING, &f.mem_bw_schema, NULL },
		{ 0 },
	};
	struct spec_resources res = { 0 };
	struct arena a = { 0 };
	struct berr err = { 0 };
	char msg[256];
	int status, i, ret;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	if (f.resources && any_flag(&f))
		return cli_failf(cli, "update: --resources cannot be combined with other flags");
	if (!f.resources && !any_flag(&f))
		return cli_failf(cli, "update: nothing to update (see berth update --help)");
	if (f.resources) {
		ret = resources_from_file(cli, f.resources, &a, &res, &err);
		if (ret < 0) {
			arena_release(&a);
			return cli_fail(cli, &err);
		}
	} else if (resources_from_flags(&f, &res, msg, sizeof(msg)) < 0) {
		return cli_failf(cli, "%s", msg);
	}
	ret = rt_update(&cli->rt, argv[i], &res, &err);
	arena_release(&a);
	if (ret < 0)
		return cli_fail(cli, &err);
	return 0;
}

/* --- events ---------------------------------------------------------- */

/* A Go duration ("5s", "500ms", "1m30s") in milliseconds. */
static int parse_duration(const char *s, long *ms)
{
	static const struct unit {
		const char *name;
		double ms;
	} units[] = { { "ns", 1e-6 }, { "us", 1e-3 }, { "ms", 1 }, { "s", 1000 },
		      { "m", 60000 }, { "h", 3600000 } };
	double total = 0;

	if (!*s)
		return -1;
	while (*s) {
		const struct unit *u = NULL;
		char *end;
		double v = strtod(s, &end);

		if (end == s || v < 0)
			return -1;
		/* The longest unit that fits: "ms" before "m". */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strncmp(end, units[i].name, strlen(units[i].name)) == 0 &&
			    (!u || strlen(units[i].name) > strlen(u->name)))
				u = &units[i];
		if (!u)
			return -1;
		total += v * u->ms;
		s = end + strlen(u->name);
	}
	if (total < 1 || total > 86400000.0 * 365)
		return -1;
	*ms = (long)total;
	return 0;
}

struct events_out {
	const char *id;
	struct berr err;
};

static int print_event(const struct rt_event *ev, void *data)
{
	struct events_out *o = data;
	char *json = NULL;
	size_t len;
	int ret;

	ret = spec_event_json(ev->type == RT_EVENT_OOM ? "oom" : "stats", o->id, ev->stats,
			      &json, &len, &o->err);
	if (ret < 0)
		return ret;
	printf("%s\n", json);
	fflush(stdout);
	free(json);
	return 0;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = {
		"events", "[options] <container-id>",
		"Print a container's events as JSON lines: its statistics every interval and "
		"each out-of-memory, until it stops."
	};
	const char *interval = "5s";
	bool stats = false;
	const struct opt opts[] = {
		{ "interval", 0, OPT_STRING, &interval, "time between statistics (default 5s)" },
		{ "stats", 0, OPT_BOOL, &stats, "print the statistics once and exit" },
		{ 0 },
	};
	struct events_out o = { 0 };
	struct berr err = { 0 };
	long ms;
	int status, i, ret;

	i = cli_parse(cli, &u, opts, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	if (parse_duration(interval, &ms) < 0)
		return cli_failf(cli, "events: --interval: \"%s\" is not a duration (like 5s or "
				      "500ms)",
				 interval);
	o.id = argv[i];
	if (stats) {
		struct spec_stats st;
		struct rt_event ev = { RT_EVENT_STATS, &st };

		if (rt_stats(&cli->rt, argv[i], &st, &err) < 0)
			return cli_fail(cli, &err);
		ret = print_event(&ev, &o);
		spec_stats_release(&st);
		return ret < 0 ? cli_fail(cli, &o.err) : 0;
	}
	ret = rt_events(&cli->rt, argv[i], (int)ms, print_event, &o, &err);
	if (ret < 0)
		return cli_fail(cli, o.err.msg[0] ? &o.err : &err);
	return 0;
}
