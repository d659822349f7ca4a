/* The container shim: what keeps one running container company, between
 * berthd and the container's init.
 *
 * Why a shim: the container must outlive the daemon.  If berthd held the
 * container's stdout and stderr itself, a restarted (or killed) daemon
 * would take the pipes with it and the container would die of SIGPIPE or
 * block; and only a parent learns a child's exit status.  So berthd
 * starts a shim (posix_spawn, never a bare fork of the threaded daemon);
 * the shim creates the container (rt_create, from its own single thread,
 * as a child subreaper so that the init stays its child), owns the
 * container's stdio (pipes, or the terminal's master side), writes every
 * byte to the log file, serves attached clients, reaps the init and
 * writes its exit status to a file before it cleans up and exits.  berthd
 * learns of that exit through a pidfd of the shim, which a restarted
 * daemon can open again: nothing is lost while the daemon is away.
 *
 * One process, three programs, so that what stays for the container's
 * whole life is small (tests/bench/README.md: a shim that had created the
 * container kept about 1.2 MB of private memory: the runtime's heap,
 * libcgroup's tables, a stack grown by rt_create):
 *   1. set-up (berthd-shim, shim_run): creates the container, answers
 *      berthd on the ready pipe, then executes
 *   2. the monitor (berthd-monitor, shim_monitor_run, a small static
 *      program that links no runtime code it runs), with the container's
 *      fds: it pumps output, serves requests and reaps, without the
 *      runtime.  An exec'd process is made by a short-lived helper
 *      (berthd-shim --exec-helper, shim_exec_helper) that the monitor
 *      starts: the process is the helper's child, and the monitor's once
 *      the helper exits (the monitor is a child subreaper), so the monitor
 *      reaps it with its real exit status as before.  When the init has
 *      exited and its output is drained the monitor executes
 *   3. the finish (berthd-shim --finish, shim_finish): the OOM count into
 *      the exit file, the container deleted, its rootfs unmounted; exit 0.
 *      Most containers need no runtime for that (no poststop hook, no OOM
 *      kill): set-up hands the monitor what deleting them comes to
 *      (rt_removal) and the monitor does it itself (shim_remove), so that
 *      the end, on the path of a client that waits for the removal, starts
 *      no second program (a glibc start, 0.6 ms of CPU here); the finish
 *      stays for the rest.
 * Same pid from start to end: berthd's pidfd, its record (pid and start
 * time) and a restarted berthd's adoption see one process.  Stages 1 and
 * 3 and the helpers run from the read-only view of berthd-shim that set-up
 * made (rt_seal_self), kept open in the monitor as an fd.
 *
 * The shim listens on a unix socket (SOCK_SEQPACKET) for berthd's
 * requests, one message each, answered "ok" or "err MESSAGE":
 *   attach IN OUT ERR\n<stdin bytes>   with the client's connection (an fd)
 *   resize HEIGHT WIDTH
 *   exec ID TTY IN OUT ERR ROWS COLS\nPROCESS_JSON\nEXIT_FILE
 *                                      with the client's connection (an
 *                                      fd), or none for a detached exec;
 *                                      answered "ok PID"
 *   exec-resize ID HEIGHT WIDTH
 * An attached client gets the container's output as docker's raw stream
 * (with a terminal) or multiplexed stream (8-byte frame headers); its
 * input goes to the container's stdin, and when it ends (the client
 * half-closes) stdin is closed if the container was created with
 * StdinOnce.
 *
 * An exec'd process talks to its own client the same way; its stdin
 * closes when the client's input ends.  When it exits and its output is
 * drained, its exit code goes to its EXIT_FILE (record: code), and only
 * then is the client's connection closed, so that a client that asks for
 * the exit code as soon as its stream ends finds it. */
#ifndef BERTH_ENGINE_SHIM_H
#define BERTH_ENGINE_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"

struct shim_opts {
	const char *oci_root;     /* the runtime's state root */
	const char *id;
	const char *bundle;
	const char *log_path;
	long long log_max_size; /* rotate past this many bytes (0: never) */
	int log_max_files;      /* files kept, the current one included */
	const char *exit_path;
	const char *socket_path;
	const char *rootfs_mount; /* unmounted when the container is gone */
	/* The monitor's: what deleting the container comes to, when it is
	 * only removal (rt_removal), as set-up found it; see shim_remove. */
	const char *removal;
	bool tty;
	bool open_stdin;
	bool stdin_once;
	bool loopback; /* bring up lo in the container's network namespace */
	int ready_fd;  /* "ok PID START\n" or "err MESSAGE" goes here */
	/* The shim's own command line: it runs itself again from a
	 * read-only view of its binary before it makes the container
	 * (rt_seal_self), as berth does. */
	char *const *argv;
	const char *monitor_path; /* set-up: the monitor to execute */
	/* The monitor's: the container's init and the fds set-up left it. */
	pid_t init;
	struct shim_fds {
		int log, listen, out, err, in, tty, exe;
	} fds;
	/* The helpers': an exec's process.json, its stdio (-1: with a
	 * terminal), the socket for the answer; the finish's wait status. */
	const char *process_path;
	int stdio[3];
	int reply_fd;
	int status;
};

/* Stage 1: set up and create the container, then become the monitor;
 * returns the process's exit status only when that fails (or when the
 * monitor could not be executed: then this process monitors). */
int shim_run(const struct shim_opts *o);
/* Stage 2: the monitor; becomes the finish, or returns an exit status. */
int shim_monitor_run(const struct shim_opts *o);
/* Stage 3: record the OOM count, delete the container, unmount. */
int shim_finish(const struct shim_opts *o);
/* The monitor's finish without the runtime, where set-up left it the
 * removal (--removal: STATE_DIR, OOM_FILE or "", then LEVELS:DIR for each
 * cgroup directory, the directory and LEVELS - 1 parents the runtime made;
 * tab-separated): 0 when the container is gone and unmounted; -1 when
 * stage 3 must do it (an OOM kill to record, a directory that would not
 * go), which starts where this one stopped. */
int shim_remove(const struct shim_opts *o);
/* The monitor's helper: make one exec'd process; "ok PID" (with the
 * terminal's master as an fd) or "err MESSAGE" to reply_fd. */
int shim_exec_helper(const struct shim_opts *o);

/* The options of a stage as a command line (for execve; argv0 first),
 * into argv (at most SHIM_ARGV_MAX entries, the strings in buf). */
#define SHIM_ARGV_MAX 48
int shim_argv(const struct shim_opts *o, const char *mode, char **argv, char *buf,
	      size_t size);
/* The other way: every stage's options into o (whose fds, stdio and
 * reply_fd the caller set to -1 first); -EINVAL for anything else. */
int shim_parse(int argc, char **argv, struct shim_opts *o);

/* berthd's side: send one request (with fd unless < 0) and read the
 * answer; -EIO with the shim's message when it answered err. */
int shim_request(const char *socket_path, const char *msg, size_t len, int fd,
		 struct berr *err);
/* The same, with what followed "ok " in answer. */
int shim_request_reply(const char *socket_path, const char *msg, size_t len, int fd,
		       char *answer, size_t size, struct berr *err);

#endif
