#include "runtime/engine/changes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/engine/internal.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

struct walk {
	char **lowers; /* the layers' diff dirs, top first */
	size_t n_lowers;
	struct daemon_change *out;
	size_t n, cap;
};

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* Does the image show rel (it starts with "/")?  The topmost layer that
 * has the name decides; a whiteout there hides it. */
static bool in_image(const struct walk *w, const char *rel)
{
	for (size_t i = 0; i < w->n_lowers; i++) {
		char p[PATH_MAX * 2];
		struct stat st;

		snprintf(p, sizeof(p), "%s%s", w->lowers[i], rel);
		if (lstat(p, &st) == 0)
			return !is_whiteout(&st);
	}
	return false;
}

static int add(struct walk *w, const char *rel, enum daemon_change_kind kind)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct daemon_change *grown = realloc(w->out, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		w->out = grown;
		w->cap = cap;
	}
	w->out[w->n].path = strdup(rel);
	if (!w->out[w->n].path)
		return -ENOMEM;
	w->out[w->n++].kind = kind;
	return 0;
}

/* The files berthd bind-mounts into every container leave empty mount
 * points in the writable layer when the image lacks them; dockerd keeps
 * its own in a layer below, so that diff shows neither. */
static bool mount_point(const char *rel, const struct stat *st, bool existed)
{
	return !existed && S_ISREG(st->st_mode) && st->st_size == 0 &&
	       (!strcmp(rel, "/etc/hostname") || !strcmp(rel, "/etc/hosts") ||
		!strcmp(rel, "/etc/resolv.conf"));
}

/* Does the upper /etc (in dir) hold nothing but those mount points? */
static bool only_mount_points(int dir)
{
	int fd = openat(dir, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool only = true;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (only && (e = readdir(d)))
		only = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		       !strcmp(e->d_name, "hostname") || !strcmp(e->d_name, "hosts") ||
		       !strcmp(e->d_name, "resolv.conf");
	closedir(d);
	return only;
}

static bool opaque(int fd)
{
	char v[2];

	return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* rel is fd's path inside the container ("" for the root); below an
 * opaque directory nothing of the image shows. */
static int walk_dir(struct walk *w, int fd, const char *rel, bool hidden, int depth)
{
	DIR *dir;
	struct dirent *e;
	int ret = 0;

	if (depth > 512) {
		close(fd);
		return -ELOOP;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while (ret == 0 && (e = readdir(dir))) {
		char path[PATH_MAX];
		struct stat st;
		bool existed;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", rel, e->d_name) >= sizeof(path))
			continue;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (is_whiteout(&st)) {
			ret = add(w, path, DC_DELETED);
			continue;
		}
		existed = !hidden && in_image(w, path);
		if (mount_point(path, &st, existed))
			continue;
		ret = add(w, path, existed ? DC_MODIFIED : DC_ADDED);
		if (ret < 0 || !S_ISDIR(st.st_mode))
			continue;
		sub = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		{
			size_t mark = w->n;

			ret = walk_dir(w, sub, path, hidden || !existed || opaque(sub), depth + 1);
			/* /etc copied up only to hold those mount points. */
			if (ret == 0 && w->n == mark && existed && !strcmp(path, "/etc") &&
			    only_mount_points(dirfd(dir)))
				free(w->out[--w->n].path);
		}
	}
	closedir(dir);
	return ret;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct daemon_change *)a)->path,
		      ((const struct daemon_change *)b)->path);
}

void daemon_changes_free(struct daemon_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

int daemon_changes(struct daemon *d, const char *ref, struct daemon_change **out, size_t *n,
		   struct berr *err)
{
	cleanup_free char *upper = NULL;
	struct image_rec img = { 0 };
	struct walk w = { 0 };
	int fd, ret;

	*out = NULL;
	*n = 0;
	ret = daemon_layers_of(d, ref, &upper, &img, err);
	if (ret < 0)
		return ret;
	w.lowers = calloc(img.n_layers + 1, sizeof(char *));
	ret = w.lowers ? 0 : berr_set(err, ENOMEM, "diff");
	for (size_t i = 0; ret == 0 && i < img.n_layers; i++) {
		cleanup_free char *dir =
			layer_store_dir(d->o.data_root, img.layers[img.n_layers - 1 - i]);

		if (!dir || asprintf(&w.lowers[i], "%s/diff", dir) < 0) {
			w.lowers[i] = NULL;
			ret = berr_set(err, ENOMEM, "diff");
			break;
		}
		w.n_lowers++;
	}
	if (ret == 0) {
		fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			ret = berr_sys(err, "open the container's writable layer");
		else if ((ret = walk_dir(&w, fd, "", false, 0)) < 0)
			berr_set(err, -ret, "read the container's writable layer");
	}
	for (size_t i = 0; i < w.n_lowers; i++)
		free(w.lowers[i]);
	free(w.lowers);
	image_rec_free(&img);
	if (ret < 0) {
		daemon_changes_free(w.out, w.n);
		return ret;
	}
	qsort(w.out, w.n, sizeof(*w.out), by_path);
	*out = w.out;
	*n = w.n;
	return 0;
}
