/* What the files of berthd's model share, not part of its API. */
#ifndef BERTH_ENGINE_INTERNAL_H
#define BERTH_ENGINE_INTERNAL_H

#include "runtime/engine/engine.h"

/* <data-root>/containers/<id>[/file] (malloc'd) */
char *daemon_dir(struct daemon *d, const char *id, const char *file);
char *daemon_shim_socket(struct daemon *d, const char *id);
struct image_rec;
/* A container's layers, for reading its files from outside: its writable
 * layer's directory (*upper, malloc'd) and its image's record (*img,
 * image_rec_free it). */
int daemon_layers_of(struct daemon *d, const char *ref, char **upper, struct image_rec *img,
		     struct berr *err);

/* The bytes of the files below dir as docker counts a writable layer or
 * a volume: every file's size (a symlink's is its target's length),
 * directories as nothing, on dir's filesystem only and never through a
 * symlink; 0 when dir cannot be opened.  It reads the whole tree: the
 * default listings answer from memory instead. */
uint64_t daemon_tree_bytes(const char *dir);

/* docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool daemon_valid_name(const char *name);
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

/* spawn.c: run path (looked up in PATH when search) with argv, its
 * stdio on /dev/null but for out, dup'ed to fd out_at (1 for stdout, 3
 * for the shim's ready pipe), with no signal blocked.  Returns 0 or an
 * errno value, as posix_spawn does. */
int daemon_spawn(const char *path, bool search, char *const argv[], int out, int out_at,
		 pid_t *pid);
/* Run argv[0] (looked up in PATH) with its output discarded and wait for
 * it; its status is not asked (what follows reports what went wrong). */
void daemon_run_quiet(char *const argv[]);

/* netctx.c: the network room's paths for this daemon; does a network of
 * that name exist (a config list)?  The network a container joins first
 * (NULL: none through CNI); the file that names its namespace. */
struct net_ctx;
struct net_endpoint;
void daemon_net_ctx(const struct daemon *d, struct net_ctx *out);
bool daemon_net_known(struct daemon *d, const char *name);
const char *daemon_net_of(const struct daemon *d, const struct daemon_spec *s);
void daemon_net_netns_path(const struct daemon *d, const char *id, char *out, size_t n);

/* net.c: the default network written at start; attaching a container
 * before its start (netns gets the path of its namespace; on failure
 * nothing is left) and detaching it (idempotent, from the cache); a
 * running container's endpoint read back after a restart of berthd.  The
 * supervisor detaches exited containers outside the lock (supervisor.c,
 * reap_networks). */
int daemon_net_init(struct daemon *d, struct berr *err);
/* net_rules.c: at start, every network's NAT and forwarding rules made
 * where missing, a config list of an older berthd (per-container rules
 * through the plugins) rewritten first. */
int daemon_net_rules_start(struct daemon *d, struct berr *err);
int daemon_net_attach(struct daemon *d, struct daemon_container *c, char *netns, size_t n,
		      struct berr *err);
int daemon_net_detach(struct daemon *d, struct daemon_container *c, struct berr *err);
/* net_gone.c (not for slirp4netns, whose helper stops at once): a
 * removed container's DEL, run after its removal by the
 * supervisor (daemon_net_gone_run; due: one waits); an attach asking
 * for an address, MAC or host port a pending DEL still holds runs that
 * DEL first (release); a network's removal and berthd's stop run them
 * all (flush); at a start, the attachments a killed berthd left with no
 * container are pending again (recover). */
int daemon_net_defer_detach(struct daemon *d, struct daemon_container *c, struct berr *err);
bool daemon_net_gone_due_locked(const struct daemon *d);
void daemon_net_gone_run(struct daemon *d);
void daemon_net_gone_release(struct daemon *d, const char *ip, const char *mac,
			     const struct daemon_port *ports, size_t n_ports);
void daemon_net_gone_flush(struct daemon *d);
void daemon_net_gone_recover(struct daemon *d);
/* docker network connect of a running container (init pid): ADD into
 * its process's namespace. */
int daemon_net_attach_running(struct daemon *d, struct daemon_container *c, pid_t pid,
			      struct berr *err);
void daemon_net_set_endpoint_locked(struct daemon *d, struct daemon_container *c,
				    const char *net, const struct net_endpoint *ep,
				    struct daemon_port *ports, size_t n_ports);
/* net_entries.c: its networks besides the first (spec.networks): the
 * index of one (-1: none); the names of those it is attached to now
 * (strv, first network first); is it attached to net. */
long daemon_net_more_index(const struct daemon_spec *s, const char *net);
char **daemon_net_names_locked(const struct daemon_container *c);
bool daemon_net_on_locked(const struct daemon_container *c, const char *net);
/* net_more.c: attaching them all at a start (after the first, into
 * netns), loading them after a restart of berthd; connecting a running
 * container to one more (its entry already in spec.networks) and
 * disconnecting it from one of its networks (its first: the next one
 * takes its place). */
int daemon_net_attach_more(struct daemon *d, struct daemon_container *c, const char *netns,
			   struct berr *err);
void daemon_net_load_more_locked(struct daemon *d, struct daemon_container *c);
int daemon_net_connect_running(struct daemon *d, struct daemon_container *c, const char *net,
			       struct berr *err);
int daemon_net_disconnect_running(struct daemon *d, struct daemon_container *c, const char *net,
				  struct berr *err);
/* net_hosts.c: rewrite, in place, the /etc/hosts of every container
 * attached to a user network (its own addresses, then its peers on each
 * of its user networks by name and alias); of one container; of every
 * container on one of c's networks. */
void daemon_net_hosts_refresh(struct daemon *d, const char *network);
void daemon_net_hosts_write_locked(struct daemon *d, struct daemon_container *c);
void daemon_net_hosts_refresh_of(struct daemon *d, struct daemon_container *c);
/* --network container:REF: that container's /etc/hosts and resolv.conf
 * copied into this one's directory, after its bundle was written. */
int daemon_net_join_files(struct daemon *d, struct daemon_container *c, struct berr *err);
void daemon_net_load_locked(struct daemon *d, struct daemon_container *c);
void daemon_net_close(struct daemon *d);
/* health.c: the thread that probes healthchecks (started by
 * daemon_open, joined by daemon_close), and a container's health. */
int daemon_health_start(struct daemon *d, struct berr *err);
void daemon_health_stop(struct daemon *d);
void daemon_health_free(struct daemon_health *h); /* values.c */

/* health_record.c: the health of a container's current run in its state
 * record, written with it and read back (0 when it holds none). */
struct record;
struct record_writer;
int64_t daemon_health_wall_ms(void);
void daemon_health_put(struct record_writer *w, const struct daemon_container *c);
int daemon_health_read(const struct record *r, struct daemon_container *c);

/* volume_store.c and volume_mounts.c: with the lock held where named so. */
bool daemon_volume_valid_name(const char *name);
struct daemon_volume;
int daemon_volume_load(const char *data_root, const char *name, struct daemon_volume *v,
		       struct berr *err);
/* Mount the file system of a volume made with the local driver's
 * options on its mountpoint, unless it is there already. */
int daemon_volume_ready(const char *data_root, const char *name, struct berr *err);
/* volume_copy.c: into an empty volume, the content of the image's
 * directory at target (inside the root rootfd). */
int daemon_volume_copy_up(int rootfd, const char *target, const char *volume_path,
			  struct berr *err);
int daemon_volume_users_locked(struct daemon *d, const char *name);
int daemon_volume_create_locked(struct daemon *d, const char *name, char *const *labels,
				char *const *options, struct daemon_volume *out,
				struct berr *err);
int daemon_volume_remove_locked(struct daemon *d, const char *name, bool force,
				struct berr *err);
int daemon_volume_list_locked(struct daemon *d, struct daemon_volume **out, size_t *n,
			      struct berr *err);
void daemon_event_volume_locked(struct daemon *d, const char *action, const char *name);
/* Turn a container's requested binds, mounts, tmpfs, volumes (its own and
 * its image's) and volumes-from (from[i]: the container s->volumes_from[i]
 * names, NULL when there is none) into its resolved mounts (volume.h),
 * creating the volumes and the missing host directories of -v binds;
 * *created gets the names of the volumes made (for their events). */
int daemon_mounts_resolve_locked(struct daemon *d, struct daemon_spec *s,
				 const struct daemon_spec *const *from, char ***created,
				 struct berr *err);
/* Remove the anonymous volumes of a removed container that no other
 * container uses; the names of those removed (NULL: none). */
char **daemon_mounts_remove_anonymous_locked(struct daemon *d, const struct daemon_spec *s);

/* Run the unpack helper with argv (argv[0] its name); its stdout's lines
 * go to line(arg, text), its error (a line on stderr) to err. */
int daemon_helper_run(struct daemon *d, const char *const *argv,
		      void (*line)(void *arg, const char *text), void *arg, struct berr *err);

#endif
