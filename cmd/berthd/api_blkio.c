/* HostConfig's block I/O and real-time CPU limits: BlkioWeight, the
 * per-device lists docker sends as [{"Path": "/dev/sda", "Rate": 1048576}]
 * (Weight for BlkioWeightDevice), CpuRealtimePeriod and CpuRealtimeRuntime;
 * read into the engine's spec (which checks them) and written back for
 * inspect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "spec/base/strv.h"
#include "spec/json_write.h"

struct blkio_list {
	const char *key, *value_key;
	size_t offset; /* of the char ** in struct daemon_spec */
};

static const struct blkio_list blkio_lists[] = {
	{ "BlkioWeightDevice", "Weight", offsetof(struct daemon_spec, blkio_weight_device) },
	{ "BlkioDeviceReadBps", "Rate", offsetof(struct daemon_spec, blkio_read_bps) },
	{ "BlkioDeviceWriteBps", "Rate", offsetof(struct daemon_spec, blkio_write_bps) },
	{ "BlkioDeviceReadIOps", "Rate", offsetof(struct daemon_spec, blkio_read_iops) },
	{ "BlkioDeviceWriteIOps", "Rate", offsetof(struct daemon_spec, blkio_write_iops) },
	{ NULL, NULL, 0 },
};

static char ***list_of(struct daemon_spec *s, const struct blkio_list *l)
{
	return (char ***)((char *)s + l->offset);
}

static int one_list(struct jr *r, yajl_val hc, const struct blkio_list *l, char ***out)
{
	yajl_val arr = jr_get(hc, l->key);
	size_t mark;

	if (!arr || YAJL_IS_NULL(arr))
		return 0;
	mark = jr_enter_key(r, l->key);
	JR_TRY(jr_val_array(r, arr));
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val d = arr->u.array.values[i];
		size_t m2 = jr_enter_index(r, i);
		const char *path = NULL;
		uint64_t value = 0;
		char *line;

		JR_TRY(jr_val_object(r, d));
		JR_TRY(jr_req_str(r, d, "Path", &path));
		JR_TRY(jr_u64(r, d, l->value_key, &value));
		if (path[0] != '/')
			return jr_fail_key(r, "Path", "%s is not an absolute path", path);
		if (asprintf(&line, "%s:%llu", path, (unsigned long long)value) < 0)
			return -ENOMEM;
		JR_TRY(strv_push_owned(out, line));
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	return 0;
}

int api_parse_blkio(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	JR_TRY(jr_i64(r, hc, "BlkioWeight", &s->blkio_weight));
	JR_TRY(jr_i64(r, hc, "CpuRealtimePeriod", &s->cpu_rt_period));
	JR_TRY(jr_i64(r, hc, "CpuRealtimeRuntime", &s->cpu_rt_runtime));
	for (const struct blkio_list *l = blkio_lists; l->key; l++)
		JR_TRY(one_list(r, hc, l, list_of(s, l)));
	return 0;
}

void api_blkio_json(struct jw *w, const struct daemon_spec *s)
{
	jw_kint(w, "BlkioWeight", s->blkio_weight);
	jw_kint(w, "CpuRealtimePeriod", s->cpu_rt_period);
	jw_kint(w, "CpuRealtimeRuntime", s->cpu_rt_runtime);
	for (const struct blkio_list *l = blkio_lists; l->key; l++) {
		char **v = *list_of((struct daemon_spec *)s, l);

		jw_key(w, l->key);
		jw_array_open(w);
		for (size_t i = 0; v && v[i]; i++) {
			const char *colon = strrchr(v[i], ':');
			char path[4096];

			if (!colon)
				continue;
			snprintf(path, sizeof(path), "%.*s", (int)(colon - v[i]), v[i]);
			jw_map_open(w);
			jw_kstr(w, "Path", path);
			jw_kint(w, l->value_key, strtoll(colon + 1, NULL, 10));
			jw_map_close(w);
		}
		jw_array_close(w);
	}
}
