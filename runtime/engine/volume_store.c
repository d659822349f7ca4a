/* The volumes of berthd's local driver on disk: records, create, list,
 * remove, sizes, and the mount of a volume made with the driver's
 * options.  The caller holds the daemon's lock (volume.c takes it). */
#include "runtime/engine/volume.h"
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/base/timestamp.h"
#include "spec/record.h"

void daemon_volume_free(struct daemon_volume *v)
{
	free(v->name);
	strv_free(v->labels);
	strv_free(v->options);
	free(v->mountpoint);
	memset(v, 0, sizeof(*v));
}

void daemon_volumes_free(struct daemon_volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		daemon_volume_free(&v[i]);
	free(v);
}

static char *volume_file(const char *data_root, const char *name, const char *file)
{
	char *p;

	if (asprintf(&p, "%s/volumes/%s%s%s", data_root, name, file ? "/" : "",
		     file ? file : "") < 0)
		return NULL;
	return p;
}

/* docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool daemon_volume_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || n > 255 || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
					name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    name[i]))
			return false;
	return true;
}

int daemon_volume_load(const char *data_root, const char *name, struct daemon_volume *v,
		       struct berr *err)
{
	cleanup_free char *path = NULL;
	struct record r;
	int ret;

	memset(v, 0, sizeof(*v));
	if (!daemon_volume_valid_name(name))
		return berr_not_found(err, "no such volume: %s", name);
	path = volume_file(data_root, name, "volume");
	if (!path)
		return berr_set(err, ENOMEM, "volume %s", name);
	ret = record_load(path, &r, err);
	if (ret == -ENOENT)
		return berr_not_found(err, "no such volume: %s", name);
	if (ret < 0)
		return ret;
	v->name = strdup(name);
	v->mountpoint = daemon_volume_path(data_root, name);
	snprintf(v->created, sizeof(v->created), "%s",
		 record_str(&r, "created") ? record_str(&r, "created") : "");
	v->anonymous = record_bool(&r, "anonymous");
	ret = 0;
	if (!v->name || !v->mountpoint || record_strv(&r, "labels", &v->labels, NULL) < 0 ||
	    record_strv(&r, "options", &v->options, NULL) < 0)
		ret = berr_set(err, ENOMEM, "volume %s", name);
	record_free(&r);
	if (ret < 0)
		daemon_volume_free(v);
	return ret;
}

static int volume_save(const char *data_root, const struct daemon_volume *v, struct berr *err)
{
	cleanup_free char *path = volume_file(data_root, v->name, "volume");
	struct record_writer w;
	int ret;

	if (!path)
		return berr_set(err, ENOMEM, "volume %s", v->name);
	ret = record_begin(&w, err);
	if (ret < 0)
		return ret;
	record_put(&w, "name", v->name);
	record_put(&w, "driver", "local");
	record_put(&w, "created", v->created);
	record_put_list(&w, "labels", v->labels, strv_len(v->labels));
	record_put_list(&w, "options", v->options, strv_len(v->options));
	record_put_bool(&w, "anonymous", v->anonymous);
	return record_commit(&w, path, err);
}

/* The containers whose mounts name the volume. */
int daemon_volume_users_locked(struct daemon *d, const char *name)
{
	int n = 0;

	for (struct daemon_container *c = d->containers; c; c = c->next) {
		for (size_t i = 0; c->spec.mounts && c->spec.mounts[i]; i++) {
			cleanup_free char *line = strdup(c->spec.mounts[i]);
			struct daemon_mount m;

			if (line && daemon_mount_split(line, &m) == 0 &&
			    strcmp(m.type, "volume") == 0 && strcmp(m.source, name) == 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

static const char *option_value(char *const *options, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; options && options[i]; i++)
		if (strncmp(options[i], key, klen) == 0 && options[i][klen] == '=')
			return options[i] + klen + 1;
	return NULL;
}

/* The local driver takes type, device and o (as mount(8) would); a bind
 * (o=bind) needs its device to exist now. */
static int check_options(char *const *options, struct berr *err)
{
	const char *type, *device, *o;

	for (size_t i = 0; options && options[i]; i++) {
		size_t klen = strcspn(options[i], "=");

		if (!((klen == 4 && strncmp(options[i], "type", 4) == 0) ||
		      (klen == 6 && strncmp(options[i], "device", 6) == 0) ||
		      (klen == 1 && options[i][0] == 'o')))
			return berr_invalid(err,
					 "create volume: invalid option key: \"%.*s\" (the local "
					 "driver takes type, device and o)",
					 (int)klen, options[i]);
	}
	type = option_value(options, "type");
	device = option_value(options, "device");
	o = option_value(options, "o");
	if (!type && !device && !o)
		return 0;
	if (!type || !*type)
		return berr_invalid(err, "create volume: missing required option: \"type\"");
	if (!device || !*device)
		return berr_invalid(err, "create volume: missing required option: \"device\"");
	if (o && (strstr(o, "bind")) && access(device, F_OK) < 0)
		return berr_invalid(err, "create volume: the device of a bind does not exist: %s",
				 device);
	return 0;
}

static int random_name(char name[65], struct berr *err)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return berr_sys(err, "random volume name");
	for (int i = 0; i < 32; i++)
		sprintf(name + 2 * i, "%02x", raw[i]);
	return 0;
}

int daemon_volume_create_locked(struct daemon *d, const char *name, char *const *labels,
				char *const *options, struct daemon_volume *out,
				struct berr *err)
{
	const char *root = d->o.data_root;
	struct daemon_volume v = { 0 };
	cleanup_free char *dir = NULL, *data = NULL, *top = NULL;
	char gen[65];
	int ret;

	if (!name || !*name) {
		ret = random_name(gen, err);
		if (ret < 0)
			return ret;
		name = gen;
		v.anonymous = true;
	} else if (!daemon_volume_valid_name(name)) {
		return berr_invalid(err,
				 "create %s: \"%s\" includes invalid characters for a local volume "
				 "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
				 name, name);
	}
	ret = daemon_volume_load(root, name, out, err);
	if (ret != -ENOENT)
		return ret; /* found, or a failure */
	berr_clear(err);
	ret = check_options(options, err);
	if (ret < 0)
		return ret;
	top = volume_file(root, "", NULL);
	dir = volume_file(root, name, NULL);
	data = daemon_volume_path(root, name);
	if (!top || !dir || !data)
		return berr_set(err, ENOMEM, "create volume %s", name);
	if ((mkdir(top, 0700) < 0 && errno != EEXIST) || mkdir(dir, 0700) < 0 ||
	    mkdir(data, 0755) < 0)
		return berr_sys(err, "create volume %s", name);
	v.name = strdup(name);
	v.mountpoint = strdup(data);
	v.labels = strv_dup(labels, strv_len(labels));
	v.options = strv_dup(options, strv_len(options));
	timestamp_now(v.created, sizeof(v.created));
	if (!v.name || !v.mountpoint || (labels && !v.labels) || (options && !v.options))
		ret = berr_set(err, ENOMEM, "create volume %s", name);
	else
		ret = volume_save(root, &v, err);
	if (ret < 0) {
		struct berr ignored;

		layer_store_rmtree(dir, &ignored);
		daemon_volume_free(&v);
		return ret;
	}
	*out = v;
	return 0;
}

int daemon_volume_list_locked(struct daemon *d, struct daemon_volume **out, size_t *n,
		       struct berr *err)
{
	cleanup_free char *top = volume_file(d->o.data_root, "", NULL);
	cleanup_closedir DIR *dir = NULL;
	struct daemon_volume *all = NULL;
	size_t cap = 0;
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!top)
		return berr_set(err, ENOMEM, "list volumes");
	dir = opendir(top);
	if (!dir)
		return errno == ENOENT ? 0 : berr_sys(err, "list volumes");
	while ((e = readdir(dir))) {
		struct daemon_volume v;
		struct berr skip;

		if (e->d_name[0] == '.')
			continue;
		/* A directory without its record is a creation cut short. */
		if (daemon_volume_load(d->o.data_root, e->d_name, &v, &skip) < 0)
			continue;
		if (*n == cap) {
			struct daemon_volume *more;

			cap = cap ? 2 * cap : 16;
			more = realloc(all, cap * sizeof(*all));
			if (!more) {
				daemon_volume_free(&v);
				daemon_volumes_free(all, *n);
				*n = 0;
				return berr_set(err, ENOMEM, "list volumes");
			}
			all = more;
		}
		v.users = daemon_volume_users_locked(d, v.name);
		all[(*n)++] = v;
	}
	*out = all;
	return 0;
}

static bool is_mount_root(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* A volume's files and record; its driver's mount first. */
static int remove_files(const char *data_root, const char *name, struct berr *err)
{
	cleanup_free char *dir = volume_file(data_root, name, NULL);
	cleanup_free char *data = daemon_volume_path(data_root, name);

	if (!dir || !data)
		return berr_set(err, ENOMEM, "remove volume %s", name);
	if (is_mount_root(data) && umount2(data, MNT_DETACH) < 0)
		return berr_sys(err, "remove volume %s: unmount %s", name, data);
	return layer_store_rmtree(dir, err);
}

int daemon_volume_remove_locked(struct daemon *d, const char *name, bool force,
				struct berr *err)
{
	struct daemon_volume v;
	int ret = daemon_volume_load(d->o.data_root, name, &v, err);

	if (ret == -ENOENT && force)
		return berr_clear(err), 0;
	if (ret < 0)
		return ret;
	daemon_volume_free(&v);
	if (daemon_volume_users_locked(d, name) > 0)
		return berr_conflict(err, EBUSY,
				  "remove %s: volume is in use by a container (remove the "
				  "container first)",
				  name);
	return remove_files(d->o.data_root, name, err);
}

uint64_t daemon_volume_size(const struct daemon_volume *v)
{
	return daemon_tree_bytes(v->mountpoint);
}

/* --- the driver's mount --------------------------------------------------- */

struct mount_flag {
	const char *name;
	unsigned long set, clear;
};

static const struct mount_flag flags[] = {
	{ "ro", MS_RDONLY, 0 },	    { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },   { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
	{ "noatime", MS_NOATIME, 0 }, { "relatime", MS_RELATIME, 0 },
	{ "bind", MS_BIND, 0 },	    { "rbind", MS_BIND | MS_REC, 0 },
	{ NULL, 0, 0 },
};

/* o split into mount flags and the file system's own data. */
static int split_o(const char *o, unsigned long *fl, char *data, size_t size)
{
	cleanup_free char *copy = strdup(o ? o : "");
	char *p = copy, *tok;
	size_t used = 0;

	if (!copy)
		return -ENOMEM;
	*fl = 0;
	data[0] = '\0';
	while ((tok = strsep(&p, ","))) {
		const struct mount_flag *f;

		if (!*tok)
			continue;
		for (f = flags; f->name && strcmp(f->name, tok); f++)
			;
		if (f->name) {
			*fl = (*fl & ~f->clear) | f->set;
			continue;
		}
		used += (size_t)snprintf(data + used, size - used, "%s%s", used ? "," : "", tok);
		if (used >= size)
			return -E2BIG;
	}
	return 0;
}

int daemon_volume_ready(const char *data_root, const char *name, struct berr *err)
{
	struct daemon_volume v;
	const char *type, *device;
	unsigned long fl;
	char data[4096];
	int ret = daemon_volume_load(data_root, name, &v, err);

	if (ret < 0)
		return ret;
	type = option_value(v.options, "type");
	device = option_value(v.options, "device");
	if (!type || !device || is_mount_root(v.mountpoint)) {
		daemon_volume_free(&v);
		return 0;
	}
	ret = split_o(option_value(v.options, "o"), &fl, data, sizeof(data));
	if (ret < 0) {
		daemon_volume_free(&v);
		return berr_set(err, -ret, "volume %s: its options", name);
	}
	/* A bind ignores its read-only flag until remounted. */
	if (mount(device, v.mountpoint, (fl & MS_BIND) ? NULL : type,
		  (fl & MS_BIND) ? fl & ~MS_RDONLY : fl, data[0] ? data : NULL) < 0)
		ret = berr_sys(err, "volume %s: mount %s (%s) on its mountpoint", name, device,
			       type);
	else if ((fl & MS_BIND) && (fl & MS_RDONLY) &&
		 mount(NULL, v.mountpoint, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		ret = berr_sys(err, "volume %s: make its bind read-only", name);
	daemon_volume_free(&v);
	return ret;
}
