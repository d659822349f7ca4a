/* The container shim: one small process per running container, between
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
 * An exec'd process (runtime's rt_exec, called here so that the process
 * is the shim's child) talks to its own client the same way; its stdin
 * closes when the client's input ends.  When it exits and its output is
 * drained, its exit code goes to its EXIT_FILE (record: code), and only
 * then is the client's connection closed, so that a client that asks for
 * the exit code as soon as its stream ends finds it. */
#ifndef BERTH_ENGINE_SHIM_H
#define BERTH_ENGINE_SHIM_H

#include <stdbool.h>
#include <stddef.h>

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
	bool tty;
	bool open_stdin;
	bool stdin_once;
	bool loopback; /* bring up lo in the container's network namespace */
	int ready_fd;  /* "ok PID START\n" or "err MESSAGE" goes here */
	/* The shim's own command line: it runs itself again from a
	 * read-only view of its binary before it makes the container
	 * (rt_seal_self), as berth does. */
	char *const *argv;
};

/* Run the shim; returns the process's exit status. */
int shim_run(const struct shim_opts *o);

/* berthd's side: send one request (with fd unless < 0) and read the
 * answer; -EIO with the shim's message when it answered err. */
int shim_request(const char *socket_path, const char *msg, size_t len, int fd,
		 struct berr *err);
/* The same, with what followed "ok " in answer. */
int shim_request_reply(const char *socket_path, const char *msg, size_t len, int fd,
		       char *answer, size_t size, struct berr *err);

#endif
