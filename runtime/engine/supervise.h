/* The supervision of running containers, behind one interface: what
 * keeps a started container's stdio (logs, attached clients, its
 * terminal), its exec'd processes and its exit status while berthd comes
 * and goes.  The rest of the engine (restart policies, stop, remove, wait,
 * exec sessions) talks to supervision only through this header, so that
 * the model behind it can change (today one shim process per container,
 * shim.h; later something smaller or none) without touching them.
 *
 * The model's per-container facts live in struct daemon_container
 * (shim_pid and shim_start, saved with its state; shim_pidfd in memory):
 * only supervise_*.c read or change them.
 *
 * Exits come to the engine's supervisor loop: sv_watch puts an fd in
 * d->epfd with c as its data; when it turns readable the supervision of c
 * has ended, and sv_release says how the container ended.
 *
 * Every function but the sv_*_locked ones is called without d->lock. */
#ifndef BERTH_ENGINE_SUPERVISE_H
#define BERTH_ENGINE_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime/engine/engine.h"
#include "spec/base/err.h"

/* Create the container c (its bundle written, its rootfs mounted) under
 * supervision, ready for rt_start; *init is its init's pid.  On failure
 * nothing of the container is left but its rootfs mount, the caller's. */
int sv_start(struct daemon *d, struct daemon_container *c, pid_t *init, struct berr *err);

/* Learn of the end of c's supervision through d->epfd (data: c); with
 * the lock held.  -errno when it cannot be watched. */
int sv_watch_locked(struct daemon *d, struct daemon_container *c);
/* Is c supervised (watched) by this berthd? */
bool sv_watching_locked(const struct daemon_container *c);

/* How a container ended. */
struct sv_exit {
	int code;            /* docker's exit code: the status, or 128 + signal */
	bool known;          /* the supervision recorded it */
	bool oom;            /* the OOM killer took one of its processes */
	const char *error;   /* why it ended, when not by itself, or NULL */
	char finished[48];   /* when, RFC 3339 */
};

/* c's supervision has ended (its watch fired), or is gone after a
 * restart of berthd (orphaned: it could not be adopted): stop watching,
 * make sure nothing of the container is left running or mounted (but an
 * --rm container's rootfs, which its removal unmounts), and say how it
 * ended.  With the lock held.  Never says exited while a process of the
 * container lives. */
void sv_release_locked(struct daemon *d, struct daemon_container *c, bool orphaned,
		       struct sv_exit *out);

/* After a restart of berthd: for a container recorded running, find its
 * supervision again and watch it (0), or -ESRCH when it is gone (then
 * sv_release_locked with orphaned).  For one recorded otherwise, end a
 * supervision that a killed berthd started and never recorded, and clear
 * what a start cut short left (the container, its rootfs mount).  With
 * the lock held. */
int sv_adopt_locked(struct daemon *d, struct daemon_container *c);
void sv_end_stray_locked(struct daemon *d, struct daemon_container *c);

/* Stop watching c without ending its supervision (berthd stops; the
 * container runs on).  With the lock held. */
void sv_forget_locked(struct daemon *d, struct daemon_container *c);

/* Hand a client's connection (consumed by the caller, not here) to a
 * running container's streams. */
int sv_attach(struct daemon *d, struct daemon_container *c,
	      const struct daemon_attach_req *req, struct berr *err);
/* The size of a running container's terminal. */
int sv_resize(struct daemon *d, struct daemon_container *c, unsigned h, unsigned w,
	      struct berr *err);

/* Run a process in a running container (process: its process.json);
 * its exit code goes to exit_path (record: code) before fd, the client's
 * connection (-1: detached; not consumed), is closed.  *pid: its pid. */
struct sv_exec {
	const char *id;
	const char *process, *exit_path;
	bool tty, in, out, err;
	unsigned rows, cols;
	const char *extra; /* input that came with the request */
	size_t extra_len;
};
int sv_exec(struct daemon *d, struct daemon_container *c, const struct sv_exec *x, int fd,
	    pid_t *pid, struct berr *err);
int sv_exec_resize(struct daemon *d, struct daemon_container *c, const char *exec_id,
		   unsigned h, unsigned w, struct berr *err);

#endif
