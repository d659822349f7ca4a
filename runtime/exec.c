/* exec: another process in a running container.
 *
 *   berth exec (or berthd)
 *    └─ the joiner: clone3(CLONE_INTO_CGROUP), so it is in the container's
 *       cgroup from birth; joins every namespace of the container's init
 *       (one setns by pidfd), then makes
 *        └─ the process: clone(CLONE_PARENT), so it is a child of berth
 *           exec, not of the joiner, and is never re-parented (conmon and
 *           containerd-shim are subreapers and read its exit status once
 *           berth exec is gone); born in the container's pid and time
 *           namespaces and cgroup, so `kill --all` reaches it.  It shares
 *           the joiner's memory until its execve (a vfork: the joiner
 *           sleeps meanwhile), which spares a copy of the page tables and
 *           the copy-on-write faults of a fork; it reports its own pid
 *           first.  It enters
 *           the container's root and becomes the user's program as the
 *           init does (runtime/process_setup.c): the container's seccomp
 *           profile, personality and keyring, the process's rlimits,
 *           capabilities, no_new_privs, labels, user, cwd and terminal.
 *
 * The caller's own namespaces are never touched, so berthd can call this.
 * Until execve both children run berth's code: they are not dumpable and
 * hold no fd of the caller beyond stdio and --preserve-fds. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/capabilities.h"
#include "isolation/cgroup.h"
#include "isolation/idmap.h"
#include "isolation/fdpass.h"
#include "spec/base/fsutil.h"
#include "isolation/lsm.h"
#include "isolation/namespaces.h"
#include "isolation/proc.h"
#include "isolation/process.h"
#include "isolation/spawn.h"
#include "isolation/syscalls.h"
#include "runtime/debug.h"
#include "runtime/internal.h"
#include "runtime/process_setup.h"
#include "runtime/runtime.h"
#include "runtime/seccomp_agent.h"
#include "runtime/seccomp_cache.h"
#include "runtime/sync.h"
#include "spec/base/cleanup.h"
#include "spec/names.h"

struct exec_job {
	const struct rt_ctx *ctx;
	const struct rt_exec_opts *o;
	struct store_container store;
	bool stored;
	bool paused; /* and --ignore-paused: see wait_unlocked() */
	struct spec_config *cfg;
	struct arena arena; /* the process and what the flags changed */
	struct spec_process proc;
	struct seccomp_filter_prog seccomp;
	bool has_seccomp; /* the program is in seccomp (else: none, or compile it) */
	struct cgroup cgroup;
	bool has_cgroup;
	pid_t init_pid;
	int init_pidfd, rootfd, cgroup_fd, console_fd;
	int *v1_tasks; /* the joiner joins them itself: see open_v1_tasks */
	bool setgroups_allowed;
	int sync[2];
	bool go_sent; /* before the joiner existed */
	pid_t joiner;
	pid_t spawned; /* the process's pid, written by clone before it runs */
	pid_t pid;
	int pidfd;
	int tty_master;
};

static void job_init(struct exec_job *j, const struct rt_ctx *ctx,
		     const struct rt_exec_opts *o)
{
	memset(j, 0, sizeof(*j));
	j->ctx = ctx;
	j->o = o;
	j->store.dirfd = -1;
	j->init_pidfd = j->rootfd = j->cgroup_fd = j->console_fd = -1;
	j->sync[0] = j->sync[1] = -1;
	j->pidfd = j->tty_master = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* --- the process: config.json's or process.json, then the flags ---- */

static int append_strings(struct arena *a, const char ***list, size_t *n,
			  const char *const *more, size_t n_more)
{
	const char **grown = arena_alloc(a, (*n + n_more + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	memcpy(grown, *list, *n * sizeof(*grown));
	memcpy(grown + *n, more, n_more * sizeof(*grown));
	*list = grown;
	*n += n_more;
	return 0;
}

/* KEY=VALUE replaces an entry for KEY (getenv would find the first). */
static int set_env(struct arena *a, struct spec_process *p, const char *kv,
		   struct berr *err)
{
	const char *eq = strchr(kv, '=');
	size_t key_len = eq ? (size_t)(eq - kv) : 0;

	if (!eq || key_len == 0)
		return berr_fail(err, EINVAL, "--env \"%s\": expected KEY=VALUE", kv);
	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], kv, key_len + 1) == 0) {
			p->env[i] = kv;
			return 0;
		}
	}
	if (append_strings(a, &p->env, &p->n_env, &kv, 1) < 0)
		return berr_set(err, ENOMEM, "--env");
	return 0;
}

static int parse_id(const char *s, const char *what, uint32_t *out, struct berr *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || v > UINT32_MAX - 1 || *s == '-' || *s == '+')
		return berr_fail(err, EINVAL, "%s: expected a number, got \"%s\"", what, s);
	*out = (uint32_t)v;
	return 0;
}

/* --user UID[:GID], numbers as runc takes them. */
static int set_user(struct spec_process *p, const char *user, struct berr *err)
{
	char uid[32];
	const char *colon = strchr(user, ':');
	size_t n = colon ? (size_t)(colon - user) : strlen(user);
	uint32_t v;

	if (n >= sizeof(uid))
		return berr_fail(err, EINVAL, "--user \"%s\": expected UID[:GID]", user);
	memcpy(uid, user, n);
	uid[n] = '\0';
	if (parse_id(uid, "--user", &v, err) < 0)
		return -EINVAL;
	p->user.uid = v;
	if (colon) {
		if (parse_id(colon + 1, "--user", &v, err) < 0)
			return -EINVAL;
		p->user.gid = v;
	}
	return 0;
}

static int add_gids(struct arena *a, struct spec_process *p, const char *const *gids,
		    size_t n, struct berr *err)
{
	gid_t *grown;

	if (!n)
		return 0;
	grown = arena_alloc(a, (p->user.n_additional_gids + n) * sizeof(*grown));
	if (!grown)
		return berr_set(err, ENOMEM, "--additional-gids");
	memcpy(grown, p->user.additional_gids, p->user.n_additional_gids * sizeof(*grown));
	for (size_t i = 0; i < n; i++) {
		uint32_t v;

		if (parse_id(gids[i], "--additional-gids", &v, err) < 0)
			return -EINVAL;
		grown[p->user.n_additional_gids + i] = v;
	}
	p->user.additional_gids = grown;
	p->user.n_additional_gids += n;
	return 0;
}

/* --cap adds to the bounding, effective and permitted sets, and to the
 * ambient set when the process has inheritable ones (ambient needs
 * inheritable), as runc does. */
static int add_caps(struct spec_process *p, const char *const *caps, size_t n,
		    struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		char name[64];
		long cap;

		snprintf(name, sizeof(name), "%s%s",
			 strncasecmp(caps[i], "CAP_", 4) == 0 ? "" : "CAP_", caps[i]);
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		if (names_lookup(names_capabilities, name, &cap) < 0)
			return berr_fail(err, EINVAL, "--cap: unknown capability \"%s\"", caps[i]);
		p->caps.set = true;
		p->caps.bounding |= UINT64_C(1) << cap;
		p->caps.effective |= UINT64_C(1) << cap;
		p->caps.permitted |= UINT64_C(1) << cap;
		if (p->caps.inheritable)
			p->caps.ambient |= UINT64_C(1) << cap;
	}
	return 0;
}

/* What a process.json leaves out, the container's process gives, as in
 * runc: an exec'd process is never less confined than the container for
 * want of a field (no capabilities object must not mean all of them). */
static void inherit_restrictions(struct spec_process *p, const struct spec_config *cfg)
{
	const struct spec_process *c = &cfg->process;

	if (!cfg->process_set)
		return;
	if (!p->caps.set)
		p->caps = c->caps;
	if (!p->n_rlimits) {
		p->rlimits = c->rlimits;
		p->n_rlimits = c->n_rlimits;
	}
	if (!p->apparmor_profile || !*p->apparmor_profile)
		p->apparmor_profile = c->apparmor_profile;
	if (!p->selinux_label || !*p->selinux_label)
		p->selinux_label = c->selinux_label;
}

static int load_process(struct exec_job *j, struct berr *err)
{
	const struct rt_exec_opts *o = j->o;
	cleanup_free char *json = NULL;
	size_t len;
	int ret;

	if (!o->process_path) {
		/* The container's own command is not a default (runc's
		 * rule too): exec says what to run. */
		if (!o->n_args)
			return berr_fail(err, EINVAL,
					"exec: no command (give ARGS after the container id, or "
					"--process)");
		if (!j->cfg->process_set)
			return berr_fail(err, EINVAL, "the container's config has no process");
		j->proc = j->cfg->process;
		/* runc's rule: a terminal only when asked for. */
		j->proc.terminal = false;
		return 0;
	}
	ret = fsutil_read_file(o->process_path, &json, &len, err);
	if (ret < 0)
		return berr_wrap(err, ret, "--process");
	ret = spec_process_parse(json, len, &j->arena, &j->proc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "--process %s", o->process_path);
	inherit_restrictions(&j->proc, j->cfg);
	return 0;
}

static int apply_flags(struct exec_job *j, struct berr *err)
{
	const struct rt_exec_opts *o = j->o;
	struct spec_process *p = &j->proc;
	int ret = 0;

	if (o->n_args) {
		p->args = (const char **)o->args;
		p->n_args = o->n_args;
	}
	if (o->tty >= 0)
		p->terminal = o->tty;
	if (o->cwd)
		p->cwd = o->cwd;
	for (size_t i = 0; ret == 0 && i < o->n_env; i++)
		ret = set_env(&j->arena, p, o->env[i], err);
	if (ret == 0 && o->user)
		ret = set_user(p, o->user, err);
	if (ret == 0)
		ret = add_gids(&j->arena, p, o->additional_gids, o->n_additional_gids, err);
	if (ret == 0)
		ret = add_caps(p, o->caps, o->n_caps, err);
	if (ret < 0)
		return ret;
	if (o->no_new_privs >= 0)
		p->no_new_privileges = o->no_new_privs;
	if (o->apparmor)
		p->apparmor_profile = o->apparmor;
	if (o->process_label)
		p->selinux_label = o->process_label;
	return 0;
}

/* Everything about the process that can be refused before any process
 * exists. */
static int check_process(struct exec_job *j, struct berr *err)
{
	const struct rt_exec_opts *o = j->o;
	const struct spec_process *p = &j->proc;
	int ret;

	if (p->n_args == 0 || !p->args[0][0])
		return berr_fail(err, EINVAL,
				"exec: no command (give ARGS after the container id, or args "
				"in --process)");
	if (!p->cwd || p->cwd[0] != '/')
		return berr_fail(err, EINVAL, "exec: cwd \"%s\" must be an absolute path",
				p->cwd ? p->cwd : "");
	if (p->terminal && !o->console_socket && o->detach)
		return berr_fail(err, EINVAL,
				"exec: a terminal with --detach needs --console-socket to hand "
				"it over");
	if (!p->terminal && o->console_socket)
		return berr_fail(err, EINVAL,
				"exec: --console-socket was given but the process has no "
				"terminal (use --tty)");
	ret = caps_check(&p->caps, err);
	if (ret == 0)
		caps_warn(&p->caps, j->ctx->warn, j->ctx->warn_arg);
	if (ret == 0)
		ret = lsm_check(p->apparmor_profile, p->selinux_label, err);
	return ret < 0 ? berr_wrap(err, ret, "exec") : 0;
}

/* --- the container ------------------------------------------------- */

/* The program create recorded (STATE_SECCOMP): "FLAGS:NAME" found in
 * the cache.  false when there is none, or it is gone from the cache. */
static bool load_recorded_seccomp(struct exec_job *j, const char *record)
{
	unsigned int flags;
	int n = 0;

	if (sscanf(record, "%x:%n", &flags, &n) != 1 || n == 0)
		return false;
	if (seccomp_cache_load(internal_seccomp_cache_dir(j->ctx), record + n, &j->seccomp) < 0)
		return false;
	j->seccomp.flags = flags;
	j->seccomp.notify = false;
	j->has_seccomp = true;
	return true;
}

/* What exec reads of the container's config (the state directory's copy,
 * so that a bundle's config.json changed since create does not matter):
 * its process and personality.  The seccomp profile, most of the
 * document's bytes, only when create recorded no program that the cache
 * still has; then the whole config, as create read it. */
static int load_config(struct exec_job *j, struct berr *err)
{
	static const char *const exec_sections[] = { "process", "linux.personality", NULL };
	const char *record = spec_state_extra(&j->store.state, STATE_SECCOMP);

	if (record && (strcmp(record, "none") == 0 || load_recorded_seccomp(j, record))) {
		debug_log(j->ctx, "seccomp: %s", j->has_seccomp ? "the program create cached"
								: "none");
		return internal_load_config_only(&j->store, exec_sections, &j->cfg, err);
	}
	return internal_load_config(&j->store, &j->cfg, err);
}

static int open_container(struct exec_job *j, struct berr *err)
{
	const char *id = j->o->id;
	const char *status;
	int ret;

	ret = store_open(j->ctx->root, id, false, &j->store, err);
	if (ret < 0)
		return ret;
	j->stored = true;
	status = internal_status(&j->store);
	/* runc execs into a created container too: its init waits for
	 * start with the namespaces and root made. */
	j->paused = strcmp(status, "paused") == 0;
	if (j->paused && !j->o->ignore_paused)
		return berr_fail(err, EINVAL,
				"cannot exec in a paused container \"%s\" (resume it first, or "
				"use --ignore-paused)",
				id);
	if (!j->paused && strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
		return berr_fail(err, strcmp(status, "stopped") == 0 ? ESRCH : EINVAL,
				"cannot exec in container \"%s\": it is %s, not running", id,
				status);
	debug_log(j->ctx, "exec in container \"%s\" (%s, init pid %d)", id, status,
		  (int)j->store.state.pid);
	ret = load_config(j, err);
	if (ret < 0)
		return ret;
	ret = internal_cgroup(&j->store, &j->cgroup, err);
	if (ret < 0)
		return ret;
	j->has_cgroup = true;
	return 0;
}

/* The handles the children need: the init (pidfd), its root, the cgroup. */
static int open_handles(struct exec_job *j, struct berr *err)
{
	char path[64];
	int ret;

	j->init_pid = j->store.state.pid;
	ret = internal_init_pidfd(&j->store, err);
	if (ret == -ESRCH)
		return berr_fail(err, ESRCH, "cannot exec in container \"%s\": it is stopped",
				j->o->id);
	if (ret < 0)
		return ret;
	j->init_pidfd = ret;
	/* Its root as it sees it: pivot_root or chroot (--no-pivot) alike. */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)j->init_pid);
	j->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->rootfd < 0)
		return berr_sys(err, "open the container's root (%s)", path);
	/* The pidfd pins the process: if it is still the one we checked,
	 * the root we opened is its. */
	if (!proc_alive(j->init_pid, store_extra_ull(&j->store, "init_start")))
		return berr_fail(err, ESRCH, "cannot exec in container \"%s\": it stopped",
				j->o->id);
	j->setgroups_allowed = idmap_setgroups_allowed(j->init_pid);
	j->cgroup_fd = cgroup_open_v2(&j->cgroup, err);
	if (j->cgroup_fd < -1)
		return j->cgroup_fd;
	if (!j->has_seccomp && j->cfg->linux.seccomp.set) {
		ret = internal_seccomp_compile(j->ctx, &j->cfg->linux.seccomp, &j->seccomp, NULL,
					       err);
		if (ret < 0)
			return ret;
		j->has_seccomp = true;
	}
	if (j->o->console_socket) {
		j->console_fd = fdpass_connect(j->o->console_socket, err);
		if (j->console_fd < 0)
			return berr_wrap(err, j->console_fd, "console socket");
	}
	ret = sync_pair(j->sync, err);
	if (ret < 0)
		return ret;
	/* The preserved fds are the caller's; berth's own must lie above
	 * them (they do unless the caller left holes in 3..3+N-1). */
	{
		const int own[] = { j->sync[1], j->init_pidfd, j->rootfd, j->console_fd };

		for (size_t i = 0; i < sizeof(own) / sizeof(*own); i++)
			if (own[i] >= 3 && own[i] < 3 + j->o->preserve_fds)
				return berr_fail(err, EBADF,
						"--preserve-fds %d: fd %d is not open in the "
						"caller",
						j->o->preserve_fds, own[i]);
	}
	return 0;
}

/* --- the children -------------------------------------------------- */

static void reset_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
}

_Noreturn static void fail(int sync_fd, const struct berr *err, int status)
{
	sync_send_error(sync_fd, err);
	_exit(status);
}

/* The process: enter the root, become the program. */
_Noreturn static void process_main(struct exec_job *j)
{
	struct psetup ps = {
		.proc = &j->proc,
		.personality = &j->cfg->linux.personality,
		.seccomp = j->has_seccomp ? &j->seccomp : NULL,
		.setgroups_allowed = j->setgroups_allowed,
		.keyring_id = j->store.state.id,
		.no_new_keyring = store_extra_ull(&j->store, "no_new_keyring") != 0,
	};
	int sync_fd = j->sync[1];
	struct berr err = { 0 };
	int listener = -1;

	/* First, so that the parent knows whom to signal and to name to a
	 * seccomp agent whatever happens next. */
	if (sync_send(sync_fd, SYNC_INIT_PID, j->spawned, NULL, -1, &err) < 0)
		_exit(1);
	reset_signals();
	/* setns put us at the mount namespace's root; the container's root
	 * is where its init is (they differ with --no-pivot). */
	if (fchdir(j->rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		berr_sys(&err, "enter the container's root");
		fail(sync_fd, &err, 1);
	}
	close(j->rootfd);
	if (psetup_early(&ps, &err) < 0 ||
	    (j->proc.terminal && psetup_console(&ps, j->console_fd, sync_fd, false, &err) < 0) ||
	    psetup_user(&ps, &err) < 0 || process_close_fds(j->o->preserve_fds, &err) < 0)
		fail(sync_fd, &err, 1);
	if (psetup_final(&ps, &listener, &err) < 0)
		fail(sync_fd, &err, 1);
	/* The first call under the filter: the agent gets the listener
	 * before anything we do could wait for it. */
	if (listener >= 0) {
		if (sync_send(sync_fd, SYNC_SECCOMP, 0, NULL, listener, &err) < 0)
			_exit(1);
		close(listener);
	}
	psetup_exec(&ps, &err);
	fail(sync_fd, &err, err.errnum == EACCES ? 126 : 127);
}

static int process_entry(void *j)
{
	process_main(j);
}

/* The process's stack while it shares the joiner's memory (the joiner
 * sleeps until the process has called execve): a mapping of its own, not
 * a part of the joiner's stack, which the caller's RLIMIT_STACK bounds. */
#define PROCESS_STACK (256 * 1024)

/* The joiner: into the namespaces, then make the process. */
_Noreturn static void joiner_main(struct exec_job *j)
{
	void *stack;
	int keep[4 + (j->v1_tasks ? j->cgroup.n_v1 : 0)];
	size_t n = 0;
	int sync_fd = j->sync[1];
	struct berr err = { 0 };
	struct sync_msg m;
	pid_t pid;

	/* Until execve this is berth's binary in the container's world:
	 * nothing there may attach to it or open /proc/PID/exe. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (j->o->has_stdio)
		for (int fd = 0; fd < 3; fd++)
			if (j->o->stdio[fd] >= 0 && j->o->stdio[fd] != fd &&
			    dup2(j->o->stdio[fd], fd) < 0)
				_exit(1);
	keep[n++] = sync_fd;
	keep[n++] = j->init_pidfd;
	keep[n++] = j->rootfd;
	for (size_t i = 0; j->v1_tasks && j->v1_tasks[i] >= 0; i++)
		keep[n++] = j->v1_tasks[i];
	if (j->console_fd >= 0)
		keep[n++] = j->console_fd;
	/* Nothing of the caller's beyond stdio and the preserved fds. */
	process_close_fds_except(3 + j->o->preserve_fds, keep, n);
	if (sync_expect(sync_fd, SYNC_GO, &m, &err) < 0)
		_exit(1);
	if (j->v1_tasks && cgroup_join_v1_self(&j->cgroup, j->v1_tasks, &err) < 0)
		fail(sync_fd, &err, 1);
	if (ns_join_process(j->init_pidfd, j->init_pid, &err) < 0)
		fail(sync_fd, &err, 1);
	close(j->init_pidfd);
	stack = mmap(NULL, PROCESS_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		berr_sys(&err, "map a stack for the process");
		fail(sync_fd, &err, 1);
	}
	pid = spawn_sibling_vfork(process_entry, j, stack, PROCESS_STACK, &j->spawned, &err);
	if (pid < 0)
		fail(sync_fd, &err, 1);
	/* The process has called execve or is gone.  Its pid once more, for
	 * a process killed before it could say it. */
	if (sync_send(sync_fd, SYNC_INIT_PID, pid, NULL, -1, &err) < 0)
		_exit(1);
	_exit(0);
}

/* --- the parent ---------------------------------------------------- */

/* The joiner joins the v1 hierarchies itself, sparing the wait a write
 * of its pid would cost (cgroup_open_v1_tasks), when clone3 places it in
 * the v2 cgroup (or there is none).  Not in a paused container: its
 * freezer would stop the joiner half-way through the others. */
static int open_v1_tasks(struct exec_job *j, struct berr *err)
{
	if (!j->has_cgroup || !j->cgroup.n_v1 || j->paused ||
	    (j->cgroup_fd < 0 && j->cgroup.v2_dir))
		return 0;
	return cgroup_open_v1_tasks(&j->cgroup, &j->v1_tasks, err);
}

static int spawn_joiner(struct exec_job *j, struct berr *err)
{
	bool self;
	pid_t pid;
	int ret;

	ret = open_v1_tasks(j, err);
	if (ret < 0)
		return ret;
	/* The joiner waits for GO until it is in every cgroup of the
	 * container.  When clone3 can place it in the v2 one and it joins
	 * the v1 ones itself, GO is in the socket before it exists: it never
	 * waits for us. */
	self = j->v1_tasks != NULL;
	pid = sync_spawn((j->cgroup_fd >= 0 || !j->cgroup.v2_dir) && (j->cgroup.n_v1 == 0 || self),
			 0, &j->cgroup_fd, NULL, j->sync, &j->go_sent, err);
	if (pid == 0)
		joiner_main(j);
	cgroup_close_v1_tasks(&j->v1_tasks);
	if (pid < 0)
		return pid;
	j->joiner = pid;
	debug_log(j->ctx, "joiner process %d started", (int)pid);
	close_fd(&j->sync[1]);
	if (j->go_sent)
		return 0;
	/* CLONE_INTO_CGROUP covers the v2 tree but on an old kernel; the
	 * v1 hierarchies the joiner does not join itself take it by pid
	 * before it goes on. */
	ret = j->cgroup_fd < 0 ? cgroup_enter_v2(&j->cgroup, pid, err) : 0;
	if (ret == 0 && !self)
		ret = cgroup_enter_v1(&j->cgroup, pid, err);
	if (ret == 0)
		ret = sync_send(j->sync[0], SYNC_GO, 0, NULL, -1, err);
	return ret;
}

/* In a paused container the joiner is frozen from the moment it is in
 * the cgroup, and the dialog lasts until `resume`, which needs the lock
 * exclusively: it is let go now.  Nothing is opened to a race by that:
 * the status was checked and every handle taken under the lock, and the
 * joiner (then the process) is already in the container's cgroup, so a
 * delete or `kill --all` in the meantime ends it with the rest, and the
 * dialog then fails as for a process that died during set-up. */
static void wait_unlocked(struct exec_job *j)
{
	if (!j->paused)
		return;
	store_unlock(&j->store);
	debug_log(j->ctx, "the container is paused: its lock let go, the process waits for resume");
}

static int to_agent(struct exec_job *j, int listener, struct berr *err)
{
	struct spec_state s = j->store.state;

	s.status = "running";
	return seccomp_agent_send(&j->cfg->linux.seccomp, &s, j->pid, listener, err);
}

/* The process's pid, from the process and again from the joiner.  It is
 * our child (CLONE_PARENT), so until we reap it its pid cannot be
 * reused, and a pidfd opened by pid is its. */
static int take_pid(struct exec_job *j, pid_t pid, struct berr *err)
{
	if (j->pid > 0)
		return 0;
	if (pid <= 0)
		return berr_fail(err, EPROTO, "exec: the process sent no pid");
	j->pid = pid;
	debug_log(j->ctx, "process %d made in the container's namespaces", (int)pid);
	j->pidfd = sys_pidfd_open(pid, 0);
	if (j->pidfd < 0)
		return berr_sys(err, "pidfd of the process %d", (int)pid);
	return 0;
}

/* Until the process execs (its end closes) or fails. */
static int dialog(struct exec_job *j, struct berr *err)
{
	int ret = 0;

	while (ret == 0) {
		struct sync_msg m;
		int fd = -1;

		ret = sync_recv_or_eof(j->sync[0], &m, &fd, err);
		if (ret <= 0)
			break;
		ret = 0;
		switch (m.type) {
		case SYNC_INIT_PID:
			ret = take_pid(j, (pid_t)m.value, err);
			break;
		case SYNC_TTY:
			j->tty_master = fd;
			fd = -1;
			break;
		case SYNC_SECCOMP:
			ret = to_agent(j, fd, err);
			break;
		default:
			ret = berr_fail(err, EPROTO, "exec: unexpected message %u", m.type);
		}
		if (fd >= 0)
			close(fd);
	}
	/* Both ends are closed: the joiner is gone or about to be. */
	if (ret == 0 && j->joiner > 0) {
		waitpid(j->joiner, NULL, 0);
		j->joiner = 0;
	}
	if (ret == 0 && j->pid <= 0 && j->paused)
		ret = berr_fail(err, ECHILD,
			       "exec: the process died while it waited for the paused container "
			       "to resume");
	else if (ret == 0 && j->pid <= 0)
		ret = berr_fail(err, ECHILD, "exec: the process died during setup");
	return ret;
}

static void undo(struct exec_job *j)
{
	struct berr ignored;

	if (j->pidfd >= 0)
		proc_signal(j->pidfd, SIGKILL, &ignored);
	if (j->pid > 0)
		waitpid(j->pid, NULL, 0);
	if (j->joiner > 0) {
		kill(j->joiner, SIGKILL);
		waitpid(j->joiner, NULL, 0);
	}
	close_fd(&j->tty_master);
}

static void job_release(struct exec_job *j)
{
	close_fd(&j->init_pidfd);
	close_fd(&j->rootfd);
	close_fd(&j->cgroup_fd);
	close_fd(&j->console_fd);
	close_fd(&j->sync[0]);
	close_fd(&j->sync[1]);
	close_fd(&j->pidfd);
	seccomp_filter_release(&j->seccomp);
	if (j->has_cgroup)
		cgroup_release(&j->cgroup);
	if (j->stored)
		store_close(&j->store);
	if (j->cfg)
		spec_config_free(j->cfg);
	arena_release(&j->arena);
}

static int exec_steps(struct exec_job *j, struct berr *err)
{
	int ret;

	ret = open_container(j, err);
	if (ret == 0)
		ret = load_process(j, err);
	if (ret == 0)
		ret = apply_flags(j, err);
	if (ret == 0)
		ret = check_process(j, err);
	if (ret == 0)
		ret = open_handles(j, err);
	if (ret == 0)
		ret = spawn_joiner(j, err);
	if (ret == 0)
		wait_unlocked(j);
	if (ret == 0)
		ret = dialog(j, err);
	if (ret == 0)
		debug_log(j->ctx, "process %d runs %s", (int)j->pid, j->proc.args[0]);
	if (ret == 0 && j->o->pid_file)
		ret = internal_write_pid_file(j->o->pid_file, j->pid, err);
	return ret;
}

int rt_exec(const struct rt_ctx *ctx, const struct rt_exec_opts *o,
	    struct rt_execed *out, struct berr *err)
{
	struct exec_job j;
	int ret;

	out->pid = 0;
	out->tty_master = -1;
	ret = rt_check_id(o->id, err);
	if (ret < 0)
		return ret;
	job_init(&j, ctx, o);
	ret = exec_steps(&j, err);
	if (ret < 0) {
		undo(&j);
	} else {
		out->pid = j.pid;
		out->tty_master = steal_fd(&j.tty_master);
	}
	job_release(&j);
	return ret;
}
