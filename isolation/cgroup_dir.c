#include "isolation/cgroup_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

void cgroup_dir_remove_chain(const char *dir, const char *created)
{
	cleanup_free char *path = strdup(dir);
	size_t stop = created ? strlen(created) : 0;

	if (!path || !created || strncmp(path, created, stop) != 0 ||
	    (path[stop] != '\0' && path[stop] != '/'))
		return;
	while (strlen(path) >= stop) {
		char *slash;

		if (rmdir(path) < 0 && errno != ENOENT)
			return;
		slash = strrchr(path, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

int cgroup_dir_hold(const char *dir, const char *mnt, char **created,
		    int (*init)(const char *path, struct berr *err), struct berr *err)
{
	int ret = cgroup_dir_create(dir, mnt, created, init, err);

	return ret == -EEXIST && !*created ? 0 : ret;
}

char *cgroup_dir_missing(const char *dir, const char *mnt)
{
	cleanup_free char *path = strdup(dir);
	size_t mlen = strlen(mnt);
	char *slash;

	if (!path || strncmp(path, mnt, mlen) != 0 || path[mlen] != '/')
		return NULL;
	for (char *p = path + mlen + 1; *p; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return steal_ptr(path);
		if (!slash)
			break;
		*slash = '/';
	}
	return NULL;
}

int cgroup_dir_create(const char *dir, const char *mnt, char **created,
		      int (*init)(const char *path, struct berr *err),
		      struct berr *err)
{
	cleanup_free char *path = strdup(dir);
	size_t mlen = strlen(mnt);
	char *p, *slash;
	int ret;

	*created = NULL;
	if (!path)
		return berr_sys(err, "cgroup %s", dir);
	if (strncmp(path, mnt, mlen) != 0 || path[mlen] != '/' || !path[mlen + 1])
		return berr_fail(err, EINVAL, "cgroup %s is not below %s", dir, mnt);
	for (p = path + mlen + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(path, 0755) == 0) {
			if (!*created && !(*created = strdup(path))) {
				ret = berr_sys(err, "cgroup %s", dir);
				goto fail;
			}
			if (init) {
				ret = init(path, err);
				if (ret < 0)
					goto fail;
			}
		} else if (errno != EEXIST) {
			ret = berr_sys(err, "create cgroup %s", path);
			goto fail;
		} else if (*created) {
			/* Someone else made it between our mkdirs: not ours. */
			ret = berr_fail(err, EEXIST, "cgroup %s appeared while berth created it",
					path);
			goto fail;
		}
		if (!slash)
			break;
		*slash = '/';
	}
	if (!*created)
		return berr_fail(err, EEXIST, "cgroup %s already exists", dir);
	return 0;
fail:
	if (*created) {
		/* path ends at the level that failed: remove from there up. */
		cgroup_dir_remove_chain(path, *created);
		free(*created);
		*created = NULL;
	}
	return ret;
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int pid_list_add(struct pid_list *l, pid_t pid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		pid_t *grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
	return 0;
}

/* dfd's cgroup.procs, then, down to max_depth, those of every cgroup
 * below it: a container's processes may sit in sub-cgroups it made for
 * itself (systemd in a container does), and kill --all, ps and delete
 * must reach them, as runc's do.  Consumes dfd. */
static int pids_below_fd(int dfd, const char *dir, int depth, int max_depth,
			 struct pid_list *l, struct berr *err)
{
	cleanup_fclose FILE *f = NULL;
	DIR *d;
	struct dirent *e;
	int pid, fd, ret = 0;

	if (depth > max_depth) {
		close(dfd);
		return 0;
	}
	fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		ret = berr_sys(err, "read %s/cgroup.procs", dir);
		if (fd >= 0)
			close(fd);
		close(dfd);
		/* A sub-cgroup removed while we walk had nothing left. */
		return depth > 0 && ret == -ENOENT ? 0 : ret;
	}
	while (ret == 0 && fscanf(f, "%d", &pid) == 1)
		if (pid_list_add(l, pid) < 0)
			ret = berr_fail(err, ENOMEM, "read %s/cgroup.procs", dir);
	d = ret == 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		close(dfd);
		return ret;
	}
	while (ret == 0 && (e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			ret = pids_below_fd(sub, dir, depth + 1, max_depth, l, err);
	}
	closedir(d);
	return ret;
}

static int pids_of(const char *dir, int max_depth, pid_t **pids, size_t *n,
		   struct berr *err)
{
	struct pid_list l = { 0 };
	int dfd, ret;

	*pids = NULL;
	*n = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, "read %s/cgroup.procs", dir);
	ret = pids_below_fd(dfd, dir, 0, max_depth, &l, err);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}

int cgroup_dir_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err)
{
	return pids_of(dir, 0, pids, n, err);
}

int cgroup_dir_tree_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err)
{
	/* The kernel caps a hierarchy's depth; so does this. */
	return pids_of(dir, 64, pids, n, err);
}

int cgroup_dir_enter(const char *dir, pid_t pid, struct berr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return fsutil_write_at(AT_FDCWD, dir, "cgroup.procs", buf, err);
}

int cgroup_dir_read_u64(const char *dir, const char *name, uint64_t *v)
{
	char buf[64], *end;
	ssize_t n = fsutil_read_at(AT_FDCWD, dir, name, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (strncmp(buf, "max", 3) == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int cgroup_dir_read_key(const char *dir, const char *name, const char *key,
			uint64_t *v)
{
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0, klen = strlen(key);

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			*v = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

static void remove_below_fd(int dfd, int depth)
{
	DIR *d;
	struct dirent *e;

	/* The kernel caps a hierarchy's depth; so does this. */
	if (depth > 64)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			remove_below_fd(sub, depth + 1);
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void cgroup_dir_remove_below(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd >= 0)
		remove_below_fd(dfd, 0);
}
