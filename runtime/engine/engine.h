/* berthd's container model: the containers the daemon created, what they
 * were created with, their state, and the supervision that keeps them
 * running (supervise.h: the interface; supervise_shim.c: today's model).
 *
 * Layout on disk:
 *   <root>/oci/<id>/                 the runtime's state store (runtime.h)
 *   <root>/shim/<id>.sock            the control socket of the container's
 *                                    shim while it runs
 *   <data-root>/containers/<id>/
 *       config                       what create asked for, merged with the
 *                                    image (record format)
 *       state                        status, exit code, times, restart
 *                                    count, the shim's pid (record)
 *       config.json, rootfs/         the OCI bundle (made at each start;
 *                                    rootfs is the overlay mount)
 *       upper/, work/                the container's writable layer
 *       hostname, hosts, resolv.conf bind-mounted into the container
 *       container.log                stdout and stderr (log.h)
 *   <data-root>/volumes/<name>/      the volumes (volume.h)
 *       exit                         written by the shim when the
 *                                    container exits (record: code,
 *                                    finished, signal)
 *
 * Threads: the HTTP layer calls these functions from its connection
 * threads; the supervisor loop (daemon_supervise) runs on one thread of
 * its own.  One mutex guards the model; daemon_lock() lets the caller read
 * containers (for inspect and list) while holding it.  No function here
 * forks a process that runs code of this one: shims and helpers are
 * exec'd with posix_spawn, so threads never meet fork. */
#ifndef BERTH_ENGINE_H
#define BERTH_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/engine/trash.h"
#include "runtime/runtime.h"
#include "spec/base/err.h"
#include "spec/events.h"

struct net_gate; /* runtime/network/network.h */

struct daemon_opts {
	const char *root;          /* /run/berth */
	const char *data_root;     /* /var/lib/berth */
	const char *cgroup_parent; /* /berth; relative nests below berthd's cgroup */
	const char *shim_path;     /* the berthd-shim binary */
	const char *unpack_path;   /* the berthd-unpack binary */
	/* The default network: its bridge device (NULL: berth0; "none": no
	 * default network, containers get loopback only), its gateway and
	 * subnet as ADDRESS/PREFIX (NULL: a free private /16), and where
	 * the CNI plugins are (NULL: /usr/lib/cni). */
	const char *bridge, *bip, *cni_path;
	const char *init_path;     /* the static init --init runs as pid 1 */
	const char *certs_dir;     /* registries' CAs: DIR/HOST:PORT/ca.crt */
	char *const *insecure;     /* registries reached over plain HTTP */
	/* What failed after the request that caused it was answered (a
	 * removed container's network teardown) goes here: berthd's log.
	 * NULL: nowhere. */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

enum daemon_status {
	DS_CREATED,
	DS_RUNNING,
	DS_PAUSED,
	DS_RESTARTING,
	DS_REMOVING,
	DS_EXITED,
	DS_DEAD,
};

const char *daemon_status_name(enum daemon_status s);

/* What a container is created with, after the image's defaults were
 * applied.  String vectors are NULL-terminated; NULL means unset. */
struct daemon_spec {
	char *image;    /* as the user named it */
	char *image_id; /* sha256:... */
	char *hostname, *domainname, *user, *workdir, *stop_signal;
	char **cmd, **entrypoint, **env;
	char **labels; /* "key=value" */
	char **annotations; /* "key=value": --annotation, the OCI config's */
	bool tty, open_stdin, stdin_once;
	bool attach_stdin, attach_stdout, attach_stderr;
	int stop_timeout; /* seconds; -1 unset (10) */
	/* HostConfig */
	char **binds, **cap_add, **cap_drop, **security_opt;
	int64_t memory, memory_swap, nano_cpus, cpu_shares, pids_limit;
	int64_t cpu_quota, cpu_period;
	int64_t memory_reservation;
	bool memory_swappiness_set;
	int64_t memory_swappiness;
	char *cpuset_cpus, *cpuset_mems;
	/* --cpu-rt-period, --cpu-rt-runtime: microseconds, 0 unset. */
	int64_t cpu_rt_period, cpu_rt_runtime;
	/* --blkio-weight (10 to 1000, 0 unset); --blkio-weight-device,
	 * --device-{read,write}-{bps,iops}: "HOSTPATH:VALUE" (bundle_blkio.c). */
	int64_t blkio_weight;
	char **blkio_weight_device, **blkio_read_bps, **blkio_write_bps;
	char **blkio_read_iops, **blkio_write_iops;
	bool readonly_rootfs, privileged, auto_remove;
	char *restart_name; /* no | always | unless-stopped | on-failure */
	int restart_max;
	char *network_mode; /* default | bridge | none | host | a network's name */
	char **aliases;     /* its names on a user network besides its own */
	char *ip;           /* --ip: its fixed address on a user network */
	char *mac;          /* --mac-address: its MAC address on its first network */
	/* Its user networks besides network_mode (docker network connect,
	 * or more than one network at create), in the order they joined:
	 * "NAME", then "|ALIAS" for each of its aliases there. */
	char **networks;
	/* --dns, --dns-search, --dns-option: resolv.conf's lines of each kind
	 * instead of the host's; --add-host "NAME:ADDRESS" lines of /etc/hosts */
	char **dns, **dns_search, **dns_options, **extra_hosts;
	/* Published ports, "PORT/PROTO|HOSTIP|HOSTPORT" (HOSTIP "": every
	 * address, HOSTPORT "": one chosen at each start); the ports the
	 * container exposes (its image's EXPOSE and ExposedPorts),
	 * "PORT/PROTO"; -P (every exposed port published, at create). */
	char **ports, **exposed;
	bool publish_all;
	/* Mounts as asked: HostConfig.Mounts and Tmpfs as mount lines
	 * (volume.h), Config.Volumes' targets, VolumesFrom's entries; then,
	 * from create on, all of them and the image's volumes resolved into
	 * the mount lines the container gets (NULL for a container an older
	 * berthd made: its binds are its mounts). */
	char **mount_reqs, **volumes, **volumes_from, **mounts;
	/* The rest of docker run (bundle_run.c). */
	bool init, oom_kill_disable;
	char **ulimits;      /* "name=soft:hard" */
	char **sysctls;      /* "key=value" */
	char **group_add;    /* group names or ids, looked up in the image */
	char **devices;      /* "host-path:container-path:rwm" */
	char **device_rules; /* "c 1:3 rwm" */
	int64_t shm_size;    /* bytes; 0: docker's 64 MiB */
	int64_t oom_score_adj;
	/* NULL or "": the default; "host"; ipc's private, shareable and
	 * pid's and ipc's container:NAME; cgroupns's private. */
	char *pid_mode, *ipc_mode, *uts_mode, *cgroupns_mode, *userns_mode;
	/* Healthcheck (health.c): Test as docker sends it (["CMD", ...],
	 * ["CMD-SHELL", "..."]; NULL or ["NONE"]: none); durations in ns, 0
	 * for docker's defaults. */
	char *log_driver; /* NULL or "": berthd's file; json-file, local (the
			   * same file), none (nothing kept) */
	int64_t log_max_size; /* --log-opt max-size: bytes, 0 none */
	int log_max_files;    /* --log-opt max-file: files kept, 0 (1) */
	char **health_test;
	int64_t health_interval, health_timeout, health_start_period;
	int health_retries;
};

/* A published port as it is while the container runs. */
struct daemon_port {
	uint16_t host_port, container_port;
	/* -p 8000-8010:80: the first free port of host_port..host_last
	 * (0: host_port alone) */
	uint16_t host_last;
	char proto[4];    /* tcp | udp */
	char host_ip[48]; /* "" every address */
};

/* A container's address on a network, while it is attached, and its
 * published ports. */
struct daemon_endpoint {
	char network[129]; /* "" not attached */
	char network_id[65];
	char ip[48], gateway[48], mac[24];
	char ip6[48], gateway6[48]; /* on a dual-stack network; "" none */
	int prefix6;
	char ifname[16]; /* eth0 on its first network, eth1... on others */
	int prefix;
	struct daemon_port *ports;
	size_t n_ports;
};

void daemon_spec_free(struct daemon_spec *s);
/* The network's name of an entry of spec.networks ("NAME|ALIAS..."). */
void daemon_net_entry_name(const char *entry, char *out, size_t n);

/* An attached client connection on its way to the container's shim. */
struct daemon_attach_req {
	int fd;
	bool in, out, err;
	char *extra; /* stdin bytes that came with the request */
	size_t extra_len;
};

/* A container's health while it runs (health.c), in memory as the
 * probes find it; inspect shows it. */
#define DAEMON_HEALTH_LOG 5
struct daemon_health_probe {
	char start[48], end[48];
	int exit_code;
	char *output;
};

struct daemon_health {
	char status[16]; /* starting | healthy | unhealthy */
	int failing_streak;
	char started_at[48];    /* the run it is about */
	int64_t next_ms;        /* CLOCK_MONOTONIC of the next probe */
	int64_t start_ms;
	int64_t start_wall_ms;  /* start_ms on the wall clock, for a restart */
	struct daemon_health_probe log[DAEMON_HEALTH_LOG];
	size_t n_log;
};

struct daemon_container {
	char id[65];
	char *name; /* without the leading "/" */
	char created[48];
	struct daemon_spec spec;

	enum daemon_status status;
	pid_t pid;
	int exit_code;
	bool oom_killed;
	char *error;
	char started_at[48], finished_at[48];
	int restart_count;
	bool manual_stop; /* stopped by the user: no restart policy applies */
	bool has_run;
	/* Supervision's (supervise.h): only supervise_*.c act on them
	 * (model.c stores them with the state). */
	pid_t shim_pid;
	uint64_t shim_start;

	/* Only in memory. */
	struct daemon_endpoint ep; /* from the network cache (net.c) */
	/* On its other networks (spec.networks), attached; no ports. */
	struct daemon_endpoint *more;
	size_t n_more;
	bool net_stale; /* exited: its network waits to be torn down */
	int shim_pidfd; /* supervision's */
	struct cgroup_oom_watch *oom; /* while it runs, when it has a memory cgroup */
	int64_t restart_at; /* CLOCK_MONOTONIC ms of a scheduled restart, 0 none */
	uint64_t exits;     /* how many exits this daemon saw: next-exit waits */
	int refs;
	bool removed;
	/* Removals that failed: a wait for the removal ends with the error
	 * (dockerd's SetRemovalError), not never. */
	uint64_t removal_failures;
	bool busy; /* a start, stop or remove is in progress */
	struct daemon_health *health; /* while a healthcheck runs */
	/* docker restart: the exit it causes does not remove an --rm
	 * container (docker keeps it too). */
	bool restarting;
	struct daemon_attach_req *pending; /* attaches waiting for a start */
	size_t n_pending;
	/* The API layer's, under the lock: its docker ps entry as last
	 * written, one malloc'd block (NULL none); freed with the record. */
	void *listed;
	struct daemon_container *next;
};

/* The health of c's current run, with the daemon's lock held: NULL when
 * it has no check or has not run; a run the probes have not looked at
 * yet (just started or restarted) is "starting" with no probes, as
 * dockerd's is at each start. */
const struct daemon_health *daemon_health_now_locked(const struct daemon_container *c);

struct cgroup_oom_watch;

struct daemon_event {
	uint64_t seq;
	int64_t time_nano;
	char type[16];   /* container | image */
	char action[32]; /* create, start, die, destroy, ... */
	char id[80];
	char **attrs; /* "key=value", NULL-terminated */
};

/* docker exec: what to run (after the container's own process). */
struct daemon_exec_spec {
	char **cmd, **env;
	char *user, *workdir;
	bool tty, attach_stdin, attach_stdout, attach_stderr, privileged;
};

void daemon_exec_spec_free(struct daemon_exec_spec *s);

enum daemon_exec_state { EXEC_CREATED, EXEC_STARTING, EXEC_RUNNING, EXEC_EXITED };

struct daemon_exec {
	char id[65];
	char container[65]; /* the container's id */
	struct daemon_exec_spec spec;
	enum daemon_exec_state state;
	pid_t pid;
	int exit_code;
	unsigned rows, cols; /* the terminal's size, once known */
	uint64_t seq;
	struct daemon_exec *next;
};

/* The last events kept for clients that ask for past ones (since): as
 * many as dockerd keeps. */
#define DAEMON_EVENTS 256

#define DAEMON_HELPERS 32

struct daemon {
	struct daemon_opts o;
	char *oci_root;
	char *shim_dir;
	/* What each shim is executed as: "/proc/self/fd/N", N a read-only
	 * view of o.shim_path made once (shim_view), or o.shim_path itself
	 * where no view can be made. */
	char *shim_run_path;
	int shim_view;
	/* Networks (net.c): config lists, attachments, namespaces, and the
	 * default network's name (NULL: none); a rootless berthd's default
	 * network is slirp4netns's. */
	char *net_conf_dir, *net_cache_dir, *netns_dir, *ipam_dir;
	struct net_gate *net_gate; /* the CNI plugins running at once */
	const char *default_net;
	bool slirp;
	/* net_gone.c: the DELs of removed containers still to run */
	struct daemon_gone *gone;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct daemon_container *containers;
	int epfd;
	int wake_fd; /* eventfd: new pidfds or restarts to schedule */
	bool stopping;
	/* events: a ring of the last DAEMON_EVENTS */
	struct daemon_event events[DAEMON_EVENTS];
	uint64_t next_seq;
	char *boot_id;
	/* execs: in memory only, as in dockerd */
	char *exec_dir;
	struct daemon_exec *execs;
	size_t n_execs;
	uint64_t exec_seq;
	/* health.c's thread */
	pthread_t health_thread;
	bool health_started;
	/* image helpers running (0: a free slot), ended when berthd stops */
	pid_t helpers[DAEMON_HELPERS];
	/* removed containers' directories, deleted by a thread (trash.c) */
	struct daemon_trash trash;
	/* the cgroup parent, kept made while berthd runs */
	struct rt_cgroup_hold cgroup_hold;
};

/* Start the model: create directories, load every container, find the
 * shims still running (a restarted daemon), record the exits it missed,
 * and apply restart policies. */
int daemon_open(struct daemon *d, const struct daemon_opts *o, struct berr *err);
/* Make every wait and stream return, and end the image helpers (a pull
 * from a registry that hangs would hold the stop): the daemon is
 * stopping. */
void daemon_shutdown_begin(struct daemon *d);
/* Stop watching (containers keep running) and free the model. */
void daemon_close(struct daemon *d);

/* The supervisor: an fd to poll for input, the handling of that input,
 * and the time (ms) until it next needs to run (-1: no deadline). */
int daemon_supervisor_fd(struct daemon *d);
void daemon_supervise(struct daemon *d);
int daemon_supervisor_timeout(struct daemon *d);

void daemon_lock(struct daemon *d);
void daemon_unlock(struct daemon *d);

/* Find a container by full id, unique id prefix, or name (with or without
 * its "/"), holding a reference; -ENOENT "No such container: REF". */
int daemon_get(struct daemon *d, const char *ref, struct daemon_container **out,
	       struct berr *err);
void daemon_put(struct daemon *d, struct daemon_container *c);
/* Remove c if it exited and asked for --rm: its exit skips that while an
 * operation (start, pause, update) holds c busy, so the operation calls
 * this when it is done.  The caller holds a reference to c. */
void daemon_remove_if_exited(struct daemon *d, struct daemon_container *c);

/* Create a container from spec (the image is resolved here; its defaults
 * fill what spec leaves unset).  name may be NULL (one is generated).
 * -ENOENT for an unknown image, -EEXIST for a name in use, -EINVAL for a
 * bad value. */
int daemon_create(struct daemon *d, struct daemon_spec *spec, const char *name,
		  char id[65], struct berr *err);

/* 0 started, 1 already running; -ENOENT, -EBUSY... */
int daemon_start(struct daemon *d, const char *ref, struct berr *err);
/* 0 stopped, 1 was not running.  timeout < 0: the container's own. */
int daemon_stop(struct daemon *d, const char *ref, int timeout, const char *signal,
		struct berr *err);
int daemon_restart(struct daemon *d, const char *ref, int timeout, struct berr *err);
/* -ESRCH (409) when the container is not running. */
int daemon_kill(struct daemon *d, const char *ref, const char *signal, struct berr *err);
/* Freeze and thaw: -ESRCH (409) when not running, -EBUSY (409) when
 * already so. */
int daemon_pause(struct daemon *d, const char *ref, struct berr *err);
int daemon_unpause(struct daemon *d, const char *ref, struct berr *err);
/* docker rename: -EEXIST (409) for a name in use, -EINVAL for a bad one. */
int daemon_rename(struct daemon *d, const char *ref, const char *name, struct berr *err);
/* -EBUSY when running and not force.  volumes: also the anonymous
 * volumes no other container uses (docker rm -v). */
int daemon_remove(struct daemon *d, const char *ref, bool force, bool volumes,
		  struct berr *err);

enum daemon_wait_cond { WAIT_NOT_RUNNING, WAIT_NEXT_EXIT, WAIT_REMOVED };

/* Block until the condition holds; *code is the exit code then.
 * gone(arg) is polled so that a client that went away ends the wait
 * (-ECONNRESET).  A wait for the removal ends with -EIO and the reason
 * when a removal fails meanwhile (the container stays, Dead). */
int daemon_wait(struct daemon *d, struct daemon_container *c, enum daemon_wait_cond cond,
		bool (*gone)(void *arg), void *arg, int *code, struct berr *err);

/* Wait up to timeout_ms for any change to the model or the events. */
void daemon_wait_change(struct daemon *d, int timeout_ms);

/* Hand an attached client connection (already switched to the raw
 * stream) to the container: now if it runs, at its next start if not.
 * The fd is consumed. */
int daemon_attach(struct daemon *d, const char *ref, int fd, bool in, bool out,
		  bool errs, const char *extra, size_t extra_len, struct berr *err);
int daemon_resize(struct daemon *d, const char *ref, unsigned h, unsigned w,
		  struct berr *err);

/* Exec: create (spec is taken; -ESRCH (409) when the container does not
 * run), start (fd: the client's connection, not consumed; -1 detached;
 * extra: input that came with the request; rows and cols: the
 * terminal's size, 0 unknown), resize.  A start that fails after the
 * exec was found records docker's exit code for it (126, 127 not found).
 * Inspect: daemon_exec_find_locked and daemon_exec_refresh_locked with
 * the lock held. */
int daemon_exec_create(struct daemon *d, const char *ref, struct daemon_exec_spec *spec,
		       char id[65], struct berr *err);
int daemon_exec_start(struct daemon *d, const char *id, int fd, const char *extra,
		      size_t extra_len, unsigned rows, unsigned cols, struct berr *err);
int daemon_exec_resize(struct daemon *d, const char *id, unsigned h, unsigned w,
		       struct berr *err);
struct daemon_exec *daemon_exec_find_locked(struct daemon *d, const char *id);
void daemon_exec_refresh_locked(struct daemon *d, struct daemon_exec *x);

/* The log file of a container (malloc'd). */
char *daemon_log_path(struct daemon *d, const char *id);

/* docker ps --size: the bytes ref's container wrote (its writable
 * layer's files) and those with its image's; read from disk, so called
 * without the lock and only when asked. */
int daemon_container_size(struct daemon *d, const char *ref, long long *rw, long long *root_fs,
			  struct berr *err);

/* docker top: the host's ps (ps_args NULL or "" is -ef), its lines of
 * the container's processes. */
struct daemon_top {
	char **titles;
	char ***rows; /* each as many fields as titles */
	size_t n_rows;
};
int daemon_top(struct daemon *d, const char *ref, const char *ps_args, struct daemon_top *out,
	       struct berr *err);
void daemon_top_free(struct daemon_top *t);

/* docker update: the limits to change (0 or NULL: unchanged; pids_set
 * with a limit <= 0: unlimited), applied now when the container runs and
 * kept for its next starts. */
struct daemon_update {
	int64_t memory, memory_swap, nano_cpus, cpu_shares, cpu_quota, cpu_period;
	int64_t cpu_rt_period, cpu_rt_runtime, blkio_weight;
	bool pids_set;
	int64_t pids_limit;
	const char *cpuset_cpus, *cpuset_mems;
	const char *restart_name;
	int restart_max;
};
int daemon_update(struct daemon *d, const char *ref, const struct daemon_update *u,
		  struct berr *err);

/* docker stats: one sample of a container (running false and st empty
 * when it does not run); free st with spec_stats_release. */
struct daemon_stats {
	bool running;
	bool v2;            /* read from cgroup v2 */
	char read[48];      /* when, RFC 3339 */
	uint64_t system_ns; /* the host's CPU time (/proc/stat) */
	unsigned online_cpus;
	uint64_t mem_total;
	struct spec_stats st;
};
int daemon_stats(struct daemon *d, struct daemon_container *c, struct daemon_stats *out,
		 struct berr *err);

/* Is an image used by any container? (image removal) */
bool daemon_image_in_use(const char *image_id, void *d);

/* Events: record one (attrs "key=value", may be NULL), and copy the events
 * after *cursor (updated) into out (up to max). */
void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  char *const *attrs);
size_t daemon_events_read(struct daemon *d, uint64_t *cursor, struct daemon_event *out,
			  size_t max);
void daemon_event_free(struct daemon_event *e);

/* Run the unpack helper: mode "load" or "import"; each result line of the
 * helper comes to line(arg, line). */
int daemon_image_helper(struct daemon *d, const char *mode, const char *file,
			const char *repo, const char *message,
			void (*line)(void *arg, const char *text), void *arg,
			struct berr *err);

/* Networks (docker network ...): the built-in host and none, the
 * default bridge network, and the user's bridge networks. */
struct daemon_network {
	char name[129], id[65];
	const char *driver; /* bridge | host | null */
	char subnet[64], gateway[64], ip_range[64], created[48];
	char subnet6[64], gateway6[64]; /* "": IPv4 only */
	char **labels; /* "key=value" */
	bool internal, builtin;
};
void daemon_network_free(struct daemon_network *n);

/* What docker network create asks for (subnet, gateway, ip_range: "" or
 * NULL when not given). */
struct daemon_network_req {
	const char *name, *driver, *subnet, *gateway, *ip_range;
	const char *subnet6, *gateway6; /* --ipv6: its IPv6 pool */
	char *const *labels;
	bool internal, ipv6;
};

/* Every network, the built-in ones first. */
int daemon_networks(struct daemon *d, struct daemon_network **out, size_t *n, struct berr *err);
void daemon_networks_free(struct daemon_network *list, size_t n);
/* By name, id or unique id prefix: -ENOENT "network REF not found". */
int daemon_network_find(struct daemon *d, const char *ref, struct daemon_network *out,
			struct berr *err);
/* -EEXIST (409) for a name in use; -EINVAL for a subnet that overlaps
 * another network's or a route of the host; id gets the new id. */
int daemon_network_create(struct daemon *d, const struct daemon_network_req *req,
			  char id[65], struct berr *err);
/* -EBUSY (409) while a container is attached; pre-defined ones: -EPERM. */
int daemon_network_remove(struct daemon *d, const char *ref, struct berr *err);
/* Remove every user network no container is attached to and that want
 * accepts (NULL: every one); names gets the names removed (free with
 * strv_free). */
typedef bool (*daemon_network_pick_fn)(const struct daemon_network *nw, void *arg);
int daemon_network_prune(struct daemon *d, daemon_network_pick_fn want, void *arg, char ***names,
			 struct berr *err);

/* docker network connect and disconnect: connect replaces none (or, when
 * it does not run, gives the same network new aliases), or adds one more
 * network to those of a container on another; disconnect takes one (the
 * first one's place goes to the next; the last one leaves none).  A
 * running container is attached (ADD) or detached (DEL) at once; one that
 * does not run only has its record changed (what docker-compose does
 * between create and start). */
int daemon_network_connect(struct daemon *d, const char *net, const char *ref,
			   char *const *aliases, struct berr *err);
int daemon_network_disconnect(struct daemon *d, const char *net, const char *ref,
			      struct berr *err);
/* Run the unpack helper against a registry: mode "pull" or "push" (ref
 * an image reference) or "login" (ref a registry's host[:port]), with
 * docker's AuthConfig JSON (may be NULL) handed over on the helper's
 * stdin, never on its command line.  Each result line comes to line(arg,
 * line); a failure keeps the kind the helper gave it. */
int daemon_image_registry(struct daemon *d, const char *mode, const char *ref,
			  const char *auth_json, size_t auth_len,
			  void (*line)(void *arg, const char *text), void *arg,
			  struct berr *err);

/* Counts for /info. */
void daemon_counts(struct daemon *d, int *total, int *running, int *paused, int *stopped);

#endif
