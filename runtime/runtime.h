/* berth's runtime: the container lifecycle that both front ends (the
 * berth CLI and berthd) call.  It never prints and never knows which
 * front end called it; everything it needs comes in through rt_ctx and
 * the option structs, everything it learns goes out through return values
 * and struct berr. */
#ifndef BERTH_RUNTIME_RUNTIME_H
#define BERTH_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"
#include "spec/state.h"

struct rt_ctx {
	const char *root; /* state directory, e.g. /run/berth */
	bool systemd_cgroup;
	/* Where compiled seccomp programs are kept across containers (see
	 * runtime/seccomp_cache.h).  NULL: SECCOMP_CACHE_DEFAULT; "": none. */
	const char *seccomp_cache;
	/* What failed without failing the operation (poststart and
	 * poststop hooks, which the spec makes warnings).  NULL drops
	 * them. */
	void (*warn)(void *arg, const struct berr *w);
	void *warn_arg;
	/* One line about each main step of a command (config loaded,
	 * cgroup made, process started, hooks run...): `berth --debug`.
	 * NULL: none, and nothing is formatted. */
	void (*debug)(void *arg, const char *msg);
	void *debug_arg;
	/* When this fd turns readable, a create (or run) in progress stops,
	 * removes all it made and fails with ECANCELED.  berth passes a
	 * signalfd of SIGTERM, SIGINT and SIGHUP, which it blocks; the
	 * signal stays pending.  0: none (stdin is never one). */
	int cancel_fd;
};

struct rt_create_opts {
	const char *id;
	const char *bundle;         /* NULL: the current directory */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	int preserve_fds;
	/* systemd socket activation, as runc does it: this many fds from 3,
	 * before the preserve_fds ones (which then start at 3 + listen_fds),
	 * pass into the container, whose process gets LISTEN_FDS=N and
	 * LISTEN_PID=1 in its env.  The front end decides (its LISTEN_PID and
	 * LISTEN_FDS). */
	int listen_fds;
	bool no_pivot;
	bool no_new_keyring;
	/* `run` in the foreground with a terminal and no console socket:
	 * the pty master comes back in rt_created.tty_master. */
	bool foreground_tty;
	/* stdin, stdout, stderr of the container; -1 keeps the caller's.
	 * (berthd passes pipes here.)  Zero-initialised options mean "keep",
	 * so set has_stdio when filling them. */
	bool has_stdio;
	int stdio[3];
};

struct rt_created {
	pid_t pid;      /* the container's init, as seen from the host */
	int tty_master; /* -1 unless foreground_tty */
};

/* Before a front end makes a container or a process in one: execute the
 * running binary again from a view of it that nobody can write, so that a
 * container that runs it (a program "#!/proc/self/exe") cannot overwrite
 * the host's runtime (CVE-2019-5736; isolation/selfexe.h).  Returns 0
 * when the binary is such a view already, does not return when it
 * executes, and fails when no such view can be made. */
int rt_seal_self(char *const *argv, char *const *envp, struct berr *err);

/* A read-only view of the binary at path, for a process that starts
 * runtimes: executed as "/proc/self/fd/FD", each finds itself sealed and
 * skips rt_seal_self's second start.  A close-on-exec fd of min_fd or
 * above, or a negative errno (no CAP_SYS_ADMIN: each seals itself). */
int rt_readonly_view(const char *path, int min_fd, struct berr *err);

/* The state directory when none is given: /run/berth for root; for an
 * unprivileged user $XDG_RUNTIME_DIR/berth, or /tmp/berth-UID when that
 * variable is unset (made 0700, and refused unless it is the user's own
 * directory with that mode). */
int rt_default_root(char *buf, size_t size, struct berr *err);

/* Whether berth runs rootless: unprivileged, or root only inside a user
 * namespace (as berthd run by a user is, rt_rootless_enter): the host's
 * cgroups are then not its own, and a container gets a cgroup only in a
 * subtree delegated to it. */
bool rt_rootless(void);

/* berthd started by an unprivileged user: move this process (still
 * single-threaded) into a user and mount namespace where it is root.
 * When hold_file names a live holder of earlier ones (a berthd before
 * this one made them), join those: its containers, mounts and network
 * namespaces are there.  Otherwise make new ones, mapping the user's own
 * ids to 0 and its ranges of /etc/subuid and /etc/subgid (the entries of
 * user, by name or uid) from 1 on, through newuidmap/newgidmap (without
 * ranges only the user's own ids), and start a holder: a process that
 * only keeps them alive, named with its start time in hold_file. */
int rt_rootless_enter(const char *user, const char *hold_file, struct berr *err);

/* At a clean stop: end the holder of hold_file when no other process
 * is left in our user namespace (containers, their helpers), so that
 * nothing of the user's stays behind; otherwise keep it for the next
 * start. */
void rt_rootless_leave(const char *hold_file);

/* The seccomp cache when none is given (rt_ctx.seccomp_cache): NULL for
 * root (the default); for an unprivileged user $XDG_CACHE_HOME/berth/seccomp
 * or ~/.cache/berth/seccomp, or "" (none) without either variable. */
const char *rt_default_seccomp_cache(char *buf, size_t size);

/* Validate a container id: [A-Za-z0-9_+.-], not "." or "..", at most
 * 1024 bytes. */
int rt_check_id(const char *id, struct berr *err);

/* berthd's cgroup parent, kept made while berthd runs: each container
 * then makes and removes only its own directory below it (on a v1 host
 * the parent is one more directory per hierarchy to make and remove
 * per lone container).  rt_cgroup_hold makes what of parent (a cgroupsPath) is
 * missing and writes what it made to the file record, where a later
 * berthd finds what a killed one left; rt_cgroup_unhold removes those
 * directories that are empty (a container still running keeps its
 * parent, and the record, for the next).  rt_cgroup_hold_realtime gives
 * the held directories berthd made the realtime budget c asks for where
 * theirs is smaller, as a container with one needs (cgroup v1). */
struct spec_cpu;
struct rt_cgroup_hold {
	void *cg;     /* the held cgroup; NULL when nothing is held */
	char *record;
};
int rt_cgroup_hold(const char *parent, const char *record, struct rt_cgroup_hold *h,
		   struct berr *err);
int rt_cgroup_hold_realtime(const struct rt_cgroup_hold *h, const struct spec_cpu *c,
			    struct berr *err);
void rt_cgroup_unhold(struct rt_cgroup_hold *h);

int rt_create(const struct rt_ctx *ctx, const struct rt_create_opts *o,
	      struct rt_created *out, struct berr *err);
int rt_start(const struct rt_ctx *ctx, const char *id, struct berr *err);
/* create and start at once (`run`): the container process goes on to the
 * user's program as soon as it is set up, without waiting to be started.
 * A container that was created but could not start is deleted: on
 * failure nothing is left, as after rt_create. */
int rt_run(const struct rt_ctx *ctx, const struct rt_create_opts *o,
	   struct rt_created *out, struct berr *err);
int rt_kill(const struct rt_ctx *ctx, const char *id, int sig, bool all,
	    struct berr *err);
/* Delete a container; force kills it first if it still runs.  A missing
 * container is -ENOENT (the caller decides what --force means then). */
int rt_delete(const struct rt_ctx *ctx, const char *id, bool force,
	      struct berr *err);

/* What rt_delete of the container, once it has stopped, comes to when
 * it is only removal: no poststop hook to run, its rootfs in a mount
 * namespace of its own.  Then a program without the runtime (berthd's
 * monitor) can do it: take the state directory's lock (flock, exclusive),
 * read the OOM count if it wants it, remove each cgroup directory (and its
 * parents up to created, while empty), then the state directory's files
 * and the directory itself.  A directory that will not go (a process left
 * in the cgroup, cgroups made below it) means rt_delete must do the
 * rest; each step tolerates what one before it removed.  -EOPNOTSUPP when
 * rt_delete must do it all. */
#define RT_REMOVAL_MAX 16
struct rt_removal {
	char *state_dir;
	char *oom_file; /* "oom_kill N" in it; NULL: no memory cgroup */
	size_t n;
	struct rt_removal_dir {
		char *dir;
		char *created; /* the shallowest parent the runtime made */
	} cgroups[RT_REMOVAL_MAX];
};
int rt_removal(const struct rt_ctx *ctx, const char *id, struct rt_removal *out,
	       struct berr *err);
void rt_removal_release(struct rt_removal *r);

/* exec: another process in a running container.  Without process_path
 * the process is the container's own (config.json's) with args replaced;
 * with it, the process.json (as podman, containerd and docker write it).
 * The other fields override either, as runc's flags do. */
struct rt_exec_opts {
	const char *id;
	const char *process_path;   /* --process FILE, or NULL */
	const char *const *args;    /* ARGS after the id (replace args) */
	size_t n_args;
	int tty;                    /* -1: as the process says, 0/1: --tty */
	const char *console_socket; /* NULL: none */
	bool detach;                /* no terminal back to the caller */
	const char *pid_file;       /* NULL: none */
	const char *const *env;     /* KEY=VALUE, replacing KEY */
	size_t n_env;
	const char *cwd;            /* NULL: as the process says */
	const char *user;           /* "UID[:GID]", or NULL */
	const char *const *additional_gids; /* appended */
	size_t n_additional_gids;
	const char *const *caps;    /* added to bounding/effective/permitted */
	size_t n_caps;
	int no_new_privs;           /* -1: as the process says, 0/1 */
	int preserve_fds;
	const char *apparmor;       /* NULL: as the process says */
	const char *process_label;  /* NULL: as the process says */
	/* A paused container too: the process is made, waits frozen, and
	 * runs once the container is resumed; rt_exec returns then. */
	bool ignore_paused;
	bool has_stdio;             /* as in rt_create_opts */
	int stdio[3];
};

struct rt_execed {
	pid_t pid;      /* the process, as seen from the host: our child */
	int tty_master; /* -1 unless a terminal without console socket */
};

/* Start the process and return once it runs the program (or failed to).
 * It stays a child of the caller, which waits for it (or, detached,
 * leaves it to its own parent, a subreaper). */
int rt_exec(const struct rt_ctx *ctx, const struct rt_exec_opts *o,
	    struct rt_execed *out, struct berr *err);

/* Wait for the container's init (a child or adopted descendant of this
 * process), forwarding signals to it and, with tty_master >= 0, copying
 * between our stdio and the terminal.  *status is the shell-style exit
 * status: the exit code, or 128+N when killed by signal N. */
int rt_wait_foreground(pid_t pid, int tty_master, int *status,
		       struct berr *err);

/* The OCI state of one container, allocated from arena.  -ENOENT when
 * the container does not exist. */
int rt_state(const struct rt_ctx *ctx, const char *id, struct arena *arena,
	     struct spec_state *out, struct berr *err);

/* Every container under the root, sorted by id. */
int rt_list(const struct rt_ctx *ctx, struct arena *arena,
	    struct spec_state **out, size_t *n, struct berr *err);

/* The pids of every process in the container (its cgroup). */
int rt_pids(const struct rt_ctx *ctx, const char *id, pid_t **pids,
	    size_t *n, struct berr *err);

#endif
