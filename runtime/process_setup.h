/* Becoming the user's program: the steps the container's init
 * (runtime/init.c) and an exec'd process (runtime/exec.c) share, so that
 * both apply process.* the same way.  Callers run them in this order, in
 * the container's namespaces, under its root:
 *
 *   psetup_early      oom score, rlimits, personality, scheduling, I/O
 *                     priority, CPU affinity, a session (without a
 *                     terminal) and the container's session keyring
 *   psetup_console    (with process.terminal) a pty from the container's
 *                     devpts, its master handed out, its peer on 0, 1, 2
 *   psetup_user       the environment (HOME from /etc/passwd), bounding
 *                     set, groups, gid, uid, capabilities, cwd, and the
 *                     program's path (looked up as the user)
 *   psetup_final      final CPU affinity, LSM labels, no_new_privs, seccomp
 *   psetup_exec       execve
 *
 * The seccomp filter comes last so that it need not allow the runtime's
 * own syscalls; see psetup_final for what that costs. */
#ifndef BERTH_RUNTIME_PROCESS_SETUP_H
#define BERTH_RUNTIME_PROCESS_SETUP_H

#include <limits.h>
#include <stdbool.h>

#include "isolation/keyring.h"
#include "isolation/seccomp.h"
#include "spec/config.h"
#include "spec/base/err.h"

struct psetup {
	const struct spec_process *proc;
	const struct spec_personality *personality; /* NULL: leave as is */
	const struct seccomp_filter_prog *seccomp;   /* NULL: none */
	bool no_new_keyring;
	/* The container's id: its session keyring is "_ses.<id>", joined by
	 * the init and every exec'd process of that container only, as
	 * runc names it (one name for all would let containers share a
	 * keyring and its keys). */
	const char *keyring_id;
	/* The init lets an exec'd process find that keyring by name
	 * (KEYRING_FINDER_ANYONE with a user namespace); an exec'd process,
	 * NONE: it joins the init's. */
	enum keyring_finder keyring_finder;
	/* false in a user namespace whose setgroups file says deny */
	bool setgroups_allowed;
	/* Where cwd came from, for the message when chdir fails. */
	const char *cwd_origin;
	/* Set by psetup_user: the program's path, and its environment
	 * (isolation/process_env.h). */
	char exe[PATH_MAX];
	const char **env;
	size_t n_env;
};

int psetup_early(struct psetup *s, struct berr *err);

/* A new pty on the container's /dev/ptmx (after its root is entered),
 * sized from process.consoleSize.  The master goes to console_sock (one
 * SCM_RIGHTS message, as runc sends) when it is >= 0, else to
 * sync_sock as SYNC_TTY for a caller that runs in the foreground.
 * bind_console also binds the peer onto /dev/console (the init does;
 * an exec'd process must not replace the init's console). */
int psetup_console(const struct psetup *s, int console_sock, int sync_sock,
		   bool bind_console, struct berr *err);

/* Make a missing cwd (0755), each part under the root this process has
 * entered: the init does, before the root is made read-only, as runc;
 * an exec does not. */
int psetup_make_cwd(const struct psetup *s, struct berr *err);

int psetup_user(struct psetup *s, struct berr *err);

/* The last steps before execve.  *listener receives the seccomp
 * notification fd when the filter has SCMP_ACT_NOTIFY rules (the caller
 * hands it over at once, see seccomp_filter_compile), else -1. */
int psetup_final(const struct psetup *s, int *listener, struct berr *err);

/* execve the program found by psetup_user; returns only on failure, with
 * the "permission denied" / "no such file or directory" wording clients
 * map to exit codes 126 and 127. */
int psetup_exec(const struct psetup *s, struct berr *err);

#endif
