/* docker builder prune (POST /build/prune: all, keep-storage, the until
 * and label filters) and the BuildCache of docker system df, over the classic
 * builder's cache (runtime/engine/build.h).  What berthd cannot honour
 * (BuildKit's filters and space limits) is refused, never ignored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "runtime/engine/build.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/base/timestamp.h"

/* A Go duration as dockerd reads until ("24h", "1h30m", "1.5h", "300ms"),
 * in nanoseconds; -1 when malformed or negative. */
static int64_t go_duration(const char *v)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		{ "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	const char *p = v;
	double total = 0;

	if (*p == '+')
		p++;
	if (strcmp(p, "0") == 0)
		return 0;
	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double n;
		size_t best = 0, k = 0;

		/* Digits with an optional fraction, nothing strtod takes
		 * beyond Go's (exponents, hex, inf). */
		size_t digits = strspn(p, "0123456789");

		if (p[digits] == '.')
			digits += 1 + strspn(p + digits + 1, "0123456789");
		if (digits == 0 || (digits == 1 && *p == '.'))
			return -1;
		n = strtod(p, &end);
		if (end != p + digits)
			return -1;
		/* The longest unit that matches ("ms" before "m"). */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].name);

			if (strncmp(end, units[i].name, len) == 0 && len > best) {
				best = len;
				k = i;
			}
		}
		if (!best)
			return -1;
		total += n * units[k].ns;
		p = end + best;
	}
	return total < 9e18 ? (int64_t)total : -1;
}

/* BuildKit's cache filters, which dockerd takes and berthd's cache has
 * nothing to match them with. */
static const char *const buildkit_filters[] = {
	"id", "parent", "type", "description", "inuse", "shared", "private", NULL,
};

static bool buildkit_filter(const char *key)
{
	for (size_t i = 0; buildkit_filters[i]; i++)
		if (strcmp(key, buildkit_filters[i]) == 0)
			return true;
	return false;
}

/* until (or its older name unused-for) as dockerd reads it: a duration
 * back from now, or a time (RFC 3339, unix seconds); in unix ns. */
static int until_ns(const char *key, const char *v, int64_t *out, struct berr *err)
{
	struct timespec now;
	int64_t d = go_duration(v);

	if (d >= 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		*out = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - d;
		return 0;
	}
	if (daemon_log_time(v, out) == 0)
		return 0;
	return berr_invalid(err,
			    "invalid filter '%s=%s': a duration (e.g. '24h') or a timestamp is "
			    "expected",
			    key, v);
}

/* A refusal is a 400, as dockerd's for a filter it does not know.
 * berthd's records have no labels: a label filter matches none of them
 * (*none), label! every one. */
static int prune_filters(struct req *r, struct daemon_build_prune_opts *o, bool *none,
			 struct berr *err)
{
	struct filters f;
	int ret = filters_parse(http_query(r, "filters"), &f, err);

	*none = false;
	if (ret == 0 && filters_has(&f, "until") && filters_has(&f, "unused-for"))
		ret = berr_invalid(err, "conflicting filters: \"until\" and \"unused-for\"");
	for (size_t i = 0; ret == 0 && i < f.n; i++) {
		const char *key = f.keys[i];
		char **v = f.values[i];

		if (strcmp(key, "label") == 0) {
			*none = true;
		} else if (strcmp(key, "label!") == 0) {
			continue;
		} else if (strcmp(key, "until") && strcmp(key, "unused-for")) {
			ret = buildkit_filter(key)
				      ? berr_invalid(err,
						     "build cache filter '%s' is not supported: "
						     "berthd's classic builder keeps no such field",
						     key)
				      : berr_invalid(err, "invalid filter '%s'", key);
		} else if (!v[0] || v[1]) {
			ret = berr_invalid(err, "filter '%s' takes one value", key);
		} else {
			ret = until_ns(key, v[0], &o->until_ns, err);
		}
	}
	filters_free(&f);
	return ret;
}

static int prune_params(struct req *r, struct daemon_build_prune_opts *o, bool *none,
			struct berr *err)
{
	/* API 1.48's space limits (BuildKit's), which no client of the API
	 * berthd speaks sends. */
	static const char *const limits[] = { "reserved-space", "max-used-space",
					      "min-free-space", NULL };
	const char *all = http_query(r, "all");
	long long keep;

	memset(o, 0, sizeof(*o));
	/* Every record of berthd's cache can go without all: there are no
	 * internal or frontend records for all to add. */
	if (all && *all && strcmp(all, "1") && strcmp(all, "0") && strcmp(all, "true") &&
	    strcmp(all, "false"))
		return berr_invalid(err, "invalid value for all: '%s'", all);
	if (http_query_int(r, "keep-storage", 0, &keep) < 0 || keep < 0)
		return berr_invalid(err, "invalid value for keep-storage: '%s'",
				    http_query(r, "keep-storage"));
	o->keep_storage = (uint64_t)keep;
	for (size_t i = 0; limits[i]; i++) {
		const char *v = http_query(r, limits[i]);

		if (v && *v && strcmp(v, "0"))
			return berr_invalid(err,
					    "%s is not supported by berthd's build cache "
					    "(keep-storage is)",
					    limits[i]);
	}
	return prune_filters(r, o, none, err);
}

enum MHD_Result api_build_prune(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_build_prune_opts o;
	char **deleted = NULL;
	uint64_t reclaimed = 0;
	struct berr err = { 0 };
	bool none = false;
	int ret = prune_params(r, &o, &none, &err);

	if (ret == 0 && !none)
		ret = daemon_build_cache_prune(r->srv->d, &o, &deleted, &reclaimed, &err);
	if (ret < 0) {
		strv_free(deleted);
		return http_reply_berr(r, &err);
	}
	jw_map_open(w);
	jw_key(w, "CachesDeleted");
	jw_array_open(w);
	for (size_t i = 0; deleted && deleted[i]; i++)
		jw_str(w, deleted[i]);
	jw_array_close(w);
	jw_kuint(w, "SpaceReclaimed", reclaimed);
	jw_map_close(w);
	strv_free(deleted);
	return http_reply_json(r, 200, w);
}

static void time_json(struct jw *w, const char *key, int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
	char buf[64];

	timestamp_format(&ts, buf, sizeof(buf));
	jw_kstr(w, key, buf);
}

static void record_json(struct jw *w, const struct daemon_build_cache_rec *rec)
{
	char desc[160];

	if (rec->memo)
		snprintf(desc, sizeof(desc), "a build context's Dockerfile or COPY checksum");
	else
		snprintf(desc, sizeof(desc), "a build step's cache entry: image %.19s",
			 *rec->image ? rec->image : "(unreadable)");
	jw_map_open(w);
	jw_kstr(w, "ID", rec->id);
	/* A memo is the local context's, as BuildKit's source.local. */
	jw_kstr(w, "Type", rec->memo ? "source.local" : "regular");
	jw_kstr(w, "Description", desc);
	jw_kbool(w, "InUse", false);
	jw_kbool(w, "Shared", false);
	jw_kint(w, "Size", rec->size);
	time_json(w, "CreatedAt", rec->created_ns);
	time_json(w, "LastUsedAt", rec->last_used_ns);
	jw_map_close(w);
}

void api_build_cache_df(struct jw *w, struct req *r)
{
	struct daemon_build_cache_rec *recs = NULL;
	struct berr err;
	size_t n = 0;

	/* An unreadable cache shows as empty, as df's other parts do. */
	if (daemon_build_cache_list(r->srv->d, &recs, &n, &err) < 0)
		n = 0;
	jw_key(w, "BuildCache");
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		record_json(w, &recs[i]);
	jw_array_close(w);
	free(recs);
}
