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
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"
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

static int get_labels(struct jr *r, yajl_val obj, char ***out)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	int ret = jr_str_map(r, obj, "Labels", &kv, &n);

	if (ret <= 0)
		return ret;
	*out = calloc(n + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (asprintf(&(*out)[i], "%s=%s", kv[i].key, kv[i].value) < 0)
			return -ENOMEM;
	return 1;
}

struct unsupported {
	const char *key, *what;
};

/* The resources docker sets at create and changes at update that berthd
 * cannot apply, refused alike in both. */
static const struct unsupported unsupported_resources[] = {
	{ "BlkioWeight", "block I/O limits" },
	{ "BlkioWeightDevice", "block I/O limits" },
	{ "BlkioDeviceReadBps", "block I/O limits" },
	{ "BlkioDeviceWriteBps", "block I/O limits" },
	{ "BlkioDeviceReadIOps", "block I/O limits" },
	{ "BlkioDeviceWriteIOps", "block I/O limits" },
	{ "CpuRealtimePeriod", "real-time CPU limits" },
	{ "CpuRealtimeRuntime", "real-time CPU limits" },
	{ "KernelMemory", "kernel memory limits" },
	{ "KernelMemoryTCP", "kernel memory limits" },
	{ "MemoryReservation", "memory reservations" },
	{ "OomKillDisable", "disabling the OOM killer" },
	{ "CgroupParent", "a per-container cgroup parent" },
	{ "Devices", "adding host devices" },
	{ "DeviceCgroupRules", "device cgroup rules" },
	{ "DeviceRequests", "device requests" },
	{ "Ulimits", "ulimits" },
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
	int64_t swappiness = -1;

	JR_TRY(refuse_all(r, obj, unsupported_resources));
	JR_TRY(jr_i64(r, obj, "MemorySwappiness", &swappiness));
	if (swappiness != -1)
		return berr_as(r->err, jr_fail_key(r, "MemorySwappiness", "is not supported by berthd"),
			       BERR_UNSUPPORTED);
	return 0;
}

static int parse_host_config(struct jr *r, yajl_val hc, struct daemon_spec *s)
{
	/* What only a new container could ask for. */
	static const struct unsupported host_only[] = {
		{ "PortBindings", "publishing ports" },
		{ "PublishAllPorts", "publishing ports" },
		{ "Mounts", "HostConfig.Mounts (use Binds)" },
		{ "VolumesFrom", "volumes from other containers" },
		{ "VolumeDriver", "volume drivers" },
		{ "Links", "links" },
		{ "Dns", "DNS servers" },
		{ "DnsOptions", "DNS options" },
		{ "DnsSearch", "DNS search domains" },
		{ "ExtraHosts", "extra hosts" },
		{ "GroupAdd", "additional groups" },
		{ "OomScoreAdj", "oom score adjustment" },
		{ "ShmSize", "a custom /dev/shm size" },
		{ "Tmpfs", "tmpfs mounts" },
		{ "Sysctls", "sysctls" },
		{ "Init", "an init process" },
		{ "Cgroup", "joining another cgroup" },
		{ "PidMode", "PidMode" },
		{ "UTSMode", "UTSMode" },
		{ "UsernsMode", "user namespaces" },
		{ "Runtime", "choosing a runtime" },
		{ "Isolation", "isolation modes" },
		{ "StorageOpt", "storage options" },
		{ "MaskedPaths", "custom masked paths" },
		{ "ReadonlyPaths", "custom read-only paths" },
		{ "ContainerIDFile", "ContainerIDFile" },
		{ NULL, NULL },
	};
	yajl_val rp, lc;
	const char *mode = NULL;
	int ret;

	JR_TRY(jr_val_object(r, hc));
	JR_TRY(refuse_all(r, hc, host_only));
	JR_TRY(refuse_resources(r, hc));
	ret = jr_str(r, hc, "IpcMode", &mode);
	JR_TRY(ret);
	if (ret == 1 && *mode && strcmp(mode, "private") && strcmp(mode, "shareable"))
		return berr_as(r->err,
			       jr_fail_key(r, "IpcMode", "\"%s\" is not supported by berthd", mode),
			       BERR_UNSUPPORTED);
	mode = NULL;
	ret = jr_str(r, hc, "CgroupnsMode", &mode);
	JR_TRY(ret);
	if (ret == 1 && *mode && strcmp(mode, "private"))
		return berr_as(r->err,
			       jr_fail_key(r, "CgroupnsMode", "\"%s\" is not supported by berthd",
					   mode),
			       BERR_UNSUPPORTED);
	lc = jr_get(hc, "LogConfig");
	if (lc && YAJL_IS_OBJECT(lc)) {
		const char *type = NULL;
		size_t mark = jr_enter_key(r, "LogConfig");

		JR_TRY(jr_str(r, lc, "Type", &type));
		/* json-file is what inspect reports: a client that sends it
		 * back asks for what berthd does. */
		if (type && *type && strcmp(type, "json-file") != 0)
			return berr_as(r->err,
				       jr_fail_key(r, "Type",
						   "log drivers are not supported by berthd (it "
						   "keeps its own log file, reported as json-file)"),
				       BERR_UNSUPPORTED);
		JR_TRY(refuse_set(r, lc, "Config", "log driver options"));
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
	JR_TRY(body_str(r, hc, "CpusetCpus", &s->cpuset_cpus));
	JR_TRY(body_str(r, hc, "CpusetMems", &s->cpuset_mems));
	JR_TRY(jr_bool(r, hc, "ReadonlyRootfs", &s->readonly_rootfs));
	JR_TRY(jr_bool(r, hc, "Privileged", &s->privileged));
	JR_TRY(jr_bool(r, hc, "AutoRemove", &s->auto_remove));
	JR_TRY(body_str(r, hc, "NetworkMode", &s->network_mode));
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

static int parse_create(const char *body, size_t len, struct daemon_spec *s, struct arena *a,
			struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	yajl_val hc, vols;
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
	JR_TRY(get_labels(&r, doc, &s->labels));
	JR_TRY(jr_bool(&r, doc, "Tty", &s->tty));
	JR_TRY(jr_bool(&r, doc, "OpenStdin", &s->open_stdin));
	JR_TRY(jr_bool(&r, doc, "StdinOnce", &s->stdin_once));
	JR_TRY(jr_bool(&r, doc, "AttachStdin", &s->attach_stdin));
	JR_TRY(jr_bool(&r, doc, "AttachStdout", &s->attach_stdout));
	JR_TRY(jr_bool(&r, doc, "AttachStderr", &s->attach_stderr));
	JR_TRY(refuse_set(&r, doc, "Healthcheck", "Healthcheck"));
	JR_TRY(refuse_set(&r, doc, "OnBuild", "OnBuild"));
	JR_TRY(refuse_set(&r, doc, "Shell", "Shell"));
	vols = jr_get(doc, "Volumes");
	if (vols && YAJL_IS_OBJECT(vols) && vols->u.object.len)
		return berr_unsupported(err,
				 "config: anonymous volumes are not supported by berthd (bind "
				 "a host directory instead)");
	if (s->env)
		for (size_t i = 0; s->env[i]; i++)
			if (!s->env[i][0] || s->env[i][0] == '=')
				return berr_invalid(err, "invalid environment variable: \"%s\"",
						 s->env[i]);
	hc = jr_get(doc, "HostConfig");
	if (hc) {
		size_t mark = jr_enter_key(&r, "HostConfig");

		JR_TRY(parse_host_config(&r, hc, s));
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
	char id[65];
	int ret;

	ret = parse_create(r->body, r->body_len, &s, &a, &err);
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
	jw_array_close(w);
	jw_map_close(w);
	return http_reply_json(r, 201, w);
}

/* --- inspect and list ------------------------------------------------------------ */

static void strv_or_null(struct jw *w, const char *key, char **v)
{
	jw_key(w, key);
	if (!v) {
		jw_null(w);
		return;
	}
	jw_array_open(w);
	for (size_t i = 0; v[i]; i++)
		jw_str(w, v[i]);
	jw_array_close(w);
}

static void labels_map(struct jw *w, char **labels)
{
	jw_key(w, "Labels");
	jw_map_open(w);
	for (size_t i = 0; labels && labels[i]; i++) {
		char *eq = strchr(labels[i], '=');
		char key[512];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - labels[i]) : (int)strlen(labels[i]),
			 labels[i]);
		jw_kstr(w, key, eq ? eq + 1 : "");
	}
	jw_map_close(w);
}

static const char *network_name(const struct daemon_spec *s)
{
	const char *m = s->network_mode;

	if (!m || !*m || !strcmp(m, "default"))
		return "bridge";
	return m;
}

/* The address fields of the settings and of an endpoint, all empty. */
static void no_address(struct jw *w)
{
	jw_kstr(w, "Gateway", "");
	jw_kstr(w, "IPAddress", "");
	jw_kint(w, "IPPrefixLen", 0);
	jw_kstr(w, "MacAddress", "");
}

/* Until bridge networks exist, "bridge" is a namespace with loopback only:
 * no endpoint, no address; inspect says so in the network's entry. */
static void network_settings(struct jw *w, const struct daemon_container *c, bool full)
{
	const char *net = network_name(&c->spec);

	jw_key(w, "NetworkSettings");
	jw_map_open(w);
	if (full) {
		jw_kstr(w, "Bridge", "");
		jw_kstr(w, "SandboxID", "");
		jw_key(w, "Ports");
		jw_map_open(w);
		jw_map_close(w);
		jw_kstr(w, "SandboxKey", "");
		no_address(w);
	}
	jw_key(w, "Networks");
	jw_map_open(w);
	jw_key(w, net);
	jw_map_open(w);
	jw_key(w, "IPAMConfig");
	jw_null(w);
	jw_key(w, "Links");
	jw_null(w);
	jw_key(w, "Aliases");
	jw_null(w);
	jw_kstr(w, "NetworkID", strcmp(net, "host") == 0 ? "host"
				: strcmp(net, "none") == 0 ? "none"
							   : "loopback-only");
	jw_kstr(w, "EndpointID", "");
	no_address(w);
	jw_key(w, "DriverOpts");
	jw_null(w);
	jw_map_close(w);
	jw_map_close(w);
	jw_map_close(w);
}

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
	jw_kstr(w, "LogPath", log ? log : "");
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
	strv_or_null(w, "Binds", s->binds);
	jw_key(w, "LogConfig");
	jw_map_open(w);
	jw_kstr(w, "Type", "json-file");
	jw_key(w, "Config");
	jw_map_open(w);
	jw_map_close(w);
	jw_map_close(w);
	jw_kstr(w, "NetworkMode", s->network_mode && *s->network_mode ? s->network_mode
								      : "default");
	jw_key(w, "PortBindings");
	jw_map_open(w);
	jw_map_close(w);
	jw_key(w, "RestartPolicy");
	jw_map_open(w);
	jw_kstr(w, "Name", s->restart_name && *s->restart_name ? s->restart_name : "no");
	jw_kint(w, "MaximumRetryCount", s->restart_max);
	jw_map_close(w);
	jw_kbool(w, "AutoRemove", s->auto_remove);
	strv_or_null(w, "CapAdd", s->cap_add);
	strv_or_null(w, "CapDrop", s->cap_drop);
	jw_kstr(w, "CgroupnsMode", "private");
	jw_kstr(w, "IpcMode", "private");
	jw_kbool(w, "Privileged", s->privileged);
	jw_kbool(w, "ReadonlyRootfs", s->readonly_rootfs);
	strv_or_null(w, "SecurityOpt", s->security_opt);
	jw_kstr(w, "Runtime", "berth");
	jw_kint(w, "Memory", s->memory);
	jw_kint(w, "MemorySwap", s->memory_swap);
	jw_kint(w, "NanoCpus", s->nano_cpus);
	jw_kint(w, "CpuShares", s->cpu_shares);
	jw_kint(w, "CpuQuota", s->cpu_quota);
	jw_kint(w, "CpuPeriod", s->cpu_period);
	jw_kstr(w, "CpusetCpus", s->cpuset_cpus ? s->cpuset_cpus : "");
	jw_kstr(w, "CpusetMems", s->cpuset_mems ? s->cpuset_mems : "");
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
	jw_key(w, "Mounts");
	jw_array_open(w);
	jw_array_close(w);
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
	jw_kstr(w, "User", s->user ? s->user : "");
	jw_kbool(w, "AttachStdin", s->attach_stdin);
	jw_kbool(w, "AttachStdout", s->attach_stdout);
	jw_kbool(w, "AttachStderr", s->attach_stderr);
	jw_kbool(w, "Tty", s->tty);
	jw_kbool(w, "OpenStdin", s->open_stdin);
	jw_kbool(w, "StdinOnce", s->stdin_once);
	strv_or_null(w, "Env", s->env);
	strv_or_null(w, "Cmd", s->cmd);
	jw_kstr(w, "Image", s->image);
	jw_key(w, "Volumes");
	jw_null(w);
	jw_kstr(w, "WorkingDir", s->workdir ? s->workdir : "");
	strv_or_null(w, "Entrypoint", s->entrypoint);
	jw_key(w, "OnBuild");
	jw_null(w);
	labels_map(w, s->labels);
	if (s->stop_signal)
		jw_kstr(w, "StopSignal", s->stop_signal);
	if (s->stop_timeout >= 0)
		jw_kint(w, "StopTimeout", s->stop_timeout);
	jw_map_close(w);
	network_settings(w, c, true);
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

static void human_duration(int64_t secs, char *buf, size_t size)
{
	if (secs < 1)
		snprintf(buf, size, "Less than a second");
	else if (secs == 1)
		snprintf(buf, size, "1 second");
	else if (secs < 60)
		snprintf(buf, size, "%lld seconds", (long long)secs);
	else if (secs < 120)
		snprintf(buf, size, "About a minute");
	else if (secs < 3600)
		snprintf(buf, size, "%lld minutes", (long long)secs / 60);
	else if (secs < 7200)
		snprintf(buf, size, "About an hour");
	else if (secs < 48 * 3600)
		snprintf(buf, size, "%lld hours", (long long)secs / 3600);
	else
		snprintf(buf, size, "%lld days", (long long)secs / 86400);
}

static int64_t since_secs(const char *ts)
{
	int64_t ns;

	if (!ts || !*ts || daemon_log_time(ts, &ns) < 0)
		return 0;
	return (int64_t)time(NULL) - ns / 1000000000LL;
}

static void status_text(const struct daemon_container *c, char *buf, size_t size)
{
	char d[64];

	switch (c->status) {
	case DS_RUNNING:
	case DS_PAUSED:
		human_duration(since_secs(c->started_at), d, sizeof(d));
		snprintf(buf, size, "Up %s%s", d, c->status == DS_PAUSED ? " (Paused)" : "");
		break;
	case DS_RESTARTING:
		human_duration(since_secs(c->finished_at), d, sizeof(d));
		snprintf(buf, size, "Restarting (%d) %s ago", c->exit_code, d);
		break;
	case DS_EXITED:
		human_duration(since_secs(c->finished_at), d, sizeof(d));
		snprintf(buf, size, "Exited (%d) %s ago", c->exit_code, d);
		break;
	case DS_CREATED:
		snprintf(buf, size, "Created");
		break;
	case DS_REMOVING:
		snprintf(buf, size, "Removal In Progress");
		break;
	default:
		snprintf(buf, size, "Dead");
	}
}

/* docker's Command: the arguments joined, quoted where needed. */
static void command_text(const struct daemon_spec *s, char *buf, size_t size)
{
	size_t used = 0;
	char **lists[2] = { s->entrypoint, s->cmd };

	buf[0] = '\0';
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			const char *a = lists[l][i];
			bool quote = !*a || strpbrk(a, " \t\n'\"$;&|<>()*?\\") != NULL;
			int n = snprintf(buf + used, size - used, quote ? "%s'%s'" : "%s%s",
					 used ? " " : "", a);

			if (n < 0 || (size_t)n >= size - used)
				return;
			used += (size_t)n;
		}
	}
}

static bool label_match(const struct filters *f, char **labels)
{
	char **want = filters_values(f, "label");

	for (size_t i = 0; want && want[i]; i++) {
		bool found = false;

		for (size_t j = 0; labels && labels[j]; j++) {
			size_t klen = strcspn(labels[j], "=");

			found |= strcmp(labels[j], want[i]) == 0 ||
				 (!strchr(want[i], '=') && strlen(want[i]) == klen &&
				  strncmp(labels[j], want[i], klen) == 0);
		}
		if (!found)
			return false;
	}
	return true;
}

static bool list_match(const struct filters *f, const struct daemon_container *c)
{
	char **names = filters_values(f, "name"), **ids = filters_values(f, "id");
	bool ok;

	if (!filters_match(f, "status", daemon_status_name(c->status)))
		return false;
	if (!label_match(f, c->spec.labels))
		return false;
	ok = !names;
	for (size_t i = 0; names && names[i]; i++)
		ok |= strstr(c->name, names[i][0] == '/' ? names[i] + 1 : names[i]) != NULL;
	if (!ok)
		return false;
	ok = !ids;
	for (size_t i = 0; ids && ids[i]; i++)
		ok |= strncmp(c->id, ids[i], strlen(ids[i])) == 0;
	return ok;
}

enum MHD_Result api_container_list(struct req *r)
{
	static const char *const allowed[] = { "status", "label", "name", "id", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct filters f;
	struct berr err;
	bool all = http_query_bool(r, "all");
	long long limit;
	int ret, n = 0;

	if (http_query_int(r, "limit", -1, &limit) < 0)
		return http_reply_error(r, 400, "invalid limit");
	ret = filters_parse(http_query(r, "filters"), &f, &err);
	if (ret == 0)
		ret = filters_check(&f, allowed, &err);
	if (ret < 0) {
		filters_free(&f);
		return http_reply_berr(r, &err);
	}
	/* A status filter asks for stopped containers too. */
	if (filters_has(&f, "status"))
		all = true;
	jw_array_open(w);
	daemon_lock(r->srv->d);
	for (struct daemon_container *c = r->srv->d->containers; c; c = c->next) {
		char text[128], cmd[1024], name[300];
		int64_t created_ns = 0;

		if (!all && c->status != DS_RUNNING && c->status != DS_PAUSED &&
		    c->status != DS_RESTARTING)
			continue;
		if (!list_match(&f, c))
			continue;
		if (limit >= 0 && n >= limit)
			break;
		n++;
		daemon_log_time(c->created, &created_ns);
		jw_map_open(w);
		jw_kstr(w, "Id", c->id);
		jw_key(w, "Names");
		jw_array_open(w);
		snprintf(name, sizeof(name), "/%s", c->name);
		jw_str(w, name);
		jw_array_close(w);
		jw_kstr(w, "Image", c->spec.image);
		jw_kstr(w, "ImageID", c->spec.image_id);
		command_text(&c->spec, cmd, sizeof(cmd));
		jw_kstr(w, "Command", cmd);
		jw_kint(w, "Created", created_ns / 1000000000LL);
		jw_key(w, "Ports");
		jw_array_open(w);
		jw_array_close(w);
		labels_map(w, c->spec.labels);
		jw_kstr(w, "State", daemon_status_name(c->status));
		status_text(c, text, sizeof(text));
		jw_kstr(w, "Status", text);
		jw_key(w, "HostConfig");
		jw_map_open(w);
		jw_kstr(w, "NetworkMode", c->spec.network_mode && *c->spec.network_mode
						  ? c->spec.network_mode
						  : "default");
		jw_map_close(w);
		network_settings(w, c, false);
		jw_key(w, "Mounts");
		jw_array_open(w);
		jw_array_close(w);
		jw_map_close(w);
	}
	daemon_unlock(r->srv->d);
	jw_array_close(w);
	filters_free(&f);
	return http_reply_json(r, 200, w);
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
	ret = daemon_remove(r->srv->d, r->params[0], http_query_bool(r, "force"), &err);
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
