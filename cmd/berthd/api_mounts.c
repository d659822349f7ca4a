/* A container's mounts in the API: what create asks for (Config.Volumes,
 * HostConfig.Mounts, Tmpfs, VolumesFrom) read into the engine's mount
 * lines (runtime/engine/volume.h), and the Mounts that inspect and list
 * show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "runtime/engine/volume.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static int add_line(char ***v, const char *type, const char *source, const char *target,
		    const char *opts)
{
	char *line;

	if (asprintf(&line, "%s\t%s\t%s\t%s", type, source, target, opts) < 0)
		return -ENOMEM;
	return strv_push_owned(v, line);
}

static int no_tabs(struct jr *r, const char *key, const char *s)
{
	if (strchr(s, '\t'))
		return jr_fail_key(r, key, "must not hold a tab");
	return 0;
}

/* An options object that only the mount's own type takes. */
static int only_for(struct jr *r, yajl_val m, const char *key, const char *type,
		    const char *want)
{
	yajl_val v = jr_get(m, key);

	if (v && !YAJL_IS_NULL(v) && strcmp(type, want) != 0)
		return jr_fail_key(r, key, "must not be specified for type \"%s\"", type);
	return 0;
}

static int refuse(struct jr *r, yajl_val obj, const char *key, const char *what)
{
	yajl_val v = jr_get(obj, key);
	bool set = v && !YAJL_IS_NULL(v) && !YAJL_IS_FALSE(v) &&
		   !(YAJL_IS_STRING(v) && !*v->u.string) &&
		   !(YAJL_IS_OBJECT(v) && !v->u.object.len) && !(YAJL_IS_ARRAY(v) && !v->u.array.len);

	if (set)
		return berr_as(r->err, jr_fail_key(r, key, "%s is not supported by berthd", what),
			       BERR_UNSUPPORTED);
	return 0;
}

static int bind_options(struct jr *r, yajl_val m, char *opts, size_t size)
{
	yajl_val b = jr_get(m, "BindOptions");
	const char *prop = NULL;
	bool nonrec = false;
	size_t mark;

	if (!b || YAJL_IS_NULL(b))
		return 0;
	mark = jr_enter_key(r, "BindOptions");
	JR_TRY(jr_val_object(r, b));
	JR_TRY(jr_str(r, b, "Propagation", &prop));
	if (prop && *prop) {
		static const char *const ok[] = { "private", "rprivate", "shared", "rshared",
						  "slave", "rslave", NULL };
		bool found = false;

		for (size_t i = 0; ok[i]; i++)
			found |= strcmp(ok[i], prop) == 0;
		if (!found)
			return jr_fail_key(r, "Propagation", "invalid propagation \"%s\"", prop);
		snprintf(opts + strlen(opts), size - strlen(opts), ",%s", prop);
	}
	JR_TRY(jr_bool(r, b, "NonRecursive", &nonrec));
	if (nonrec)
		snprintf(opts + strlen(opts), size - strlen(opts), ",norecursive");
	JR_TRY(refuse(r, b, "CreateMountpoint", "creating a --mount bind's source"));
	JR_TRY(refuse(r, b, "ReadOnlyNonRecursive", "ReadOnlyNonRecursive"));
	JR_TRY(refuse(r, b, "ReadOnlyForceRecursive", "ReadOnlyForceRecursive"));
	jr_leave(r, mark);
	return 0;
}

static int volume_options(struct jr *r, yajl_val m, char *opts, size_t size)
{
	yajl_val v = jr_get(m, "VolumeOptions"), dc;
	bool nocopy = false;
	size_t mark;

	if (!v || YAJL_IS_NULL(v))
		return 0;
	mark = jr_enter_key(r, "VolumeOptions");
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_bool(r, v, "NoCopy", &nocopy));
	if (nocopy)
		snprintf(opts + strlen(opts), size - strlen(opts), ",nocopy");
	JR_TRY(refuse(r, v, "Labels", "labels of a volume made by --mount (docker volume "
				      "create them first)"));
	JR_TRY(refuse(r, v, "Subpath", "a volume's subpath"));
	dc = jr_get(v, "DriverConfig");
	if (dc && YAJL_IS_OBJECT(dc)) {
		const char *name = NULL;
		size_t m2 = jr_enter_key(r, "DriverConfig");

		JR_TRY(jr_str(r, dc, "Name", &name));
		if (name && *name && strcmp(name, "local") != 0)
			return berr_as(r->err,
				       jr_fail_key(r, "Name",
						   "volume driver \"%s\" is not supported by "
						   "berthd (only local is)",
						   name),
				       BERR_UNSUPPORTED);
		JR_TRY(refuse(r, dc, "Options", "driver options of a volume made by --mount "
						 "(docker volume create it first)"));
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	return 0;
}

static int tmpfs_options(struct jr *r, yajl_val m, char *opts, size_t size)
{
	yajl_val t = jr_get(m, "TmpfsOptions");
	int64_t bytes = 0, mode = 0;
	size_t mark;

	if (!t || YAJL_IS_NULL(t))
		return 0;
	mark = jr_enter_key(r, "TmpfsOptions");
	JR_TRY(jr_val_object(r, t));
	JR_TRY(jr_i64(r, t, "SizeBytes", &bytes));
	JR_TRY(jr_i64(r, t, "Mode", &mode));
	if (bytes < 0)
		return jr_fail_key(r, "SizeBytes", "must not be negative");
	if (mode < 0 || mode > 07777)
		return jr_fail_key(r, "Mode", "invalid mode");
	if (bytes)
		snprintf(opts + strlen(opts), size - strlen(opts), "%ssize=%lld",
			 *opts ? "," : "", (long long)bytes);
	if (mode)
		snprintf(opts + strlen(opts), size - strlen(opts), "%smode=%llo",
			 *opts ? "," : "", (long long)mode);
	JR_TRY(refuse(r, t, "Options", "tmpfs Options"));
	jr_leave(r, mark);
	return 0;
}

static int one_mount(struct jr *r, yajl_val m, char ***lines)
{
	const char *type = NULL, *source = "", *target = NULL, *consistency = NULL;
	bool ro = false;
	char opts[512] = "";

	JR_TRY(jr_val_object(r, m));
	JR_TRY(jr_req_str(r, m, "Type", &type));
	JR_TRY(jr_str(r, m, "Source", &source));
	JR_TRY(jr_req_str(r, m, "Target", &target));
	JR_TRY(jr_bool(r, m, "ReadOnly", &ro));
	JR_TRY(jr_str(r, m, "Consistency", &consistency));
	JR_TRY(no_tabs(r, "Source", source ? source : ""));
	JR_TRY(no_tabs(r, "Target", target));
	if (!*target)
		return jr_fail_key(r, "Target", "is required");
	if (strcmp(type, "bind") && strcmp(type, "volume") && strcmp(type, "tmpfs"))
		return berr_as(r->err,
			       jr_fail_key(r, "Type",
					   "mounts of type \"%s\" are not supported by berthd "
					   "(bind, volume and tmpfs are)",
					   type),
			       BERR_UNSUPPORTED);
	JR_TRY(only_for(r, m, "BindOptions", type, "bind"));
	JR_TRY(only_for(r, m, "VolumeOptions", type, "volume"));
	JR_TRY(only_for(r, m, "TmpfsOptions", type, "tmpfs"));
	if (strcmp(type, "tmpfs") == 0) {
		if (source && *source)
			return jr_fail_key(r, "Source", "must not be specified for type \"tmpfs\"");
		if (ro)
			snprintf(opts, sizeof(opts), "ro");
		JR_TRY(tmpfs_options(r, m, opts, sizeof(opts)));
		return add_line(lines, "tmpfs", "", target, opts);
	}
	snprintf(opts, sizeof(opts), "%s", ro ? "ro" : "rw");
	if (strcmp(type, "bind") == 0) {
		if (!source || !*source)
			return jr_fail_key(r, "Source", "is required for type \"bind\"");
		JR_TRY(bind_options(r, m, opts, sizeof(opts)));
	} else {
		JR_TRY(volume_options(r, m, opts, sizeof(opts)));
	}
	return add_line(lines, type, source ? source : "", target, opts);
}

static int parse_tmpfs(struct jr *r, yajl_val hc, char ***lines)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	int ret = jr_str_map(r, hc, "Tmpfs", &kv, &n);

	if (ret <= 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (strchr(kv[i].key, '\t') || strchr(kv[i].value, '\t'))
			return jr_fail_key(r, "Tmpfs", "must not hold a tab");
		JR_TRY(add_line(lines, "tmpfs", "", kv[i].key, kv[i].value));
	}
	return 0;
}

int api_parse_mounts(struct jr *r, yajl_val doc, yajl_val hc, struct daemon_spec *s)
{
	yajl_val vols = jr_get(doc, "Volumes"), mounts;
	const char *driver = NULL;

	if (vols && YAJL_IS_OBJECT(vols)) {
		s->volumes = calloc(vols->u.object.len + 1, sizeof(char *));
		if (!s->volumes)
			return -ENOMEM;
		for (size_t i = 0; i < vols->u.object.len; i++)
			if (!(s->volumes[i] = strdup(vols->u.object.keys[i])))
				return -ENOMEM;
	} else if (vols && !YAJL_IS_NULL(vols)) {
		return jr_fail_key(r, "Volumes", "must be an object");
	}
	if (!hc)
		return 0;
	JR_TRY(jr_str(r, hc, "VolumeDriver", &driver));
	if (driver && *driver && strcmp(driver, "local") != 0)
		return berr_as(r->err,
			       jr_fail_key(r, "VolumeDriver",
					   "volume driver \"%s\" is not supported by berthd "
					   "(only local is)",
					   driver),
			       BERR_UNSUPPORTED);
	JR_TRY(body_strv(r, hc, "VolumesFrom", &s->volumes_from));
	mounts = jr_get(hc, "Mounts");
	if (mounts && !YAJL_IS_NULL(mounts)) {
		size_t mark = jr_enter_key(r, "Mounts");

		JR_TRY(jr_val_array(r, mounts));
		for (size_t i = 0; i < mounts->u.array.len; i++) {
			size_t m2 = jr_enter_index(r, i);

			JR_TRY(one_mount(r, mounts->u.array.values[i], &s->mount_reqs));
			jr_leave(r, m2);
		}
		jr_leave(r, mark);
	}
	return parse_tmpfs(r, hc, &s->mount_reqs);
}

/* --- Mounts, as inspect and list show them ------------------------------------ */

static const char *propagation_of(const char *opts)
{
	static const char *const props[] = { "private", "rprivate", "shared", "rshared",
					     "slave", "rslave", NULL };

	for (size_t i = 0; props[i]; i++)
		if (daemon_mount_has(opts, props[i]))
			return props[i];
	return "rprivate";
}

void api_mounts_json(struct jw *w, const char *data_root, const struct daemon_spec *s)
{
	jw_key(w, "Mounts");
	jw_array_open(w);
	for (size_t i = 0; s->mounts && s->mounts[i]; i++) {
		cleanup_free char *line = strdup(s->mounts[i]);
		cleanup_free char *path = NULL;
		struct daemon_mount m;
		bool ro;

		if (!line || daemon_mount_split(line, &m) < 0)
			continue;
		ro = daemon_mount_has(m.options, "ro");
		jw_map_open(w);
		jw_kstr(w, "Type", m.type);
		if (strcmp(m.type, "volume") == 0) {
			path = daemon_volume_path(data_root, m.source);
			jw_kstr(w, "Name", m.source);
			jw_kstr(w, "Source", path ? path : "");
			jw_kstr(w, "Driver", "local");
		} else {
			jw_kstr(w, "Source", m.source);
		}
		jw_kstr(w, "Destination", m.target);
		jw_kstr(w, "Mode", strcmp(m.type, "tmpfs") == 0 ? m.options : ro ? "ro" : "");
		jw_kbool(w, "RW", !ro);
		jw_kstr(w, "Propagation", strcmp(m.type, "bind") == 0 ? propagation_of(m.options)
								       : "");
		jw_map_close(w);
	}
	jw_array_close(w);
}
