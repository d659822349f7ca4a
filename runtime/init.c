/* The container process, from clone3 to execve.
 *
 * Order matters and follows runc's, which clients depend on:
 *   1. namespaces: join by path, user namespace maps (from the parent),
 *      cgroup namespace (after we are in our cgroups: the v1 ones joined
 *      here, or by the parent);
 *   2. process attributes that need privilege: oom score, rlimits,
 *      personality, scheduling, keyring (psetup_early);
 *   3. the root: mounts, /dev, the parent's prestart and createRuntime
 *      hooks, createContainer hooks, pivot_root, console, sysctl,
 *      read-only and masked paths, ro root;
 *   4. the user: bounding set, uid/gid, capabilities, cwd; the program is
 *      looked up now so that create fails when it cannot be run
 *      (psetup_user);
 *   5. READY, then wait for `start` on the exec socket, which brings the
 *      state for the startContainer hooks;
 *   6. startContainer hooks, LSM labels, no_new_privs, seccomp (last, so
 *      the filter need not allow the runtime's own calls; its
 *      notification fd goes to `start` at once), execve (psetup_final).
 *
 * Steps 2, 4 and 6 are runtime/process_setup.c, shared with exec. */
#include "runtime/init.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isolation/capabilities.h"
#include "isolation/console.h"
#include "isolation/dev.h"
#include "isolation/fdpass.h"
#include "isolation/idmap.h"
#include "isolation/mounts.h"
#include "isolation/namespaces.h"
#include "isolation/paths.h"
#include "isolation/process.h"
#include "isolation/rootfs.h"
#include "isolation/sysctl.h"
#include "runtime/hooks.h"
#include "runtime/process_setup.h"
#include "runtime/sync.h"
#include "spec/base/cleanup.h"

/* What the init carries from one step to the next. */
struct init_state {
	const struct init_plan *p;
	struct psetup ps;
	char *hook_state; /* state JSON for the createContainer hooks */
	size_t hook_state_len;
	char *start_state; /* state JSON for the startContainer hooks */
	size_t start_state_len;
	bool filtered; /* the last steps and the seccomp filter are done */
};

uint64_t init_clone_flags(const struct init_plan *p)
{
	uint64_t flags = 0;

	/* The cgroup namespace is made later, once the parent has put us in
	 * our cgroups, so that its root is the container's cgroup. */
	for (int t = 0; t < NS_TYPES; t++)
		if (p->new_ns[t] && t != NS_CGROUP && t != NS_TIME)
			flags |= ns_clone_flag((enum spec_ns_type)t);
	return flags;
}

/* In a user namespace, new or joined: device nodes cannot be made. */
static bool in_userns(const struct init_plan *p)
{
	return spec_namespace_find(p->cfg, NS_USER) != NULL;
}

static int join_paths(const struct init_plan *p, bool user, struct berr *err)
{
	const struct spec_config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->linux.n_namespaces; i++) {
		const struct spec_namespace *ns = &cfg->linux.namespaces[i];
		int ret;

		if (!ns->path || (ns->type == NS_USER) != user)
			continue;
		ret = ns_join(ns->path, ns->type, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int wait_go(int fd, struct berr *err)
{
	struct sync_msg m;

	return sync_expect(fd, SYNC_GO, &m, err);
}

/* Become root of a new user namespace once the parent mapped it. */
static int become_ns_root(struct berr *err)
{
	if (setresgid(0, 0, 0) < 0)
		return berr_sys(err, "setgid 0 in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return berr_sys(err, "setuid 0 in the user namespace");
	return 0;
}

/* First stage: join, unshare, fork the init, report its pid, exit. */
static int stage_one(const struct init_plan *p, struct berr *err)
{
	uint64_t flags = 0;
	int gate[2];
	pid_t pid;
	char c;
	int ret;

	ret = wait_go(p->sync_fd, err);
	if (ret == 0 && p->v1_tasks)
		ret = cgroup_join_v1_self(p->cgroup, p->v1_tasks, err);
	if (ret == 0)
		ret = join_paths(p, false, err);
	if (ret == 0)
		ret = join_paths(p, true, err);
	/* In a joined user namespace our host uid 0 is unmapped: become its
	 * root, or everything we create would belong to nobody. */
	if (ret == 0 && in_userns(p) && !p->new_ns[NS_USER])
		ret = become_ns_root(err);
	if (ret < 0)
		return ret;
	if (p->new_ns[NS_USER]) {
		if (unshare(CLONE_NEWUSER) < 0)
			return berr_sys(err, "unshare the user namespace");
		ret = sync_send(p->sync_fd, SYNC_USERNS, 0, NULL, -1, err);
		if (ret == 0)
			ret = wait_go(p->sync_fd, err);
		if (ret == 0)
			ret = become_ns_root(err);
		if (ret < 0)
			return ret;
	}
	for (int t = 0; t < NS_TYPES; t++)
		if (p->new_ns[t] && t != NS_USER && t != NS_CGROUP)
			flags |= ns_clone_flag((enum spec_ns_type)t);
	if (flags && unshare((int)flags) < 0)
		return berr_sys(err, "unshare namespaces");
	if (p->new_ns[NS_TIME]) {
		/* A non-dumpable process's /proc/self belongs to the host's
		 * root, which a new user namespace does not map: be dumpable
		 * for this one write (nothing of the container runs yet). */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		ret = ns_time_offsets(&p->cfg->linux.time_monotonic,
				      &p->cfg->linux.time_boottime, err);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (ret < 0)
			return ret;
	}
	if (pipe2(gate, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	pid = fork();
	if (pid < 0)
		return berr_sys(err, "fork the container init");
	if (pid == 0) {
		/* The init speaks only after its pid reached the parent. */
		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		close(gate[0]);
		return 0;
	}
	close(gate[0]);
	ret = sync_send(p->sync_fd, SYNC_INIT_PID, pid, NULL, -1, err);
	if (ret == 0 && write(gate[1], "", 1) != 1)
		ret = berr_sys(err, "release the init");
	_exit(ret == 0 ? 0 : 1);
}

static int enter_namespaces(const struct init_plan *p, struct berr *err)
{
	const struct spec_config *cfg = p->cfg;
	int ret;

	if (p->two_stage) {
		ret = stage_one(p, err);
	} else {
		ret = wait_go(p->sync_fd, err);
		if (ret == 0 && p->v1_tasks)
			ret = cgroup_join_v1_self(p->cgroup, p->v1_tasks, err);
		if (ret == 0 && p->new_ns[NS_USER])
			ret = become_ns_root(err);
		if (ret == 0)
			ret = join_paths(p, false, err);
	}
	if (ret < 0)
		return ret;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (p->new_ns[NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0)
		return berr_sys(err, "unshare the cgroup namespace");
	if (cfg->hostname && *cfg->hostname) {
		ret = ns_set_hostname(cfg->hostname, err);
		if (ret < 0)
			return ret;
	}
	if (cfg->domainname && *cfg->domainname)
		return ns_set_domainname(cfg->domainname, err);
	return 0;
}

/* /dev is set up unless the config binds the host's /dev there. */
static bool wants_dev_setup(const struct spec_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/dev") != 0)
			continue;
		if (m->type && strcmp(m->type, "bind") == 0)
			return false;
		for (size_t j = 0; j < m->n_options; j++)
			if (!strcmp(m->options[j], "bind") || !strcmp(m->options[j], "rbind"))
				return false;
	}
	return true;
}

/* The parent's prestart and createRuntime hooks run here: namespaces
 * exist, pivot_root has not happened.  It answers with the state JSON
 * for our createContainer hooks (a memfd) when we have any. */
static int parent_hooks(struct init_state *s, struct berr *err)
{
	struct sync_msg m;
	cleanup_close int fd = -1;
	int ret;

	ret = sync_send(s->p->sync_fd, SYNC_HOOKS, 0, NULL, -1, err);
	if (ret < 0)
		return ret;
	ret = sync_recv(s->p->sync_fd, &m, &fd, err);
	if (ret < 0)
		return ret;
	if (m.type != SYNC_HOOKS_DONE)
		return berr_set(err, EPROTO, "container setup: expected the hooks to finish");
	if (fd >= 0) {
		off_t size = lseek(fd, 0, SEEK_END);

		s->hook_state = malloc((size_t)size + 1);
		if (!s->hook_state || pread(fd, s->hook_state, (size_t)size, 0) != size)
			return berr_sys(err, "read the state for hooks");
		s->hook_state[size] = '\0';
		s->hook_state_len = (size_t)size;
	}
	return 0;
}

static int mount_all(const struct init_plan *p, int rootfd, struct berr *err)
{
	const struct spec_config *cfg = p->cfg;
	struct mounts_ctx mctx = {
		.rootfd = rootfd,
		.bundle = p->bundle,
		.cgroupns = p->new_ns[NS_CGROUP],
	};
	int ret;

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		mctx.bind_fd = p->bind_fds ? p->bind_fds[i] : -1;
		ret = mounts_apply(&mctx, &cfg->mounts[i], err);
		if (ret < 0)
			return ret;
	}
	if (wants_dev_setup(cfg))
		return dev_setup(rootfd, cfg->linux.devices, cfg->linux.n_devices,
				 p->bind_devices, err);
	for (size_t i = 0; i < cfg->linux.n_devices; i++) {
		ret = dev_create(rootfd, &cfg->linux.devices[i], p->bind_devices, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The last mount at /dev decides whether it ends read-only. */
static bool dev_readonly(const struct spec_config *cfg)
{
	bool ro = false;

	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (mounts_is_dev(&cfg->mounts[i]))
			ro = mounts_dev_wants_readonly(&cfg->mounts[i]);
	return ro;
}

/* No mount namespace: the rootfs is bound in the caller's, and the
 * parent records that mount (a failed create or delete detaches it, with
 * all below it) before anything is mounted there. */
static int rootfs_in_place(const struct init_plan *p, struct berr *err)
{
	int fd = rootfs_prepare_in_place(p->rootfs, err);
	int id, ret;

	if (fd < 0)
		return fd;
	ret = rootfs_mount_id(fd, &id, err);
	if (ret == 0)
		ret = sync_send(p->sync_fd, SYNC_HOST_MOUNT, id, NULL, -1, err);
	if (ret == 0)
		ret = wait_go(p->sync_fd, err);
	if (ret == 0)
		return fd;
	/* The parent may not know the mount: take it away ourselves. */
	close(fd);
	umount2(p->rootfs, MNT_DETACH);
	return ret;
}

static int setup_rootfs(struct init_state *s, struct berr *err)
{
	const struct init_plan *p = s->p;
	const struct spec_config *cfg = p->cfg;
	/* New or joined (by path, as runc: the joined namespace gets the
	 * container's mounts and pivot_root). */
	bool mount_ns = spec_namespace_find(cfg, NS_MOUNT) != NULL;
	cleanup_close int rootfd = -1;
	int ret;

	if (mount_ns)
		rootfd = rootfs_prepare(p->rootfs, cfg->linux.rootfs_propagation, err);
	else
		rootfd = rootfs_in_place(p, err);
	if (rootfd < 0)
		return rootfd;
	ret = mount_all(p, rootfd, err);
	if (ret == 0 && p->parent_hooks)
		ret = parent_hooks(s, err);
	/* createContainer hooks run in the rootfs, so that their relative
	 * paths land there, as with runc. */
	if (ret == 0 && hooks_any(&cfg->hooks, HOOK_CREATE_CONTAINER) && fchdir(rootfd) < 0)
		ret = berr_sys(err, "chdir to rootfs");
	if (ret == 0 && hooks_any(&cfg->hooks, HOOK_CREATE_CONTAINER))
		ret = hooks_run(&cfg->hooks, HOOK_CREATE_CONTAINER, s->hook_state,
				s->hook_state_len, 0, err);
	/* Without a mount namespace of its own the container only gets
	 * chroot, as with runc: pivot_root or MS_MOVE would move the
	 * caller's root. */
	if (ret == 0)
		ret = mount_ns ? rootfs_enter(rootfd, p->no_pivot, err) : rootfs_chroot(rootfd, err);
	if (ret < 0)
		return ret;
	close(steal_fd(&rootfd));
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berr_sys(err, "open the new root");
	ret = psetup_make_cwd(&s->ps, err);
	if (ret < 0)
		return ret;
	if (cfg->process.terminal) {
		ret = psetup_console(&s->ps, p->console_fd, p->sync_fd, true, err);
		if (ret < 0)
			return ret;
	}
	ret = sysctl_apply(cfg->linux.sysctl, cfg->linux.n_sysctl, err);
	if (ret == 0)
		ret = paths_readonly(rootfd, cfg->linux.readonly_paths,
				     cfg->linux.n_readonly_paths, err);
	if (ret == 0)
		ret = paths_mask(rootfd, cfg->linux.masked_paths, cfg->linux.n_masked_paths,
				 err);
	if (ret == 0 && dev_readonly(cfg))
		ret = mounts_dev_readonly(rootfd, err);
	if (ret == 0)
		ret = rootfs_finish(cfg->root.readonly, cfg->linux.rootfs_propagation, err);
	return ret;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Block until `start` connects to the exec socket; returns the
 * connection, on which a failed exec reports its error.  start sends
 * "s", a 32-bit length and the state JSON for the startContainer hooks;
 * all of it is read even without hooks (unread data would reset the
 * connection). */
static int wait_start(struct init_state *s, struct berr *err)
{
	const struct init_plan *p = s->p;
	uint32_t len;
	int conn;
	char c;

	do {
		conn = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return berr_sys(err, "wait for start");
	close(p->listen_fd);
	if (read_all(conn, &c, 1) < 0 || c != 's' || read_all(conn, &len, sizeof(len)) < 0 ||
	    len > 1 << 24) {
		close(conn);
		return berr_set(err, ECONNRESET, "start went away");
	}
	s->start_state = malloc((size_t)len + 1);
	if (!s->start_state || read_all(conn, s->start_state, len) < 0) {
		close(conn);
		return berr_set(err, ECONNRESET, "start went away");
	}
	s->start_state[len] = '\0';
	s->start_state_len = len;
	return conn;
}

static int final_steps(struct init_state *s, int conn, struct berr *err)
{
	const struct spec_hooks *hooks = &s->p->cfg->hooks;
	const struct spec_process *proc = &s->p->cfg->process;
	int listener = -1;
	int ret = 0;

	if (hooks_any(hooks, HOOK_START_CONTAINER))
		ret = hooks_run_env(hooks, HOOK_START_CONTAINER, s->start_state,
				    s->start_state_len, (const char *const *)proc->env,
				    proc->n_env, err);
	if (ret == 0 && !s->filtered)
		ret = psetup_final(&s->ps, &listener, err);
	return ret;
}

/* A filter with SCMP_ACT_NOTIFY rules goes on at create, as runc puts
 * it: its listener reaches the agent then, so that an agent that is gone
 * fails create, not start.  The wait for start and the startContainer
 * hooks then run under the filter (and the other last steps: no new
 * privileges, the exec labels), as in runc; every other filter waits
 * until just before execve. */
static int filter_early(struct init_state *s, struct berr *err)
{
	int listener = -1;
	int ret;

	if (!s->ps.seccomp || !s->ps.seccomp->notify)
		return 0;
	ret = psetup_final(&s->ps, &listener, err);
	if (ret < 0)
		return ret;
	s->filtered = true;
	/* The first calls under the filter: create hands the listener to
	 * the agent, which then answers our notifications. */
	ret = sync_send(s->p->sync_fd, SYNC_SECCOMP, 0, NULL, listener, err);
	close(listener);
	return ret;
}

static void reset_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
}

/* Nothing of the caller's but stdio and the preserved fds stays in the
 * container process, which may wait in `created` for long (the
 * CVE-2016-9962 class): only the sync socket, the exec socket, the
 * console socket, the bind sources opened early and the v1 "tasks" files
 * it writes at once cross.  The parent's end of the sync socket goes too,
 * or the process would never see the parent die. */
static void close_inherited(const struct init_plan *p)
{
	size_t n_binds = p->bind_fds ? p->cfg->n_mounts : 0;
	size_t n_v1 = p->v1_tasks ? p->cgroup->n_v1 : 0;
	int keep[3 + n_binds + n_v1];
	size_t n = 0;

	for (size_t i = 0; i < n_v1 && p->v1_tasks[i] >= 0; i++)
		keep[n++] = p->v1_tasks[i];
	keep[n++] = p->sync_fd;
	keep[n++] = p->listen_fd;
	if (p->console_fd >= 0)
		keep[n++] = p->console_fd;
	/* The bind sources the parent opened before the user namespace
	 * existed (see open_bind_sources in create.c). */
	for (size_t i = 0; i < n_binds; i++)
		if (p->bind_fds[i] >= 0)
			keep[n++] = p->bind_fds[i];
	process_close_fds_except(3 + p->preserve_fds, keep, n);
}

_Noreturn static void fail(int fd, const struct berr *err)
{
	sync_send_error(fd, err);
	_exit(1);
}

_Noreturn void init_run(const struct init_plan *p)
{
	struct init_state s = {
		.p = p,
		.ps = {
			.proc = &p->cfg->process,
			.personality = &p->cfg->linux.personality,
			.seccomp = p->seccomp,
			.no_new_keyring = p->no_new_keyring,
			.keyring_id = p->id,
			.keyring_finder = in_userns(p) ? KEYRING_FINDER_ANYONE
						       : KEYRING_FINDER_OWNER,
			/* Root writes gid_map, so setgroups stays allowed;
			 * an unprivileged parent may have denied it (see
			 * enter_namespaces). */
			.setgroups_allowed = true,
			.cwd_origin = "config.json",
		},
	};
	struct berr err = { 0 };
	int conn;

	/* Until execve this process runs berth's binary: keep other
	 * processes of the container from opening it through
	 * /proc/PID/exe (the CVE-2019-5736 class) or attaching to it. */
	if (!p->dumpable_until_maps)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int i = 0; i < p->n_close_fds; i++)
		close(p->close_fds[i]);
	for (int fd = 0; fd < 3; fd++)
		if (p->stdio[fd] >= 0 && p->stdio[fd] != fd && dup2(p->stdio[fd], fd) < 0)
			_exit(1);
	close_inherited(p);
	reset_signals();
	if (enter_namespaces(p, &err) < 0)
		fail(p->sync_fd, &err);
	if (p->new_ns[NS_USER])
		s.ps.setgroups_allowed = idmap_setgroups_allowed(0);
	if (psetup_early(&s.ps, &err) < 0 ||
	    setup_rootfs(&s, &err) < 0 || psetup_user(&s.ps, &err) < 0 ||
	    process_close_fds(p->preserve_fds, &err) < 0 || filter_early(&s, &err) < 0)
		fail(p->sync_fd, &err);
	if (!p->ready_at_exec) {
		if (sync_send(p->sync_fd, SYNC_READY, 0, NULL, -1, &err) < 0)
			_exit(1);
		close(p->sync_fd);
	}

	conn = wait_start(&s, &err);
	if (conn < 0)
		_exit(1);
	if (final_steps(&s, conn, &err) == 0)
		psetup_exec(&s.ps, &err);
	/* After start nobody reads the sync socket: tell `start` instead. */
	if (write(conn, err.msg, strlen(err.msg)) < 0) {
		/* nobody to tell */
	}
	_exit(err.errnum == EACCES ? 126 : 127);
}
