/* A container's mounts, resolved once at create as dockerd does: the
 * request's binds (-v), mounts (--mount) and tmpfs (--tmpfs) first, then
 * the mounts of the containers named by --volumes-from where no mount
 * of the request has their target, then an anonymous volume for each of
 * Config.Volumes (the request's -v /path and the image's VOLUME) that is
 * still without a mount.  Two mounts of the request on one target are an
 * error, as in dockerd. */
#include "runtime/engine/volume.h"
#include "runtime/engine/bundle.h"
#include "runtime/engine/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

struct mlist {
	char **v;
	size_t n;
	char **created; /* volumes made here, removed on failure */
	size_t n_created;
};

static int mlist_add(struct mlist *l, const char *type, const char *source, const char *target,
		     const char *opts, struct berr *err)
{
	char **more = realloc(l->v, (l->n + 2) * sizeof(char *));

	if (!more)
		return berr_set(err, ENOMEM, "create: mounts");
	l->v = more;
	if (asprintf(&l->v[l->n], "%s\t%s\t%s\t%s", type, source, target, opts) < 0)
		return berr_set(err, ENOMEM, "create: mounts");
	l->v[++l->n] = NULL;
	return 0;
}

/* The target without trailing slashes ("/data/" is "/data"). */
static void clean_target(const char *in, char *out, size_t size)
{
	size_t n;

	snprintf(out, size, "%s", in);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
}

static bool mlist_has_target(const struct mlist *l, const char *target)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *t = strchr(strchr(l->v[i], '\t') + 1, '\t') + 1;

		if (strncmp(t, target, strlen(target)) == 0 && t[strlen(target)] == '\t')
			return true;
	}
	return false;
}

static int check_target(const char *target, const char *what, struct berr *err)
{
	size_t n = strlen(target);

	if (target[0] != '/' || strstr(target, "/../") ||
	    (n >= 3 && strcmp(target + n - 3, "/..") == 0))
		return berr_invalid(err, "invalid %s: the target \"%s\" must be an absolute path",
				 what, target);
	if (strcmp(target, "/") == 0)
		return berr_invalid(err, "invalid %s: cannot mount over /", what);
	if (strchr(target, '\t') || strchr(target, ','))
		return berr_invalid(err, "invalid %s: the target \"%s\" has a tab or comma", what,
				 target);
	return 0;
}

/* A target of the request: valid and not mounted yet. */
static int check_new_target(const struct mlist *l, const char *type, const char *target,
			    struct berr *err)
{
	char t[PATH_MAX];
	int ret = check_target(target, type, err);

	if (ret < 0)
		return ret;
	clean_target(target, t, sizeof(t));
	if (mlist_has_target(l, t))
		return berr_invalid(err, "Duplicate mount point: %s", t);
	return 0;
}

static int add_unique(struct mlist *l, const char *type, const char *source,
		      const char *target, const char *opts, struct berr *err)
{
	char t[PATH_MAX];
	int ret = check_new_target(l, type, target, err);

	if (ret < 0)
		return ret;
	clean_target(target, t, sizeof(t));
	return mlist_add(l, type, source, t, opts, err);
}

/* The volume named, made when missing (named by -v or --mount, or
 * anonymous when name is empty); *out gets its name. */
static int want_volume(struct daemon *d, struct mlist *l, const char *name, char **out,
		       struct berr *err)
{
	struct daemon_volume v;
	bool is_new = !name || !*name;
	int ret;

	if (!is_new) {
		struct berr ignored;

		ret = daemon_volume_load(d->o.data_root, name, &v, &ignored);
		if (ret == 0)
			daemon_volume_free(&v);
		is_new = ret == -ENOENT;
	}
	ret = daemon_volume_create_locked(d, name, NULL, NULL, &v, err);
	if (ret < 0)
		return ret;
	if (is_new) {
		char **more = realloc(l->created, (l->n_created + 1) * sizeof(char *));

		if (!more) {
			daemon_volume_free(&v);
			return berr_set(err, ENOMEM, "create: volumes");
		}
		l->created = more;
		l->created[l->n_created++] = strdup(v.name);
	}
	*out = steal_ptr(v.name);
	daemon_volume_free(&v);
	return 0;
}

/* docker creates a missing host path of a -v bind, as a directory. */
static int make_bind_source(const char *path, struct berr *err)
{
	char p[PATH_MAX];

	if (access(path, F_OK) == 0)
		return 0;
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create the bind's host directory %s", p);
		if (!s)
			return 0;
		*s = '/';
	}
}

static int add_binds(struct daemon *d, struct mlist *l, char *const *binds, struct berr *err)
{
	for (size_t i = 0; binds && binds[i]; i++) {
		struct daemon_bind b;
		char opts[64];
		cleanup_free char *name = NULL;
		int ret = daemon_bundle_parse_bind(binds[i], &b, err);

		if (ret < 0)
			return ret;
		snprintf(opts, sizeof(opts), "%s,%s%s", b.readonly ? "ro" : "rw", b.propagation,
			 b.nocopy ? ",nocopy" : "");
		ret = check_new_target(l, b.volume ? "volume" : "bind", b.dest, err);
		if (ret < 0)
			return ret;
		if (b.volume) {
			ret = want_volume(d, l, b.source, &name, err);
			if (ret == 0)
				ret = add_unique(l, "volume", name, b.dest, opts, err);
		} else {
			ret = make_bind_source(b.source, err);
			if (ret == 0)
				ret = add_unique(l, "bind", b.source, b.dest, opts, err);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The options a tmpfs takes (mount(8)'s and tmpfs(5)'s). */
static int check_tmpfs(const char *target, const char *opts, struct berr *err)
{
	static const char *const flags[] = { "ro", "rw", "nosuid", "suid", "nodev", "dev",
					     "noexec", "exec", "sync", "async", "dirsync",
					     "noatime", "atime", "relatime", "norelatime",
					     "strictatime", "nodiratime", "diratime", NULL };
	static const char *const keyed[] = { "size=", "mode=", "uid=", "gid=", "nr_inodes=",
					     "nr_blocks=", "mpol=", "huge=", NULL };

	for (const char *p = opts; *p;) {
		size_t len = strcspn(p, ",");
		bool ok = len == 0;

		for (size_t i = 0; !ok && flags[i]; i++)
			ok = strlen(flags[i]) == len && strncmp(p, flags[i], len) == 0;
		for (size_t i = 0; !ok && keyed[i]; i++)
			ok = strncmp(p, keyed[i], strlen(keyed[i])) == 0 && len > strlen(keyed[i]);
		if (!ok)
			return berr_invalid(err, "invalid tmpfs option \"%.*s\" for %s", (int)len,
					 p, target);
		p += len + (p[len] == ',');
	}
	return 0;
}

/* HostConfig.Mounts and Tmpfs, already mount lines: a bind's source must
 * exist (--mount does not create it). */
static int add_requests(struct daemon *d, struct mlist *l, char *const *reqs, struct berr *err)
{
	for (size_t i = 0; reqs && reqs[i]; i++) {
		cleanup_free char *line = strdup(reqs[i]);
		cleanup_free char *name = NULL;
		struct daemon_mount m;
		int ret;

		if (!line)
			return berr_set(err, ENOMEM, "create: mounts");
		if (daemon_mount_split(line, &m) < 0)
			return berr_invalid(err, "invalid mount \"%s\"", reqs[i]);
		if (strcmp(m.type, "bind") == 0) {
			if (m.source[0] != '/')
				return berr_invalid(err,
						 "invalid mount config for type \"bind\": invalid "
						 "mount path: '%s' mount path must be absolute",
						 m.source);
			if (access(m.source, F_OK) < 0)
				return berr_invalid(err,
						 "invalid mount config for type \"bind\": bind source "
						 "path does not exist: %s",
						 m.source);
			ret = add_unique(l, "bind", m.source, m.target, m.options, err);
		} else if (strcmp(m.type, "volume") == 0) {
			if (*m.source && !daemon_volume_valid_name(m.source))
				return berr_invalid(err,
						 "invalid mount config for type \"volume\": invalid "
						 "volume name \"%s\"",
						 m.source);
			ret = check_new_target(l, "volume", m.target, err);
			if (ret == 0)
				ret = want_volume(d, l, m.source, &name, err);
			if (ret == 0)
				ret = add_unique(l, "volume", name, m.target, m.options, err);
		} else if (strcmp(m.type, "tmpfs") == 0) {
			ret = check_tmpfs(m.target, m.options, err);
			if (ret == 0)
				ret = add_unique(l, "tmpfs", "", m.target, m.options, err);
		} else {
			return berr_unsupported(err, "mounts of type \"%s\" are not supported by "
						  "berthd (bind, volume and tmpfs are)",
						  m.type);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The mount lines of c (those of its binds for a container an older
 * berthd made). */
static int mounts_of(const struct daemon_spec *s, struct mlist *out, struct berr *err)
{
	if (s->mounts) {
		for (size_t i = 0; s->mounts[i]; i++) {
			cleanup_free char *line = strdup(s->mounts[i]);
			struct daemon_mount m;

			if (!line || daemon_mount_split(line, &m) < 0)
				continue;
			if (mlist_add(out, m.type, m.source, m.target, m.options, err) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	for (size_t i = 0; s->binds && s->binds[i]; i++) {
		struct daemon_bind b;
		struct berr skip;
		char opts[64];

		if (daemon_bundle_parse_bind(s->binds[i], &b, &skip) < 0)
			continue;
		snprintf(opts, sizeof(opts), "%s,%s", b.readonly ? "ro" : "rw", b.propagation);
		if (mlist_add(out, "bind", b.source, b.dest, opts, err) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* "ro" or "rw" replaces the mode of opts. */
static void set_mode(const char *opts, const char *mode, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "%s", mode);

	for (const char *p = opts; *p;) {
		size_t len = strcspn(p, ",");

		if (!(len == 2 && (!strncmp(p, "ro", 2) || !strncmp(p, "rw", 2))) && used < size)
			used += (size_t)snprintf(out + used, size - used, ",%.*s", (int)len, p);
		p += len + (p[len] == ',');
	}
}

static int add_volumes_from(struct mlist *l, char *const *from,
			    const struct daemon_spec *const *specs, struct berr *err)
{
	for (size_t i = 0; from && from[i]; i++) {
		char ref[256], opts[256];
		const char *colon = strchr(from[i], ':'), *mode = colon ? colon + 1 : NULL;
		struct mlist theirs = { 0 };
		int ret = 0;

		snprintf(ref, sizeof(ref), "%.*s", colon ? (int)(colon - from[i]) : (int)strlen(from[i]),
			 from[i]);
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw") && strcmp(mode, "z") &&
		    strcmp(mode, "Z"))
			return berr_invalid(err, "invalid mode for --volumes-from %s: %s", ref, mode);
		/* Not a 404: the docker CLI takes that for a missing image. */
		if (!specs || !specs[i])
			return berr_invalid(err, "invalid --volumes-from: no such container: %s",
					 ref);
		if (mounts_of(specs[i], &theirs, err) < 0)
			return -ENOMEM;
		for (size_t j = 0; ret == 0 && j < theirs.n; j++) {
			struct daemon_mount m;

			daemon_mount_split(theirs.v[j], &m);
			if (strcmp(m.type, "tmpfs") == 0 || mlist_has_target(l, m.target))
				continue;
			if (mode && (!strcmp(mode, "ro") || !strcmp(mode, "rw")))
				set_mode(m.options, mode, opts, sizeof(opts));
			else
				snprintf(opts, sizeof(opts), "%s", m.options);
			ret = mlist_add(l, m.type, m.source, m.target, opts, err);
		}
		strv_free(theirs.v);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int add_anonymous(struct daemon *d, struct mlist *l, char *const *volumes,
			 struct berr *err)
{
	for (size_t i = 0; volumes && volumes[i]; i++) {
		cleanup_free char *name = NULL;
		char t[PATH_MAX];
		int ret = check_target(volumes[i], "volume", err);

		if (ret < 0)
			return ret;
		clean_target(volumes[i], t, sizeof(t));
		if (mlist_has_target(l, t))
			continue;
		ret = want_volume(d, l, "", &name, err);
		if (ret == 0)
			ret = mlist_add(l, "volume", name, t, "rw,rprivate", err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static size_t depth(const char *line)
{
	const char *t = strchr(strchr(line, '\t') + 1, '\t') + 1;
	size_t n = 0;

	for (; *t && *t != '\t'; t++)
		n += *t == '/';
	return n;
}

/* Parents before what is mounted inside them (a tmpfs in a volume), as
 * dockerd sorts them; otherwise in the request's order. */
static void sort_by_depth(struct mlist *l)
{
	for (size_t i = 1; i < l->n; i++) {
		char *x = l->v[i];
		size_t j = i;

		for (; j > 0 && depth(l->v[j - 1]) > depth(x); j--)
			l->v[j] = l->v[j - 1];
		l->v[j] = x;
	}
}

int daemon_mounts_resolve_locked(struct daemon *d, struct daemon_spec *s,
				 const struct daemon_spec *const *from, char ***created,
				 struct berr *err)
{
	struct mlist l = { 0 };
	int ret;

	*created = NULL;
	ret = add_binds(d, &l, s->binds, err);
	if (ret == 0)
		ret = add_requests(d, &l, s->mount_reqs, err);
	if (ret == 0)
		ret = add_volumes_from(&l, s->volumes_from, from, err);
	if (ret == 0)
		ret = add_anonymous(d, &l, s->volumes, err);
	if (ret == 0)
		sort_by_depth(&l);
	if (ret == 0 && !l.v)
		l.v = calloc(1, sizeof(char *));
	if (ret == 0 && !l.v)
		ret = berr_set(err, ENOMEM, "create: mounts");
	if (ret == 0 && l.n_created) {
		char **more = realloc(l.created, (l.n_created + 1) * sizeof(char *));

		if (more) {
			more[l.n_created] = NULL;
			*created = more;
			l.created = NULL;
		}
	}
	for (size_t i = 0; l.created && i < l.n_created; i++) {
		struct berr ignored;

		if (ret < 0 && l.created[i])
			daemon_volume_remove_locked(d, l.created[i], true, &ignored);
		free(l.created[i]);
	}
	free(l.created);
	if (ret < 0) {
		strv_free(l.v);
		return ret;
	}
	strv_free(s->mounts);
	s->mounts = l.v;
	return 0;
}

char **daemon_mounts_remove_anonymous_locked(struct daemon *d, const struct daemon_spec *s)
{
	char **removed = calloc(strv_len(s->mounts) + 1, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; removed && s->mounts && s->mounts[i]; i++) {
		cleanup_free char *line = strdup(s->mounts[i]);
		struct daemon_volume v;
		struct daemon_mount m;
		struct berr ignored;

		if (!line || daemon_mount_split(line, &m) < 0 || strcmp(m.type, "volume") != 0)
			continue;
		if (daemon_volume_load(d->o.data_root, m.source, &v, &ignored) < 0)
			continue;
		if (v.anonymous && daemon_volume_users_locked(d, m.source) == 0 &&
		    daemon_volume_remove_locked(d, m.source, true, &ignored) == 0)
			removed[n++] = steal_ptr(v.name);
		daemon_volume_free(&v);
	}
	return removed;
}
