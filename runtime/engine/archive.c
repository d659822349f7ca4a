#include "runtime/engine/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/engine/internal.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"

extern char **environ;

int daemon_archive_spawn(const char *path, const char *const *argv, int in,
			 struct daemon_archive *out, struct berr *err)
{
	posix_spawn_file_actions_t fa;
	int data[2], errp[2], ret;

	if (pipe2(data, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(data[0]);
		close(data[1]);
		return berr_sys(err, "pipe");
	}
	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, data[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	ret = posix_spawn(&out->pid, path, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(data[1]);
	close(errp[1]);
	if (ret != 0) {
		close(data[0]);
		close(errp[0]);
		return berr_set(err, ret, "run %s", path);
	}
	out->fd = data[0];
	out->errfd = errp[0];
	out->d = NULL;
	out->held = NULL;
	return 0;
}

static int spawn_helper(const char *path, const char *const *argv, struct daemon_archive *out,
			struct berr *err)
{
	return daemon_archive_spawn(path, argv, -1, out, err);
}

int daemon_archive_save(struct daemon *d, char *const *refs, size_t n,
			struct daemon_archive *out, struct berr *err)
{
	const char **argv = calloc(n + 6, sizeof(char *));
	size_t k = 0;
	int ret;

	if (!argv)
		return berr_set(err, ENOMEM, "save");
	argv[k++] = "berthd-unpack";
	argv[k++] = "save";
	argv[k++] = "--data-root";
	argv[k++] = d->o.data_root;
	/* No reference reads as an option. */
	argv[k++] = "--";
	for (size_t i = 0; i < n; i++)
		argv[k++] = refs[i];
	ret = spawn_helper(d->o.unpack_path, argv, out, err);
	free(argv);
	return ret;
}

int daemon_archive_export(struct daemon *d, const char *ref, struct daemon_archive *out,
			  struct berr *err)
{
	cleanup_free char *upper = NULL;
	struct image_rec img;
	const char **argv;
	size_t k = 0;
	int ret;

	ret = daemon_layers_of(d, ref, &upper, &img, err);
	if (ret < 0)
		return ret;
	argv = calloc(img.n_layers + 8, sizeof(char *));
	if (!argv) {
		image_rec_free(&img);
		return berr_set(err, ENOMEM, "export");
	}
	argv[k++] = "berthd-unpack";
	argv[k++] = "export";
	argv[k++] = "--data-root";
	argv[k++] = d->o.data_root;
	argv[k++] = "--upper";
	argv[k++] = upper;
	argv[k++] = "--";
	for (size_t i = 0; i < img.n_layers; i++)
		argv[k++] = img.layers[i];
	ret = spawn_helper(d->o.unpack_path, argv, out, err);
	free(argv);
	image_rec_free(&img);
	return ret;
}

static void release(struct daemon *d, struct daemon_container *c)
{
	daemon_lock(d);
	c->busy = false;
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
}

int daemon_archive_cp(struct daemon *d, const char *ref, const struct daemon_cp *cp,
		      struct daemon_archive *out, struct berr *err)
{
	struct daemon_container *c;
	cleanup_free char *rootfs = NULL, *upper = NULL, *work = NULL;
	cleanup_close int in = -1;
	struct image_rec img = { 0 };
	const char **argv;
	bool mounted;
	size_t k = 0;
	int ret;

	ret = daemon_get(d, ref, &c, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	while (c->busy)
		pthread_cond_wait(&d->changed, &d->lock);
	/* A running or paused container's root is mounted (by its start);
	 * a stopped one's the helper mounts with the container's own upper
	 * and work directories, which no start may take meanwhile. */
	mounted = c->status == DS_RUNNING || c->status == DS_PAUSED;
	if (!mounted)
		c->busy = true;
	daemon_unlock(d);
	rootfs = daemon_dir(d, c->id, "rootfs");
	upper = daemon_dir(d, c->id, "upper");
	work = daemon_dir(d, c->id, "work");
	ret = image_store_find(d->o.data_root, c->spec.image_id, &img, err);
	argv = ret < 0 ? NULL : calloc(img.n_layers + 20, sizeof(char *));
	if (ret == 0 && (!argv || !rootfs || !upper || !work))
		ret = berr_set(err, ENOMEM, "cp");
	if (ret < 0)
		goto out;
	if (cp->file && (in = open(cp->file, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = berr_sys(err, "cp: open the request's archive");
		goto out;
	}
	argv[k++] = "berthd-unpack";
	argv[k++] = cp->mode;
	argv[k++] = "--data-root";
	argv[k++] = d->o.data_root;
	argv[k++] = "--rootfs";
	argv[k++] = rootfs;
	argv[k++] = "--path";
	argv[k++] = cp->path;
	if (!mounted) {
		argv[k++] = "--upper";
		argv[k++] = upper;
		argv[k++] = "--work";
		argv[k++] = work;
	}
	if (cp->keep_owner)
		argv[k++] = "--keep-owner";
	if (cp->no_replace_dir)
		argv[k++] = "--no-replace-dir";
	argv[k++] = "--";
	for (size_t i = 0; !mounted && i < img.n_layers; i++)
		argv[k++] = img.layers[i];
	ret = daemon_archive_spawn(d->o.unpack_path, argv, in, out, err);
out:
	free(argv);
	image_rec_free(&img);
	if (ret == 0 && !mounted) {
		out->d = d;
		out->held = c; /* its reference goes at the end */
		return 0;
	}
	if (!mounted)
		release(d, c);
	daemon_put(d, c);
	return ret;
}

int daemon_archive_end(struct daemon_archive *a, struct berr *err)
{
	char msg[1024];
	size_t len = 0;
	int status;

	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	for (ssize_t r; len < sizeof(msg) - 1 &&
			(r = read(a->errfd, msg + len, sizeof(msg) - 1 - len)) > 0;)
		len += (size_t)r;
	close(a->errfd);
	a->errfd = -1;
	msg[len] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	while (waitpid(a->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (a->held) {
		release(a->d, a->held);
		daemon_put(a->d, a->held);
		a->held = NULL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* The cp modes exit with 10 + the kind of their error. */
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 10 &&
	    WEXITSTATUS(status) <= 10 + BERR_UNSUPPORTED)
		return berr_failk(err, (enum berr_kind)(WEXITSTATUS(status) - 10), EIO, "%s",
				  len ? msg : "the copy failed");
	return berr_fail(err, EIO, "%s", len ? msg : "the archive could not be written");
}
