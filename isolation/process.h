/* The container process's own attributes: everything in process.* that is
 * not a namespace, a mount or a capability. */
#ifndef BERTH_ISOLATION_PROCESS_H
#define BERTH_ISOLATION_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"

int process_rlimits(const struct spec_rlimit *r, size_t n, struct berr *err);
int process_oom_score_adj(int value, struct berr *err);
int process_personality(const struct spec_personality *p, struct berr *err);
int process_scheduler(const struct spec_scheduler *s, struct berr *err);
int process_io_priority(const struct spec_io_priority *p, struct berr *err);
/* A cpu list such as "0-3,7" (execCPUAffinity). */
int process_cpu_affinity(const char *list, struct berr *err);

/* Switch to the user: supplementary groups, gid, uid.  Capabilities are
 * kept across the uid change (PR_SET_KEEPCAPS) so that caps_apply can set
 * the configured ones afterwards.  setgroups_allowed is false in a user
 * namespace whose setgroups file says deny. */
int process_set_user(const struct spec_user *u, bool setgroups_allowed,
		     struct berr *err);

int process_no_new_privs(struct berr *err);

/* Close every fd from `from` up except those in keep (sorted in
 * place): what a process inherited of its caller goes at once, not at
 * execve. */
void process_close_fds_except(int from, int *keep, size_t n);

/* Mark every fd from 3 + preserve up close-on-exec, and make the preserved
 * ones (3 .. 3+preserve-1) survive exec. */
int process_close_fds(int preserve, struct berr *err);

/* Find the program as execvp would, in the PATH of env (the container's
 * environment, not berth's).  The message says "executable file not
 * found in $PATH" or "permission denied" when that is the cause: clients
 * map those phrases to exit codes 127 and 126. */
int process_find_executable(const char *name, const char *const *env,
			    size_t n_env, char *out, size_t size,
			    struct berr *err);

/* execve; its own failures read as runc words them ("exec PATH:
 * no such file or directory", "... permission denied"). */
int process_exec(const char *path, const char *const *args, size_t n_args,
		 const char *const *env, size_t n_env, struct berr *err);

#endif
