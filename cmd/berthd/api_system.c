/* The routes, and the system endpoints: _ping, version, info, events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "version.h"
#include "api.h"
#include "spec/base/strv.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"

const struct route api_routes[] = {
	{ "GET", "/_ping", api_ping, false },
	{ "GET", "/version", api_version, false },
	{ "GET", "/info", api_info, false },
	{ "GET", "/events", api_events, false },
	{ "POST", "/containers/create", api_container_create, false },
	{ "GET", "/containers/json", api_container_list, false },
	{ "POST", "/containers/prune", api_container_prune, false },
	{ "GET", "/containers/{id}/changes", api_container_changes, false },
	{ "GET", "/containers/{id}/export", api_container_export, false },
	{ "GET", "/containers/{id}/archive", api_container_archive_get, false },
	{ "PUT", "/containers/{id}/archive", api_container_archive_put, true },
	{ "GET", "/containers/{id}/json", api_container_inspect, false },
	{ "POST", "/containers/{id}/start", api_container_start, false },
	{ "POST", "/containers/{id}/stop", api_container_stop, false },
	{ "POST", "/containers/{id}/restart", api_container_restart, false },
	{ "POST", "/containers/{id}/kill", api_container_kill, false },
	{ "POST", "/containers/{id}/wait", api_container_wait, false },
	{ "POST", "/containers/{id}/attach", api_container_attach, false },
	{ "GET", "/containers/{id}/logs", api_container_logs, false },
	{ "GET", "/containers/{id}/top", api_container_top, false },
	{ "POST", "/containers/{id}/resize", api_container_resize, false },
	{ "GET", "/containers/{id}/stats", api_container_stats, false },
	{ "POST", "/containers/{id}/update", api_container_update, false },
	{ "POST", "/containers/{id}/pause", api_container_pause, false },
	{ "POST", "/containers/{id}/rename", api_container_rename, false },
	{ "POST", "/containers/{id}/unpause", api_container_unpause, false },
	{ "DELETE", "/containers/{id}", api_container_remove, false },
	{ "POST", "/containers/{id}/exec", api_exec_create, false },
	{ "POST", "/exec/{id}/start", api_exec_start, false },
	{ "GET", "/exec/{id}/json", api_exec_inspect, false },
	{ "POST", "/exec/{id}/resize", api_exec_resize, false },
	{ "POST", "/images/load", api_image_load, true },
	{ "POST", "/images/create", api_image_create, true },
	{ "GET", "/images/json", api_image_list, false },
	{ "GET", "/images/get", api_image_get, false },
	{ "POST", "/commit", api_commit, false },
	{ "POST", "/build", api_build, true },
	{ "POST", "/build/prune", api_build_prune, false },
	{ "POST", "/images/prune", api_image_prune, false },
	{ "GET", "/images/{name*}/get", api_image_get_one, false },
	{ "GET", "/images/{name*}/history", api_image_history, false },
	{ "GET", "/images/{name*}/json", api_image_inspect, false },
	{ "POST", "/images/{name*}/tag", api_image_tag, false },
	{ "POST", "/images/{name*}/push", api_image_push, false },
	{ "POST", "/auth", api_auth, false },
	{ "DELETE", "/images/{name*}", api_image_remove, false },
	{ "GET", "/networks", api_network_list, false },
	{ "POST", "/networks/create", api_network_create, false },
	{ "POST", "/networks/prune", api_network_prune, false },
	{ "GET", "/networks/{id}", api_network_inspect, false },
	{ "DELETE", "/networks/{id}", api_network_remove, false },
	{ "POST", "/networks/{id}/connect", api_network_connect, false },
	{ "POST", "/networks/{id}/disconnect", api_network_disconnect, false },
	{ "POST", "/volumes/create", api_volume_create, false },
	{ "GET", "/volumes", api_volume_list, false },
	{ "POST", "/volumes/prune", api_volume_prune, false },
	{ "GET", "/volumes/{name}", api_volume_inspect, false },
	{ "DELETE", "/volumes/{name}", api_volume_remove, false },
	{ "GET", "/system/df", api_system_df, false },
	/* Objects berthd has none of: docker inspect asks for them in turn. */
	/* A name with a "/" is no container's (docker inspect REGISTRY/NAME
	 * asks for a container first, then for an image). */
	{ "GET", "/containers/{name*}/json", api_no_such_object, false },
	{ "GET", "/plugins/{name*}/json", api_no_such_object, false },
	{ NULL, NULL, NULL, false },
};

/* berthd has no plugins, nor containers whose names have a "/": any one
 * asked for is not found, which is what docker inspect needs to go on to
 * the next kind of object. */
enum MHD_Result api_no_such_object(struct req *r)
{
	const char *kind = "plugin";

	if (strncmp(r->path, "/containers/", 12) == 0)
		return http_reply_error(r, 404, "No such container: %s", r->params[0]);
	return http_reply_error(r, 404, "%s %s not found", kind, r->params[0]);
}

enum MHD_Result api_ping(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *ok = strdup("OK");

	if (!ok)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(2, ok, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Api-Version", API_VERSION);
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	/* The classic builder is the only one (no BuildKit session API). */
	MHD_add_response_header(resp, "Builder-Version", "1");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, "Server", "berthd/" BERTH_VERSION " (linux)");
	MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
	MHD_add_response_header(resp, "Pragma", "no-cache");
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *arch(void)
{
	static struct utsname u;

	uname(&u);
	return strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64";
}

/* One entry of the version's Components: both are this build; the engine
 * (u set) also says what it speaks and where it runs. */
static void component(struct jw *w, const char *name, const struct utsname *u)
{
	jw_map_open(w);
	jw_kstr(w, "Name", name);
	jw_kstr(w, "Version", BERTH_VERSION);
	jw_key(w, "Details");
	jw_map_open(w);
	if (u) {
		jw_kstr(w, "ApiVersion", API_VERSION);
		jw_kstr(w, "Arch", arch());
	}
	jw_kstr(w, "GitCommit", BERTH_COMMIT);
	if (u) {
		jw_kstr(w, "KernelVersion", u->release);
		jw_kstr(w, "MinAPIVersion", API_MIN_VERSION);
		jw_kstr(w, "Os", "linux");
		jw_kstr(w, "Experimental", "false");
	}
	jw_map_close(w);
	jw_map_close(w);
}

enum MHD_Result api_version(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct utsname u;

	uname(&u);
	jw_map_open(w);
	jw_key(w, "Platform");
	jw_map_open(w);
	jw_kstr(w, "Name", "berthd");
	jw_map_close(w);
	jw_key(w, "Components");
	jw_array_open(w);
	component(w, "Engine", &u);
	component(w, "berth", NULL);
	jw_array_close(w);
	jw_kstr(w, "Version", BERTH_VERSION);
	jw_kstr(w, "ApiVersion", API_VERSION);
	jw_kstr(w, "MinAPIVersion", API_MIN_VERSION);
	jw_kstr(w, "GitCommit", BERTH_COMMIT);
	jw_kstr(w, "GoVersion", "none (C)");
	jw_kstr(w, "Os", "linux");
	jw_kstr(w, "Arch", arch());
	jw_kstr(w, "KernelVersion", u.release);
	jw_kstr(w, "BuildTime", "");
	jw_map_close(w);
	return http_reply_json(r, 200, w);
}

static void os_name(char *buf, size_t size)
{
	cleanup_fclose FILE *f = fopen("/etc/os-release", "re");
	char line[256];

	snprintf(buf, size, "Linux");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "PRETTY_NAME=", 12) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + 12 + (line[12] == '"'));
		if (buf[0] && buf[strlen(buf) - 1] == '"')
			buf[strlen(buf) - 1] = '\0';
	}
}

enum MHD_Result api_info(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct image_rec *imgs = NULL;
	struct utsname u;
	struct statfs sf;
	struct sysinfo si;
	struct berr err;
	char host[256] = "", os[256], now[48];
	size_t n_imgs = 0;
	int total, running, paused, stopped;
	bool v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;

	uname(&u);
	gethostname(host, sizeof(host));
	sysinfo(&si);
	os_name(os, sizeof(os));
	timestamp_now(now, sizeof(now));
	daemon_counts(r->srv->d, &total, &running, &paused, &stopped);
	if (image_store_list(r->srv->data_root, &imgs, &n_imgs, &err) == 0)
		image_recs_free(imgs, n_imgs);
	jw_map_open(w);
	jw_kstr(w, "ID", BERTH_COMMIT);
	jw_kint(w, "Containers", total);
	jw_kint(w, "ContainersRunning", running);
	jw_kint(w, "ContainersPaused", paused);
	jw_kint(w, "ContainersStopped", stopped);
	jw_kint(w, "Images", (int64_t)n_imgs);
	jw_kstr(w, "Driver", "overlay");
	jw_key(w, "DriverStatus");
	jw_array_open(w);
	jw_array_close(w);
	jw_key(w, "Plugins");
	jw_map_open(w);
	jw_key(w, "Volume");
	jw_array_open(w);
	jw_str(w, "local");
	jw_array_close(w);
	jw_key(w, "Network");
	jw_array_open(w);
	jw_str(w, "host");
	jw_str(w, "null");
	jw_array_close(w);
	jw_key(w, "Authorization");
	jw_null(w);
	jw_key(w, "Log");
	jw_array_open(w);
	jw_str(w, "json-file");
	jw_array_close(w);
	jw_map_close(w);
	jw_kbool(w, "MemoryLimit", true);
	jw_kbool(w, "SwapLimit", true);
	jw_kbool(w, "CpuCfsPeriod", true);
	jw_kbool(w, "CpuCfsQuota", true);
	jw_kbool(w, "CPUShares", true);
	jw_kbool(w, "CPUSet", false);
	jw_kbool(w, "PidsLimit", true);
	jw_kbool(w, "IPv4Forwarding", false);
	jw_kbool(w, "Debug", r->srv->log_level >= 3);
	jw_kint(w, "NFd", 0);
	jw_kbool(w, "OomKillDisable", false);
	jw_kint(w, "NGoroutines", 0);
	jw_kstr(w, "SystemTime", now);
	jw_kstr(w, "LoggingDriver", "json-file");
	jw_kstr(w, "CgroupDriver", "cgroupfs");
	jw_kstr(w, "CgroupVersion", v2 ? "2" : "1");
	jw_kint(w, "NEventsListener", 0);
	jw_kstr(w, "KernelVersion", u.release);
	jw_kstr(w, "OperatingSystem", os);
	jw_kstr(w, "OSType", "linux");
	jw_kstr(w, "Architecture", u.machine);
	jw_kstr(w, "IndexServerAddress", "");
	jw_kint(w, "NCPU", sysconf(_SC_NPROCESSORS_ONLN));
	jw_kint(w, "MemTotal", (int64_t)si.totalram * si.mem_unit);
	jw_kstr(w, "DockerRootDir", r->srv->data_root);
	jw_kstr(w, "Name", host);
	jw_key(w, "Labels");
	jw_array_open(w);
	jw_array_close(w);
	jw_kbool(w, "ExperimentalBuild", false);
	jw_kstr(w, "ServerVersion", BERTH_VERSION);
	jw_key(w, "Runtimes");
	jw_map_open(w);
	jw_key(w, "berth");
	jw_map_open(w);
	jw_kstr(w, "path", "berth (linked in)");
	jw_map_close(w);
	jw_map_close(w);
	jw_kstr(w, "DefaultRuntime", "berth");
	jw_key(w, "Swarm");
	jw_map_open(w);
	jw_kstr(w, "NodeID", "");
	jw_kstr(w, "NodeAddr", "");
	jw_kstr(w, "LocalNodeState", "inactive");
	jw_kbool(w, "ControlAvailable", false);
	jw_kstr(w, "Error", "");
	jw_key(w, "RemoteManagers");
	jw_null(w);
	jw_map_close(w);
	jw_kbool(w, "LiveRestoreEnabled", true);
	jw_kstr(w, "Isolation", "");
	jw_kstr(w, "InitBinary", "");
	jw_key(w, "SecurityOptions");
	jw_array_open(w);
	jw_str(w, "name=seccomp,profile=builtin");
	jw_array_close(w);
	jw_key(w, "Warnings");
	jw_null(w);
	jw_map_close(w);
	return http_reply_json(r, 200, w);
}

/* --- events ---------------------------------------------------------------- */

struct events_stream {
	struct req_copy {
		struct daemon *d;
	} rc;
	struct filters f;
	uint64_t cursor;
	int64_t until;  /* ns, 0 none */
	int64_t since;  /* ns, 0 none */
	char *pending;  /* JSON of events not yet sent */
	size_t pending_len, pending_off;
};

static const char *attr_of(char **attrs, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; attrs && attrs[i]; i++)
		if (strncmp(attrs[i], key, klen) == 0 && attrs[i][klen] == '=')
			return attrs[i] + klen + 1;
	return NULL;
}

static bool event_matches(const struct filters *f, const struct daemon_event *e)
{
	if (!filters_match(f, "type", e->type) || !filters_match(f, "event", e->action))
		return false;
	if (filters_has(f, "container")) {
		const char *name = attr_of(e->attrs, "name");

		if (strcmp(e->type, "container") != 0)
			return false;
		if (!filters_match(f, "container", e->id) && !filters_match(f, "container", name))
			return false;
	}
	if (filters_has(f, "image")) {
		const char *img = attr_of(e->attrs, "image");

		if (!filters_match(f, "image", img) && !filters_match(f, "image", e->id))
			return false;
	}
	/* A container's labels are among its events' attributes. */
	return filters_labels(f, e->attrs);
}

static int event_json(const struct daemon_event *e, char **out, size_t *len)
{
	cleanup_jw struct jw *w = jw_new(false);
	const char *image = attr_of(e->attrs, "image");
	struct berr err;

	jw_map_open(w);
	jw_kstr(w, "status", e->action);
	jw_kstr(w, "id", e->id);
	if (image && strcmp(e->type, "container") == 0)
		jw_kstr(w, "from", image);
	jw_kstr(w, "Type", e->type);
	jw_kstr(w, "Action", e->action);
	jw_key(w, "Actor");
	jw_map_open(w);
	jw_kstr(w, "ID", e->id);
	jw_key(w, "Attributes");
	jw_map_open(w);
	for (size_t i = 0; e->attrs && e->attrs[i]; i++) {
		char *eq = strchr(e->attrs[i], '=');
		char key[256];

		if (!eq)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - e->attrs[i]), e->attrs[i]);
		jw_kstr(w, key, eq + 1);
	}
	jw_map_close(w);
	jw_map_close(w);
	jw_kstr(w, "scope", "local");
	jw_kint(w, "time", e->time_nano / 1000000000LL);
	jw_kint(w, "timeNano", e->time_nano);
	jw_map_close(w);
	return jw_finish(w, out, len, &err);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define EVENTS_BATCH 32

static ssize_t events_next(void *cls, char *buf, size_t max)
{
	struct events_stream *s = cls;
	struct daemon_event evs[EVENTS_BATCH];
	size_t n;

	if (s->pending_off < s->pending_len)
		return (ssize_t)http_stream_pending(buf, max, s->pending, s->pending_len,
						    &s->pending_off);
	free(s->pending);
	s->pending = NULL;
	s->pending_len = s->pending_off = 0;
	if (s->rc.d->stopping)
		return -1;
	n = daemon_events_read(s->rc.d, &s->cursor, evs, EVENTS_BATCH);
	for (size_t i = 0; i < n; i++) {
		char *json = NULL;
		size_t len;

		if ((!s->since || evs[i].time_nano >= s->since) &&
		    (!s->until || evs[i].time_nano <= s->until) && event_matches(&s->f, &evs[i]) &&
		    event_json(&evs[i], &json, &len) == 0) {
			char *grown = realloc(s->pending, s->pending_len + len + 1);

			if (grown) {
				s->pending = grown;
				memcpy(grown + s->pending_len, json, len);
				grown[s->pending_len + len] = '\n';
				s->pending_len += len + 1;
			}
		}
		free(json);
		daemon_event_free(&evs[i]);
	}
	if (s->pending_len)
		return events_next(cls, buf, max);
	/* Everything recorded up to until goes out, however late the
	 * request came: the stream ends only once it has caught up. */
	if (n == EVENTS_BATCH)
		return 0;
	if (s->until && now_ns() > s->until)
		return -1;
	if (!n)
		daemon_wait_change(s->rc.d, 250);
	return 0;
}

static void events_free(void *cls)
{
	struct events_stream *s = cls;

	filters_free(&s->f);
	free(s->pending);
	free(s);
}

enum MHD_Result api_events(struct req *r)
{
	static const char *const allowed[] = { "type", "event", "container", "image", "label",
					       NULL };
	struct events_stream *s = calloc(1, sizeof(*s));
	const char *since = http_query(r, "since"), *until = http_query(r, "until");
	struct berr err;
	int ret;

	if (!s)
		return MHD_NO;
	s->rc.d = r->srv->d;
	ret = filters_query(r, allowed, &s->f, &err);
	if (ret == 0 && since && *since && daemon_log_time(since, &s->since) < 0)
		ret = berr_invalid(&err, "invalid since value \"%s\"", since);
	if (ret == 0 && until && *until && daemon_log_time(until, &s->until) < 0)
		ret = berr_invalid(&err, "invalid until value \"%s\"", until);
	if (ret < 0) {
		events_free(s);
		return http_reply_berr(r, &err);
	}
	/* Without since, only what happens from now on; since=0 (the
	 * epoch) is every event kept. */
	daemon_lock(s->rc.d);
	s->cursor = since && *since ? 0 : s->rc.d->next_seq;
	daemon_unlock(s->rc.d);
	return http_reply_stream(r, 200, "application/json", events_next, s, events_free);
}
