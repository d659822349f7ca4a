/* The rest of docker run, on top of a berthd container's config: --init
 * (a static tini bound in at /sbin/docker-init, as dockerd binds its
 * docker-init, running the command as its child), --ulimit, --sysctl
 * (the namespaced ones dockerd allows), --group-add, --device and
 * --device-cgroup-rule, --shm-size, --oom-score-adj, --oom-kill-disable,
 * and the host's pid, ipc or uts namespace. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/user.h"
#include "spec/base/strv.h"
#include "spec/config_build.h"

#define INIT_TARGET "/sbin/docker-init"

static const struct {
	const char *name;
	int type;
} ulimit_names[] = {
	{ "as", RLIMIT_AS },		 { "core", RLIMIT_CORE },
	{ "cpu", RLIMIT_CPU },		 { "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE },	 { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },	 { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },	 { "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC },	 { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },	 { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
	{ NULL, 0 },
};

/* "name=soft:hard" (as the API layer writes them). */
static int parse_ulimit(const char *u, int *type, long long *soft, long long *hard,
			struct berr *err)
{
	size_t klen = strcspn(u, "=");
	char *end;

	*type = -1;
	for (size_t i = 0; ulimit_names[i].name; i++)
		if (strlen(ulimit_names[i].name) == klen &&
		    strncmp(ulimit_names[i].name, u, klen) == 0)
			*type = ulimit_names[i].type;
	if (*type < 0)
		return berr_invalid(err, "invalid ulimit type: %.*s", (int)klen, u);
	if (!u[klen])
		return berr_invalid(err, "invalid ulimit %s", u);
	*soft = strtoll(u + klen + 1, &end, 10);
	if (*end != ':')
		return berr_invalid(err, "invalid ulimit %s", u);
	*hard = strtoll(end + 1, &end, 10);
	if (*end)
		return berr_invalid(err, "invalid ulimit %s", u);
	if (*soft < -1 || *hard < -1)
		return berr_invalid(err, "invalid ulimit %s: a limit is -1 (unlimited) or more", u);
	if ((uint64_t)*soft > (uint64_t)*hard)
		return berr_invalid(err,
				 "ulimit soft limit must be less than or equal to hard limit: "
				 "%.*s", (int)klen, u);
	return 0;
}

/* dockerd's: the sysctls of the namespaces a container has of its own. */
static int check_sysctl(const struct daemon_spec *s, const char *kv, struct berr *err)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem", "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
	size_t klen = strcspn(kv, "=");
	bool host_ipc = s->ipc_mode && strcmp(s->ipc_mode, "host") == 0;

	if (!kv[klen] || !klen)
		return berr_invalid(err, "invalid sysctl \"%s\": expected KEY=VALUE", kv);
	for (size_t i = 0; ipc[i]; i++)
		if (strlen(ipc[i]) == klen && strncmp(ipc[i], kv, klen) == 0 && !host_ipc)
			return 0;
	if (strncmp(kv, "fs.mqueue.", 10) == 0 && !host_ipc)
		return 0;
	if (strncmp(kv, "net.", 4) == 0) {
		if (!daemon_bundle_own_netns(s))
			return berr_invalid(err,
					 "sysctl \"%.*s\" is not allowed in host network mode",
					 (int)klen, kv);
		return 0;
	}
	return berr_invalid(err,
			 "sysctl \"%.*s\" is not allowed: it is not namespaced (or the "
			 "container shares the namespace with the host)",
			 (int)klen, kv);
}

struct dev_map {
	char host[256], ctr[256], perms[4];
};

static int parse_device(const char *d, struct dev_map *m, struct berr *err)
{
	const char *c1 = strchr(d, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	snprintf(m->host, sizeof(m->host), "%.*s", c1 ? (int)(c1 - d) : (int)strlen(d), d);
	snprintf(m->ctr, sizeof(m->ctr), "%.*s", c2 ? (int)(c2 - c1 - 1) : c1 ? (int)strlen(c1 + 1) : 0,
		 c1 ? c1 + 1 : "");
	snprintf(m->perms, sizeof(m->perms), "%s", c2 ? c2 + 1 : "rwm");
	if (!m->ctr[0])
		snprintf(m->ctr, sizeof(m->ctr), "%s", m->host);
	if (m->host[0] != '/' || m->ctr[0] != '/')
		return berr_invalid(err, "invalid device \"%s\": paths must be absolute", d);
	if (!m->perms[0] || strspn(m->perms, "rwm") != strlen(m->perms))
		return berr_invalid(err, "invalid device \"%s\": permissions are of r, w and m", d);
	return 0;
}

/* "c 1:3 rwm", "a *:* m", "b 8:* r" */
static int parse_rule(const char *r, struct spec_device_rule *out, struct berr *err)
{
	char type, maj[16], min[16], access[8];
	char *end;

	if (sscanf(r, "%c %15[0-9*]:%15[0-9*] %7s", &type, maj, min, access) != 4 ||
	    !strchr("acb", type) || strspn(access, "rwm") != strlen(access) || strlen(access) > 3)
		return berr_invalid(err, "invalid device cgroup rule \"%s\" (TYPE MAJOR:MINOR "
					 "ACCESS, as \"c 1:3 rwm\")",
				    r);
	out->allow = true;
	out->type = type;
	out->major = strcmp(maj, "*") == 0 ? -1 : strtoll(maj, &end, 10);
	out->minor = strcmp(min, "*") == 0 ? -1 : strtoll(min, &end, 10);
	memcpy(out->access, access, strlen(access) + 1);
	return 0;
}

static bool host_or_default(const char *mode, const char *const *others)
{
	if (!mode || !*mode || strcmp(mode, "host") == 0)
		return true;
	for (size_t i = 0; others && others[i]; i++)
		if (strcmp(mode, others[i]) == 0)
			return true;
	return false;
}

static int check_health(const struct daemon_spec *s, struct berr *err)
{
	const char *kind = s->health_test ? s->health_test[0] : NULL;

	if (!kind)
		return 0;
	if (strcmp(kind, "NONE") && strcmp(kind, "CMD") && strcmp(kind, "CMD-SHELL"))
		return berr_invalid(err, "invalid healthcheck test: \"%s\" (CMD, CMD-SHELL or NONE)",
				 kind);
	if (strcmp(kind, "NONE") && !s->health_test[1])
		return berr_invalid(err, "invalid healthcheck test: %s without a command", kind);
	if (!strcmp(kind, "CMD-SHELL") && s->health_test[2])
		return berr_invalid(err, "invalid healthcheck test: CMD-SHELL takes one string");
	if ((s->health_interval && s->health_interval < 1000000LL) ||
	    (s->health_timeout && s->health_timeout < 1000000LL) || s->health_interval < 0 ||
	    s->health_timeout < 0 || s->health_start_period < 0)
		return berr_invalid(err, "healthcheck durations must be at least 1ms");
	if (s->health_retries < 0)
		return berr_invalid(err, "healthcheck retries must not be negative");
	return 0;
}

static bool container_mode(const char *mode)
{
	return strncmp(mode, "container:", 10) == 0 && mode[10];
}

int daemon_check_run_options(const struct daemon_spec *s, struct berr *err)
{
	static const char *const ipc_ok[] = { "private", "shareable", NULL };
	static const char *const cgroupns_ok[] = { "private", NULL };
	int type;
	long long soft, hard;
	struct dev_map m;
	struct spec_device_rule rule;
	int ret = 0;

	for (size_t i = 0; ret == 0 && s->ulimits && s->ulimits[i]; i++)
		ret = parse_ulimit(s->ulimits[i], &type, &soft, &hard, err);
	for (size_t i = 0; ret == 0 && s->sysctls && s->sysctls[i]; i++)
		ret = check_sysctl(s, s->sysctls[i], err);
	for (size_t i = 0; ret == 0 && s->devices && s->devices[i]; i++)
		ret = parse_device(s->devices[i], &m, err);
	for (size_t i = 0; ret == 0 && s->device_rules && s->device_rules[i]; i++)
		ret = parse_rule(s->device_rules[i], &rule, err);
	if (ret < 0)
		return ret;
	if (ret == 0)
		ret = check_health(s, err);
	if (ret < 0)
		return ret;
	if (s->shm_size < 0)
		return berr_invalid(err, "SHM size can not be less than 0");
	if (s->oom_score_adj < -1000 || s->oom_score_adj > 1000)
		return berr_invalid(err, "Invalid value %lld, range for oom score adj is "
					 "[-1000, 1000]",
				    (long long)s->oom_score_adj);
	if (!host_or_default(s->pid_mode, NULL) && !container_mode(s->pid_mode))
		return berr_unsupported(err, "pid mode \"%s\" is not supported by berthd (host "
					     "and container:NAME are)",
					s->pid_mode);
	if (!host_or_default(s->ipc_mode, ipc_ok) && !container_mode(s->ipc_mode))
		return berr_unsupported(err, "ipc mode \"%s\" is not supported by berthd "
					     "(private, shareable, host and container:NAME are)",
					s->ipc_mode);
	if (!host_or_default(s->uts_mode, NULL))
		return berr_unsupported(err, "uts mode \"%s\" is not supported by berthd (host "
					     "is)",
					s->uts_mode);
	if (!host_or_default(s->cgroupns_mode, cgroupns_ok))
		return berr_unsupported(err, "cgroupns mode \"%s\" is not supported by berthd "
					     "(private and host are)",
					s->cgroupns_mode);
	/* berthd makes no user namespace: "host" is what every container
	 * has. */
	if (s->userns_mode && *s->userns_mode && strcmp(s->userns_mode, "host"))
		return berr_unsupported(err, "userns mode \"%s\" is not supported by berthd "
					     "(host is)",
					s->userns_mode);
	if (s->uts_mode && !strcmp(s->uts_mode, "host") && s->hostname && *s->hostname)
		return berr_invalid(err, "conflicting options: hostname and the UTS mode host");
	return 0;
}

static int add_init(struct spec_config *cfg, const struct daemon_bundle_in *in,
		    struct berr *err)
{
	struct arena *a = &cfg->arena;
	struct spec_process *p = &cfg->process;
	struct spec_mount *mounts;
	const char **args;

	if (!in->init_path || access(in->init_path, X_OK) < 0)
		return berr_unsupported(err,
				 "--init: the init berthd runs (%s) is missing: install "
				 "Debian's tini package, or give berthd --init-path",
				 in->init_path ? in->init_path : "none");
	mounts = spec_build_array(a, cfg->n_mounts + 1, sizeof(*mounts));
	args = spec_build_array(a, p->n_args + 3, sizeof(*args));
	if (!mounts || !args)
		return berr_set(err, ENOMEM, "--init");
	if (cfg->n_mounts)
		memcpy(mounts, cfg->mounts, cfg->n_mounts * sizeof(*mounts));
	mounts[cfg->n_mounts] = (struct spec_mount){
		.destination = INIT_TARGET,
		.type = "bind",
		.source = in->init_path,
		.options = spec_build_strv(a, (const char *const[]){ "bind", "ro", NULL },
					   (size_t)-1, &mounts[cfg->n_mounts].n_options),
	};
	if (!mounts[cfg->n_mounts].options)
		return berr_set(err, ENOMEM, "--init");
	cfg->mounts = mounts;
	cfg->n_mounts++;
	args[0] = INIT_TARGET;
	args[1] = "--";
	if (p->n_args)
		memcpy(args + 2, p->args, p->n_args * sizeof(*args));
	p->args = args;
	p->n_args += 2;
	return 0;
}

static int add_rlimits(struct arena *a, const struct daemon_spec *s, struct spec_process *p,
		       struct berr *err)
{
	size_t n = strv_len(s->ulimits);

	if (!n)
		return 0;
	p->rlimits = spec_build_array(a, n, sizeof(*p->rlimits));
	if (!p->rlimits)
		return berr_set(err, ENOMEM, "ulimits");
	for (size_t i = 0; i < n; i++) {
		long long soft, hard;
		int type, ret = parse_ulimit(s->ulimits[i], &type, &soft, &hard, err);

		if (ret < 0)
			return ret;
		p->rlimits[i] = (struct spec_rlimit){ type, (uint64_t)soft, (uint64_t)hard };
	}
	p->n_rlimits = n;
	return 0;
}

static int add_sysctls(struct arena *a, const struct daemon_spec *s, struct spec_linux *l,
		       struct berr *err)
{
	size_t n = strv_len(s->sysctls);

	if (!n)
		return 0;
	l->sysctl = spec_build_array(a, n, sizeof(*l->sysctl));
	if (!l->sysctl)
		return berr_set(err, ENOMEM, "sysctls");
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(s->sysctls[i], "=");
		char *key = arena_alloc(a, klen + 1);

		if (!key)
			return berr_set(err, ENOMEM, "sysctls");
		memcpy(key, s->sysctls[i], klen);
		key[klen] = '\0';
		l->sysctl[i] = (struct spec_kv){ key, s->sysctls[i] + klen + 1 };
	}
	l->n_sysctl = n;
	return 0;
}

static int add_groups(struct arena *a, const struct daemon_spec *s, int rootfd,
		      struct spec_user *u, struct berr *err)
{
	size_t n = strv_len(s->group_add);
	gid_t *gids;

	if (!n)
		return 0;
	gids = spec_build_array(a, u->n_additional_gids + n, sizeof(*gids));
	if (!gids)
		return berr_set(err, ENOMEM, "--group-add");
	if (u->n_additional_gids)
		memcpy(gids, u->additional_gids, u->n_additional_gids * sizeof(*gids));
	for (size_t i = 0; i < n; i++) {
		unsigned gid;
		int ret = user_group(rootfd, s->group_add[i], &gid, err);

		if (ret < 0)
			return ret;
		gids[u->n_additional_gids++] = gid;
	}
	u->additional_gids = gids;
	return 0;
}

static int add_devices(struct arena *a, const struct daemon_spec *s, struct spec_linux *l,
		       struct berr *err)
{
	size_t nd = strv_len(s->devices), nr = strv_len(s->device_rules);
	struct spec_resources *res = &l->resources;
	struct spec_device_rule *rules;
	struct spec_device *devs;

	if (!nd && !nr)
		return 0;
	devs = spec_build_array(a, l->n_devices + nd, sizeof(*devs));
	rules = spec_build_array(a, res->n_devices + nd + nr, sizeof(*rules));
	if (!devs || !rules)
		return berr_set(err, ENOMEM, "devices");
	if (l->n_devices)
		memcpy(devs, l->devices, l->n_devices * sizeof(*devs));
	if (res->n_devices)
		memcpy(rules, res->devices, res->n_devices * sizeof(*rules));
	for (size_t i = 0; i < nd; i++) {
		struct spec_device *d = &devs[l->n_devices++];
		struct spec_device_rule *r = &rules[res->n_devices++];
		struct dev_map m;
		struct stat st;
		int ret = parse_device(s->devices[i], &m, err);

		if (ret < 0)
			return ret;
		/* A privileged container has every host device already. */
		if (s->privileged && strcmp(m.host, m.ctr) == 0) {
			res->n_devices--;
			l->n_devices--;
			continue;
		}
		if (stat(m.host, &st) < 0)
			return berr_sys(err, "--device %s", m.host);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return berr_invalid(err, "--device %s: not a device node", m.host);
		if (spec_build_device(a, m.ctr, &st, d) < 0)
			return berr_set(err, ENOMEM, "devices");
		*r = (struct spec_device_rule){ .allow = true, .type = d->type,
						 .major = d->major, .minor = d->minor };
		snprintf(r->access, sizeof(r->access), "%s", m.perms);
	}
	for (size_t i = 0; i < nr; i++) {
		int ret = parse_rule(s->device_rules[i], &rules[res->n_devices++], err);

		if (ret < 0)
			return ret;
	}
	l->devices = devs;
	res->devices = rules;
	res->set = true;
	return 0;
}

static int set_shm(struct arena *a, struct spec_config *cfg, int64_t size, struct berr *err)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "size=%lldk", (long long)(size / 1024));
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];
		const char **opts;
		size_t n = 0;

		if (strcmp(m->destination, "/dev/shm") != 0)
			continue;
		opts = spec_build_array(a, m->n_options + 1, sizeof(*opts));
		if (!opts)
			return berr_set(err, ENOMEM, "--shm-size");
		for (size_t j = 0; j < m->n_options; j++)
			if (strncmp(m->options[j], "size=", 5) != 0)
				opts[n++] = m->options[j];
		opts[n] = arena_strdup(a, opt);
		if (!opts[n++])
			return berr_set(err, ENOMEM, "--shm-size");
		m->options = opts;
		m->n_options = n;
	}
	return 0;
}

/* --pid, --ipc, --uts host: the host's namespace, no new one;
 * container:X: X's (share.c found its path). */
static void share_namespaces(struct spec_linux *l, const struct daemon_spec *s,
			     const struct daemon_share *sh)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		enum spec_ns_type t = l->namespaces[i].type;

		if ((t == NS_PID && s->pid_mode && !strcmp(s->pid_mode, "host")) ||
		    (t == NS_IPC && s->ipc_mode && !strcmp(s->ipc_mode, "host")) ||
		    (t == NS_UTS && s->uts_mode && !strcmp(s->uts_mode, "host")) ||
		    (t == NS_CGROUP && s->cgroupns_mode && !strcmp(s->cgroupns_mode, "host")))
			continue;
		if (sh && t == NS_PID && sh->pid_ns[0])
			l->namespaces[i].path = sh->pid_ns;
		if (sh && t == NS_IPC && sh->ipc_ns[0])
			l->namespaces[i].path = sh->ipc_ns;
		l->namespaces[n++] = l->namespaces[i];
	}
	l->n_namespaces = n;
}

/* With the host's ipc namespace, /dev/shm is the host's too (dockerd);
 * a shareable container's, or its donor's, is a tmpfs on the host. */
static int bind_shm(struct arena *a, struct spec_config *cfg, const char *src,
		    struct berr *err)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/dev/shm") != 0)
			continue;
		m->type = "bind";
		m->source = arena_strdup(a, src);
		if (!m->source)
			return berr_set(err, ENOMEM, "/dev/shm");
		m->options = spec_build_strv(a, (const char *const[]){ "rbind", "rprivate", NULL },
					     (size_t)-1, &m->n_options);
		if (!m->options)
			return berr_set(err, ENOMEM, "--ipc host");
	}
	return 0;
}

int bundle_run_options(struct spec_config *cfg, const struct daemon_bundle_in *in, int rootfd,
		       struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	struct arena *a = &cfg->arena;
	int ret = 0;

	if (s->privileged)
		ret = bundle_privileged(cfg, err);
	if (ret == 0 && s->init)
		ret = add_init(cfg, in, err);
	if (ret == 0)
		ret = add_rlimits(a, s, &cfg->process, err);
	if (ret == 0)
		ret = add_sysctls(a, s, &cfg->linux, err);
	if (ret == 0)
		ret = add_groups(a, s, rootfd, &cfg->process.user, err);
	if (ret == 0)
		ret = add_devices(a, s, &cfg->linux, err);
	if (ret == 0 && s->shm_size > 0)
		ret = set_shm(a, cfg, s->shm_size, err);
	if (ret == 0 && s->ipc_mode && strcmp(s->ipc_mode, "host") == 0)
		ret = bind_shm(a, cfg, "/dev/shm", err);
	else if (ret == 0 && in->share && in->share->shm_dir)
		ret = bind_shm(a, cfg, in->share->shm_dir, err);
	if (ret < 0)
		return ret;
	if (s->oom_score_adj) {
		cfg->process.oom_score_adj_set = true;
		cfg->process.oom_score_adj = (int32_t)s->oom_score_adj;
	}
	if (s->oom_kill_disable) {
		cfg->linux.resources.set = true;
		cfg->linux.resources.memory_set = true;
		cfg->linux.resources.memory.disable_oom_killer_set = true;
		cfg->linux.resources.memory.disable_oom_killer = true;
	}
	share_namespaces(&cfg->linux, s, in->share);
	/* The host's hostname stays the host's. */
	if (s->uts_mode && strcmp(s->uts_mode, "host") == 0) {
		cfg->hostname = NULL;
		cfg->domainname = NULL;
	}
	return 0;
}
