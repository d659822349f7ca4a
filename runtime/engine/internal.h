/* What the files of berthd's model share, not part of its API. */
#ifndef BERTH_ENGINE_INTERNAL_H
#define BERTH_ENGINE_INTERNAL_H

#include "runtime/engine/engine.h"

/* <data-root>/containers/<id>[/file] (malloc'd) */
char *daemon_dir(struct daemon *d, const char *id, const char *file);
char *daemon_shim_socket(struct daemon *d, const char *id);

int daemon_save_config(struct daemon *d, struct daemon_container *c, struct berr *err);
int daemon_save_state(struct daemon *d, struct daemon_container *c, struct berr *err);
void daemon_save_state_quiet(struct daemon *d, struct daemon_container *c);
int daemon_load_all(struct daemon *d, struct berr *err);
enum daemon_status daemon_status_from(const char *name); /* DS_DEAD when unknown */

/* migrate.c: rewrite a container's records as JSON when they are still in
 * the key=value form of berthd's earlier versions (0 when there was
 * nothing to do), and every container's, before daemon_load_all. */
int daemon_migrate_container(struct daemon *d, const char *id, struct berr *err);
int daemon_migrate_all(struct daemon *d, struct berr *err);
void daemon_container_free(struct daemon_container *c);

/* With the lock held. */
struct daemon_container *daemon_find_locked(struct daemon *d, const char *ref,
					    int *ambiguous);
void daemon_put_locked(struct daemon_container *c);
void daemon_event_locked(struct daemon *d, struct daemon_container *c, const char *action,
			 char *const *extra);

/* The exit code docker gives a process that never ran its program. */
int daemon_start_failure_code(const char *msg);

/* exec.c: set-up, the exits a container's shim recorded, the
 * forgetting of a removed container's execs, release. */
int daemon_exec_init(struct daemon *d, struct berr *err);
void daemon_exec_container_exited_locked(struct daemon *d, const char *container);
void daemon_exec_forget_container_locked(struct daemon *d, const char *container);
void daemon_exec_close(struct daemon *d);

/* A head start on the kernel's wait before a move into cgroup v1
 * hierarchies (warmup.c); init finds out whether the host has any. */
void daemon_warmup_init(struct daemon *d);
void daemon_warmup(struct daemon *d);
void daemon_warmup_close(struct daemon *d);

/* spawn.c: run path (looked up in PATH when search) with argv, its
 * stdio on /dev/null but for out, dup'ed to fd out_at (1 for stdout, 3
 * for the shim's ready pipe), with no signal blocked.  Returns 0 or an
 * errno value, as posix_spawn does. */
int daemon_spawn(const char *path, bool search, char *const argv[], int out, int out_at,
		 pid_t *pid);

/* netctx.c: the network room's paths for this daemon; does a network of
 * that name exist (a config list)? */
struct net_ctx;
void daemon_net_ctx(const struct daemon *d, struct net_ctx *out);
bool daemon_net_known(struct daemon *d, const char *name);

/* net.c: the default network written at start; the network a container
 * joins (NULL: none through CNI); attaching it before its start (netns
 * gets the path of its namespace; on failure nothing is left) and
 * detaching it (idempotent, from the cache); a running container's
 * endpoint read back after a restart of berthd.  The supervisor detaches
 * exited containers outside the lock (supervisor.c, reap_networks). */
int daemon_net_init(struct daemon *d, struct berr *err);
const char *daemon_net_of(const struct daemon *d, const struct daemon_spec *s);
int daemon_net_attach(struct daemon *d, struct daemon_container *c, char *netns, size_t n,
		      struct berr *err);
int daemon_net_detach(struct daemon *d, struct daemon_container *c, struct berr *err);
/* docker network connect of a running container (init pid): ADD into
 * its process's namespace. */
int daemon_net_attach_running(struct daemon *d, struct daemon_container *c, pid_t pid,
			      struct berr *err);
/* Rewrite, in place, the /etc/hosts of every container attached to a
 * user network: itself, then its peers there by name and alias. */
void daemon_net_hosts_refresh(struct daemon *d, const char *network);
/* --network container:REF: that container's /etc/hosts and resolv.conf
 * copied into this one's directory, after its bundle was written. */
int daemon_net_join_files(struct daemon *d, struct daemon_container *c, struct berr *err);
void daemon_net_load_locked(struct daemon *d, struct daemon_container *c);
void daemon_net_close(struct daemon *d);

#endif
