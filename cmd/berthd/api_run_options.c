/* The rest of docker run's HostConfig, read into the engine's spec: the
 * engine checks the values (runtime/engine/bundle_run.c). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "spec/base/strv.h"
#include "spec/json_write.h"

static char *printf_dup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_dup(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* [{"Name": "nofile", "Soft": 1024, "Hard": 2048}] */
static int ulimits(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	yajl_val arr = jr_get(hc, "Ulimits");
	size_t mark;

	if (!arr || YAJL_IS_NULL(arr))
		return 0;
	mark = jr_enter_key(r, "Ulimits");
	JR_TRY(jr_val_array(r, arr));
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val u = arr->u.array.values[i];
		size_t m2 = jr_enter_index(r, i);
		const char *name = NULL;
		int64_t soft = 0, hard = 0;

		JR_TRY(jr_val_object(r, u));
		JR_TRY(jr_req_str(r, u, "Name", &name));
		JR_TRY(jr_i64(r, u, "Soft", &soft));
		JR_TRY(jr_i64(r, u, "Hard", &hard));
		if (strchr(name, '=') || strchr(name, ':'))
			return jr_fail_key(r, "Name", "invalid ulimit type: %s", name);
		JR_TRY(strv_push_owned(&s->ulimits, printf_dup("%s=%lld:%lld", name, (long long)soft,
						    (long long)hard)));
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	return 0;
}

/* [{"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse",
 *   "CgroupPermissions": "rwm"}] */
static int devices(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	yajl_val arr = jr_get(hc, "Devices");
	size_t mark;

	if (!arr || YAJL_IS_NULL(arr))
		return 0;
	mark = jr_enter_key(r, "Devices");
	JR_TRY(jr_val_array(r, arr));
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val d = arr->u.array.values[i];
		size_t m2 = jr_enter_index(r, i);
		const char *host = NULL, *ctr = "", *perms = "rwm";

		JR_TRY(jr_val_object(r, d));
		JR_TRY(jr_req_str(r, d, "PathOnHost", &host));
		JR_TRY(jr_str(r, d, "PathInContainer", &ctr));
		JR_TRY(jr_str(r, d, "CgroupPermissions", &perms));
		if (strchr(host, ':') || strchr(ctr, ':') || strchr(perms, ':'))
			return jr_fail(r, "a device path must not hold ':'");
		JR_TRY(strv_push_owned(&s->devices, printf_dup("%s:%s:%s", host, *ctr ? ctr : host,
						    *perms ? perms : "rwm")));
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	return 0;
}

static int sysctls(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	int ret = jr_str_map(r, hc, "Sysctls", &kv, &n);

	if (ret <= 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		JR_TRY(strv_push_owned(&s->sysctls, printf_dup("%s=%s", kv[i].key, kv[i].value)));
	return 0;
}

/* docker's sizes: "1024", "10k", "10m", "1g", "10mb" (powers of 1024). */
static int size_bytes(const char *v, int64_t *out)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	int shift = 0;

	if (end == v || n < 0)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (shift && n > (INT64_MAX >> shift)))
		return -EINVAL;
	*out = (int64_t)n << shift;
	return 0;
}

int api_parse_log_options(struct jr *r, yajl_val lc, struct daemon_spec *s)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	int ret = jr_str_map(r, lc, "Config", &kv, &n);
	bool none = s->log_driver && strcmp(s->log_driver, "none") == 0;

	if (ret <= 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (none)
			return jr_fail_key(r, "Config", "the none log driver takes no options");
		if (strcmp(kv[i].key, "max-size") == 0) {
			if (size_bytes(kv[i].value, &s->log_max_size) < 0 || s->log_max_size < 1)
				return jr_fail_key(r, "Config", "invalid max-size \"%s\"", kv[i].value);
		} else if (strcmp(kv[i].key, "max-file") == 0) {
			char *end;
			long f = strtol(kv[i].value, &end, 10);

			if (*end || end == kv[i].value || f < 1 || f > 100)
				return jr_fail_key(r, "Config", "invalid max-file \"%s\" (1 to 100)",
						   kv[i].value);
			s->log_max_files = (int)f;
		} else {
			return berr_as(r->err,
				       jr_fail_key(r, "Config",
						   "log option \"%s\" is not supported by berthd "
						   "(max-size and max-file are)",
						   kv[i].key),
				       BERR_UNSUPPORTED);
		}
	}
	if (s->log_max_files > 1 && !s->log_max_size)
		return jr_fail_key(r, "Config", "max-file needs max-size");
	return 0;
}

int api_parse_run_options(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	yajl_val init = jr_get(hc, "Init");

	/* null: the daemon's default, which is no init. */
	if (init && !YAJL_IS_NULL(init))
		JR_TRY(jr_bool(r, hc, "Init", &s->init));
	JR_TRY(jr_bool(r, hc, "OomKillDisable", &s->oom_kill_disable));
	JR_TRY(jr_i64(r, hc, "ShmSize", &s->shm_size));
	JR_TRY(jr_i64(r, hc, "OomScoreAdj", &s->oom_score_adj));
	JR_TRY(body_strv(r, hc, "GroupAdd", &s->group_add));
	JR_TRY(body_strv(r, hc, "DeviceCgroupRules", &s->device_rules));
	JR_TRY(body_str(r, hc, "PidMode", &s->pid_mode));
	JR_TRY(body_str(r, hc, "IpcMode", &s->ipc_mode));
	JR_TRY(body_str(r, hc, "UTSMode", &s->uts_mode));
	JR_TRY(body_str(r, hc, "CgroupnsMode", &s->cgroupns_mode));
	JR_TRY(body_str(r, hc, "UsernsMode", &s->userns_mode));
	JR_TRY(ulimits(r, hc, s));
	JR_TRY(devices(r, hc, s));
	return sysctls(r, hc, s);
}

/* Back as inspect's HostConfig has them. */
static void ulimits_json(struct jw *w, char *const *v)
{
	jw_key(w, "Ulimits");
	jw_array_open(w);
	for (size_t i = 0; v && v[i]; i++) {
		char name[64];
		long long soft, hard;

		if (sscanf(v[i], "%63[^=]=%lld:%lld", name, &soft, &hard) != 3)
			continue;
		jw_map_open(w);
		jw_kstr(w, "Name", name);
		jw_kint(w, "Soft", soft);
		jw_kint(w, "Hard", hard);
		jw_map_close(w);
	}
	jw_array_close(w);
}

static void devices_json(struct jw *w, char *const *v)
{
	jw_key(w, "Devices");
	jw_array_open(w);
	for (size_t i = 0; v && v[i]; i++) {
		char host[4096], ctr[4096], perms[8];

		if (sscanf(v[i], "%4095[^:]:%4095[^:]:%7s", host, ctr, perms) != 3)
			continue;
		jw_map_open(w);
		jw_kstr(w, "PathOnHost", host);
		jw_kstr(w, "PathInContainer", ctr);
		jw_kstr(w, "CgroupPermissions", perms);
		jw_map_close(w);
	}
	jw_array_close(w);
}

static void sysctls_json(struct jw *w, char *const *v)
{
	jw_key(w, "Sysctls");
	jw_map_open(w);
	for (size_t i = 0; v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		char key[256];

		if (!eq)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - v[i]), v[i]);
		jw_kstr(w, key, eq + 1);
	}
	jw_map_close(w);
}

void api_run_options_json(struct jw *w, const struct daemon_spec *s)
{
	ulimits_json(w, s->ulimits);
	devices_json(w, s->devices);
	sysctls_json(w, s->sysctls);
}
