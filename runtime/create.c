/* create: everything up to the user's program, which then waits for
 * start.  Nothing is left behind when any step fails: the state
 * directory, the cgroup and the container process go with the error. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolation/capabilities.h"
#include "isolation/cgroup.h"
#include "isolation/mounts.h"
#include "isolation/fdpass.h"
#include "spec/base/fsutil.h"
#include "isolation/proc.h"
#include "isolation/rootfs.h"
#include "isolation/seccomp.h"
#include "isolation/spawn.h"
#include "runtime/cancel.h"
#include "runtime/debug.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/internal.h"
#include "runtime/seccomp_agent.h"
#include "runtime/seccomp_cache.h"
#include "runtime/seccomp_cache_raw.h"
#include "runtime/rootless.h"
#include "runtime/runtime.h"
#include "runtime/store.h"
#include "runtime/sync.h"
#include "runtime/systemd.h"
#include "runtime/validate.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"
#include "spec/names.h"

struct create_job {
	const struct rt_ctx *ctx;
	const struct rt_create_opts *o;
	struct spec_config *cfg;
	char *raw_config;
	size_t raw_len;
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	struct store_container store;
	bool stored;
	char *cgroup_path;
	struct cgroup cgroup;
	bool no_cgroup; /* unprivileged, without a delegated subtree */
	bool cgroup_made;
	struct seccomp_filter_prog seccomp;
	struct spec_span profile; /* linux.seccomp's bytes, when set aside */
	bool seccomp_ready;       /* the program came from the raw index */
	bool go_sent; /* before the clone: see go_early() */
	int listen_fd, console_fd, cgroup_fd, pidfd;
	int *bind_fds; /* see open_bind_sources */
	int *v1_tasks; /* see open_v1_tasks */
	bool v1_self;  /* the process joins its v1 hierarchies itself */
	size_t n_bind_fds;
	int sync[2];
	int tty_master;
	pid_t first; /* the process clone3 made */
	pid_t pid;   /* the init (== first unless two stages) */
	int host_mount; /* without a mount namespace: the rootfs bind's mount id */
	uint64_t start_time;
	char created[48];
	struct init_plan plan;
	/* run: the connection to the exec socket, made as soon as the init
	 * exists (see preconnect()). */
	bool run;
	bool rootless; /* rt_rootless(), asked once: it reads /proc/self/uid_map */
	int start_fd;
	/* What the state record points into. */
	char *cgroup_text;
	char pidbuf[32], startbuf[32], hooks[128], mountbuf[16];
	char seccomp_name[SECCOMP_CACHE_NAME_SIZE];
	char seccomp_record[16 + SECCOMP_CACHE_NAME_SIZE]; /* see STATE_SECCOMP */
	struct spec_kv extra[6];
	char what[128]; /* "create of container \"ID\"", for an interruption */
};

static void job_init(struct create_job *j, const struct rt_ctx *ctx,
		     const struct rt_create_opts *o)
{
	memset(j, 0, sizeof(*j));
	j->ctx = ctx;
	j->o = o;
	j->listen_fd = j->console_fd = j->cgroup_fd = j->pidfd = -1;
	j->sync[0] = j->sync[1] = -1;
	j->tty_master = -1;
	j->start_fd = -1;
	j->store.dirfd = -1;
	snprintf(j->what, sizeof(j->what), "create of container \"%s\"", o->id);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* config.json, its seccomp profile set aside when a cache may have the
 * program made of its bytes (seccomp_cache_raw.h): on a hit the profile
 * is never built; on a miss it is read on its own, with the errors the
 * whole parse would give, and compiled in prepare_process as before. */
static int parse_config(struct create_job *j, struct berr *err)
{
	const char *dir = internal_seccomp_cache_dir(j->ctx);
	const char *text;
	int ret;

	if (!*dir)
		return spec_config_parse(j->raw_config, j->raw_len, &j->cfg, err);
	ret = spec_config_parse_aside(j->raw_config, j->raw_len, &j->cfg, &j->profile, err);
	if (ret <= 0)
		return ret;
	text = j->raw_config + j->profile.off;
	if (seccomp_raw_load(dir, text, j->profile.len, &j->seccomp, j->seccomp_name) == 0) {
		j->seccomp_ready = true;
		debug_log(j->ctx, "seccomp: the program cached for the profile's text (%zu bytes, "
			  "not parsed)", j->profile.len);
		return 0;
	}
	debug_log(j->ctx, "seccomp: no program cached for the profile's text: parsed");
	return spec_config_parse_seccomp(j->raw_config, &j->profile, j->cfg, err);
}

static int load_bundle(struct create_job *j, struct berr *err)
{
	cleanup_free char *path = NULL;
	const char *root;
	int ret;

	if (!realpath(j->o->bundle ? j->o->bundle : ".", j->bundle))
		return berr_sys(err, "bundle %s", j->o->bundle ? j->o->bundle : ".");
	if (asprintf(&path, "%s/config.json", j->bundle) < 0)
		return berr_sys(err, "bundle");
	ret = fsutil_read_file(path, &j->raw_config, &j->raw_len, err);
	if (ret < 0)
		return ret;
	ret = parse_config(j, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	root = j->cfg->root.path;
	if (!root || !*root)
		return berr_fail(err, EINVAL, "%s: .root.path is required", path);
	if ((size_t)snprintf(j->rootfs, sizeof(j->rootfs), "%s%s%s",
			     root[0] == '/' ? "" : j->bundle, root[0] == '/' ? "" : "/",
			     root) >= sizeof(j->rootfs))
		return berr_set(err, ENAMETOOLONG, "rootfs %s", root);
	if (access(j->rootfs, F_OK) < 0)
		return berr_sys(err, "rootfs %s", j->rootfs);
	return 0;
}

/* Without a mount namespace the container's root is bound over the
 * rootfs in the caller's mount namespace: over the caller's own root
 * that cannot be done (runc mounts the container's mounts and devices
 * straight onto the host's then). */
static int check_shared_rootfs(const struct create_job *j, struct berr *err)
{
	if (spec_namespace_find(j->cfg, NS_MOUNT) || !rootfs_is_caller_root(j->rootfs))
		return 0;
	return berr_fail(err, EINVAL,
			".root.path: %s is the caller's root directory; without a mount "
			"namespace the container's mounts and devices would land on it "
			"(give the container a mount namespace)",
			j->rootfs);
}

/* The fds that cross into the container must be the caller's: one that
 * is not open would be taken by one of berth's own (the state directory,
 * a socket) and cross instead. */
static int check_passed_fds(const struct rt_create_opts *o, struct berr *err)
{
	for (int fd = 3; fd < 3 + o->listen_fds + o->preserve_fds; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (fd < 3 + o->listen_fds)
			return berr_fail(err, EBADF, "LISTEN_FDS=%d: fd %d is not open",
					o->listen_fds, fd);
		return berr_fail(err, EBADF, "--preserve-fds %d: fd %d is not open",
				o->preserve_fds, fd);
	}
	return 0;
}

/* Socket activation: the process learns of its sockets as from systemd,
 * with itself (pid 1 in its pid namespace) as LISTEN_PID.  Appended, so
 * they win over the config's (the last of a key wins). */
static int add_listen_env(struct create_job *j, struct berr *err)
{
	struct spec_process *p = &j->cfg->process;
	struct arena *a = &j->cfg->arena;
	char fds[32];
	const char **env;

	if (j->o->listen_fds <= 0)
		return 0;
	snprintf(fds, sizeof(fds), "LISTEN_FDS=%d", j->o->listen_fds);
	env = arena_alloc(a, (p->n_env + 3) * sizeof(*env));
	if (!env)
		return berr_set(err, ENOMEM, "socket activation");
	memcpy(env, p->env, p->n_env * sizeof(*env));
	env[p->n_env] = arena_strdup(a, fds);
	env[p->n_env + 1] = "LISTEN_PID=1";
	env[p->n_env + 2] = NULL;
	if (!env[p->n_env])
		return berr_set(err, ENOMEM, "socket activation");
	p->env = env;
	p->n_env += 2;
	return 0;
}

/* Which namespaces are new, and whether one clone3 can make them all. */
static void plan_namespaces(struct create_job *j)
{
	const struct spec_config *cfg = j->cfg;
	struct init_plan *p = &j->plan;
	bool paths = false;

	for (size_t i = 0; i < cfg->linux.n_namespaces; i++) {
		const struct spec_namespace *ns = &cfg->linux.namespaces[i];

		if (ns->path)
			paths = true;
		else
			p->new_ns[ns->type] = true;
	}
	/* Joining a pid or time namespace, or giving a new time namespace
	 * its offsets, takes a process that forks the init afterwards; so
	 * does a user namespace next to joined ones, which must be entered
	 * while berth still holds the host's privileges. */
	p->two_stage = (paths && p->new_ns[NS_USER]) || p->new_ns[NS_TIME];
	for (size_t i = 0; i < cfg->linux.n_namespaces; i++) {
		enum spec_ns_type t = cfg->linux.namespaces[i].type;

		if (cfg->linux.namespaces[i].path &&
		    (t == NS_USER || t == NS_PID || t == NS_TIME))
			p->two_stage = true;
	}
}

/* --debug: which namespaces are new and which joined, and how. */
static void debug_namespaces(const struct create_job *j)
{
	const struct spec_config *cfg = j->cfg;
	char made[128] = "", joined[2048] = "";
	size_t m = 0, n = 0;

	if (!j->ctx->debug)
		return;
	for (size_t i = 0; i < cfg->linux.n_namespaces; i++) {
		const struct spec_namespace *ns = &cfg->linux.namespaces[i];
		const char *name = names_name(names_namespaces, ns->type);

		if (ns->path && n < sizeof(joined))
			n += (size_t)snprintf(joined + n, sizeof(joined) - n, " %s (%s)", name,
					      ns->path);
		else if (!ns->path && m < sizeof(made))
			m += (size_t)snprintf(made + m, sizeof(made) - m, " %s", name);
	}
	debug_log(j->ctx, "namespaces: new:%s; joined:%s; %s", m ? made : " none",
		  n ? joined : " none",
		  j->plan.two_stage ? "two stages (a process that forks the init)"
				    : "one clone3");
}

/* The state record, pointing into the job. */
static int fill_state(struct create_job *j, const char *status, struct spec_state *s,
		      struct berr *err)
{
	free(j->cgroup_text);
	j->cgroup_text = cgroup_serialize(&j->cgroup);
	if (!j->cgroup_text)
		return berr_sys(err, "state");
	snprintf(j->pidbuf, sizeof(j->pidbuf), "%d", (int)j->pid);
	snprintf(j->startbuf, sizeof(j->startbuf), "%llu", (unsigned long long)j->start_time);
	internal_hooks_summary(&j->cfg->hooks, j->hooks, sizeof(j->hooks));
	j->extra[0] = (struct spec_kv){ "init_start", j->startbuf };
	j->extra[1] = (struct spec_kv){ "cgroup", j->cgroup_text };
	j->extra[2] = (struct spec_kv){ "rootfs_readonly", j->cfg->root.readonly ? "1" : "0" };
	j->extra[3] = (struct spec_kv){ "hooks", j->hooks };
	internal_state_fill(s, j->o->id, status, j->pid, j->bundle, j->rootfs, j->created,
			    j->cfg);
	s->extra = j->extra;
	s->n_extra = 4;
	if (j->seccomp_record[0])
		j->extra[s->n_extra++] = (struct spec_kv){ STATE_SECCOMP, j->seccomp_record };
	if (j->host_mount > 0) {
		snprintf(j->mountbuf, sizeof(j->mountbuf), "%d", j->host_mount);
		j->extra[s->n_extra++] = (struct spec_kv){ "host_mount", j->mountbuf };
	}
	/* An exec'd process keeps the caller's keyring too, as runc's. */
	if (j->o->no_new_keyring)
		j->extra[s->n_extra++] = (struct spec_kv){ "no_new_keyring", "1" };
	return 0;
}

static int save_state(struct create_job *j, const char *status, struct berr *err)
{
	struct spec_state s;
	int ret = fill_state(j, status, &s, err);

	return ret < 0 ? ret : store_save(&j->store, &s, err);
}

static int save_config_copy(struct create_job *j, struct berr *err)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/" STORE_CONFIG, j->store.dir) < 0)
		return berr_sys(err, "config copy");
	return fsutil_write_atomic_synced(path, j->raw_config, j->raw_len, 0600, err);
}

/* A container put in a frozen cgroup (one frozen before, or below a
 * frozen parent) would hang at its first step: refused, as runc does. */
static int refuse_frozen(const struct cgroup *cg, const char *path, struct berr *err)
{
	struct berr ignored = { 0 };
	bool frozen = false;

	if (cgroup_is_frozen(cg, &frozen, &ignored) < 0 || !frozen)
		return 0;
	return berr_fail(err, EBUSY, "cgroup %s is frozen: thaw it before creating a container there",
			 path);
}

/* Where the cgroups will be, recorded before any of them exists: a
 * crash while they are made leaves a state that delete cleans from. */
static int locate_cgroup(struct create_job *j, struct berr *err)
{
	int ret;

	/* "slice:prefix:name" paths and systemd units are not berth's: better
	 * refused than made into odd directories. */
	if (j->ctx->systemd_cgroup)
		return systemd_cgroup_refuse(err);
	ret = cgroup_spec_path(j->cfg->linux.cgroups_path, j->o->id, &j->cgroup_path, err);
	if (ret == 0 && j->rootless)
		ret = rootless_cgroup(&j->cfg->linux.resources, j->o->id, &j->cgroup_path,
				      &j->cgroup, &j->no_cgroup, err);
	if (ret == 0 && !j->no_cgroup)
		ret = cgroup_locate(&j->cgroup, j->cgroup_path, false, err);
	if (ret == 0)
		ret = save_state(j, "creating", err);
	return ret;
}

static int prepare_cgroup(struct create_job *j, struct berr *err)
{
	const struct spec_resources *res = &j->cfg->linux.resources;
	cleanup_free char *planned = NULL;
	int ret;

	if (j->no_cgroup) {
		debug_log(j->ctx, "no cgroup: an unprivileged caller without a delegated subtree");
		return 0;
	}
	planned = steal_ptr(j->cgroup_text);
	/* The device program is loaded once the container process exists
	 * (see dialog()): the kernel's check of it then overlaps the
	 * process's own set-up.  locate_cgroup named the directories. */
	ret = cgroup_make_nodev(&j->cgroup, res->set ? res : NULL, err);
	if (ret < 0)
		return ret;
	j->cgroup_made = true;
	ret = refuse_frozen(&j->cgroup, j->cgroup_path, err);
	if (ret < 0)
		return ret;
	debug_log(j->ctx, "cgroup %s made (v1 hierarchies: %zu)", j->cgroup_path,
		  j->cgroup.n_v1);
	j->cgroup_fd = cgroup_open_v2(&j->cgroup, err);
	if (j->cgroup_fd < -1)
		return j->cgroup_fd;
	/* Someone made a parent in between: the record says less now. */
	j->cgroup_text = cgroup_serialize(&j->cgroup);
	if (!j->cgroup_text || !planned || strcmp(j->cgroup_text, planned) != 0)
		return save_state(j, "creating", err);
	return 0;
}

/* The container process (the first stage of two) joins its v1
 * hierarchies itself, which spares the wait a write of its pid would
 * cost (cgroup_open_v1_tasks), when clone3 places it in the v2 cgroup
 * (or there is none) and it is not born in a new user namespace: it
 * joins before it enters any namespace. */
static int open_v1_tasks(struct create_job *j, struct berr *err)
{
	if (!j->cgroup_made || !j->cgroup.n_v1 ||
	    (!j->plan.two_stage && j->plan.new_ns[NS_USER]) ||
	    (j->cgroup_fd < 0 && j->cgroup.v2_dir))
		return 0;
	j->v1_self = true;
	return cgroup_open_v1_tasks(&j->cgroup, &j->v1_tasks, err);
}

/* The socket `start` connects to.  Its path may be long (containerd's
 * roots are), so it is bound through the state directory's fd. */
static int prepare_exec_socket(struct create_job *j, struct berr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	j->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (j->listen_fd < 0)
		return berr_sys(err, "exec socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" STORE_EXEC_SOCK,
		 j->store.dirfd);
	if (bind(j->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(j->listen_fd, 1) < 0)
		return berr_sys(err, "exec socket in %s", j->store.dir);
	return 0;
}

/* What exec needs to find the program without the profile (see
 * STATE_SECCOMP); a program with a listener goes with its profile's
 * listenerPath, which exec reads from the config. */
static void record_seccomp(struct create_job *j)
{
	if (!j->cfg->linux.seccomp.set)
		snprintf(j->seccomp_record, sizeof(j->seccomp_record), "none");
	else if (j->seccomp_name[0] && !j->seccomp.notify)
		snprintf(j->seccomp_record, sizeof(j->seccomp_record), "%x:%s", j->seccomp.flags,
			 j->seccomp_name);
}

static int prepare_process(struct create_job *j, struct berr *err)
{
	int ret;

	if (j->cfg->linux.seccomp.set && !j->seccomp_ready) {
		ret = internal_seccomp_compile(j->ctx, &j->cfg->linux.seccomp, &j->seccomp,
					       j->seccomp_name, err);
		if (ret < 0)
			return ret;
		if (j->profile.len && j->seccomp_name[0])
			seccomp_raw_store(internal_seccomp_cache_dir(j->ctx),
					  j->raw_config + j->profile.off, j->profile.len,
					  &j->seccomp, j->seccomp_name);
	}
	record_seccomp(j);
	ret = prepare_exec_socket(j, err);
	if (ret < 0)
		return ret;
	if (j->o->console_socket) {
		j->console_fd = fdpass_connect(j->o->console_socket, err);
		if (j->console_fd < 0)
			return berr_wrap(err, j->console_fd, "console socket");
	}
	return sync_pair(j->sync, err);
}

/* run: start is certain, so the start message (with the state the
 * startContainer hooks read) waits on the exec socket before the init is
 * even set up: the init finds it when it is ready and goes on to the
 * user's program without waiting for us. */
static int preconnect(struct create_job *j, struct berr *err)
{
	cleanup_free char *json = NULL;
	struct spec_state s;
	size_t len;
	int ret;

	if (!j->run)
		return 0;
	internal_state_fill(&s, j->o->id, "created", j->pid, j->bundle, j->rootfs, j->created,
			    j->cfg);
	ret = spec_state_oci_json(&s, &json, &len, err);
	if (ret < 0)
		return ret;
	j->start_fd = internal_start_connect(&j->store, err);
	if (j->start_fd < 0)
		return j->start_fd;
	return internal_start_send(j->start_fd, json, len, err);
}

/* preconnect(); when no one listens for the start any more, the process
 * ended before it got there, and what it said on the sync socket on its
 * way out (a failed setup step) is the reason to report, not the refused
 * connection.  It may also end between our connect and our write, which
 * then fails with EPIPE (or ECONNRESET): the same case. */
static int preconnect_or_reason(struct create_job *j, struct berr *err)
{
	struct sync_msg m;
	struct berr own;
	int fd = -1, ret = preconnect(j, err);

	if (ret != -ECONNREFUSED && ret != -EPIPE && ret != -ECONNRESET)
		return ret;
	if (cancel_wait(j->sync[0], j->ctx->cancel_fd, j->what, &own) == 0 &&
	    sync_recv_or_eof(j->sync[0], &m, &fd, &own) < 0) {
		*err = own;
		ret = own.errnum ? -own.errnum : -EINVAL;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* In a new user namespace the container may not reach a bind source
 * that only the host's root may: each is opened here, before that
 * namespace exists, and the container process mounts what it gets. */
static int open_bind_sources(struct create_job *j, struct berr *err)
{
	const struct mounts_ctx mctx = { .rootfd = -1, .bundle = j->bundle, .bind_fd = -1 };
	const struct spec_config *cfg = j->cfg;

	if (!j->plan.new_ns[NS_USER] || !cfg->n_mounts)
		return 0;
	j->bind_fds = malloc(cfg->n_mounts * sizeof(*j->bind_fds));
	if (!j->bind_fds)
		return berr_sys(err, "bind sources");
	for (size_t i = 0; i < cfg->n_mounts; i++)
		j->bind_fds[i] = mounts_bind_open(&mctx, &cfg->mounts[i]);
	j->n_bind_fds = cfg->n_mounts;
	j->plan.bind_fds = j->bind_fds;
	return 0;
}

static void fill_plan(struct create_job *j)
{
	struct init_plan *p = &j->plan;
	const struct spec_hooks *h = &j->cfg->hooks;

	p->cfg = j->cfg;
	p->bundle = j->bundle;
	p->rootfs = j->rootfs;
	p->sync_fd = j->sync[1];
	p->listen_fd = j->listen_fd;
	p->console_fd = j->console_fd;
	p->tty_to_parent = j->o->foreground_tty;
	p->preserve_fds = j->o->listen_fds + j->o->preserve_fds;
	for (int fd = 0; fd < 3; fd++)
		p->stdio[fd] = j->o->has_stdio ? j->o->stdio[fd] : -1;
	p->no_pivot = j->o->no_pivot;
	p->dumpable_until_maps = rootless_caller() && p->new_ns[NS_USER];
	p->bind_devices = spec_namespace_find(j->cfg, NS_USER) != NULL || j->rootless;
	p->no_new_keyring = j->o->no_new_keyring;
	p->id = j->o->id;
	p->parent_hooks = hooks_any(h, HOOK_PRESTART) || hooks_any(h, HOOK_CREATE_RUNTIME) ||
			  hooks_any(h, HOOK_CREATE_CONTAINER);
	p->seccomp = j->cfg->linux.seccomp.set ? &j->seccomp : NULL;
	p->cgroup = &j->cgroup;
	p->v1_tasks = j->v1_tasks;
	/* preconnect() sends the start message before the dialog. */
	p->ready_at_exec = j->run && !p->two_stage;
	p->close_fds[p->n_close_fds++] = j->store.dirfd;
	if (j->cgroup_fd >= 0)
		p->close_fds[p->n_close_fds++] = j->cgroup_fd;
}

/* The container process waits for GO until the parent has done what it
 * cannot do itself: write its id maps, put it in v1 cgroups it does not
 * join itself.  When there is nothing of the sort (clone3 places it in
 * its v2 cgroup, it joins the v1 ones, no new user namespace), GO is in
 * the socket before the process exists, and it never waits for the
 * parent to be scheduled. */
static bool go_early(const struct create_job *j)
{
	if (j->plan.two_stage || j->plan.new_ns[NS_USER])
		return false;
	return !j->cgroup_made || j->v1_self || (j->cgroup_fd >= 0 && j->cgroup.n_v1 == 0);
}

static int spawn(struct create_job *j, struct berr *err)
{
	uint64_t flags = j->plan.two_stage ? 0 : init_clone_flags(&j->plan);
	pid_t pid;

	if (j->plan.two_stage && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return berr_sys(err, "become a subreaper");
	pid = sync_spawn(go_early(j), flags, &j->cgroup_fd, &j->pidfd, j->sync, &j->go_sent,
			 err);
	if (pid < 0)
		return pid;
	if (pid == 0)
		init_run(&j->plan);
	debug_log(j->ctx, "container process %d started", (int)pid);
	j->first = pid;
	close_fd(&j->sync[1]);
	cgroup_close_v1_tasks(&j->v1_tasks);
	j->plan.v1_tasks = NULL;
	/* The listener is the container process's alone: if it dies before
	 * it accepts the start, the pending connection is reset and run's
	 * start sees that, rather than waiting on a listener we hold. */
	close_fd(&j->listen_fd);
	if (!j->plan.two_stage)
		j->pid = pid;
	return 0;
}

static int write_maps(struct create_job *j, pid_t pid, struct berr *err)
{
	return rootless_write_maps(pid, &j->cfg->linux, err);
}

/* The state JSON handed to hooks, in a memfd for the container side. */
static int hook_state(struct create_job *j, const char *status, char **json,
		      size_t *len, struct berr *err)
{
	struct spec_state s;

	internal_state_fill(&s, j->o->id, status, j->pid, j->bundle, j->rootfs, j->created,
			    j->cfg);
	return spec_state_oci_json(&s, json, len, err);
}

/* prestart hooks see the state "created", as crun gives them and the
 * runtime-tools validation wants. */
static int prestart(struct create_job *j, struct berr *err)
{
	cleanup_free char *json = NULL;
	size_t len;
	int ret;

	if (!hooks_any(&j->cfg->hooks, HOOK_PRESTART))
		return 0;
	ret = hook_state(j, "created", &json, &len, err);
	if (ret == 0)
		ret = hooks_run(&j->cfg->hooks, HOOK_PRESTART, json, len, j->ctx->cancel_fd, err);
	return ret;
}

static int run_parent_hooks(struct create_job *j, struct berr *err)
{
	const struct spec_hooks *h = &j->cfg->hooks;
	cleanup_free char *json = NULL;
	cleanup_close int memfd = -1;
	size_t len;
	int ret;

	ret = prestart(j, err);
	if (ret == 0 && hooks_any(h, HOOK_PRESTART))
		debug_log(j->ctx, "prestart hooks run (%zu)", h->n[HOOK_PRESTART]);
	if (ret == 0)
		ret = hook_state(j, "creating", &json, &len, err);
	if (ret == 0)
		ret = hooks_run(h, HOOK_CREATE_RUNTIME, json, len, j->ctx->cancel_fd, err);
	if (ret < 0)
		return ret;
	if (hooks_any(h, HOOK_CREATE_RUNTIME))
		debug_log(j->ctx, "createRuntime hooks run (%zu)", h->n[HOOK_CREATE_RUNTIME]);
	if (hooks_any(h, HOOK_CREATE_CONTAINER)) {
		memfd = memfd_create("state", MFD_CLOEXEC);
		if (memfd < 0 || write(memfd, json, len) != (ssize_t)len)
			return berr_sys(err, "state for hooks");
	}
	return sync_send(j->sync[0], SYNC_HOOKS_DONE, 0, NULL, memfd, err);
}

static int adopt_init(struct create_job *j, pid_t pid, struct berr *err)
{
	int status;

	j->pid = pid;
	/* The first stage exits once it reported: reap it, so the init is
	 * re-parented to us (we are a subreaper). */
	waitpid(j->first, &status, 0);
	close_fd(&j->pidfd);
	j->pidfd = sys_pidfd_open_checked(pid, err);
	if (j->pidfd < 0)
		return j->pidfd;
	return preconnect_or_reason(j, err);
}

/* --debug: what the container process did by itself before it said it
 * was ready. */
static void debug_ready(const struct create_job *j)
{
	const char *how = j->o->no_pivot ? "MS_MOVE and chroot (--no-pivot)" : "pivot_root";

	if (!j->plan.new_ns[NS_MOUNT])
		how = "none: the mount namespace is joined";
	debug_log(j->ctx, "container process %d set up: %zu mounts, root entered by %s%s",
		  (int)j->pid, j->cfg->n_mounts, how,
		  hooks_any(&j->cfg->hooks, HOOK_CREATE_CONTAINER) ? ", createContainer hooks run"
								   : "");
}

/* The container process installed a filter that notifies: its listener
 * goes to the seccomp agent, with the state as runc gives it then. */
static int hand_to_agent(struct create_job *j, int listener, struct berr *err)
{
	struct spec_state s;
	int ret = fill_state(j, "creating", &s, err);

	if (ret == 0)
		ret = seccomp_agent_send(&j->cfg->linux.seccomp, &s, j->pid, listener, err);
	if (ret == 0)
		debug_log(j->ctx, "seccomp listener handed to the agent at %s",
			  j->cfg->linux.seccomp.listener_path);
	return ret;
}

/* Answer the container process until it says it is ready. */
static int dialog(struct create_job *j, struct berr *err)
{
	int ret = 0;

	if (!j->go_sent) {
		if (!j->plan.two_stage && j->plan.new_ns[NS_USER])
			ret = write_maps(j, j->first, err);
		/* clone3 placed it in the v2 cgroup at most: the v2 one of
		 * an old kernel (no fd left: spawn_process closed it) and the
		 * v1 hierarchies of a hybrid or legacy host are joined here,
		 * before SYNC_GO lets it on, unless it joins the latter
		 * itself (v1_self).  Not v2 again when clone3 served it: a
		 * write to cgroup.procs waits for an RCU grace period. */
		if (ret == 0 && j->cgroup_made && j->cgroup_fd < 0)
			ret = cgroup_enter_v2(&j->cgroup, j->first, err);
		if (ret == 0 && j->cgroup_made && !j->v1_self)
			ret = cgroup_enter_v1(&j->cgroup, j->first, err);
		if (ret == 0)
			ret = sync_send(j->sync[0], SYNC_GO, 0, NULL, -1, err);
	}
	/* Before any message is answered: nothing of the container (a hook
	 * in its namespaces, its program) runs until we answer, or, for the
	 * program, until the start message is sent. */
	/* Not for an unprivileged caller: it may attach no device program,
	 * and rootless_cgroup refused device rules. */
	if (ret == 0 && !j->rootless) {
		const struct spec_resources *res = &j->cfg->linux.resources;

		ret = cgroup_apply_devices(&j->cgroup, res->set ? res : NULL, err);
	}
	if (ret == 0 && !j->plan.two_stage)
		ret = preconnect_or_reason(j, err);
	while (ret == 0) {
		struct sync_msg m;
		int fd = -1;

		ret = cancel_wait(j->sync[0], j->ctx->cancel_fd, j->what, err);
		if (ret == 0)
			ret = sync_recv_or_eof(j->sync[0], &m, &fd, err);
		/* The socket's end without READY: the process executed its
		 * program (or died, which the start's outcome tells). */
		if (ret == 0 && j->plan.ready_at_exec) {
			debug_ready(j);
			return 0;
		}
		if (ret == 0)
			ret = berr_fail(err, ECHILD, "the container process exited during setup");
		if (ret < 0)
			break;
		ret = 0; /* a message (1): each case below answers it or fails */
		switch (m.type) {
		case SYNC_USERNS:
			ret = write_maps(j, j->first, err);
			if (ret == 0)
				ret = sync_send(j->sync[0], SYNC_GO, 0, NULL, -1, err);
			break;
		case SYNC_INIT_PID:
			ret = adopt_init(j, (pid_t)m.value, err);
			break;
		case SYNC_HOOKS:
			ret = run_parent_hooks(j, err);
			break;
		case SYNC_HOST_MOUNT:
			/* Recorded before anything is mounted below it, so
			 * that delete --force after a kill of create finds it. */
			j->host_mount = m.value;
			ret = save_state(j, "creating", err);
			if (ret == 0)
				ret = sync_send(j->sync[0], SYNC_GO, 0, NULL, -1, err);
			break;
		case SYNC_TTY:
			j->tty_master = fd;
			fd = -1;
			break;
		case SYNC_SECCOMP:
			ret = hand_to_agent(j, fd, err);
			break;
		case SYNC_READY:
			debug_ready(j);
			return 0;
		default:
			ret = berr_fail(err, EPROTO, "unexpected message %u from the container",
				       m.type);
		}
		if (fd >= 0)
			close(fd);
	}
	return ret;
}

static void undo(struct create_job *j)
{
	struct berr ignored;

	if (j->pidfd >= 0) {
		proc_signal(j->pidfd, SIGKILL, &ignored);
		proc_wait_exit(j->pidfd, 5000);
	}
	if (j->first > 0)
		waitpid(j->first, NULL, 0);
	if (j->pid > 0 && j->pid != j->first)
		waitpid(j->pid, NULL, WNOHANG);
	if (j->cgroup_made)
		cgroup_destroy(&j->cgroup, &ignored);
	if (j->host_mount > 0)
		rootfs_release(j->rootfs, j->host_mount, &ignored);
	if (j->stored)
		store_remove(&j->store, &ignored);
}

static void job_release(struct create_job *j)
{
	for (size_t i = 0; i < j->n_bind_fds; i++)
		close_fd(&j->bind_fds[i]);
	free(j->bind_fds);
	cgroup_close_v1_tasks(&j->v1_tasks);
	close_fd(&j->listen_fd);
	close_fd(&j->console_fd);
	close_fd(&j->cgroup_fd);
	close_fd(&j->pidfd);
	close_fd(&j->sync[0]);
	close_fd(&j->sync[1]);
	close_fd(&j->start_fd);
	free(j->cgroup_text);
	free(j->cgroup_path);
	seccomp_filter_release(&j->seccomp);
	cgroup_release(&j->cgroup);
	store_close(&j->store);
	if (j->cfg)
		spec_config_free(j->cfg);
	free(j->raw_config);
}

static int create_steps(struct create_job *j, struct berr *err)
{
	int ret;

	ret = store_create(j->ctx->root, j->o->id, &j->store, err);
	if (ret < 0)
		return ret;
	j->stored = true;
	timestamp_now(j->created, sizeof(j->created));
	ret = save_config_copy(j, err);
	/* The state is recorded before the cgroups and any process exist,
	 * so that a crash from here on leaves enough for `delete`. */
	if (ret == 0)
		ret = locate_cgroup(j, err);
	if (ret == 0)
		ret = prepare_cgroup(j, err);
	if (ret == 0)
		ret = open_v1_tasks(j, err);
	if (ret == 0)
		ret = prepare_process(j, err);
	/* Between steps and in every wait (hooks, the dialog) the caller
	 * may give up: undo() then removes what was made. */
	if (ret == 0)
		ret = cancel_check(j->ctx->cancel_fd, j->what, err);
	if (ret < 0)
		return ret;
	fill_plan(j);
	ret = open_bind_sources(j, err);
	if (ret == 0)
		ret = spawn(j, err);
	if (ret == 0)
		ret = dialog(j, err);
	if (ret == 0)
		ret = cancel_check(j->ctx->cancel_fd, j->what, err);
	if (ret < 0)
		return ret;
	if (proc_stat(j->pid, &j->start_time, NULL) < 0)
		return berr_fail(err, ESRCH, "the container process exited during setup");
	ret = save_state(j, "created", err);
	if (ret == 0)
		debug_log(j->ctx, "container \"%s\" created, init pid %d", j->o->id, (int)j->pid);
	if (ret == 0 && j->o->pid_file)
		ret = internal_write_pid_file(j->o->pid_file, j->pid, err);
	return ret;
}

static int create(const struct rt_ctx *ctx, const struct rt_create_opts *o, bool run,
		  struct rt_created *out, struct berr *err)
{
	struct create_job j;
	bool start_failed = false;
	int ret;

	out->pid = 0;
	out->tty_master = -1;
	job_init(&j, ctx, o);
	j.run = run;
	j.rootless = rt_rootless();
	debug_log(ctx, "%s container \"%s\"", run ? "run" : "create", o->id);
	ret = rt_check_id(o->id, err);
	if (ret == 0)
		ret = check_passed_fds(o, err);
	if (ret == 0)
		ret = load_bundle(&j, err);
	if (ret == 0) {
		debug_log(ctx, "config %s/config.json loaded: rootfs %s", j.bundle, j.rootfs);
		ret = add_listen_env(&j, err);
	}
	if (ret == 0)
		ret = validate_for_create(j.cfg, o->console_socket != NULL,
					  o->foreground_tty, err);
	if (ret == 0)
		ret = check_shared_rootfs(&j, err);
	if (ret == 0) {
		caps_warn(&j.cfg->process.caps, ctx->warn, ctx->warn_arg);
		internal_drop_kernel_memory(ctx, &j.cfg->linux.resources.memory);
		plan_namespaces(&j);
		debug_namespaces(&j);
		ret = create_steps(&j, err);
		if (ret < 0) {
			debug_log(ctx, "create failed, removing what it made: %s", err->msg);
			undo(&j);
		}
	}
	if (ret == 0) {
		out->pid = j.pid;
		out->tty_master = steal_fd(&j.tty_master);
	}
	/* run: the container is created, its state saved; start it with
	 * what we hold (the lock, the config, the connection). */
	if (ret == 0 && run) {
		ret = fill_state(&j, "created", &j.store.state, err);
		j.store.has_state = ret == 0;
		if (ret == 0)
			ret = internal_start_finish(ctx, &j.store, j.cfg, j.start_fd, err);
		start_failed = ret < 0;
	}
	close_fd(&j.tty_master);
	job_release(&j);
	/* A container that could not start goes (once its lock is ours no
	 * more), with its poststop hooks, as a delete would. */
	if (start_failed) {
		struct berr ignored;

		if (out->tty_master >= 0)
			close(out->tty_master);
		out->tty_master = -1;
		rt_delete(ctx, o->id, true, &ignored);
	}
	return ret;
}

int rt_create(const struct rt_ctx *ctx, const struct rt_create_opts *o,
	      struct rt_created *out, struct berr *err)
{
	return create(ctx, o, false, out, err);
}

int rt_run(const struct rt_ctx *ctx, const struct rt_create_opts *o,
	   struct rt_created *out, struct berr *err)
{
	return create(ctx, o, true, out, err);
}
