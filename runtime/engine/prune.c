#include "runtime/engine/prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/internal.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

/* The bytes of the regular files below fd (a walk that follows no
 * symlink and stays on the one filesystem). */
static uint64_t tree_size(int fd, dev_t dev, int depth)
{
	DIR *dir;
	struct dirent *e;
	uint64_t sum = 0;

	if (depth > 256 || !(dir = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while ((e = readdir(dir))) {
		struct stat st;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode) && st.st_dev == dev &&
			 (sub = openat(dirfd(dir), e->d_name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
			sum += tree_size(sub, dev, depth + 1);
	}
	closedir(dir);
	return sum;
}

static uint64_t upper_size(struct daemon *d, const char *id)
{
	cleanup_free char *upper = daemon_dir(d, id, "upper");
	struct stat st;
	int fd;

	if (!upper || (fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	return tree_size(fd, st.st_dev, 0);
}

static bool stopped(enum daemon_status s)
{
	return s == DS_CREATED || s == DS_EXITED || s == DS_DEAD;
}

int daemon_prune_containers(struct daemon *d, daemon_prune_fn want, void *arg,
			    char ***deleted, uint64_t *reclaimed, struct berr *err)
{
	char **ids = NULL;

	*reclaimed = 0;
	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next)
		if (!c->removed && !c->busy && stopped(c->status) && want(c, arg) &&
		    strv_push(&ids, c->id) < 0) {
			daemon_unlock(d);
			strv_free(ids);
			return berr_set(err, ENOMEM, "prune");
		}
	daemon_unlock(d);
	for (size_t i = 0; ids && ids[i]; i++) {
		struct berr ignored;
		uint64_t size = upper_size(d, ids[i]);

		/* One started meanwhile is refused (not forced) and stays. */
		if (daemon_remove(d, ids[i], false, false, &ignored) < 0)
			continue;
		*reclaimed += size;
		if (strv_push(deleted, ids[i]) < 0) {
			strv_free(ids);
			return berr_set(err, ENOMEM, "prune");
		}
	}
	strv_free(ids);
	return 0;
}
