/* The conversation between berth and the container process it creates,
 * over a SOCK_SEQPACKET socketpair: one message per step, so that every
 * step the child cannot take alone (id maps, cgroups, hooks) happens in
 * order, and a child that fails sends its error up instead of printing. */
#ifndef BERTH_RUNTIME_SYNC_H
#define BERTH_RUNTIME_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"

enum sync_type {
	SYNC_GO = 1,     /* parent: your maps and cgroups are in place */
	SYNC_USERNS,     /* child: I made a user namespace, map me */
	SYNC_INIT_PID,   /* child (first stage): the init's pid is value */
	SYNC_HOOKS,      /* child: run the runtime-side create hooks now */
	SYNC_HOOKS_DONE, /* parent: done */
	SYNC_TTY,        /* child: here is the terminal's master (fd) */
	SYNC_READY,      /* child: set up, waiting for start */
	SYNC_SECCOMP,    /* child: my seccomp listener (fd), for the agent */
	SYNC_HOST_MOUNT, /* child: rootfs bound in the caller's mount namespace, its
	                  * mount id is value; record it, then GO */
	SYNC_ERROR,      /* child: failed; text is the message */
};

struct sync_msg {
	uint32_t type;
	int32_t value;
	char text[sizeof(((struct berr *)0)->msg)];
};

int sync_pair(int fds[2], struct berr *err);

int sync_send(int fd, enum sync_type type, int32_t value, const char *text,
	      int passfd, struct berr *err);

/* Send err up as SYNC_ERROR (child side; best effort). */
void sync_send_error(int fd, const struct berr *err);

/* Receive the next message.  A SYNC_ERROR becomes this side's error (with
 * the child's message and errno); end of file means the child died. */
int sync_recv(int fd, struct sync_msg *m, int *passfd, struct berr *err);

/* Like sync_recv, but end of file is not an error: returns 0 then, 1
 * for a message.  (An exec'd process closes its end by execve.) */
int sync_recv_or_eof(int fd, struct sync_msg *m, int *passfd, struct berr *err);

/* Receive and require a message of the given type. */
int sync_expect(int fd, enum sync_type type, struct sync_msg *m,
		struct berr *err);

/* Clone the child that speaks this protocol over sync (sync[0] ours,
 * sync[1] its end), as spawn_process does (flags, cgroup fd, pidfd).
 * early: the parent has nothing to do before the child may go on (clone3
 * places it in its only cgroup), so GO is queued before the child exists
 * and it never waits for the parent to be scheduled; where clone3 cannot
 * place it, GO is taken back.  *go_sent says which happened.  Returns the
 * pid, 0 in the child, or a negative errno. */
pid_t sync_spawn(bool early, uint64_t flags, int *cgroup_fd, int *pidfd, const int sync[2],
		 bool *go_sent, struct berr *err);

#endif
