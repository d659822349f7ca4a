/* A removed container's directory, deleted after the client is told.
 *
 * A removal (docker rm, the end of a --rm run) answers once nothing of
 * the container can be seen or met: its processes, cgroups, mounts,
 * network and runtime state are gone, its name is free, its record is
 * off the table.  What is left then is its directory's files (the
 * writable layer with what the container wrote, its log), which nothing
 * reads again; deleting them file by file cost most of the removal (a
 * --rm run of `true` spent more time there than in the rest of its exit).
 * So the directory is renamed into <data-root>/removing/ (one rename:
 * from then on a start of berthd no longer finds its records) and a
 * thread of its own deletes it.  An --rm container's root filesystem is
 * still mounted there (its shim leaves it: the unmount waits for the
 * kernel, from under a millisecond to a hundred under load): the thread
 * unmounts it first.  Nothing runs in it any more, and no run or listing
 * looks below removing/.  berthd's stop waits for that thread; a
 * berthd killed before it finished leaves the directory there, and the
 * next start deletes it before it serves anyone. */
#include "runtime/engine/trash.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/engine/engine.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

/* Unmount dir/rootfs if mounted, then delete dir. */
static void delete(const char *dir)
{
	cleanup_free char *rootfs = NULL;
	struct berr ignored;

	if (asprintf(&rootfs, "%s/rootfs", dir) < 0)
		rootfs = NULL;
	/* First: the rmtree does not go into a mount. */
	if (rootfs)
		layer_store_umount(rootfs, &ignored);
	layer_store_rmtree(dir, &ignored);
}

/* Delete everything in the removing directory. */
static void empty(const char *dir)
{
	cleanup_closedir DIR *dp = opendir(dir);
	struct dirent *de;

	while (dp && (de = readdir(dp))) {
		cleanup_free char *path = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			path = NULL;
			continue;
		}
		/* What cannot go now (a file still in use) is tried again at
		 * the next removal or start. */
		delete(path);
	}
}

static void *trash_loop(void *arg)
{
	struct daemon_trash *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!t->pending && !t->stop)
			pthread_cond_wait(&t->cond, &t->lock);
		if (!t->pending)
			break;
		t->pending = false;
		pthread_mutex_unlock(&t->lock);
		empty(t->dir);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int daemon_trash_open(struct daemon_trash *t, const char *data_root, struct berr *err)
{
	int ret;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (asprintf(&t->dir, "%s/removing", data_root) < 0) {
		t->dir = NULL;
		return berr_set(err, ENOMEM, "removing");
	}
	if (mkdir(t->dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", t->dir);
	/* What a berthd killed in the middle of this left. */
	empty(t->dir);
	ret = pthread_create(&t->thread, NULL, trash_loop, t);
	if (ret != 0)
		return berr_set(err, ret, "start the removal thread");
	t->started = true;
	return 0;
}

int daemon_trash_put(struct daemon_trash *t, const char *dir, const char *id, struct berr *err)
{
	cleanup_free char *to = NULL, *rootfs = NULL;
	int ret;

	if (asprintf(&to, "%s/%s", t->dir, id) < 0)
		to = NULL;
	if (t->started && to && rename(dir, to) == 0) {
		pthread_mutex_lock(&t->lock);
		t->pending = true;
		pthread_cond_signal(&t->cond);
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	/* Not renamed (no thread, another filesystem, a name taken): here
	 * and now. */
	if (asprintf(&rootfs, "%s/rootfs", dir) < 0) {
		rootfs = NULL;
		return berr_set(err, ENOMEM, "remove %s", dir);
	}
	ret = layer_store_umount(rootfs, err);
	return ret < 0 ? ret : layer_store_rmtree(dir, err);
}

void daemon_trash_close(struct daemon_trash *t)
{
	if (t->started) {
		pthread_mutex_lock(&t->lock);
		t->stop = true;
		pthread_cond_signal(&t->cond);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
		t->started = false;
	}
	free(t->dir);
	t->dir = NULL;
}
