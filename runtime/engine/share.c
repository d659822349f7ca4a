/* What a container shares with another or keeps for others, found at each
 * start: --pid container:X joins X's pid namespace; --ipc shareable gives
 * the container a /dev/shm on the host (a tmpfs in its directory, as
 * dockerd makes one), which --ipc container:X binds along with X's ipc
 * namespace.  X must run (its namespaces are its init's), and for ipc be
 * shareable, as dockerd requires. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

static bool mount_root(const char *path)
{
	struct statx stx;

	return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The running container "container:X" names, with its namespace's path. */
static int donor(struct daemon *d, const char *mode, const char *ns, const char *what,
		 bool need_shareable, char path[64], char **shm, struct berr *err)
{
	const char *ref = mode + strlen("container:");
	struct daemon_container *x;
	int ambiguous, ret = 0;

	daemon_lock(d);
	x = daemon_find_locked(d, ref, &ambiguous);
	if (!x || x->removed)
		ret = berr_invalid(err, "%s: no such container: %s", what, ref);
	else if ((x->status != DS_RUNNING && x->status != DS_PAUSED) || x->pid <= 0)
		ret = berr_conflict(err, ESRCH, "%s: container %s is not running", what, ref);
	else if (need_shareable && (!x->spec.ipc_mode || strcmp(x->spec.ipc_mode, "shareable")))
		ret = berr_invalid(err,
				 "%s: container %s has a non-shareable IPC namespace (start it "
				 "with --ipc shareable)",
				 what, ref);
	if (ret == 0) {
		snprintf(path, 64, "/proc/%d/ns/%s", (int)x->pid, ns);
		if (shm && !(*shm = daemon_dir(d, x->id, "shm")))
			ret = berr_set(err, ENOMEM, "%s", what);
	}
	daemon_unlock(d);
	return ret;
}

/* A shareable container's /dev/shm: a tmpfs in its directory. */
static int own_shm(struct daemon *d, struct daemon_container *c, char **out, struct berr *err)
{
	cleanup_free char *dir = daemon_dir(d, c->id, "shm");
	char opts[64];
	int64_t size = c->spec.shm_size ? c->spec.shm_size : 64 * 1024 * 1024;

	if (!dir)
		return berr_set(err, ENOMEM, "--ipc shareable");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "--ipc shareable: create %s", dir);
	snprintf(opts, sizeof(opts), "mode=1777,size=%lldk", (long long)(size / 1024));
	if (!mount_root(dir) &&
	    mount("shm", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return berr_sys(err, "--ipc shareable: mount a tmpfs on %s", dir);
	*out = steal_ptr(dir);
	return 0;
}

int daemon_share_prepare(struct daemon *d, struct daemon_container *c,
			 struct daemon_share *out, struct berr *err)
{
	const struct daemon_spec *s = &c->spec;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (s->pid_mode && strncmp(s->pid_mode, "container:", 10) == 0)
		ret = donor(d, s->pid_mode, "pid", "--pid", false, out->pid_ns, NULL, err);
	if (ret == 0 && s->ipc_mode && strncmp(s->ipc_mode, "container:", 10) == 0)
		ret = donor(d, s->ipc_mode, "ipc", "--ipc", true, out->ipc_ns, &out->shm_dir, err);
	if (ret == 0 && s->ipc_mode && strcmp(s->ipc_mode, "shareable") == 0)
		ret = own_shm(d, c, &out->shm_dir, err);
	if (ret < 0)
		daemon_share_release(out);
	return ret;
}

void daemon_share_release(struct daemon_share *s)
{
	free(s->shm_dir);
	s->shm_dir = NULL;
}

int daemon_share_remove(struct daemon *d, const char *id, struct berr *err)
{
	cleanup_free char *dir = daemon_dir(d, id, "shm");

	if (!dir)
		return berr_set(err, ENOMEM, "remove");
	if (mount_root(dir) && umount2(dir, MNT_DETACH) < 0)
		return berr_sys(err, "unmount %s", dir);
	return 0;
}
