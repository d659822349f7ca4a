#include "runtime/process_setup.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/capabilities.h"
#include "isolation/console.h"
#include "isolation/fdpass.h"
#include "isolation/keyring.h"
#include "isolation/lsm.h"
#include "isolation/process.h"
#include "isolation/process_env.h"
#include "runtime/sync.h"
#include "spec/base/cleanup.h"

#define CAP_SYS_ADMIN_BIT (UINT64_C(1) << 21)

/* A session keyring of the container's own, so that containers share
 * neither the host's keys nor each other's: the init makes it, an exec'd
 * process finds it by name.  Kernels or filters without keyctl are fine. */
static int join_keyring(const struct psetup *s, struct berr *err)
{
	char name[128];
	int serial;

	snprintf(name, sizeof(name), "_ses.%s", s->keyring_id ? s->keyring_id : "");
	serial = keyring_join_session(name, err);
	if (serial == -ENOSYS || serial == -EPERM || serial == -EACCES) {
		berr_clear(err);
		return 0;
	}
	if (serial < 0)
		return serial;
	return keyring_let_find(serial, s->keyring_finder, err);
}

int psetup_early(struct psetup *s, struct berr *err)
{
	const struct spec_process *proc = s->proc;
	int ret = 0;

	if (proc->oom_score_adj_set)
		ret = process_oom_score_adj(proc->oom_score_adj, err);
	if (ret == 0)
		ret = process_rlimits(proc->rlimits, proc->n_rlimits, err);
	if (ret == 0 && s->personality)
		ret = process_personality(s->personality, err);
	if (ret == 0)
		ret = process_scheduler(&proc->scheduler, err);
	if (ret == 0)
		ret = process_io_priority(&proc->io_priority, err);
	if (ret == 0)
		ret = process_cpu_affinity(proc->exec_cpu_affinity.initial, err);
	if (ret < 0)
		return ret;
	/* A session of its own, as runc gives the init and every exec'd
	 * process: its process group is then one the container can see
	 * (getpgrp() is not 0).  With a terminal psetup_console does it. */
	if (!proc->terminal && setsid() < 0)
		return berr_sys(err, "setsid");
	return s->no_new_keyring ? 0 : join_keyring(s, err);
}

int psetup_console(const struct psetup *s, int console_sock, int sync_sock,
		   bool bind_console, struct berr *err)
{
	const struct spec_process *proc = s->proc;
	cleanup_close int master = -1;
	cleanup_close int peer = -1;
	int ret;

	ret = console_open(&master, &peer, proc->console_size_set, proc->console_height,
			   proc->console_width, err);
	/* The process's own terminal, as runc gives it (tty owner checks,
	 * programs that chmod their tty). */
	if (ret == 0 && fchown(peer, proc->user.uid, proc->user.gid) < 0)
		ret = berr_sys(err, "give the terminal to %u:%u", (unsigned)proc->user.uid,
			       (unsigned)proc->user.gid);
	if (ret == 0 && bind_console)
		ret = console_bind_dev_console(peer, err);
	if (ret < 0)
		return ret;
	/* The console socket gets exactly one SCM_RIGHTS message, whose
	 * data is the name runc sends along. */
	/* runc clears ONLCR on the terminal it copies in the foreground
	 * (never on one handed to a console socket): done here, before the
	 * program can write. */
	if (console_sock < 0)
		ret = console_clear_onlcr(peer, err);
	if (ret < 0)
		return ret;
	if (console_sock >= 0)
		ret = fdpass_send(console_sock, "/dev/ptmx", 9, master, err);
	else
		ret = sync_send(sync_sock, SYNC_TTY, 0, NULL, master, err);
	if (ret < 0)
		return berr_wrap(err, ret, "send the terminal");
	return console_make_controlling(peer, err);
}

/* Without no_new_privs the kernel installs a seccomp filter only for a
 * thread with CAP_SYS_ADMIN (a filter could otherwise fool a setuid
 * program).  A process that is not to have it gets it in its effective
 * and permitted sets until the filter is in, and execve takes it away:
 * execve computes the new sets from the bounding, inheritable and
 * ambient sets and the file's capabilities, never from the old
 * permitted set, and CAP_SYS_ADMIN is in none of those.  So no syscall
 * needs to run between the filter and execve (the filter need not allow
 * capset). */
static bool needs_temporary_admin(const struct psetup *s)
{
	const struct spec_process *proc = s->proc;

	if (!s->seccomp || proc->no_new_privileges)
		return false;
	return !(proc->caps.effective & CAP_SYS_ADMIN_BIT);
}

int psetup_make_cwd(const struct psetup *s, struct berr *err)
{
	const char *cwd = s->proc->cwd;
	char path[PATH_MAX];
	size_t len = strlen(cwd);

	if (len >= sizeof(path))
		return berr_fail(err, ENAMETOOLONG, "cwd \"%s\"", cwd);
	memcpy(path, cwd, len + 1);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create cwd \"%s\" (at %s)", cwd, path);
		*p = c;
		if (!c)
			return 0;
	}
}

int psetup_user(struct psetup *s, struct berr *err)
{
	const struct spec_process *proc = s->proc;
	uint64_t extra = needs_temporary_admin(s) ? CAP_SYS_ADMIN_BIT : 0;
	char cwd[PATH_MAX];
	FILE *passwd;
	bool in_cwd;
	int ret;

	/* Read as root: the user may not be allowed to. */
	passwd = process_open_passwd();
	ret = process_env_final(proc->env, proc->n_env, proc->user.uid, passwd, &s->env,
				&s->n_env, err);
	if (passwd)
		fclose(passwd);
	if (ret < 0)
		return ret;
	/* As root first, as runc: a cwd only root can reach still works for
	 * a user that could not walk there. */
	in_cwd = chdir(proc->cwd) == 0;
	/* Without a capabilities object the sets are empty (all zero): the
	 * process gets none, as runc reads the spec, never berth's own. */
	ret = caps_drop_bounding(&proc->caps, err);
	if (ret < 0)
		return ret;
	ret = process_set_user(&proc->user, s->setgroups_allowed, err);
	if (ret < 0)
		return ret;
	ret = caps_apply(&proc->caps, extra, err);
	if (ret < 0)
		return ret;
	/* Once more as the user when root could not (a cwd on a root-squashed
	 * network mount); otherwise root's chdir stands, as in runc. */
	if (!in_cwd && chdir(proc->cwd) < 0)
		return berr_sys(err, "chdir to cwd (\"%s\")%s%s", proc->cwd,
				s->cwd_origin ? " set in " : "",
				s->cwd_origin ? s->cwd_origin : "");
	/* A cwd like /proc/self/fd/N follows an inherited fd out of the root
	 * (the CVE-2024-21626 class): the kernel then reports it
	 * unreachable. */
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return berr_fail(err, EPERM, "cwd \"%s\" is outside the container's root",
				 proc->cwd);
	return process_find_executable(proc->args[0], s->env, s->n_env, s->exe,
				       sizeof(s->exe), err);
}

int psetup_final(const struct psetup *s, int *listener, struct berr *err)
{
	const struct spec_process *proc = s->proc;
	int ret;

	*listener = -1;
	ret = process_cpu_affinity(proc->exec_cpu_affinity.final, err);
	if (ret == 0)
		ret = lsm_exec_labels(proc->apparmor_profile, proc->selinux_label, err);
	if (ret == 0 && proc->no_new_privileges)
		ret = process_no_new_privs(err);
	/* As late as possible: from here on every syscall is filtered. */
	if (ret == 0 && s->seccomp)
		ret = seccomp_filter_install(s->seccomp, listener, err);
	return ret;
}

int psetup_exec(const struct psetup *s, struct berr *err)
{
	const struct spec_process *proc = s->proc;

	return process_exec(s->exe, proc->args, proc->n_args, s->env, s->n_env, err);
}
