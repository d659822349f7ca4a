/* A berthd container's mounts: the default ones (spec/config_default.c),
 * with /proc as docker mounts it, then the files berthd writes for the
 * container (/etc/hostname, /etc/hosts, /etc/resolv.conf) and the
 * request's binds. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

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
	if (b->source[0] != '/')
		return berr_unsupported(err,
				 "invalid bind \"%s\": named volumes are not supported by berthd "
				 "(use an absolute host path)",
				 bind);
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
			else if (strcmp(tok, "z") == 0 || strcmp(tok, "Z") == 0)
				return berr_unsupported(err,
						 "invalid bind \"%s\": SELinux relabeling (%s) is "
						 "not supported by berthd",
						 bind, tok);
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

int bundle_mounts(struct spec_config *cfg, const struct daemon_spec *s, const char *dir,
		  struct berr *err)
{
	static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
	struct arena *a = &cfg->arena;
	struct spec_mount *all;
	size_t n_binds = 0, n;
	char src[PATH_MAX], dest[64];
	int ret;

	ret = docker_proc(a, cfg, err);
	if (ret < 0)
		return ret;
	while (s->binds && s->binds[n_binds])
		n_binds++;
	n = cfg->n_mounts;
	all = spec_build_array(a, n + 3 + n_binds, sizeof(*all));
	if (!all)
		return berr_set(err, ENOMEM, "bundle mounts");
	memcpy(all, cfg->mounts, n * sizeof(*all));
	for (size_t i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/%s", dir, files[i]);
		snprintf(dest, sizeof(dest), "/etc/%s", files[i]);
		ret = bind_mount(a, &all[n++], dest, src, LIST("rbind", "rprivate"), err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < n_binds; i++) {
		struct daemon_bind b;
		const char *opts[4] = { "rbind", NULL, NULL, NULL };

		ret = daemon_bundle_parse_bind(s->binds[i], &b, err);
		if (ret < 0)
			return ret;
		/* b is gone when the config is written: the list must point
		 * into the arena. */
		opts[1] = arena_strdup(a, b.propagation);
		if (!opts[1])
			return berr_set(err, ENOMEM, "bundle mounts");
		if (b.readonly)
			opts[2] = "ro";
		ret = bind_mount(a, &all[n++], b.dest, b.source, opts, err);
		if (ret < 0)
			return ret;
	}
	cfg->mounts = all;
	cfg->n_mounts = n;
	return 0;
}
