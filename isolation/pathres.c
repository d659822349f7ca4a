#include "isolation/pathres.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

int pathres_openat(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	fd = sys_openat2(rootfd, path, &how);
	return fd < 0 ? -errno : fd;
}

/* Split "a/b/c" into parent "a/b" and leaf "c", dropping trailing slashes. */
static void split_leaf(char *path, char **parent, char **leaf)
{
	size_t n = strlen(path);
	char *slash;

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	slash = strrchr(path, '/');
	if (!slash) {
		*parent = ".";
		*leaf = path;
	} else {
		*slash = '\0';
		*parent = slash == path ? "/" : path;
		*leaf = slash + 1;
	}
}

static int create_leaf(int parentfd, const char *leaf, enum pathres_create create)
{
	int fd;

	if (strcmp(leaf, "..") == 0 || strcmp(leaf, ".") == 0)
		return 0;
	if (create == PATHRES_MKDIR) {
		if (mkdirat(parentfd, leaf, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	fd = openat(parentfd, leaf, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* Symlinks a missing path may go through before we give up (as ELOOP). */
#define PATHRES_MAX_LINKS 40

static int open_creating(int rootfd, const char *path, enum pathres_create create,
			 int links, struct berr *err);

/* The leaf is a symlink to something missing: create its target, inside
 * the root, the way the kernel would have resolved it. */
static int follow_dangling(int rootfd, int parentfd, const char *parent,
			   const char *leaf, enum pathres_create create, int links,
			   struct berr *err)
{
	cleanup_free char *next = NULL;
	char target[PATH_MAX];
	ssize_t n = readlinkat(parentfd, leaf, target, sizeof(target) - 1);

	if (n < 0)
		return -ENOENT;
	target[n] = '\0';
	if (links >= PATHRES_MAX_LINKS)
		return berr_set(err, ELOOP, "resolve %s/%s", parent, leaf);
	if (target[0] == '/')
		next = strdup(target);
	else if (asprintf(&next, "%s/%s", parent, target) < 0)
		next = NULL;
	if (!next)
		return berr_sys(err, "resolve %s/%s", parent, leaf);
	return open_creating(rootfd, next, create, links + 1, err);
}

static int open_creating(int rootfd, const char *path, enum pathres_create create,
			 int links, struct berr *err)
{
	cleanup_free char *copy = NULL;
	cleanup_close int parentfd = -1;
	char *parent, *leaf;
	int fd, ret;

	fd = pathres_openat(rootfd, path, O_PATH, 0);
	if (fd >= 0 || fd != -ENOENT || create == PATHRES_NOCREATE) {
		if (fd < 0)
			return berr_set(err, -fd, "open %s in the container root", path);
		return fd;
	}

	copy = strdup(path);
	if (!copy)
		return berr_sys(err, "resolve %s", path);
	split_leaf(copy, &parent, &leaf);
	/* Parents are always directories, created the same careful way. */
	parentfd = open_creating(rootfd, parent, PATHRES_MKDIR, links, err);
	if (parentfd < 0)
		return parentfd;
	ret = create_leaf(parentfd, leaf, create);
	if (ret < 0)
		return berr_set(err, -ret, "create %s in the container root", path);
	/* Reopen from the root: whatever was planted meanwhile is still
	 * resolved inside it. */
	fd = pathres_openat(rootfd, path, O_PATH, 0);
	if (fd == -ENOENT)
		fd = follow_dangling(rootfd, parentfd, parent, leaf, create, links, err);
	if (fd == -ENOENT)
		return berr_set(err, ENOENT, "open %s in the container root", path);
	return fd;
}

int pathres_open(int rootfd, const char *path, enum pathres_create create,
		 struct berr *err)
{
	return open_creating(rootfd, path, create, 0, err);
}

int pathres_parent(int rootfd, const char *path, char *leaf, size_t leaf_size,
		   struct berr *err)
{
	cleanup_free char *copy = strdup(path);
	char *parent, *name;

	if (!copy)
		return berr_sys(err, "resolve %s", path);
	split_leaf(copy, &parent, &name);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) >= leaf_size)
		return berr_set(err, EINVAL, "invalid path %s", path);
	strcpy(leaf, name);
	return pathres_open(rootfd, parent, PATHRES_MKDIR, err);
}
