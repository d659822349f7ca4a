/* The container side of create: what the new process does, in order,
 * from clone3 until execve of the user's program. */
#ifndef BERTH_RUNTIME_INIT_H
#define BERTH_RUNTIME_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "isolation/cgroup.h"
#include "isolation/seccomp.h"
#include "spec/config.h"

struct init_plan {
	const struct spec_config *cfg;
	const char *bundle;
	const char *rootfs;
	/* Two stages when namespaces must be joined before the new ones are
	 * made (a user namespace by path, or a new one next to joined
	 * namespaces), or when pid/time namespaces are joined or a new time
	 * namespace needs offsets: the first stage joins and unshares, then
	 * forks the init. */
	bool two_stage;
	bool new_ns[NS_TYPES];
	int sync_fd;
	int listen_fd;  /* the exec socket `start` connects to */
	int console_fd; /* connected --console-socket, or -1 */
	bool tty_to_parent;
	int preserve_fds;
	int stdio[3]; /* dup'ed onto 0, 1, 2 first; -1 keeps what we have */
	/* Inherited fds the container process must close at once (the
	 * state directory's lock, which `start` needs). */
	int close_fds[4];
	int n_close_fds;
	bool no_pivot;
	bool no_new_keyring;
	const char *id; /* the container's: its session keyring's name */
	/* Stop before pivot_root so that the parent runs prestart and
	 * createRuntime hooks and hands over the state JSON that our own
	 * createContainer hooks read (`start` brings the one for
	 * startContainer). */
	bool parent_hooks;
	const struct seccomp_filter_prog *seccomp; /* NULL: none */
	/* The v1 hierarchies' "tasks" files (cgroup_open_v1_tasks), which
	 * the process joins itself before anything else, or NULL when the
	 * parent puts it in its cgroups. */
	const struct cgroup *cgroup;
	int *v1_tasks;
	/* Per mount of cfg, a bind source the parent opened (see
	 * mounts_bind_open), or -1; NULL when it opened none. */
	const int *bind_fds;
	/* An unprivileged parent writes the user namespace's maps: until it
	 * has, /proc/PID must stay ours, which a non-dumpable process's is
	 * not (nothing of the container runs before that). */
	bool dumpable_until_maps;
	/* Device nodes are bound from the host, not made: the container has
	 * a user namespace, or berth itself runs in one (rootless berthd). */
	bool bind_devices;
	/* run: the start message is in the exec socket before the process
	 * needs it, so it sends no READY (which would only wake the parent
	 * once more) and keeps the sync socket until its execve closes it:
	 * that end of the socket is the parent's "ready". */
	bool ready_at_exec;
};

/* Namespaces created by clone3 in the single-stage case. */
uint64_t init_clone_flags(const struct init_plan *p);

/* Run the container process.  Never returns: it execs the user's program
 * or exits after sending its error up the sync socket (or, after start,
 * to the `start` command's connection). */
_Noreturn void init_run(const struct init_plan *p);

#endif
