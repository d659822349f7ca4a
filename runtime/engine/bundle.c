/* The OCI bundle of a berthd container: config.json from what docker's
 * create asked for, in the shape dockerd gives containerd, plus the
 * files bind-mounted at /etc/hostname, /etc/hosts and /etc/resolv.conf.
 *
 * Choices, documented here and in the README:
 * - Privileged containers are refused: a privileged container gets every
 *   host device and no confinement, and this host's root cannot even grant
 *   the full capability set.
 * - The default capability set is docker's: CAP_MKNOD is granted, so a
 *   container can make device nodes, and the device rules (berth's one
 *   default policy, spec/config_default.h: deny all, then the runtime
 *   allows mknod of any node, the pseudo devices and the terminals) keep
 *   it from opening any other.  Masked and read-only paths are the same
 *   policy's.
 * - Seccomp: SecurityOpt seccomp=unconfined runs without a filter; other
 *   profiles are refused; by default the container gets berth's one
 *   default profile (spec/seccomp_default.c, an allow list like docker's)
 *   for the capabilities it holds, so --cap-add SYS_ADMIN also allows
 *   mount, as docker's profile does.
 * - Networks: host shares the host's; none, default and bridge get a new
 *   network namespace with only loopback (the shim brings lo up). */
#include "runtime/engine/bundle.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/config_default.h"
#include "spec/seccomp_default.h"
#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"
#include "spec/events.h"
#include "spec/json_write.h"
#include "spec/names.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const default_caps[] = {
	"CAP_CHOWN",	   "CAP_DAC_OVERRIDE", "CAP_FSETID",	 "CAP_FOWNER",
	"CAP_MKNOD",	   "CAP_NET_RAW",      "CAP_SETGID",	 "CAP_SETUID",
	"CAP_SETFCAP",	   "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	   "CAP_AUDIT_WRITE",  NULL,
};

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcasecmp(v[i], s) == 0)
			return true;
	return false;
}

/* "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN" as "CAP_NET_ADMIN"; NULL
 * when it names no capability ("ALL" is handled by the caller). */
static bool cap_canonical(const char *in, char *out, size_t size)
{
	long v;

	snprintf(out, size, "%s%s", strncasecmp(in, "CAP_", 4) == 0 ? "" : "CAP_", in);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return names_lookup(names_capabilities, out, &v) == 0;
}

int daemon_bundle_check_caps(char *const *add, char *const *drop, struct berr *err)
{
	char buf[64];

	for (size_t i = 0; add && add[i]; i++)
		if (strcasecmp(add[i], "ALL") != 0 && !cap_canonical(add[i], buf, sizeof(buf)))
			return berr_invalid(err, "unknown capability to add: \"%s\"", add[i]);
	for (size_t i = 0; drop && drop[i]; i++)
		if (strcasecmp(drop[i], "ALL") != 0 && !cap_canonical(drop[i], buf, sizeof(buf)))
			return berr_invalid(err, "unknown capability to drop: \"%s\"",
					 drop[i]);
	return 0;
}

static bool cap_in(char *const *v, const char *cap)
{
	char buf[64];

	for (size_t i = 0; v && v[i]; i++) {
		if (strcasecmp(v[i], "ALL") == 0)
			return true;
		if (cap_canonical(v[i], buf, sizeof(buf)) && strcmp(buf, cap) == 0)
			return true;
	}
	return false;
}

static bool has_cap(const struct daemon_spec *s, const char *cap)
{
	bool dflt = false;

	for (size_t i = 0; default_caps[i]; i++)
		dflt |= strcmp(default_caps[i], cap) == 0;
	if (cap_in(s->cap_drop, cap) && !cap_in(s->cap_add, cap))
		return false;
	if (strv_has(s->cap_drop, "ALL") && !cap_in(s->cap_add, cap))
		return false;
	return dflt || cap_in(s->cap_add, cap);
}

/* The capabilities the container holds, in the kernel's order: a
 * NULL-terminated list in out (room for CAPS_MAX + 1). */
#define CAPS_MAX 64
static void held_caps(const struct daemon_spec *s, const char **out)
{
	size_t n = 0;

	for (const struct name_value *nv = names_capabilities; nv->name && n < CAPS_MAX; nv++)
		if (has_cap(s, nv->name))
			out[n++] = nv->name;
	out[n] = NULL;
}

static void write_caps(struct jw *w, const struct daemon_spec *s)
{
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	const char *caps[CAPS_MAX + 1];

	held_caps(s, caps);
	jw_key(w, "capabilities");
	jw_map_open(w);
	for (size_t k = 0; k < 3; k++) {
		jw_key(w, sets[k]);
		jw_array_open(w);
		for (const char *const *c = caps; *c; c++)
			jw_str(w, *c);
		jw_array_close(w);
	}
	jw_map_close(w);
}

/* --- users ----------------------------------------------------------- */

/* Open a file of the container's root as the container would see it:
 * symlinks resolve inside the root. */
static FILE *open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(rootfd, path, &how);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "re");
	if (!f)
		close(fd);
	return f;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Find name (or uid) in /etc/passwd: fields 0 name, 2 uid, 3 gid. */
static int passwd_lookup(int rootfd, const char *who, bool numeric, unsigned *uid,
			 unsigned *gid, char *name, size_t name_size)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/passwd");
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *fields[7] = { 0 };
		char *save = NULL, *p = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		for (char *tok; n < 7 && (tok = strsep(&p, ":")); n++)
			fields[n] = tok;
		(void)save;
		if (n < 4 || !all_digits(fields[2]) || !all_digits(fields[3]))
			continue;
		if (numeric ? strcmp(fields[2], who) != 0 : strcmp(fields[0], who) != 0)
			continue;
		*uid = (unsigned)strtoul(fields[2], NULL, 10);
		*gid = (unsigned)strtoul(fields[3], NULL, 10);
		snprintf(name, name_size, "%s", fields[0]);
		return 0;
	}
	return -ENOENT;
}

static int group_lookup(int rootfd, const char *group, unsigned *gid)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/group");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line, *name, *pw, *id;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		pw = strsep(&p, ":");
		id = strsep(&p, ":");
		(void)pw;
		if (!name || !id || !all_digits(id) || strcmp(name, group) != 0)
			continue;
		*gid = (unsigned)strtoul(id, NULL, 10);
		return 0;
	}
	return -ENOENT;
}

/* Supplementary groups: every group that lists user as a member. */
static size_t member_groups(int rootfd, const char *user, unsigned primary, unsigned *out,
			    size_t max)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/group");
	char line[4096];
	size_t n = 0;

	while (user[0] && f && fgets(line, sizeof(line), f) && n < max) {
		char *p = line, *name, *pw, *id, *members, *m;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		pw = strsep(&p, ":");
		id = strsep(&p, ":");
		members = p;
		(void)name;
		(void)pw;
		if (!id || !all_digits(id) || !members)
			continue;
		while ((m = strsep(&members, ","))) {
			unsigned g = (unsigned)strtoul(id, NULL, 10);

			if (strcmp(m, user) == 0 && g != primary) {
				out[n++] = g;
				break;
			}
		}
	}
	return n;
}

struct user_ids {
	unsigned uid, gid;
	unsigned groups[32];
	size_t n_groups;
};

static int resolve_user(int rootfd, const char *spec, struct user_ids *u, struct berr *err)
{
	char user[256] = "", name[256] = "";
	const char *colon;
	const char *group = NULL;

	memset(u, 0, sizeof(*u));
	if (!spec || !*spec)
		spec = "0";
	colon = strchr(spec, ':');
	snprintf(user, sizeof(user), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec),
		 spec);
	if (colon)
		group = colon + 1;
	if (passwd_lookup(rootfd, user, all_digits(user), &u->uid, &u->gid, name,
			  sizeof(name)) < 0) {
		if (!all_digits(user))
			return berr_invalid(err,
					 "unable to find user %s: no matching entries in passwd "
					 "file",
					 user);
		u->uid = (unsigned)strtoul(user, NULL, 10);
		u->gid = 0;
	}
	if (group && *group) {
		if (all_digits(group))
			u->gid = (unsigned)strtoul(group, NULL, 10);
		else if (group_lookup(rootfd, group, &u->gid) < 0)
			return berr_invalid(err,
					 "unable to find group %s: no matching entries in group "
					 "file",
					 group);
	}
	u->n_groups = member_groups(rootfd, name, u->gid, u->groups, 32);
	return 0;
}

/* --- mounts ------------------------------------------------------------ */

static void mount_entry(struct jw *w, const char *dest, const char *type, const char *src,
			const char *const *opts)
{
	jw_map_open(w);
	jw_kstr(w, "destination", dest);
	jw_kstr(w, "type", type);
	jw_kstr(w, "source", src);
	jw_key(w, "options");
	jw_array_open(w);
	for (size_t i = 0; opts[i]; i++)
		jw_str(w, opts[i]);
	jw_array_close(w);
	jw_map_close(w);
}

int daemon_bundle_parse_bind(const char *bind, struct daemon_bind *b, struct berr *err)
{
	const char *p = bind, *c1, *c2;

	memset(b, 0, sizeof(*b));
	c1 = strchr(p, ':');
	if (!c1)
		return berr_invalid(err, "invalid bind \"%s\": expected SOURCE:DESTINATION",
				 bind);
	c2 = strchr(c1 + 1, ':');
	snprintf(b->source, sizeof(b->source), "%.*s", (int)(c1 - p), p);
	snprintf(b->dest, sizeof(b->dest), "%.*s",
		 c2 ? (int)(c2 - c1 - 1) : (int)strlen(c1 + 1), c1 + 1);
	strcpy(b->propagation, "rprivate");
	if (b->source[0] != '/')
		return berr_unsupported(err,
				 "invalid bind \"%s\": named volumes are not supported by berthd "
				 "(use an absolute host path)",
				 bind);
	if (b->dest[0] != '/' || strstr(b->dest, "/../") ||
	    (strlen(b->dest) >= 3 && strcmp(b->dest + strlen(b->dest) - 3, "/..") == 0))
		return berr_invalid(err,
				 "invalid bind \"%s\": the destination must be an absolute path",
				 bind);
	if (strcmp(b->dest, "/") == 0)
		return berr_invalid(err, "invalid bind \"%s\": cannot mount over /", bind);
	if (c2) {
		char opts[256];
		char *o = opts, *tok;

		snprintf(opts, sizeof(opts), "%s", c2 + 1);
		while ((tok = strsep(&o, ","))) {
			if (strcmp(tok, "ro") == 0)
				b->readonly = true;
			else if (strcmp(tok, "rw") == 0)
				b->readonly = false;
			else if (!strcmp(tok, "private") || !strcmp(tok, "rprivate") ||
				 !strcmp(tok, "shared") || !strcmp(tok, "rshared") ||
				 !strcmp(tok, "slave") || !strcmp(tok, "rslave"))
				snprintf(b->propagation, sizeof(b->propagation), "%s", tok);
			else if (strcmp(tok, "z") == 0 || strcmp(tok, "Z") == 0)
				return berr_unsupported(err,
						 "invalid bind \"%s\": SELinux relabeling (%s) is "
						 "not supported by berthd",
						 bind, tok);
			else
				return berr_invalid(err,
						 "invalid bind \"%s\": unknown option \"%s\"", bind,
						 tok);
		}
	}
	return 0;
}

static int write_mounts(struct jw *w, const struct daemon_spec *s, const char *dir,
			struct berr *err)
{
	static const char *const proc_o[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const dev_o[] = { "nosuid", "strictatime", "mode=755",
					     "size=65536k", NULL };
	static const char *const pts_o[] = { "nosuid", "noexec", "newinstance",
					     "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	static const char *const sys_o[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg_o[] = { "ro", "nosuid", "noexec", "nodev", NULL };
	static const char *const mq_o[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const shm_o[] = { "nosuid", "noexec", "nodev", "mode=1777",
					     "size=65536k", NULL };
	static const char *const file_o[] = { "rbind", "rprivate", NULL };
	static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
	char src[PATH_MAX];

	jw_key(w, "mounts");
	jw_array_open(w);
	mount_entry(w, "/proc", "proc", "proc", proc_o);
	mount_entry(w, "/dev", "tmpfs", "tmpfs", dev_o);
	mount_entry(w, "/dev/pts", "devpts", "devpts", pts_o);
	mount_entry(w, "/sys", "sysfs", "sysfs", sys_o);
	mount_entry(w, "/sys/fs/cgroup", "cgroup", "cgroup", cg_o);
	mount_entry(w, "/dev/mqueue", "mqueue", "mqueue", mq_o);
	mount_entry(w, "/dev/shm", "tmpfs", "shm", shm_o);
	for (size_t i = 0; i < 3; i++) {
		char dest[64];

		snprintf(src, sizeof(src), "%s/%s", dir, files[i]);
		snprintf(dest, sizeof(dest), "/etc/%s", files[i]);
		mount_entry(w, dest, "bind", src, file_o);
	}
	for (size_t i = 0; s->binds && s->binds[i]; i++) {
		struct daemon_bind b;
		const char *opts[4] = { "rbind", NULL, NULL, NULL };
		int ret = daemon_bundle_parse_bind(s->binds[i], &b, err);

		if (ret < 0)
			return ret;
		opts[1] = b.propagation;
		if (b.readonly)
			opts[2] = "ro";
		mount_entry(w, b.dest, "bind", b.source, opts);
	}
	jw_array_close(w);
	return 0;
}

/* --- the rest of linux -------------------------------------------------- */

static bool own_netns(const struct daemon_spec *s)
{
	return !s->network_mode || strcmp(s->network_mode, "host") != 0;
}

static void write_namespaces(struct jw *w, const struct daemon_spec *s)
{
	static const char *const always[] = { "pid", "ipc", "uts", "mount", "cgroup" };

	jw_key(w, "namespaces");
	jw_array_open(w);
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		jw_map_open(w);
		jw_kstr(w, "type", always[i]);
		jw_map_close(w);
	}
	if (own_netns(s)) {
		jw_map_open(w);
		jw_kstr(w, "type", "network");
		jw_map_close(w);
	}
	jw_array_close(w);
}

/* Online CPUs and memory nodes of the host, as cpuset lists. */
static bool list_within(const char *list, const char *avail_path)
{
	cleanup_free uint16_t *want = NULL, *have = NULL;
	cleanup_free char *text = NULL;
	size_t n_want = 0, n_have = 0, len;
	struct berr ignored;

	if (spec_stats_parse_list(list, &want, &n_want) < 0)
		return false;
	if (fsutil_read_file(avail_path, &text, &len, &ignored) < 0)
		return true; /* nothing to check against: the kernel will */
	text[strcspn(text, "\n")] = '\0';
	if (spec_stats_parse_list(text, &have, &n_have) < 0)
		return true;
	for (size_t i = 0; i < n_want; i++) {
		bool found = false;

		for (size_t j = 0; j < n_have && !found; j++)
			found = want[i] == have[j];
		if (!found)
			return false;
	}
	return true;
}

int daemon_check_limits(const struct daemon_spec *s, struct berr *err)
{
	if (s->memory < 0 || s->nano_cpus < 0 || s->cpu_shares < 0 || s->pids_limit < -1 ||
	    s->cpu_quota < -1 || s->cpu_period < 0 || s->memory_swap < -1)
		return berr_invalid(err, "resource limits cannot be negative");
	if (s->memory && s->memory < 6 * 1024 * 1024)
		return berr_invalid(err, "minimum memory limit allowed is 6MB");
	if (s->memory_swap > 0 && !s->memory)
		return berr_invalid(err,
				 "you should always set the Memory limit when using Memoryswap "
				 "limit");
	if (s->memory_swap > 0 && s->memory_swap < s->memory)
		return berr_invalid(err,
				 "minimum memoryswap limit should be larger than memory limit, "
				 "see usage");
	if (s->nano_cpus && (s->cpu_quota || s->cpu_period))
		return berr_invalid(err,
				 "conflicting options: Nano CPUs cannot be set with CPU Quota or "
				 "CPU Period");
	if (s->nano_cpus && s->nano_cpus > (int64_t)sysconf(_SC_NPROCESSORS_ONLN) * 1000000000LL)
		return berr_invalid(err,
				 "range of CPUs is from 0.01 to %ld.00, as there are only %ld "
				 "CPUs available",
				 sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_ONLN));
	if (s->cpu_period && (s->cpu_period < 1000 || s->cpu_period > 1000000))
		return berr_invalid(err, "CPU cfs period can not be less than 1ms (i.e. "
				 "1000) or larger than 1s (i.e. 1000000)");
	if (s->cpu_quota > 0 && s->cpu_quota < 1000)
		return berr_invalid(err, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (s->cpuset_cpus && *s->cpuset_cpus &&
	    !list_within(s->cpuset_cpus, "/sys/devices/system/cpu/online"))
		return berr_invalid(err, "requested CPUs are not available: %s",
				 s->cpuset_cpus);
	if (s->cpuset_mems && *s->cpuset_mems &&
	    !list_within(s->cpuset_mems, "/sys/devices/system/node/online"))
		return berr_invalid(err, "requested memory nodes are not available: %s",
				 s->cpuset_mems);
	return 0;
}

void daemon_bundle_limits(const struct daemon_spec *s, struct spec_resources *res)
{
	memset(res, 0, sizeof(*res));
	res->set = true;
	if (s->memory) {
		res->memory_set = true;
		res->memory.limit = (struct opt_i64){ true, s->memory };
		/* docker's default swap is as much again as the memory. */
		res->memory.swap = (struct opt_i64){ true, s->memory_swap ? s->memory_swap
									  : 2 * s->memory };
	}
	if (s->cpu_shares || s->nano_cpus || s->cpu_quota || s->cpu_period ||
	    (s->cpuset_cpus && *s->cpuset_cpus) || (s->cpuset_mems && *s->cpuset_mems)) {
		res->cpu_set = true;
		if (s->cpu_shares)
			res->cpu.shares = (struct opt_u64){ true, (uint64_t)s->cpu_shares };
		if (s->nano_cpus) {
			res->cpu.period = (struct opt_u64){ true, 100000 };
			res->cpu.quota = (struct opt_i64){ true, s->nano_cpus * 100000 / 1000000000 };
		}
		if (s->cpu_period)
			res->cpu.period = (struct opt_u64){ true, (uint64_t)s->cpu_period };
		if (s->cpu_quota)
			res->cpu.quota = (struct opt_i64){ true, s->cpu_quota };
		if (s->cpuset_cpus && *s->cpuset_cpus)
			res->cpu.cpus = s->cpuset_cpus;
		if (s->cpuset_mems && *s->cpuset_mems)
			res->cpu.mems = s->cpuset_mems;
	}
	if (s->pids_limit) {
		res->pids_set = true;
		res->pids_limit = s->pids_limit;
	}
}

static void write_resources(struct jw *w, const struct daemon_spec *s)
{
	struct spec_resources res;

	daemon_bundle_limits(s, &res);
	jw_key(w, "resources");
	jw_map_open(w);
	spec_default_write_devices(w);
	if (res.memory_set) {
		jw_key(w, "memory");
		jw_map_open(w);
		jw_kint(w, "limit", res.memory.limit.v);
		jw_kint(w, "swap", res.memory.swap.v);
		jw_map_close(w);
	}
	if (res.cpu_set) {
		jw_key(w, "cpu");
		jw_map_open(w);
		if (res.cpu.shares.set)
			jw_kuint(w, "shares", res.cpu.shares.v);
		if (res.cpu.quota.set)
			jw_kint(w, "quota", res.cpu.quota.v);
		if (res.cpu.period.set)
			jw_kuint(w, "period", res.cpu.period.v);
		if (res.cpu.cpus)
			jw_kstr(w, "cpus", res.cpu.cpus);
		if (res.cpu.mems)
			jw_kstr(w, "mems", res.cpu.mems);
		jw_map_close(w);
	}
	if (res.pids_set) {
		jw_key(w, "pids");
		jw_map_open(w);
		jw_kint(w, "limit", res.pids_limit);
		jw_map_close(w);
	}
	jw_map_close(w);
}

/* The one default profile (spec/seccomp_default.c), for the
 * capabilities this container holds. */
static void write_seccomp(struct jw *w, const struct daemon_spec *s)
{
	const char *caps[CAPS_MAX + 1];

	if (strv_has(s->security_opt, "seccomp=unconfined") ||
	    strv_has(s->security_opt, "seccomp:unconfined"))
		return;
	held_caps(s, caps);
	jw_key(w, "seccomp");
	spec_seccomp_default_write(w, caps);
}

int daemon_bundle_check_security(char *const *opts, struct berr *err)
{
	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];

		if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
			continue;
		if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
		    !strcmp(o, "no-new-privileges:true") || !strcmp(o, "no-new-privileges=false"))
			continue;
		if (!strncmp(o, "seccomp", 7))
			return berr_unsupported(err,
					 "security option \"seccomp=<profile>\" is not supported "
					 "by berthd yet (only seccomp=unconfined)");
		return berr_unsupported(err, "security option \"%s\" is not supported by berthd",
				 o);
	}
	return 0;
}

static bool no_new_privs(const struct daemon_spec *s)
{
	return strv_has(s->security_opt, "no-new-privileges") ||
	       strv_has(s->security_opt, "no-new-privileges=true") ||
	       strv_has(s->security_opt, "no-new-privileges:true");
}

static int write_files(const struct daemon_spec *s, const char *dir, const char *hostname,
		       struct berr *err)
{
	cleanup_free char *hosts = NULL, *host_resolv = NULL;
	char path[PATH_MAX], line[512];
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/hostname", dir);
	snprintf(line, sizeof(line), "%s\n", hostname);
	ret = fsutil_write_atomic(path, line, strlen(line), 0644, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (!own_netns(s) && fsutil_read_file("/etc/hosts", &hosts, &len, err) == 0) {
		ret = fsutil_write_atomic(path, hosts, len, 0644, err);
	} else {
		if (asprintf(&hosts,
			     "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "127.0.1.1\t%s\n",
			     hostname) < 0) {
			hosts = NULL;
			return berr_sys(err, "hosts");
		}
		ret = fsutil_write_atomic(path, hosts, strlen(hosts), 0644, err);
	}
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if (fsutil_read_file("/etc/resolv.conf", &host_resolv, &len, err) < 0) {
		host_resolv = strdup("");
		len = 0;
	}
	berr_clear(err);
	return fsutil_write_atomic(path, host_resolv ? host_resolv : "", len, 0644, err);
}

static void container_hostname(const struct daemon_spec *s, const char *id, char *buf,
			       size_t size)
{
	if (s->hostname && *s->hostname)
		snprintf(buf, size, "%s", s->hostname);
	else if (!own_netns(s))
		gethostname(buf, size);
	else
		snprintf(buf, size, "%.12s", id);
}

/* What a process of the container runs with (its init, or an exec'd
 * one): who, what, where, with which environment and capabilities. */
struct process_in {
	const struct daemon_spec *spec; /* the container's */
	const char *hostname;
	int rootfd;
	const char *user;        /* "" or NULL: the container's */
	char *const *args[2];    /* concatenated */
	char *const *extra_env;  /* replaces or adds to the container's */
	const char *cwd;
	bool tty;
};

static bool env_key_in(const char *kv, char *const *list)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; list && list[i]; i++)
		if (strncmp(list[i], kv, klen) == 0 && (list[i][klen] == '=' || !list[i][klen]))
			return true;
	return false;
}

static int write_process(struct jw *w, const struct process_in *in, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	char *const *env = s->env;
	bool has_path = false, has_hostname = false, has_term = false;
	struct user_ids u;
	int ret;

	ret = resolve_user(in->rootfd, in->user && *in->user ? in->user : s->user, &u, err);
	if (ret < 0)
		return ret;
	jw_kbool(w, "terminal", in->tty);
	jw_key(w, "user");
	jw_map_open(w);
	jw_kuint(w, "uid", u.uid);
	jw_kuint(w, "gid", u.gid);
	if (u.n_groups) {
		jw_key(w, "additionalGids");
		jw_array_open(w);
		for (size_t i = 0; i < u.n_groups; i++)
			jw_uint(w, u.groups[i]);
		jw_array_close(w);
	}
	jw_map_close(w);
	jw_key(w, "args");
	jw_array_open(w);
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; in->args[k] && in->args[k][i]; i++)
			jw_str(w, in->args[k][i]);
	jw_array_close(w);
	/* docker's: PATH, HOSTNAME and (with a terminal) TERM unless set,
	 * then the container's, then the extra ones, which replace. */
	jw_key(w, "env");
	jw_array_open(w);
	for (size_t k = 0; k < 2; k++) {
		char *const *list = k ? in->extra_env : env;

		for (size_t i = 0; list && list[i]; i++) {
			has_path |= strncmp(list[i], "PATH=", 5) == 0;
			has_hostname |= strncmp(list[i], "HOSTNAME=", 9) == 0;
			has_term |= strncmp(list[i], "TERM=", 5) == 0;
		}
	}
	if (!has_path)
		jw_str(w, DEFAULT_PATH);
	if (!has_hostname) {
		char h[300];

		snprintf(h, sizeof(h), "HOSTNAME=%s", in->hostname);
		jw_str(w, h);
	}
	if (in->tty && !has_term)
		jw_str(w, "TERM=xterm");
	for (size_t i = 0; env && env[i]; i++)
		if (!env_key_in(env[i], in->extra_env))
			jw_str(w, env[i]);
	for (size_t i = 0; in->extra_env && in->extra_env[i]; i++)
		if (strchr(in->extra_env[i], '='))
			jw_str(w, in->extra_env[i]);
	jw_array_close(w);
	jw_kstr(w, "cwd", in->cwd && *in->cwd ? in->cwd : s->workdir && *s->workdir ? s->workdir : "/");
	write_caps(w, s);
	jw_kbool(w, "noNewPrivileges", no_new_privs(s));
	return 0;
}

static int open_rootfs(const char *dir, struct berr *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	return fd;
}

int daemon_bundle_write_exec(const struct daemon_bundle_exec *in, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *json = NULL;
	cleanup_close int rootfd = open_rootfs(in->dir, err);
	struct process_in p = {
		.spec = in->spec,
		.user = in->user,
		.args = { in->cmd, NULL },
		.extra_env = in->env,
		.cwd = in->workdir,
		.tty = in->tty,
	};
	char hostname[256];
	size_t len;
	int ret;

	if (rootfd < 0)
		return rootfd;
	container_hostname(in->spec, in->id, hostname, sizeof(hostname));
	p.hostname = hostname;
	p.rootfd = rootfd;
	jw_map_open(w);
	ret = write_process(w, &p, err);
	if (ret < 0)
		return ret;
	jw_map_close(w);
	ret = jw_finish(w, &json, &len, err);
	if (ret < 0)
		return ret;
	return fsutil_write_atomic(in->path, json, len, 0600, err);
}

int daemon_bundle_write(const struct daemon_bundle_in *in, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	cleanup_jw struct jw *w = jw_new(true);
	cleanup_free char *json = NULL;
	cleanup_close int rootfd = -1;
	char path[PATH_MAX], hostname[256], cgpath[PATH_MAX];
	struct process_in p = {
		.spec = s,
		.args = { s->entrypoint, s->cmd },
		.tty = s->tty,
	};
	size_t len;
	int ret;

	if (s->privileged)
		return berr_unsupported(err,
				 "privileged containers are not supported by berthd");
	rootfd = open_rootfs(in->dir, err);
	if (rootfd < 0)
		return rootfd;
	container_hostname(s, in->id, hostname, sizeof(hostname));
	ret = write_files(s, in->dir, hostname, err);
	if (ret < 0)
		return ret;
	snprintf(cgpath, sizeof(cgpath), "%s/%s", in->cgroup_parent, in->id);
	p.hostname = hostname;
	p.rootfd = rootfd;

	jw_map_open(w);
	jw_kstr(w, "ociVersion", "1.2.0");
	jw_key(w, "process");
	jw_map_open(w);
	ret = write_process(w, &p, err);
	if (ret < 0)
		return ret;
	jw_map_close(w);

	jw_key(w, "root");
	jw_map_open(w);
	jw_kstr(w, "path", "rootfs");
	jw_kbool(w, "readonly", s->readonly_rootfs);
	jw_map_close(w);
	jw_kstr(w, "hostname", hostname);
	if (s->domainname && *s->domainname)
		jw_kstr(w, "domainname", s->domainname);
	ret = write_mounts(w, s, in->dir, err);
	if (ret < 0)
		return ret;
	jw_key(w, "linux");
	jw_map_open(w);
	jw_kstr(w, "cgroupsPath", cgpath);
	write_namespaces(w, s);
	write_resources(w, s);
	write_seccomp(w, s);
	spec_default_write_paths(w);
	jw_map_close(w);
	jw_map_close(w);
	ret = jw_finish(w, &json, &len, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/config.json", in->dir);
	return fsutil_write_atomic(path, json, len, 0600, err);
}

bool daemon_bundle_own_netns(const struct daemon_spec *s)
{
	return own_netns(s);
}
