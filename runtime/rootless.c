#include "runtime/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/cgroup_res.h"
#include "isolation/idmap.h"
#include "isolation/proc.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"

bool rootless_caller(void)
{
	return geteuid() != 0;
}

/* The initial user namespace maps every id to itself. */
static bool in_child_userns(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/uid_map", "re");
	char buf[64] = "";
	unsigned a = 0, b = 0, n = 0;

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	return sscanf(buf, "%u %u %u", &a, &b, &n) != 3 || a != 0 || b != 0 ||
	       n != 4294967295u;
}

bool rt_rootless(void)
{
	return rootless_caller() || in_child_userns();
}

/* The first field of res that asks something of a cgroup, in out (""
 * when none does). */
static int asked_field(const struct spec_resources *res, char *out, size_t size,
		       struct berr *err)
{
	cleanup_free struct cgroup_res_need *needs = NULL;
	size_t n = 0;
	int ret;

	out[0] = '\0';
	if (!res->set)
		return 0;
	/* Device rules too: without a cgroup nothing would enforce them. */
	if (res->n_devices) {
		snprintf(out, size, "devices");
		return 0;
	}
	ret = cgroup_res_needs(res, &needs, &n, err);
	if (ret == 0 && n)
		snprintf(out, size, "%s", needs[0].field);
	return ret;
}

/* A default (/berth/<id>) or relative cgroupsPath, below the cgroup the
 * delegated subtree gives the caller's containers, as a path from the v2
 * root: the caller may move itself on the way (cgroup_delegated_base),
 * and later commands, run from elsewhere, find the same place.  An
 * absolute path the user chose stays as it is. */
static int delegated_path(char **path, const char *id, struct berr *err)
{
	char base[4096], *rel = *path, *out;
	bool dflt = strncmp(rel, "/berth/", 7) == 0 && strcmp(rel + 7, id) == 0;
	int ret;

	if (rel[0] == '/' && !dflt)
		return 0;
	ret = cgroup_delegated_base(base, sizeof(base), err);
	if (ret < 0)
		return ret;
	if (asprintf(&out, "%s/%s", strcmp(base, "/") ? base : "", dflt ? rel + 1 : rel) < 0)
		return berr_sys(err, "cgroup path");
	free(*path);
	*path = out;
	return 0;
}

int rootless_cgroup(const struct spec_resources *res, const char *id, char **path,
		    struct cgroup *cg, bool *none, struct berr *err)
{
	char why[4400], field[128];
	bool delegated;
	int ret;

	*none = false;
	ret = cgroup_delegated(&delegated, why, sizeof(why), err);
	if (ret < 0)
		return ret;
	if (delegated) {
		/* cgroup v2 enforces device rules with a BPF program, which
		 * only a privileged caller may attach. */
		if (res->set && res->n_devices)
			return berr_unsupported(err,
						"linux.resources.devices: berth runs rootless, and the "
						"device program of cgroup v2 needs CAP_SYS_ADMIN in the "
						"host's user namespace to be attached (a user namespace "
						"already keeps device nodes from being made)");

		return delegated_path(path, id, err);
	}
	ret = asked_field(res, field, sizeof(field), err);
	if (ret < 0)
		return ret;
	if (field[0])
		return berr_unsupported(err,
					"linux.resources.%s: berth runs rootless and the container "
					"gets no cgroup to hold limits: %s (run it without "
					"linux.resources, or in a cgroup v2 subtree delegated to the "
					"user)",
					field, why);
	*none = true;
	return cgroup_none_init(cg, *path, err);
}

/* Whether a map is only the caller's own id, which needs no helper. */
static bool own_only(const struct spec_id_mapping *m, size_t n, unsigned own)
{
	return n == 1 && m[0].host_id == own && m[0].size == 1;
}

int rootless_write_maps(pid_t pid, const struct spec_linux *l, struct berr *err)
{
	bool uid_own, gid_own;
	int ret;

	if (!rootless_caller())
		return idmap_write(pid, l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
				   l->n_gid_mappings, false, err);
	uid_own = own_only(l->uid_mappings, l->n_uid_mappings, geteuid());
	gid_own = own_only(l->gid_mappings, l->n_gid_mappings, getegid());
	if (uid_own)
		ret = idmap_write(pid, l->uid_mappings, 1, NULL, 0, false, err);
	else
		ret = idmap_write_helper(pid, "newuidmap", l->uid_mappings, l->n_uid_mappings,
					 err);
	if (ret < 0)
		return ret;
	/* The kernel lets an unprivileged writer of gid_map in only once
	 * setgroups is denied (a user could otherwise drop a group that
	 * denies it access); newgidmap decides that itself. */
	if (gid_own)
		return idmap_write(pid, NULL, 0, l->gid_mappings, 1, true, err);
	return idmap_write_helper(pid, "newgidmap", l->gid_mappings, l->n_gid_mappings, err);
}

int rootless_pids(pid_t init, pid_t **pids, size_t *n, struct berr *err)
{
	int ret = proc_pidns_members(init, pids, n, err);

	if (ret == -ESRCH)
		return 0;
	if (ret == -ENOTSUP)
		return berr_unsupported(err,
					"the container has neither a cgroup nor a pid namespace of "
					"its own: its processes cannot be told from others");
	return ret;
}

int rt_default_root(char *buf, size_t size, struct berr *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (!rootless_caller()) {
		snprintf(buf, size, "/run/berth");
		return 0;
	}
	if (xdg && xdg[0] == '/') {
		if ((size_t)snprintf(buf, size, "%s/berth", xdg) >= size)
			return berr_invalid(err, "XDG_RUNTIME_DIR is too long");
		return 0;
	}
	/* /tmp is everyone's: a directory someone else made there first
	 * (or a link) is not taken as ours. */
	snprintf(buf, size, "/tmp/berth-%u", (unsigned)geteuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", buf);
	if (lstat(buf, &st) < 0)
		return berr_sys(err, "%s", buf);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return berr_failk(err, BERR_CONFLICT, EPERM,
				  "%s: not a directory of uid %u's own with mode 0700 (set "
				  "XDG_RUNTIME_DIR or --root)",
				  buf, (unsigned)geteuid());
	return 0;
}

const char *rt_default_seccomp_cache(char *buf, size_t size)
{
	const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (!rootless_caller())
		return NULL;
	/* The host's cache is root's: an unprivileged user keeps its own. */
	if (cache && cache[0] == '/')
		snprintf(buf, size, "%s/berth/seccomp", cache);
	else if (home && home[0] == '/')
		snprintf(buf, size, "%s/.cache/berth/seccomp", home);
	else
		snprintf(buf, size, "%s", "");
	return buf;
}

/* The first range of user (a name, or the uid as digits) in an
 * /etc/subuid-style file: "user:start:count" lines. */
static bool subid_range(const char *file, const char *user, unsigned id, uint32_t *start,
			uint32_t *count)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512], idstr[16];

	if (!f)
		return false;
	snprintf(idstr, sizeof(idstr), "%u", id);
	while (fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b;

		if (!a || !(b = strchr(a + 1, ':')))
			continue;
		*a = '\0';
		if (strcmp(line, user) != 0 && strcmp(line, idstr) != 0)
			continue;
		*start = (uint32_t)strtoul(a + 1, NULL, 10);
		*count = (uint32_t)strtoul(b + 1, NULL, 10);
		return *count > 0;
	}
	return false;
}

/* The maps of a rootless berthd: the user's ids to 0, its ranges from 1. */
static void self_maps(const char *user, struct spec_linux *l, struct spec_id_mapping *u,
		      struct spec_id_mapping *g)
{
	uint32_t start, count;

	u[0] = (struct spec_id_mapping){ 0, (uint32_t)geteuid(), 1 };
	g[0] = (struct spec_id_mapping){ 0, (uint32_t)getegid(), 1 };
	l->uid_mappings = u;
	l->gid_mappings = g;
	l->n_uid_mappings = l->n_gid_mappings = 1;
	if (subid_range("/etc/subuid", user, (unsigned)geteuid(), &start, &count)) {
		u[1] = (struct spec_id_mapping){ 1, start, count };
		l->n_uid_mappings = 2;
	}
	if (subid_range("/etc/subgid", user, (unsigned)geteuid(), &start, &count)) {
		g[1] = (struct spec_id_mapping){ 1, start, count };
		l->n_gid_mappings = 2;
	}
}

int rootless_unshare(const char *user, struct berr *err)
{
	struct spec_id_mapping u[2], g[2];
	struct spec_linux l = { 0 };
	int go[2], done[2], status, ret = 0;
	pid_t self = getpid(), child;
	char c = 0;

	self_maps(user, &l, u, g);
	if (pipe2(go, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return berr_sys(err, "pipe");
	}
	/* The maps are written from outside the new namespace: by a child
	 * that stays where we were. */
	child = fork();
	if (child < 0) {
		ret = berr_sys(err, "fork");
		goto out;
	}
	if (child == 0) {
		struct berr cerr = { 0 };
		int r = read(go[0], &c, 1) == 1 ? rootless_write_maps(self, &l, &cerr) : -1;

		if (r < 0 && write(done[1], cerr.msg, strlen(cerr.msg)) < 0)
			_exit(2);
		_exit(r < 0 ? 1 : 0);
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		ret = berr_sys(err, "unshare a user and a mount namespace");
	if (write(go[1], "g", ret < 0 ? 0 : 1) < 0 && ret == 0)
		ret = berr_sys(err, "pipe");
	close(go[1]);
	go[1] = -1;
	close(done[1]);
	done[1] = -1;
	waitpid(child, &status, 0);
	if (ret == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		char msg[400] = "";
		ssize_t n = read(done[0], msg, sizeof(msg) - 1);

		msg[n > 0 ? n : 0] = '\0';
		ret = berr_fail(err, EPERM, "map the user namespace: %s",
				msg[0] ? msg : "failed");
	}
	if (ret == 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		ret = berr_sys(err, "become root in the user namespace");
	/* Nothing berthd mounts (layers, rootfs) reaches back out. */
	if (ret == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		ret = berr_sys(err, "make the mount namespace private");
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (done[i] >= 0)
			close(done[i]);
	}
	return ret;
}
