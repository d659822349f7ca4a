/* Containers: create (the request body), list, inspect, and the lifecycle
 * calls that map one to one onto the model. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "body.h"
#include "api_ports.h"
#include "api_ps.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"

/* --- create --------------------------------------------------------------- */

/* A field berthd does not support: fine when absent or at its zero value
 * (what the docker CLI sends by default), an error when set. */
static int refuse_set(struct jr *r, yajl_val obj, const char *key, const char *what)
{
	yajl_val v = jr_get(obj, key);
	bool set = false;

	if (!v)
		return 0;
	if (YAJL_IS_TRUE(v))
		set = true;
	else if (YAJL_IS_STRING(v))
		set = v->u.string[0] != '\0';
	else if (YAJL_IS_NUMBER(v))
		set = strcmp(v->u.number.r, "0") != 0;
	else if (YAJL_IS_ARRAY(v))
		set = v->u.array.len != 0;
	else if (YAJL_IS_OBJECT(v))
		set = v->u.object.len != 0;
	if (set)
		return berr_as(r->err, jr_fail_key(r, key, "%s is not supported by berthd", what),
			       BERR_UNSUPPORTED);
	return 0;
}

struct unsupported {
	const char *key, *what;
};

/* The resources docker sets at create and changes at update that berthd
 * cannot apply, refused alike in both. */
static const struct unsupported unsupported_resources[] = {
	{ "KernelMemoryTCP", "kernel memory limits" },
	{ "CgroupParent", "a per-container cgroup parent" },
	{ "DeviceRequests", "device requests" },
	{ "CpuCount", "CpuCount" },
	{ "CpuPercent", "CpuPercent" },
	{ "IOMaximumIOps", "IOMaximumIOps" },
	{ "IOMaximumBandwidth", "IOMaximumBandwidth" },
	{ NULL, NULL },
};

static int refuse_all(struct jr *r, yajl_val obj, const struct unsupported *u)
{
	for (; u->key; u++)
		JR_TRY(refuse_set(r, obj, u->key, u->what));
	return 0;
}

static int refuse_resources(struct jr *r, yajl_val obj)
{
	return refuse_all(r, obj, unsupported_resources);
}

/* What docker update cannot change in berthd (create takes them). */
static int refuse_update_only(struct jr *r, yajl_val obj)
{
	int64_t swappiness = -1;

	JR_TRY(refuse_set(r, obj, "KernelMemory", "kernel memory limits"));
	JR_TRY(refuse_set(r, obj, "MemoryReservation", "changing the memory reservation"));
	JR_TRY(jr_i64(r, obj, "MemorySwappiness", &swappiness));
	if (swappiness != -1)
		return berr_as(r->err, jr_fail_key(r, "MemorySwappiness",
						   "changing it is not supported by berthd"),
			       BERR_UNSUPPORTED);
	return 0;
}

static int parse_host_config(struct jr *r, yajl_val hc, struct daemon_spec *s, bool *kmem)
{
	/* What only a new container could ask for. */
	static const struct unsupported host_only[] = {
		{ "Links", "links" },
		{ "Cgroup", "joining another cgroup" },
		{ "Runtime", "choosing a runtime" },
		{ "Isolation", "isolation modes" },
		{ "StorageOpt", "storage options" },
		{ "MaskedPaths", "custom masked paths" },
		{ "ReadonlyPaths", "custom read-only paths" },
		{ "ContainerIDFile", "ContainerIDFile" },
		{ NULL, NULL },
	};
	yajl_val rp, lc;

	JR_TRY(jr_val_object(r, hc));
	JR_TRY(refuse_all(r, hc, host_only));
	JR_TRY(refuse_resources(r, hc));
	lc = jr_get(hc, "LogConfig");
	if (lc && YAJL_IS_OBJECT(lc)) {
		const char *type = NULL;
		size_t mark = jr_enter_key(r, "LogConfig");

		JR_TRY(jr_str(r, lc, "Type", &type));
		/* json-file and local are berthd's own file (its format is
		 * the CRI's, docker logs reads it); none keeps nothing. */
		if (type && *type && strcmp(type, "json-file") && strcmp(type, "local") &&
		    strcmp(type, "none"))
			return berr_as(r->err,
				       jr_fail_key(r, "Type",
						   "log driver \"%s\" is not supported by berthd "
						   "(json-file, local and none are)",
						   type),
				       BERR_UNSUPPORTED);
		if (type && *type && !(s->log_driver = strdup(type)))
			return -ENOMEM;
		JR_TRY(api_parse_log_options(r, lc, s));
		jr_leave(r, mark);
	}
	JR_TRY(body_strv(r, hc, "Binds", &s->binds));
	JR_TRY(body_strv(r, hc, "CapAdd", &s->cap_add));
	JR_TRY(body_strv(r, hc, "CapDrop", &s->cap_drop));
	JR_TRY(body_strv(r, hc, "SecurityOpt", &s->security_opt));
	JR_TRY(jr_i64(r, hc, "Memory", &s->memory));
	JR_TRY(jr_i64(r, hc, "MemorySwap", &s->memory_swap));
	JR_TRY(jr_i64(r, hc, "NanoCpus", &s->nano_cpus));
	JR_TRY(jr_i64(r, hc, "CpuShares", &s->cpu_shares));
	JR_TRY(jr_i64(r, hc, "PidsLimit", &s->pids_limit));
	JR_TRY(jr_i64(r, hc, "CpuQuota", &s->cpu_quota));
	JR_TRY(jr_i64(r, hc, "CpuPeriod", &s->cpu_period));
	JR_TRY(jr_i64(r, hc, "MemoryReservation", &s->memory_reservation));
	{
		int64_t k = 0;

		/* Deprecated by docker, and by the kernel (cgroup v2 has no
		 * such limit): not applied, and the reply's warning says so. */
		JR_TRY(jr_i64(r, hc, "KernelMemory", &k));
		*kmem = k != 0;
	}
	{
		int64_t swappiness = -1;

		JR_TRY(jr_i64(r, hc, "MemorySwappiness", &swappiness));
		/* -1 (what the docker CLI sends by default): the host's. */
		s->memory_swappiness_set = swappiness != -1;
		s->memory_swappiness = swappiness;
	}
	JR_TRY(body_str(r, hc, "CpusetCpus", &s->cpuset_cpus));
	JR_TRY(body_str(r, hc, "CpusetMems", &s->cpuset_mems));
	JR_TRY(api_parse_blkio(r, hc, s));
	JR_TRY(jr_str_map_strv(r, hc, "Annotations", &s->annotations));
	JR_TRY(jr_bool(r, hc, "ReadonlyRootfs", &s->readonly_rootfs));
	JR_TRY(jr_bool(r, hc, "Privileged", &s->privileged));
	JR_TRY(jr_bool(r, hc, "AutoRemove", &s->auto_remove));
	JR_TRY(api_ports_bindings(r, hc, &s->ports));
	JR_TRY(body_strv(r, hc, "Dns", &s->dns));
	JR_TRY(body_strv(r, hc, "DnsSearch", &s->dns_search));
	JR_TRY(body_strv(r, hc, "DnsOptions", &s->dns_options));
	JR_TRY(body_strv(r, hc, "ExtraHosts", &s->extra_hosts));
	JR_TRY(jr_bool(r, hc, "PublishAllPorts", &s->publish_all));
	rp = jr_get(hc, "RestartPolicy");
	if (rp) {
		size_t mark = jr_enter_key(r, "RestartPolicy");
		int32_t max = 0;

		JR_TRY(jr_val_object(r, rp));
		JR_TRY(body_str(r, rp, "Name", &s->restart_name));
		JR_TRY(jr_i32(r, rp, "MaximumRetryCount", &max));
		s->restart_max = max;
		jr_leave(r, mark);
	}
	return 0;
}

static bool user_network(const char *mode)
{
	return mode && *mode && strcmp(mode, "default") && strcmp(mode, "bridge") &&
	       strcmp(mode, "none") && strcmp(mode, "host") && strncmp(mode, "container:", 10);
}

static bool first_is_bridge(const char *mode)
{
	return !mode || !*mode || !strcmp(mode, "default") || !strcmp(mode, "bridge");
}

/* A network a container can be on besides its first. */
static bool user_or_bridge(const char *name)
{
	return user_network(name) || !strcmp(name, "bridge");
}

/* A network besides the first one (docker run --network A --network B):
 * its entry in s->networks, "NAME|ALIAS...". */
static int other_endpoint(struct jr *r, yajl_val ep, const char *name, struct daemon_spec *s)
{
	char **aliases = NULL, *entry = strdup(name);
	int ret = entry ? body_strv(r, ep, "Aliases", &aliases) : -ENOMEM;

	for (size_t i = 0; ret >= 0 && aliases && aliases[i]; i++) {
		char *longer = NULL;

		if (strchr(aliases[i], '|'))
			ret = jr_fail_key(r, "Aliases", "invalid network alias");
		else if (asprintf(&longer, "%s|%s", entry, aliases[i]) < 0)
			ret = -ENOMEM;
		free(entry);
		entry = longer;
	}
	strv_free(aliases);
	if (ret >= 0 && strv_push(&s->networks, entry) < 0)
		ret = -ENOMEM;
	free(entry);
	return ret < 0 ? ret : 0;
}

/* NetworkingConfig.EndpointsConfig: what docker's --ip, --network-alias,
 * --mac-address, --link ask of each network; the first network (the
 * NetworkMode's) takes aliases, --ip on a user network and a MAC
 * address; the others (run with --network more than once) aliases. */
static int parse_endpoints(struct jr *r, yajl_val doc, struct daemon_spec *s)
{
	yajl_val nc = jr_get(doc, "NetworkingConfig");
	yajl_val ec = jr_get(nc, "EndpointsConfig");
	size_t mark;

	if (!ec || !YAJL_IS_OBJECT(ec))
		return 0;
	mark = jr_enter_key(r, "NetworkingConfig");
	jr_enter_key(r, "EndpointsConfig");
	for (size_t i = 0; i < YAJL_GET_OBJECT(ec)->len; i++) {
		yajl_val ep = YAJL_GET_OBJECT(ec)->values[i];
		yajl_val ipam = jr_get(ep, "IPAMConfig");
		const char *name = YAJL_GET_OBJECT(ec)->keys[i];
		size_t emark = jr_enter_key(r, name);

		bool first = !strcmp(name, s->network_mode && *s->network_mode ? s->network_mode
										: "default") ||
			     (!strcmp(name, "bridge") && first_is_bridge(s->network_mode));

		if (!first && user_or_bridge(name)) {
			JR_TRY(other_endpoint(r, ep, name, s));
			JR_TRY(refuse_set(r, ep, "MacAddress",
					  "a MAC address on a network besides the first"));
		} else if (user_network(s->network_mode) && first) {
			JR_TRY(body_strv(r, ep, "Aliases", &s->aliases));
		} else {
			JR_TRY(refuse_set(r, ep, "Aliases", "network aliases"));
		}
		if (first) {
			char *mac = NULL;

			/* CLIs before API 1.44 send the endpoint's as "" (and
			 * --mac-address in the config): "" sets none. */
			JR_TRY(body_str(r, ep, "MacAddress", &mac));
			if (mac && *mac)
				s->mac = mac;
		}
		JR_TRY(refuse_set(r, ep, "Links", "links"));
		JR_TRY(refuse_set(r, ep, "DriverOpts", "network driver options"));
		JR_TRY(refuse_set(r, ep, "IPAddress", "a fixed address"));
		if (ipam && YAJL_IS_OBJECT(ipam)) {
			size_t imark = jr_enter_key(r, "IPAMConfig");

			if (user_network(s->network_mode) && first)
				JR_TRY(body_str(r, ipam, "IPv4Address", &s->ip));
			else
				JR_TRY(refuse_set(r, ipam, "IPv4Address", "a fixed address (--ip) "
						  "outside a user network"));
			JR_TRY(refuse_set(r, ipam, "IPv6Address", "a fixed address (--ip6)"));
			JR_TRY(refuse_set(r, ipam, "LinkLocalIPs", "link-local addresses"));
			jr_leave(r, imark);
		}
		jr_leave(r, emark);
	}
	jr_leave(r, mark);
	return 0;
}

static int parse_create(const char *body, size_t len, struct daemon_spec *s, bool *kmem,
			struct arena *a, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	yajl_val hc;
	int32_t timeout = -1;

	s->stop_timeout = -1;
	JR_TRY(body_open(&r, body, len, "a container config", &doc, a, err));
	JR_TRY(body_str(&r, doc, "Image", &s->image));
	if (!s->image || !*s->image)
		return berr_invalid(err, "config: Image is required");
	JR_TRY(body_str(&r, doc, "Hostname", &s->hostname));
	JR_TRY(body_str(&r, doc, "Domainname", &s->domainname));
	JR_TRY(body_str(&r, doc, "User", &s->user));
	JR_TRY(body_str(&r, doc, "WorkingDir", &s->workdir));
	JR_TRY(body_str(&r, doc, "StopSignal", &s->stop_signal));
	JR_TRY(jr_i32(&r, doc, "StopTimeout", &timeout));
	s->stop_timeout = timeout;
	JR_TRY(body_strv(&r, doc, "Cmd", &s->cmd));
	JR_TRY(body_strv(&r, doc, "Entrypoint", &s->entrypoint));
	JR_TRY(body_strv(&r, doc, "Env", &s->env));
	JR_TRY(jr_str_map_strv(&r, doc, "Labels", &s->labels));
	JR_TRY(api_ports_exposed(&r, doc, &s->exposed));
	JR_TRY(jr_bool(&r, doc, "Tty", &s->tty));
	JR_TRY(jr_bool(&r, doc, "OpenStdin", &s->open_stdin));
	JR_TRY(jr_bool(&r, doc, "StdinOnce", &s->stdin_once));
	JR_TRY(jr_bool(&r, doc, "AttachStdin", &s->attach_stdin));
	JR_TRY(jr_bool(&r, doc, "AttachStdout", &s->attach_stdout));
	JR_TRY(jr_bool(&r, doc, "AttachStderr", &s->attach_stderr));
	JR_TRY(api_parse_healthcheck(&r, doc, s));
	JR_TRY(refuse_set(&r, doc, "OnBuild", "OnBuild"));
	JR_TRY(refuse_set(&r, doc, "Shell", "Shell"));
	/* docker's CLIs before API 1.44 send --mac-address here. */
	JR_TRY(body_str(&r, doc, "MacAddress", &s->mac));
	hc = jr_get(doc, "HostConfig");
	if (hc && YAJL_IS_OBJECT(hc))
		JR_TRY(body_str(&r, hc, "NetworkMode", &s->network_mode));
	JR_TRY(parse_endpoints(&r, doc, s));
	if (s->env)
		for (size_t i = 0; s->env[i]; i++)
			if (!s->env[i][0] || s->env[i][0] == '=')
				return berr_invalid(err, "invalid environment variable: \"%s\"",
						 s->env[i]);
	hc = jr_get(doc, "HostConfig");
	if (hc) {
		size_t mark = jr_enter_key(&r, "HostConfig");

		JR_TRY(parse_host_config(&r, hc, s, kmem));
		jr_leave(&r, mark);
	}
	JR_TRY(api_parse_mounts(&r, doc, hc, s));
	if (hc) {
		size_t mark = jr_enter_key(&r, "HostConfig");

		JR_TRY(api_parse_run_options(&r, hc, s));
		jr_leave(&r, mark);
	}
	return 0;
}

enum MHD_Result api_container_create(struct req *r)
{
	struct daemon_spec s = { 0 };
	struct arena a = { 0 };
	cleanup_jw struct jw *w = jw_new(false);
	struct berr err = { 0 };
	const char *platform = http_query(r, "platform");
	char id[65];
	bool kmem = false;
	int ret;

	/* docker run --platform: images here are this host's. */
	if (platform && *platform && strcmp(platform, "linux") != 0 &&
	    strcmp(platform, "linux/amd64") != 0)
		return http_reply_error(r, 501, "platform %s is not supported by berthd (only "
						"this host's, linux/amd64)",
					platform);
	ret = parse_create(r->body, r->body_len, &s, &kmem, &a, &err);
	arena_release(&a);
	if (ret < 0) {
		daemon_spec_free(&s);
		return body_reply_error(r, ret, &err, "create");
	}
	ret = daemon_create(r->srv->d, &s, http_query(r, "name"), id, &err);
	daemon_spec_free(&s);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_kstr(w, "Id", id);
	jw_key(w, "Warnings");
	jw_array_open(w);
	if (kmem)
		jw_str(w, "Kernel memory limits are deprecated and not applied by berthd "
			  "(the kernel's cgroup v2 has none); the limit was discarded.");
	jw_array_close(w);
	jw_map_close(w);
	return http_reply_json(r, 201, w);
}

/* --- inspect and list ------------------------------------------------------------ */

static void state_json(struct jw *w, const struct daemon_container *c)
{
	jw_key(w, "State");
	jw_map_open(w);
	jw_kstr(w, "Status", daemon_status_name(c->status));
	jw_kbool(w, "Running", c->status == DS_RUNNING || c->status == DS_PAUSED);
	jw_kbool(w, "Paused", c->status == DS_PAUSED);
	jw_kbool(w, "Restarting", c->status == DS_RESTARTING);
	jw_kbool(w, "OOMKilled", c->oom_killed);
	jw_kbool(w, "Dead", c->status == DS_DEAD);
	jw_kint(w, "Pid", c->pid);
	jw_kint(w, "ExitCode", c->exit_code);
	jw_kstr(w, "Error", c->error ? c->error : "");
	jw_kstr(w, "StartedAt", c->started_at[0] ? c->started_at : "0001-01-01T00:00:00Z");
	jw_kstr(w, "FinishedAt", c->finished_at[0] ? c->finished_at : "0001-01-01T00:00:00Z");
	api_health_state_json(w, c);
	jw_map_close(w);
}

static void inspect_json(struct jw *w, struct srv *srv, const struct daemon_container *c)
{
	const struct daemon_spec *s = &c->spec;
	cleanup_free char *log = daemon_log_path(srv->d, c->id);
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/containers/%s", srv->data_root, c->id);
	jw_map_open(w);
	jw_kstr(w, "Id", c->id);
	jw_kstr(w, "Created", c->created);
	jw_kstr(w, "Path", s->entrypoint && s->entrypoint[0] ? s->entrypoint[0]
			    : s->cmd && s->cmd[0]		   ? s->cmd[0]
								   : "");
	jw_key(w, "Args");
	jw_array_open(w);
	{
		bool first = true;

		for (size_t i = 0; s->entrypoint && s->entrypoint[i]; i++, first = false)
			if (!first)
				jw_str(w, s->entrypoint[i]);
		for (size_t i = 0; s->cmd && s->cmd[i]; i++, first = false)
			if (!first)
				jw_str(w, s->cmd[i]);
	}
	jw_array_close(w);
	state_json(w, c);
	jw_kstr(w, "Image", s->image_id);
	jw_kstr(w, "ResolvConfPath", "");
	jw_kstr(w, "HostnamePath", "");
	jw_kstr(w, "HostsPath", "");
	jw_kstr(w, "LogPath", log && !(s->log_driver && !strcmp(s->log_driver, "none")) ? log : "");
	{
		char name[300];

		snprintf(name, sizeof(name), "/%s", c->name);
		jw_kstr(w, "Name", name);
	}
	jw_kint(w, "RestartCount", c->restart_count);
	jw_kstr(w, "Driver", "overlay");
	jw_kstr(w, "Platform", "linux");
	jw_kstr(w, "MountLabel", "");
	jw_kstr(w, "ProcessLabel", "");
	jw_kstr(w, "AppArmorProfile", "");
	jw_key(w, "ExecIDs");
	jw_null(w);
	jw_key(w, "HostConfig");
	jw_map_open(w);
	jw_kstrv(w, "Binds", s->binds);
	jw_kstrv(w, "Dns", s->dns);
	jw_kstrv(w, "DnsSearch", s->dns_search);
	jw_kstrv(w, "DnsOptions", s->dns_options);
	jw_kstrv(w, "ExtraHosts", s->extra_hosts);
	jw_kstrv(w, "VolumesFrom", s->volumes_from);
	jw_key(w, "LogConfig");
	jw_map_open(w);
	jw_kstr(w, "Type", s->log_driver && *s->log_driver ? s->log_driver : "json-file");
	jw_key(w, "Config");
	jw_map_open(w);
	if (s->log_max_size > 0) {
		char v[32];

		snprintf(v, sizeof(v), "%lld", (long long)s->log_max_size);
		jw_kstr(w, "max-size", v);
		snprintf(v, sizeof(v), "%d", s->log_max_files > 0 ? s->log_max_files : 1);
		jw_kstr(w, "max-file", v);
	}
	jw_map_close(w);
	jw_map_close(w);
	jw_kstr(w, "NetworkMode", s->network_mode && *s->network_mode ? s->network_mode
								      : "default");
	api_ports_write_bindings(w, s);
	jw_key(w, "RestartPolicy");
	jw_map_open(w);
	jw_kstr(w, "Name", s->restart_name && *s->restart_name ? s->restart_name : "no");
	jw_kint(w, "MaximumRetryCount", s->restart_max);
	jw_map_close(w);
	jw_kbool(w, "AutoRemove", s->auto_remove);
	jw_kstrv(w, "CapAdd", s->cap_add);
	jw_kstrv(w, "CapDrop", s->cap_drop);
	jw_kstr(w, "CgroupnsMode", s->cgroupns_mode && *s->cgroupns_mode ? s->cgroupns_mode
									 : "private");
	jw_kstr(w, "UsernsMode", s->userns_mode ? s->userns_mode : "");
	jw_kstr(w, "IpcMode", s->ipc_mode && *s->ipc_mode ? s->ipc_mode : "private");
	jw_kstr(w, "PidMode", s->pid_mode ? s->pid_mode : "");
	jw_kstr(w, "UTSMode", s->uts_mode ? s->uts_mode : "");
	jw_key(w, "Init");
	jw_bool(w, s->init);
	jw_kint(w, "ShmSize", s->shm_size ? s->shm_size : 64 * 1024 * 1024);
	jw_kint(w, "OomScoreAdj", s->oom_score_adj);
	jw_kbool(w, "OomKillDisable", s->oom_kill_disable);
	jw_kstrv(w, "GroupAdd", s->group_add);
	jw_kstrv(w, "DeviceCgroupRules", s->device_rules);
	jw_kbool(w, "Privileged", s->privileged);
	jw_kbool(w, "ReadonlyRootfs", s->readonly_rootfs);
	jw_kstrv(w, "SecurityOpt", s->security_opt);
	jw_kstr(w, "Runtime", "berth");
	jw_kint(w, "Memory", s->memory);
	jw_kint(w, "MemorySwap", s->memory_swap);
	jw_kint(w, "NanoCpus", s->nano_cpus);
	jw_kint(w, "CpuShares", s->cpu_shares);
	jw_kint(w, "CpuQuota", s->cpu_quota);
	jw_kint(w, "CpuPeriod", s->cpu_period);
	jw_kint(w, "MemoryReservation", s->memory_reservation);
	jw_key(w, "MemorySwappiness");
	if (s->memory_swappiness_set)
		jw_int(w, s->memory_swappiness);
	else
		jw_null(w);
	jw_kstr(w, "CpusetCpus", s->cpuset_cpus ? s->cpuset_cpus : "");
	jw_kstr(w, "CpusetMems", s->cpuset_mems ? s->cpuset_mems : "");
	api_blkio_json(w, s);
	api_run_options_json(w, s);
	jw_kv_map(w, "Annotations", s->annotations);
	jw_key(w, "PidsLimit");
	if (s->pids_limit)
		jw_int(w, s->pids_limit);
	else
		jw_null(w);
	jw_map_close(w);
	jw_key(w, "GraphDriver");
	jw_map_open(w);
	jw_kstr(w, "Name", "overlay");
	jw_key(w, "Data");
	jw_map_open(w);
	{
		char p[4200];

		snprintf(p, sizeof(p), "%s/rootfs", dir);
		jw_kstr(w, "MergedDir", p);
		snprintf(p, sizeof(p), "%s/upper", dir);
		jw_kstr(w, "UpperDir", p);
		snprintf(p, sizeof(p), "%s/work", dir);
		jw_kstr(w, "WorkDir", p);
	}
	jw_map_close(w);
	jw_map_close(w);
	api_mounts_json(w, srv->data_root, s);
	jw_key(w, "Config");
	jw_map_open(w);
	{
		char host[256] = "";

		/* What the container gets when create named none. */
		if (s->hostname && *s->hostname)
			snprintf(host, sizeof(host), "%s", s->hostname);
		else if (s->network_mode && strcmp(s->network_mode, "host") == 0)
			gethostname(host, sizeof(host));
		else
			snprintf(host, sizeof(host), "%.12s", c->id);
		jw_kstr(w, "Hostname", host);
	}
	jw_kstr(w, "Domainname", s->domainname ? s->domainname : "");
	/* The address asked for, as dockerd keeps it (omitted when none). */
	if (s->mac && *s->mac)
		jw_kstr(w, "MacAddress", s->mac);
	jw_kstr(w, "User", s->user ? s->user : "");
	jw_kbool(w, "AttachStdin", s->attach_stdin);
	jw_kbool(w, "AttachStdout", s->attach_stdout);
	jw_kbool(w, "AttachStderr", s->attach_stderr);
	jw_kbool(w, "Tty", s->tty);
	jw_kbool(w, "OpenStdin", s->open_stdin);
	jw_kbool(w, "StdinOnce", s->stdin_once);
	jw_kstrv(w, "Env", s->env);
	jw_kstrv(w, "Cmd", s->cmd);
	jw_kstr(w, "Image", s->image);
	jw_key(w, "Volumes");
	if (s->volumes) {
		jw_map_open(w);
		for (size_t i = 0; s->volumes[i]; i++) {
			jw_key(w, s->volumes[i]);
			jw_map_open(w);
			jw_map_close(w);
		}
		jw_map_close(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "WorkingDir", s->workdir ? s->workdir : "");
	jw_kstrv(w, "Entrypoint", s->entrypoint);
	jw_key(w, "OnBuild");
	jw_null(w);
	jw_kv_map(w, "Labels", s->labels);
	api_ports_write_exposed(w, s);
	api_health_config_json(w, s);
	if (s->stop_signal)
		jw_kstr(w, "StopSignal", s->stop_signal);
	if (s->stop_timeout >= 0)
		jw_kint(w, "StopTimeout", s->stop_timeout);
	jw_map_close(w);
	api_network_settings(w, srv->d, c, true);
	jw_map_close(w);
}

enum MHD_Result api_container_inspect(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_container *c;
	struct berr err;
	int ret = daemon_get(r->srv->d, r->params[0], &c, &err);

	if (ret < 0)
		return http_reply_berr(r, &err);
	daemon_lock(r->srv->d);
	inspect_json(w, r->srv, c);
	daemon_unlock(r->srv->d);
	daemon_put(r->srv->d, c);
	return http_reply_json(r, 200, w);
}

/* docker ps --filter health=: none for a container without a check. */
static const char *health_name(const struct daemon_container *c)
{
	const struct daemon_health *h = daemon_health_now_locked(c);

	return h && h->status[0] ? h->status : "none";
}

static int check_health_filter(const struct filters *f, struct berr *err)
{
	char **want = filters_values(f, "health");

	for (size_t i = 0; want && want[i]; i++)
		if (strcmp(want[i], "starting") && strcmp(want[i], "healthy") &&
		    strcmp(want[i], "unhealthy") && strcmp(want[i], "none"))
			return berr_invalid(err, "Unrecognised filter value for health: %s",
					 want[i]);
	return 0;
}

static bool list_match(const struct filters *f, const struct ps_filter *p,
		       const struct daemon_container *c)
{
	char **ids = filters_values(f, "id");
	bool ok;

	if (!filters_match(f, "status", daemon_status_name(c->status)))
		return false;
	if (!filters_match(f, "health", health_name(c)))
		return false;
	if (!filters_labels(f, c->spec.labels))
		return false;
	if (!ps_filter_match_locked(p, c))
		return false;
	ok = !ids;
	for (size_t i = 0; ids && ids[i]; i++)
		ok |= strncmp(c->id, ids[i], strlen(ids[i])) == 0;
	return ok;
}

/* Does a listing show c: running (or all asked for) and through the
 * filters? */
static bool listed_locked(const struct filters *f, const struct ps_filter *p, bool all,
			  const struct daemon_container *c)
{
	if (!all && c->status != DS_RUNNING && c->status != DS_PAUSED &&
	    c->status != DS_RESTARTING)
		return false;
	return list_match(f, p, c);
}

/* The containers a listing shows, held (daemon_put each), newest first
 * (ps_order_locked) up to limit (none when it is not positive, as with
 * dockerd). */
static int list_gather(struct daemon *d, const struct filters *f, const struct ps_filter *p,
		       bool all, long long limit, struct daemon_container ***out, size_t *n,
		       struct berr *err)
{
	struct daemon_container **v;
	size_t count, kept = 0;
	int ret;

	daemon_lock(d);
	ret = ps_order_locked(p, d, &v, &count, err);
	for (size_t i = 0; ret == 0 && i < count && (limit <= 0 || (long long)kept < limit); i++) {
		struct daemon_container *c = v[i];

		if (!listed_locked(f, p, all, c))
			continue;
		c->refs++;
		v[kept++] = c;
	}
	daemon_unlock(d);
	*out = v;
	*n = kept;
	return ret;
}

/* docker ps --size: each listed container's writable layer is walked
 * first, without the lock; then the entries are written anew, with their
 * sizes. */
static enum MHD_Result list_sized(struct req *r, const struct filters *f,
				  const struct ps_filter *p, bool all, long long limit)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free struct daemon_container **list = NULL;
	cleanup_free long long *sizes = NULL;
	struct daemon *d = r->srv->d;
	struct berr err;
	size_t n = 0;
	time_t now;

	if (list_gather(d, f, p, all, limit, &list, &n, &err) < 0)
		return http_reply_berr(r, &err);
	if (n > 0) {
		sizes = calloc(n * 2, sizeof(*sizes));
		/* One removed meanwhile is not listed below. */
		for (size_t i = 0; sizes && i < n; i++)
			if (daemon_container_size(d, list[i]->id, &sizes[2 * i], &sizes[2 * i + 1],
						  &err) < 0)
				sizes[2 * i] = sizes[2 * i + 1] = 0;
	}
	jw_array_open(w);
	daemon_lock(d);
	now = time(NULL);
	for (size_t i = 0; i < n; i++)
		if (!list[i]->removed && sizes)
			ps_entry_write_locked(w, r->srv, list[i], &sizes[2 * i], now);
	daemon_unlock(d);
	for (size_t i = 0; i < n; i++)
		daemon_put(d, list[i]);
	jw_array_close(w);
	if (n > 0 && !sizes)
		return http_reply_error(r, 500, "list containers: out of memory");
	return http_reply_json(r, 200, w);
}

/* docker ps: in one hold of the daemon's lock, each entry copied from
 * the one its container keeps (api_ps_entry.c), so that a listing of many
 * containers costs little more than their text. */
static enum MHD_Result list_kept(struct req *r, const struct filters *f,
				 const struct ps_filter *p, bool all, long long limit)
{
	cleanup_free struct daemon_container **v = NULL;
	struct ps_text t = { 0 }, scratch = { 0 };
	struct daemon *d = r->srv->d;
	struct berr err;
	size_t count, shown = 0;
	time_t now;
	int ret;

	ps_text_add(&t, "[", 1);
	daemon_lock(d);
	now = time(NULL);
	ret = ps_order_locked(p, d, &v, &count, &err);
	for (size_t i = 0; ret == 0 && i < count && (limit <= 0 || (long long)shown < limit); i++) {
		if (!listed_locked(f, p, all, v[i]))
			continue;
		if (shown++)
			ps_text_add(&t, ",", 1);
		ret = ps_entry_append_locked(&t, &scratch, r->srv, v[i], now, &err);
	}
	daemon_unlock(d);
	ps_text_free(&scratch);
	/* dockerd ends its JSON documents with a newline. */
	ps_text_add(&t, "]\n", 2);
	if (ret == 0 && t.failed)
		ret = berr_set(&err, ENOMEM, "list containers");
	if (ret < 0) {
		ps_text_free(&t);
		return http_reply_berr(r, &err);
	}
	return http_reply(r, 200, "application/json", t.s, t.len);
}

/* docker ps answers from memory. */
enum MHD_Result api_container_list(struct req *r)
{
	static const char *const allowed[] = { "status",  "label",    "name",   "id",
					       "health",  "ancestor", "exited", "before",
					       "since",   "volume",   "network", "publish",
					       "expose",  "is-task",  NULL };
	struct ps_filter p;
	struct filters f;
	struct berr err;
	bool all = http_query_bool(r, "all");
	enum MHD_Result answer;
	long long limit;
	int ret;

	if (http_query_int(r, "limit", -1, &limit) < 0)
		return http_reply_error(r, 400, "invalid limit");
	ret = filters_query(r, allowed, &f, &err);
	if (ret == 0 && (ret = check_health_filter(&f, &err)) < 0)
		filters_free(&f);
	if (ret == 0 && (ret = ps_filter_prepare(&p, &f, r->srv, &err)) < 0)
		filters_free(&f);
	if (ret < 0)
		return http_reply_berr(r, &err);
	/* A status filter asks for stopped containers too, and so does a
	 * limit (docker ps -n, -l: the latest, whatever their state). */
	if (filters_has(&f, "status") || limit > 0)
		all = true;
	if (http_query_bool(r, "size"))
		answer = list_sized(r, &f, &p, all, limit);
	else
		answer = list_kept(r, &f, &p, all, limit);
	ps_filter_free(&p);
	filters_free(&f);
	return answer;
}

/* --- lifecycle ------------------------------------------------------------------ */

enum MHD_Result api_container_start(struct req *r)
{
	struct berr err = { 0 };
	int ret = daemon_start(r->srv->d, r->params[0], &err);

	if (ret == 1)
		return http_reply_empty(r, 304);
	if (ret < 0)
		return http_reply_berr(r, &err);
	return http_reply_empty(r, 204);
}

/* The stop timeout in seconds (t, or the older timeout), -1 when absent;
 * -EINVAL when malformed or longer than a day. */
static int timeout_param(struct req *r, int *t)
{
	const char *key = http_query(r, "t") ? "t" : "timeout";
	long long v;

	if (http_query_int(r, key, -1, &v) < 0 || v > 86400)
		return -EINVAL;
	*t = (int)v;
	return 0;
}

enum MHD_Result api_container_stop(struct req *r)
{
	struct berr err = { 0 };
	int t, ret;

	if (timeout_param(r, &t) < 0)
		return http_reply_error(r, 400, "invalid timeout");
	ret = daemon_stop(r->srv->d, r->params[0], t, http_query(r, "signal"), &err);
	if (ret == 1)
		return http_reply_empty(r, 304);
	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_restart(struct req *r)
{
	struct berr err = { 0 };
	int t, ret;

	if (timeout_param(r, &t) < 0)
		return http_reply_error(r, 400, "invalid timeout");
	ret = daemon_restart(r->srv->d, r->params[0], t, &err);
	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_kill(struct req *r)
{
	struct berr err = { 0 };
	int ret = daemon_kill(r->srv->d, r->params[0], http_query(r, "signal"), &err);

	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_remove(struct req *r)
{
	struct berr err = { 0 };
	int ret;

	if (http_query_bool(r, "link"))
		return http_reply_error(r, 501, "links are not supported by berthd");
	ret = daemon_remove(r->srv->d, r->params[0], http_query_bool(r, "force"),
			    http_query_bool(r, "v"), &err);
	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_rename(struct req *r)
{
	struct berr err = { 0 };
	const char *name = http_query(r, "name");
	int ret;

	if (!name || !*name)
		return http_reply_error(r, 400, "rename: the new name (name) is required");
	ret = daemon_rename(r->srv->d, r->params[0], name, &err);
	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_pause(struct req *r)
{
	struct berr err = { 0 };
	int ret = daemon_pause(r->srv->d, r->params[0], &err);

	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_unpause(struct req *r)
{
	struct berr err = { 0 };
	int ret = daemon_unpause(r->srv->d, r->params[0], &err);

	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_container_resize(struct req *r)
{
	struct berr err = { 0 };
	unsigned rows, cols;
	int ret;

	if (http_query_tty_size(r, &rows, &cols) < 0)
		return http_reply_error(r, 400, "invalid terminal size");
	ret = daemon_resize(r->srv->d, r->params[0], rows, cols, &err);
	return http_reply_done(r, ret, &err, 200);
}

/* --- update ----------------------------------------------------------------- */

static int parse_update(const char *body, size_t len, struct daemon_update *u, struct arena *a,
			struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	yajl_val rp;
	int ret;

	JR_TRY(body_open(&r, body, len, "the resources to update", &doc, a, err));
	JR_TRY(refuse_resources(&r, doc));
	JR_TRY(refuse_update_only(&r, doc));
	JR_TRY(refuse_set(&r, doc, "OomKillDisable", "changing OomKillDisable"));
	JR_TRY(refuse_set(&r, doc, "Devices", "changing devices"));
	JR_TRY(refuse_set(&r, doc, "DeviceCgroupRules", "changing device cgroup rules"));
	JR_TRY(refuse_set(&r, doc, "Ulimits", "changing ulimits"));
	JR_TRY(refuse_set(&r, doc, "BlkioWeightDevice", "changing per-device block I/O weights"));
	JR_TRY(refuse_set(&r, doc, "BlkioDeviceReadBps", "changing block I/O throttles"));
	JR_TRY(refuse_set(&r, doc, "BlkioDeviceWriteBps", "changing block I/O throttles"));
	JR_TRY(refuse_set(&r, doc, "BlkioDeviceReadIOps", "changing block I/O throttles"));
	JR_TRY(refuse_set(&r, doc, "BlkioDeviceWriteIOps", "changing block I/O throttles"));
	JR_TRY(jr_i64(&r, doc, "BlkioWeight", &u->blkio_weight));
	JR_TRY(jr_i64(&r, doc, "CpuRealtimePeriod", &u->cpu_rt_period));
	JR_TRY(jr_i64(&r, doc, "CpuRealtimeRuntime", &u->cpu_rt_runtime));
	JR_TRY(jr_i64(&r, doc, "Memory", &u->memory));
	JR_TRY(jr_i64(&r, doc, "MemorySwap", &u->memory_swap));
	JR_TRY(jr_i64(&r, doc, "NanoCpus", &u->nano_cpus));
	JR_TRY(jr_i64(&r, doc, "CpuShares", &u->cpu_shares));
	JR_TRY(jr_i64(&r, doc, "CpuQuota", &u->cpu_quota));
	JR_TRY(jr_i64(&r, doc, "CpuPeriod", &u->cpu_period));
	JR_TRY(jr_str(&r, doc, "CpusetCpus", &u->cpuset_cpus));
	JR_TRY(jr_str(&r, doc, "CpusetMems", &u->cpuset_mems));
	ret = jr_i64(&r, doc, "PidsLimit", &u->pids_limit);
	JR_TRY(ret);
	u->pids_set = ret == 1;
	rp = jr_get(doc, "RestartPolicy");
	if (rp) {
		size_t mark = jr_enter_key(&r, "RestartPolicy");
		int32_t max = 0;

		JR_TRY(jr_val_object(&r, rp));
		JR_TRY(jr_str(&r, rp, "Name", &u->restart_name));
		JR_TRY(jr_i32(&r, rp, "MaximumRetryCount", &max));
		u->restart_max = max;
		jr_leave(&r, mark);
	}
	return 0;
}

enum MHD_Result api_container_update(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_update u = { 0 };
	struct arena a = { 0 };
	struct berr err = { 0 };
	int ret;

	/* Strings of u live in the arena until the update is done. */
	ret = parse_update(r->body, r->body_len, &u, &a, &err);
	if (ret < 0) {
		arena_release(&a);
		return body_reply_error(r, ret, &err, "update");
	}
	ret = daemon_update(r->srv->d, r->params[0], &u, &err);
	arena_release(&a);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_key(w, "Warnings");
	jw_array_open(w);
	jw_array_close(w);
	jw_map_close(w);
	return http_reply_json(r, 200, w);
}
