#include "runtime/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

static int mkdir_p(const char *path, mode_t mode, struct berr *err)
{
	cleanup_free char *copy = strdup(path);

	if (!copy)
		return berr_sys(err, "create %s", path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return berr_sys(err, "create %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", copy);
	return 0;
}

static int open_locked(struct store_container *c, bool exclusive,
		       struct berr *err)
{
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return berr_sys(err, "open %s", c->dir);
	while (flock(c->dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR)
			return berr_sys(err, "lock %s", c->dir);
	}
	return 0;
}

int store_create(const char *root, const char *id, struct store_container *c,
		 struct berr *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	ret = mkdir_p(root, 0700, err);
	if (ret < 0)
		return ret;
	if (asprintf(&c->dir, "%s/%s", root, id) < 0) {
		c->dir = NULL;
		return berr_sys(err, "state directory");
	}
	if (mkdir(c->dir, 0700) < 0) {
		if (errno == EEXIST)
			return berr_fail(err, EEXIST, "container \"%s\" already exists", id);
		return berr_sys(err, "create %s", c->dir);
	}
	ret = open_locked(c, true, err);
	if (ret < 0)
		rmdir(c->dir);
	return ret;
}

static int load_state(struct store_container *c, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *json = NULL;
	size_t len;
	int ret;

	if (asprintf(&path, "%s/" STORE_STATE, c->dir) < 0)
		return berr_sys(err, "state of %s", c->dir);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	ret = fsutil_read_file(path, &json, &len, err);
	if (ret < 0)
		return ret;
	ret = spec_state_file_parse(json, len, &c->arena, &c->state, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	c->has_state = true;
	return 0;
}

static int open_steps(const char *root, const char *id, bool exclusive, bool damaged_ok,
		      struct store_container *c, struct berr *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	if (asprintf(&c->dir, "%s/%s", root, id) < 0) {
		c->dir = NULL;
		return berr_sys(err, "state directory");
	}
	ret = open_locked(c, exclusive, err);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return berr_fail(err, ENOENT, "container \"%s\" does not exist", id);
	if (ret < 0)
		return ret;
	/* A directory deleted while we waited for its lock is gone. */
	if (faccessat(c->dirfd, ".", F_OK, 0) < 0 || access(c->dir, F_OK) < 0)
		return berr_fail(err, ENOENT, "container \"%s\" does not exist", id);
	ret = load_state(c, err);
	if (ret < 0 && damaged_ok) {
		snprintf(c->damage, sizeof(c->damage), "%s", err->msg);
		berr_clear(err);
		arena_release(&c->arena);
		memset(&c->state, 0, sizeof(c->state));
		c->has_state = false;
		return 0;
	}
	return ret;
}

int store_open(const char *root, const char *id, bool exclusive,
	       struct store_container *c, struct berr *err)
{
	int ret = open_steps(root, id, exclusive, false, c, err);

	/* Callers close only what opened: a failure releases it all here. */
	if (ret < 0)
		store_close(c);
	return ret;
}

int store_open_damaged(const char *root, const char *id, struct store_container *c,
		       struct berr *err)
{
	int ret = open_steps(root, id, true, true, c, err);

	if (ret < 0)
		store_close(c);
	return ret;
}

int store_save(struct store_container *c, const struct spec_state *s,
	       struct berr *err)
{
	cleanup_free char *json = NULL;
	cleanup_free char *path = NULL;
	size_t len;
	int ret;

	ret = spec_state_file_json(s, &json, &len, err);
	if (ret < 0)
		return ret;
	if (asprintf(&path, "%s/" STORE_STATE, c->dir) < 0)
		return berr_sys(err, "state of %s", c->dir);
	/* Readers never see a torn file (rename), and the state root may
	 * be on a disk: a crash of the machine leaves the old state or the
	 * new one, not an empty file (on a tmpfs, as /run, this is free). */
	return fsutil_write_atomic_synced(path, json, len, 0600, err);
}

int store_remove(struct store_container *c, struct berr *err)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	int fd = dup(c->dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, "read %s", c->dir);
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(c->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
			return berr_sys(err, "remove %s/%s", c->dir, de->d_name);
	}
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", c->dir);
	return 0;
}

void store_unlock(struct store_container *c)
{
	if (c->dirfd >= 0)
		flock(c->dirfd, LOCK_UN);
}

void store_close(struct store_container *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->dir);
	arena_release(&c->arena);
	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list(const char *root, char ***ids, size_t *n, struct berr *err)
{
	cleanup_closedir DIR *d = opendir(root);
	char **list = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;

	*ids = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : berr_sys(err, "read %s", root);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (count == cap) {
			char **grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				goto oom;
			list = grown;
		}
		if (!(list[count] = strdup(de->d_name)))
			goto oom;
		count++;
	}
	qsort(list, count, sizeof(*list), cmp_str);
	*ids = list;
	*n = count;
	return 0;
oom:
	while (count)
		free(list[--count]);
	free(list);
	return berr_sys(err, "list %s", root);
}

unsigned long long store_extra_ull(const struct store_container *c,
				   const char *key)
{
	const char *v = c->has_state ? spec_state_extra(&c->state, key) : NULL;

	return v ? strtoull(v, NULL, 10) : 0;
}
