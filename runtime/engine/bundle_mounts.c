/* A berthd container's mounts: the default ones (spec/config_default.c),
 * with /proc as docker mounts it, then the files berthd writes for the
 * container (/etc/hostname, /etc/hosts, /etc/resolv.conf) and the
 * request's binds. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/internal.h"
#include "runtime/engine/volume.h"
#include "spec/base/strv.h"
#include "spec/config_build.h"

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

int daemon_bundle_parse_bind(const char *bind, struct daemon_bind *b, struct berr *err)
{
	const char *p = bind, *c1, *c2;

	memset(b, 0, sizeof(*b));
	c1 = strchr(p, ':');
	if (!c1)
		return berr_invalid(err, "invalid bind \"%s\": expected SOURCE:DESTINATION",
				 bind);
	c2 = strchr(c1 + 1, ':');
	snprintf(b->source, sizeof(b->source), "%.*s", (int)(c1 - p), p);
	snprintf(b->dest, sizeof(b->dest), "%.*s",
		 c2 ? (int)(c2 - c1 - 1) : (int)strlen(c1 + 1), c1 + 1);
	strcpy(b->propagation, "rprivate");
	if (b->source[0] != '/') {
		if (!daemon_volume_valid_name(b->source))
			return berr_invalid(err,
					 "invalid bind \"%s\": \"%s\" is neither an absolute host "
					 "path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
					 bind, b->source);
		b->volume = true;
	}
	if (b->dest[0] != '/' || strstr(b->dest, "/../") ||
	    (strlen(b->dest) >= 3 && strcmp(b->dest + strlen(b->dest) - 3, "/..") == 0))
		return berr_invalid(err,
				 "invalid bind \"%s\": the destination must be an absolute path",
				 bind);
	if (strcmp(b->dest, "/") == 0)
		return berr_invalid(err, "invalid bind \"%s\": cannot mount over /", bind);
	if (c2) {
		char opts[256];
		char *o = opts, *tok;

		snprintf(opts, sizeof(opts), "%s", c2 + 1);
		while ((tok = strsep(&o, ","))) {
			if (strcmp(tok, "ro") == 0)
				b->readonly = true;
			else if (strcmp(tok, "rw") == 0)
				b->readonly = false;
			else if (!strcmp(tok, "private") || !strcmp(tok, "rprivate") ||
				 !strcmp(tok, "shared") || !strcmp(tok, "rshared") ||
				 !strcmp(tok, "slave") || !strcmp(tok, "rslave"))
				snprintf(b->propagation, sizeof(b->propagation), "%s", tok);
			else if (strcmp(tok, "nocopy") == 0 && b->volume)
				b->nocopy = true;
			/* Without SELinux there is nothing to relabel, and
			 * the consistency modes are for other systems: dockerd
			 * accepts them and does nothing. */
			else if (!strcmp(tok, "z") || !strcmp(tok, "Z") ||
				 !strcmp(tok, "consistent") || !strcmp(tok, "cached") ||
				 !strcmp(tok, "delegated"))
				continue;
			else
				return berr_invalid(err,
						 "invalid bind \"%s\": unknown option \"%s\"", bind,
						 tok);
		}
	}
	return 0;
}

static const char **strv(struct arena *a, const char *const *list, size_t *n,
			 struct berr *err)
{
	const char **out = spec_build_strv(a, list, (size_t)-1, n);

	if (!out)
		berr_set(err, ENOMEM, "bundle mounts");
	return out;
}

static int bind_mount(struct arena *a, struct spec_mount *m, const char *dest,
		      const char *src, const char *const *opts, struct berr *err)
{
	m->destination = arena_strdup(a, dest);
	m->type = "bind";
	m->source = arena_strdup(a, src);
	if (!m->destination || !m->source)
		return berr_set(err, ENOMEM, "bundle mounts");
	m->options = strv(a, opts, &m->n_options, err);
	return m->options ? 0 : -ENOMEM;
}

/* docker mounts /proc without setuid programs, executables or devices. */
static int docker_proc(struct arena *a, struct spec_config *cfg, struct berr *err)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/proc") != 0)
			continue;
		m->options = strv(a, LIST("nosuid", "noexec", "nodev"), &m->n_options, err);
		if (!m->options)
			return -ENOMEM;
	}
	return 0;
}

/* Mount options of a tmpfs: docker's nosuid, nodev and noexec unless
 * the request said suid, dev or exec, then the request's own. */
static int tmpfs_options(struct arena *a, const char *opts, struct spec_mount *m,
			 struct berr *err)
{
	static const char *const dflt[][2] = { { "nosuid", "suid" }, { "nodev", "dev" },
						{ "noexec", "exec" } };
	const char *list[3 + 64 + 1];
	size_t n = 0;

	for (size_t i = 0; i < 3; i++)
		if (!daemon_mount_has(opts, dflt[i][1]))
			list[n++] = dflt[i][0];
	for (const char *p = opts; *p && n < 3 + 64;) {
		size_t len = strcspn(p, ",");

		if (len && !(len == 4 && strncmp(p, "suid", 4) == 0) &&
		    !(len == 3 && strncmp(p, "dev", 3) == 0) &&
		    !(len == 4 && strncmp(p, "exec", 4) == 0)) {
			char *o = arena_alloc(a, len + 1);

			if (!o)
				return berr_set(err, ENOMEM, "bundle mounts");
			memcpy(o, p, len);
			o[len] = '\0';
			list[n++] = o;
		}
		p += len + (p[len] == ',');
	}
	list[n] = NULL;
	m->options = strv(a, list, &m->n_options, err);
	return m->options ? 0 : -ENOMEM;
}

/* A volume's directory: its driver's file system mounted, the image's
 * content copied in when it is empty (unless nocopy). */
static int volume_source(const struct daemon_bundle_in *in, int rootfd,
			 const struct daemon_mount *m, char **path, struct berr *err)
{
	int ret = daemon_volume_ready(in->data_root, m->source, err);

	if (ret < 0)
		return ret;
	*path = daemon_volume_path(in->data_root, m->source);
	if (!*path)
		return berr_set(err, ENOMEM, "bundle mounts");
	if (daemon_mount_has(m->options, "nocopy"))
		return 0;
	return daemon_volume_copy_up(rootfd, m->target, *path, err);
}

static int one_mount(struct arena *a, const struct daemon_bundle_in *in, int rootfd,
		     const char *line, struct spec_mount *out, struct berr *err)
{
	char copy[3 * PATH_MAX];
	char *path = NULL;
	const char *opts[5] = { "rbind", "rprivate", NULL, NULL, NULL };
	struct daemon_mount m;
	int ret;

	snprintf(copy, sizeof(copy), "%s", line);
	if (daemon_mount_split(copy, &m) < 0)
		return berr_invalid(err, "a mount of the container's record is malformed: %s",
				 line);
	if (strcmp(m.type, "tmpfs") == 0) {
		out->destination = arena_strdup(a, m.target);
		out->type = "tmpfs";
		out->source = "tmpfs";
		if (!out->destination)
			return berr_set(err, ENOMEM, "bundle mounts");
		return tmpfs_options(a, m.options, out, err);
	}
	for (const char *const *p = (const char *const[]){ "private", "rprivate", "shared",
							    "rshared", "slave", "rslave",
							    NULL };
	     *p; p++)
		if (daemon_mount_has(m.options, *p))
			opts[1] = *p;
	if (daemon_mount_has(m.options, "norecursive"))
		opts[0] = "bind";
	if (daemon_mount_has(m.options, "ro"))
		opts[2] = "ro";
	if (strcmp(m.type, "volume") == 0) {
		ret = volume_source(in, rootfd, &m, &path, err);
		if (ret == 0)
			ret = bind_mount(a, out, m.target, path, opts, err);
		free(path);
		return ret;
	}
	return bind_mount(a, out, m.target, m.source, opts, err);
}

/* A container of an older berthd has its binds only. */
static int old_bind(struct arena *a, const char *bind, struct spec_mount *out, struct berr *err)
{
	struct daemon_bind b;
	const char *opts[4] = { "rbind", NULL, NULL, NULL };
	int ret = daemon_bundle_parse_bind(bind, &b, err);

	if (ret < 0)
		return ret;
	/* b is gone when the config is written: the list must point into
	 * the arena. */
	opts[1] = arena_strdup(a, b.propagation);
	if (!opts[1])
		return berr_set(err, ENOMEM, "bundle mounts");
	if (b.readonly)
		opts[2] = "ro";
	return bind_mount(a, out, b.dest, b.source, opts, err);
}

int bundle_mounts(struct spec_config *cfg, const struct daemon_bundle_in *in, int rootfd,
		  struct berr *err)
{
	static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
	const struct daemon_spec *s = in->spec;
	char *const *extra = s->mounts ? s->mounts : s->binds;
	struct arena *a = &cfg->arena;
	struct spec_mount *all;
	size_t n_extra = strv_len(extra), n;
	char src[PATH_MAX], dest[64];
	int ret;

	ret = docker_proc(a, cfg, err);
	if (ret < 0)
		return ret;
	n = cfg->n_mounts;
	all = spec_build_array(a, n + 3 + n_extra, sizeof(*all));
	if (!all)
		return berr_set(err, ENOMEM, "bundle mounts");
	memcpy(all, cfg->mounts, n * sizeof(*all));
	for (size_t i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/%s", in->dir, files[i]);
		snprintf(dest, sizeof(dest), "/etc/%s", files[i]);
		ret = bind_mount(a, &all[n++], dest, src, LIST("rbind", "rprivate"), err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < n_extra; i++) {
		if (s->mounts)
			ret = one_mount(a, in, rootfd, extra[i], &all[n++], err);
		else
			ret = old_bind(a, extra[i], &all[n++], err);
		if (ret < 0)
			return ret;
	}
	cfg->mounts = all;
	cfg->n_mounts = n;
	return 0;
}
