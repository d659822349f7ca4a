/* berthd's container table: records on disk, lookup, create, events. */
#include "runtime/engine/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/bundle.h"
#include "spec/base/strv.h"
#include "spec/record.h"
#include "runtime/engine/log.h"
#include "runtime/engine/ports.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/image.h"
#include "spec/names.h"
#include "spec/base/timestamp.h"

extern char **environ;

void daemon_lock(struct daemon *d)
{
	pthread_mutex_lock(&d->lock);
}

void daemon_unlock(struct daemon *d)
{
	pthread_mutex_unlock(&d->lock);
}

char *daemon_dir(struct daemon *d, const char *id, const char *file)
{
	char *p;

	if (asprintf(&p, "%s/containers/%s%s%s", d->o.data_root, id, file ? "/" : "",
		     file ? file : "") < 0)
		return NULL;
	return p;
}

int daemon_layers_of(struct daemon *d, const char *ref, char **upper, struct image_rec *img,
		     struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	*upper = daemon_dir(d, c->id, "upper");
	ret = *upper ? image_store_find(d->o.data_root, c->spec.image_id, img, err)
		     : berr_set(err, ENOMEM, "the container's writable layer");
	daemon_put(d, c);
	if (ret < 0) {
		free(*upper);
		*upper = NULL;
	}
	return ret;
}

char *daemon_log_path(struct daemon *d, const char *id)
{
	return daemon_dir(d, id, "container.log");
}

char *daemon_shim_socket(struct daemon *d, const char *id)
{
	char *p;

	/* 12 hex digits keep the path short enough for a socket address. */
	if (asprintf(&p, "%s/%.12s", d->shim_dir, id) < 0)
		return NULL;
	return p;
}

/* --- records ------------------------------------------------------------- */

/* A list that is NULL (not given) is left out, so that it reads back as
 * not given: a Cmd of [] is not the same as no Cmd. */
static void put_strv(struct record_writer *w, const char *k, char *const *v)
{
	record_put_list(w, k, v, strv_len(v));
}

int daemon_save_config(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	cleanup_free char *path = daemon_dir(d, c->id, "config");
	const struct daemon_spec *s = &c->spec;
	struct record_writer w;
	int ret;

	if (!path)
		return berr_sys(err, "container record");
	ret = record_begin(&w, err);
	if (ret < 0)
		return ret;
	record_put(&w, "id", c->id);
	record_put(&w, "name", c->name);
	record_put(&w, "created", c->created);
	record_put(&w, "image", s->image);
	record_put(&w, "image_id", s->image_id);
	record_put(&w, "hostname", s->hostname);
	record_put(&w, "domainname", s->domainname);
	record_put(&w, "user", s->user);
	record_put(&w, "workdir", s->workdir);
	record_put(&w, "stop_signal", s->stop_signal);
	put_strv(&w, "cmd", s->cmd);
	put_strv(&w, "entrypoint", s->entrypoint);
	put_strv(&w, "env", s->env);
	put_strv(&w, "labels", s->labels);
	put_strv(&w, "annotations", s->annotations);
	record_put_bool(&w, "tty", s->tty);
	record_put_bool(&w, "open_stdin", s->open_stdin);
	record_put_bool(&w, "stdin_once", s->stdin_once);
	record_put_bool(&w, "attach_stdin", s->attach_stdin);
	record_put_bool(&w, "attach_stdout", s->attach_stdout);
	record_put_bool(&w, "attach_stderr", s->attach_stderr);
	record_put_int(&w, "stop_timeout", s->stop_timeout);
	put_strv(&w, "binds", s->binds);
	put_strv(&w, "mount_reqs", s->mount_reqs);
	put_strv(&w, "volumes", s->volumes);
	put_strv(&w, "volumes_from", s->volumes_from);
	put_strv(&w, "mounts", s->mounts);
	record_put_bool(&w, "init", s->init);
	record_put_bool(&w, "oom_kill_disable", s->oom_kill_disable);
	put_strv(&w, "ulimits", s->ulimits);
	put_strv(&w, "sysctls", s->sysctls);
	put_strv(&w, "group_add", s->group_add);
	put_strv(&w, "devices", s->devices);
	put_strv(&w, "device_rules", s->device_rules);
	record_put_int(&w, "shm_size", s->shm_size);
	record_put_int(&w, "oom_score_adj", s->oom_score_adj);
	record_put(&w, "pid_mode", s->pid_mode);
	record_put(&w, "ipc_mode", s->ipc_mode);
	record_put(&w, "uts_mode", s->uts_mode);
	record_put(&w, "cgroupns_mode", s->cgroupns_mode);
	record_put(&w, "userns_mode", s->userns_mode);
	put_strv(&w, "health_test", s->health_test);
	record_put(&w, "log_driver", s->log_driver);
	record_put_int(&w, "log_max_size", s->log_max_size);
	record_put_int(&w, "log_max_files", s->log_max_files);
	record_put_int(&w, "health_interval", s->health_interval);
	record_put_int(&w, "health_timeout", s->health_timeout);
	record_put_int(&w, "health_start_period", s->health_start_period);
	record_put_int(&w, "health_retries", s->health_retries);
	put_strv(&w, "cap_add", s->cap_add);
	put_strv(&w, "cap_drop", s->cap_drop);
	put_strv(&w, "security_opt", s->security_opt);
	record_put_int(&w, "memory", s->memory);
	record_put_int(&w, "memory_swap", s->memory_swap);
	record_put_int(&w, "nano_cpus", s->nano_cpus);
	record_put_int(&w, "cpu_shares", s->cpu_shares);
	record_put_int(&w, "pids_limit", s->pids_limit);
	record_put_int(&w, "cpu_quota", s->cpu_quota);
	record_put_int(&w, "cpu_period", s->cpu_period);
	record_put_int(&w, "memory_reservation", s->memory_reservation);
	if (s->memory_swappiness_set)
		record_put_int(&w, "memory_swappiness", s->memory_swappiness);
	record_put(&w, "cpuset_cpus", s->cpuset_cpus);
	record_put(&w, "cpuset_mems", s->cpuset_mems);
	record_put_int(&w, "cpu_rt_period", s->cpu_rt_period);
	record_put_int(&w, "cpu_rt_runtime", s->cpu_rt_runtime);
	record_put_int(&w, "blkio_weight", s->blkio_weight);
	put_strv(&w, "blkio_weight_device", s->blkio_weight_device);
	put_strv(&w, "blkio_read_bps", s->blkio_read_bps);
	put_strv(&w, "blkio_write_bps", s->blkio_write_bps);
	put_strv(&w, "blkio_read_iops", s->blkio_read_iops);
	put_strv(&w, "blkio_write_iops", s->blkio_write_iops);
	record_put_bool(&w, "readonly_rootfs", s->readonly_rootfs);
	record_put_bool(&w, "privileged", s->privileged);
	record_put_bool(&w, "auto_remove", s->auto_remove);
	record_put(&w, "restart_name", s->restart_name);
	record_put_int(&w, "restart_max", s->restart_max);
	record_put(&w, "network_mode", s->network_mode);
	put_strv(&w, "ports", s->ports);
	put_strv(&w, "exposed", s->exposed);
	put_strv(&w, "aliases", s->aliases);
	record_put(&w, "ip", s->ip);
	record_put(&w, "mac", s->mac);
	put_strv(&w, "networks", s->networks);
	put_strv(&w, "dns", s->dns);
	put_strv(&w, "dns_search", s->dns_search);
	put_strv(&w, "dns_options", s->dns_options);
	put_strv(&w, "extra_hosts", s->extra_hosts);
	record_put_bool(&w, "publish_all", s->publish_all);
	return record_commit(&w, path, err);
}

int daemon_save_state(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	cleanup_free char *path = daemon_dir(d, c->id, "state");
	struct record_writer w;
	int ret;

	if (!path)
		return berr_sys(err, "container state");
	ret = record_begin(&w, err);
	if (ret < 0)
		return ret;
	record_put(&w, "status", daemon_status_name(c->status));
	record_put_int(&w, "pid", c->pid);
	record_put_int(&w, "exit_code", c->exit_code);
	record_put_bool(&w, "oom_killed", c->oom_killed);
	record_put(&w, "error", c->error);
	record_put(&w, "started_at", c->started_at);
	record_put(&w, "finished_at", c->finished_at);
	record_put_int(&w, "restart_count", c->restart_count);
	record_put_bool(&w, "manual_stop", c->manual_stop);
	record_put_bool(&w, "has_run", c->has_run);
	record_put_int(&w, "shim_pid", c->shim_pid);
	record_put_int(&w, "shim_start", (int64_t)c->shim_start);
	daemon_health_put(&w, c);
	return record_commit(&w, path, err);
}

/* Save without a caller to tell: the daemon logs nothing, so a failed
 * save shows up as the next one failing too, where there is a caller. */
void daemon_save_state_quiet(struct daemon *d, struct daemon_container *c)
{
	struct berr ignored;

	daemon_save_state(d, c, &ignored);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int get_strv(const struct record *r, const char *k, char ***out)
{
	return record_strv(r, k, out, NULL);
}

static int read_config(const struct record *r, struct daemon_container *c)
{
	struct daemon_spec *s = &c->spec;
	const char *created = record_str(r, "created");

	c->name = dup_or_null(record_str(r, "name"));
	snprintf(c->created, sizeof(c->created), "%s", created ? created : "");
	s->image = dup_or_null(record_str(r, "image"));
	s->image_id = dup_or_null(record_str(r, "image_id"));
	s->hostname = dup_or_null(record_str(r, "hostname"));
	s->domainname = dup_or_null(record_str(r, "domainname"));
	s->user = dup_or_null(record_str(r, "user"));
	s->workdir = dup_or_null(record_str(r, "workdir"));
	s->stop_signal = dup_or_null(record_str(r, "stop_signal"));
	if (get_strv(r, "cmd", &s->cmd) < 0 || get_strv(r, "entrypoint", &s->entrypoint) < 0 ||
	    get_strv(r, "env", &s->env) < 0 || get_strv(r, "labels", &s->labels) < 0 ||
	    get_strv(r, "annotations", &s->annotations) < 0 ||
	    get_strv(r, "binds", &s->binds) < 0 || get_strv(r, "cap_add", &s->cap_add) < 0 ||
	    get_strv(r, "cap_drop", &s->cap_drop) < 0 ||
	    get_strv(r, "security_opt", &s->security_opt) < 0 ||
	    get_strv(r, "mount_reqs", &s->mount_reqs) < 0 ||
	    get_strv(r, "volumes", &s->volumes) < 0 ||
	    get_strv(r, "volumes_from", &s->volumes_from) < 0 ||
	    get_strv(r, "mounts", &s->mounts) < 0 || get_strv(r, "ulimits", &s->ulimits) < 0 ||
	    get_strv(r, "sysctls", &s->sysctls) < 0 ||
	    get_strv(r, "group_add", &s->group_add) < 0 ||
	    get_strv(r, "devices", &s->devices) < 0 ||
	    get_strv(r, "device_rules", &s->device_rules) < 0)
		return -ENOMEM;
	s->tty = record_bool(r, "tty");
	s->open_stdin = record_bool(r, "open_stdin");
	s->stdin_once = record_bool(r, "stdin_once");
	s->attach_stdin = record_bool(r, "attach_stdin");
	s->attach_stdout = record_bool(r, "attach_stdout");
	s->attach_stderr = record_bool(r, "attach_stderr");
	s->stop_timeout = (int)record_ll(r, "stop_timeout", -1);
	s->memory = record_ll(r, "memory", 0);
	s->memory_swap = record_ll(r, "memory_swap", 0);
	s->nano_cpus = record_ll(r, "nano_cpus", 0);
	s->cpu_shares = record_ll(r, "cpu_shares", 0);
	s->pids_limit = record_ll(r, "pids_limit", 0);
	s->cpu_quota = record_ll(r, "cpu_quota", 0);
	s->cpu_period = record_ll(r, "cpu_period", 0);
	s->memory_reservation = record_ll(r, "memory_reservation", 0);
	s->memory_swappiness_set = record_has(r, "memory_swappiness");
	s->memory_swappiness = record_ll(r, "memory_swappiness", 0);
	s->cpuset_cpus = dup_or_null(record_str(r, "cpuset_cpus"));
	s->cpuset_mems = dup_or_null(record_str(r, "cpuset_mems"));
	s->cpu_rt_period = record_ll(r, "cpu_rt_period", 0);
	s->cpu_rt_runtime = record_ll(r, "cpu_rt_runtime", 0);
	s->blkio_weight = record_ll(r, "blkio_weight", 0);
	if (get_strv(r, "blkio_weight_device", &s->blkio_weight_device) < 0 ||
	    get_strv(r, "blkio_read_bps", &s->blkio_read_bps) < 0 ||
	    get_strv(r, "blkio_write_bps", &s->blkio_write_bps) < 0 ||
	    get_strv(r, "blkio_read_iops", &s->blkio_read_iops) < 0 ||
	    get_strv(r, "blkio_write_iops", &s->blkio_write_iops) < 0)
		return -ENOMEM;
	s->readonly_rootfs = record_bool(r, "readonly_rootfs");
	s->init = record_bool(r, "init");
	s->oom_kill_disable = record_bool(r, "oom_kill_disable");
	s->shm_size = record_ll(r, "shm_size", 0);
	s->oom_score_adj = record_ll(r, "oom_score_adj", 0);
	s->pid_mode = dup_or_null(record_str(r, "pid_mode"));
	s->ipc_mode = dup_or_null(record_str(r, "ipc_mode"));
	s->uts_mode = dup_or_null(record_str(r, "uts_mode"));
	s->cgroupns_mode = dup_or_null(record_str(r, "cgroupns_mode"));
	s->userns_mode = dup_or_null(record_str(r, "userns_mode"));
	if (get_strv(r, "health_test", &s->health_test) < 0)
		return -ENOMEM;
	s->log_driver = dup_or_null(record_str(r, "log_driver"));
	s->log_max_size = record_ll(r, "log_max_size", 0);
	s->log_max_files = (int)record_ll(r, "log_max_files", 0);
	s->health_interval = record_ll(r, "health_interval", 0);
	s->health_timeout = record_ll(r, "health_timeout", 0);
	s->health_start_period = record_ll(r, "health_start_period", 0);
	s->health_retries = (int)record_ll(r, "health_retries", 0);
	s->privileged = record_bool(r, "privileged");
	s->auto_remove = record_bool(r, "auto_remove");
	s->restart_name = dup_or_null(record_str(r, "restart_name"));
	s->restart_max = (int)record_ll(r, "restart_max", 0);
	s->network_mode = dup_or_null(record_str(r, "network_mode"));
	if (get_strv(r, "ports", &s->ports) < 0 || get_strv(r, "exposed", &s->exposed) < 0 ||
	    get_strv(r, "aliases", &s->aliases) < 0 || get_strv(r, "dns", &s->dns) < 0 ||
	    get_strv(r, "dns_search", &s->dns_search) < 0 ||
	    get_strv(r, "dns_options", &s->dns_options) < 0 ||
	    get_strv(r, "extra_hosts", &s->extra_hosts) < 0 ||
	    get_strv(r, "networks", &s->networks) < 0)
		return -ENOMEM;
	s->mac = dup_or_null(record_str(r, "mac"));
	s->publish_all = record_bool(r, "publish_all");
	s->ip = dup_or_null(record_str(r, "ip"));
	return 0;
}

/* No state file yet (a crash between the two writes of create) reads as
 * a container just created. */
static void read_state(const struct record *r, struct daemon_container *c)
{
	const char *started = record_str(r, "started_at");
	const char *finished = record_str(r, "finished_at");

	c->status = r->tree ? daemon_status_from(record_str(r, "status")) : DS_CREATED;
	c->pid = (pid_t)record_ll(r, "pid", 0);
	c->exit_code = (int)record_ll(r, "exit_code", 0);
	c->oom_killed = record_bool(r, "oom_killed");
	c->error = dup_or_null(record_str(r, "error"));
	snprintf(c->started_at, sizeof(c->started_at), "%s", started ? started : "");
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", finished ? finished : "");
	c->restart_count = (int)record_ll(r, "restart_count", 0);
	c->manual_stop = record_bool(r, "manual_stop");
	c->has_run = record_bool(r, "has_run");
	c->shim_pid = (pid_t)record_ll(r, "shim_pid", 0);
	c->shim_start = (uint64_t)record_ll(r, "shim_start", 0);
	/* Out of memory: the probes start over, as for a new run. */
	daemon_health_read(r, c);
}

static int load_container(struct daemon *d, const char *id, struct daemon_container **out,
			  struct berr *err)
{
	cleanup_free char *cpath = daemon_dir(d, id, "config");
	cleanup_free char *spath = daemon_dir(d, id, "state");
	struct record cr, sr;
	struct daemon_container *c;
	int ret;

	if (!cpath || !spath)
		return berr_sys(err, "container record");
	ret = record_load(cpath, &cr, err);
	if (ret < 0)
		return ret;
	if (record_load(spath, &sr, err) < 0)
		sr.tree = NULL;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->shim_pidfd = -1;
		c->refs = 1; /* the table's */
		snprintf(c->id, sizeof(c->id), "%.64s", id);
	}
	ret = c ? read_config(&cr, c) : -ENOMEM;
	if (ret == 0)
		read_state(&sr, c);
	record_free(&cr);
	record_free(&sr);
	if (ret < 0) {
		if (c)
			daemon_container_free(c);
		return berr_set(err, ENOMEM, "container record");
	}
	if (!c->name || !c->spec.image_id) {
		daemon_container_free(c);
		return berr_fail(err, EINVAL, "%s: corrupt container record", cpath);
	}
	*out = c;
	return 0;
}

/* A container directory without its config record (whatever its
 * format): only directories (upper, work, rootfs), the files a start
 * derives from the records, and perhaps the state record.  It is what a create or a remove cut short (berthd killed)
 * left: create writes the records after the directories, remove deletes
 * everything.  It holds no container to keep, and nothing in the API
 * would ever remove it: it goes (its rootfs unmounted first, in case). */
static bool remove_if_cut_short(struct daemon *d, const char *id)
{
	/* A state without its config too: a remove cut short in its
	 * rmtree, which takes the files in directory order. */
	static const char *const derived[] = { "config.json", "hostname", "hosts",
					       "resolv.conf", "container.log", "exit",
					       "state" };
	cleanup_free char *dir = daemon_dir(d, id, NULL);
	cleanup_free char *rootfs = daemon_dir(d, id, "rootfs");
	cleanup_closedir DIR *dp = NULL;
	struct berr ignored;
	struct dirent *de;

	if (!dir || !rootfs || !(dp = opendir(dir)))
		return false;
	while ((de = readdir(dp))) {
		bool known = de->d_type == DT_DIR;

		for (size_t i = 0; !known && i < sizeof(derived) / sizeof(*derived); i++)
			known = de->d_type == DT_REG && strcmp(de->d_name, derived[i]) == 0;
		if (!known)
			return false;
	}
	layer_store_umount(rootfs, &ignored);
	layer_store_rmtree(dir, &ignored);
	return true;
}

int daemon_load_all(struct daemon *d, struct berr *err)
{
	cleanup_free char *dir = NULL;
	cleanup_closedir DIR *dp = NULL;
	struct dirent *de;

	if (asprintf(&dir, "%s/containers", d->o.data_root) < 0)
		return berr_sys(err, "containers");
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? 0 : berr_sys(err, "read %s", dir);
	while ((de = readdir(dp))) {
		struct daemon_container *c = NULL;
		struct berr ignored;

		if (strlen(de->d_name) != 64 || remove_if_cut_short(d, de->d_name))
			continue;
		/* A record that cannot be read stays on disk, untouched. */
		if (load_container(d, de->d_name, &c, &ignored) < 0)
			continue;
		c->next = d->containers;
		d->containers = c;
	}
	return 0;
}

void daemon_container_free(struct daemon_container *c)
{
	daemon_health_free(c->health);
	daemon_spec_free(&c->spec);
	free(c->name);
	free(c->error);
	free(c->ep.ports);
	free(c->more);
	for (size_t i = 0; i < c->n_pending; i++) {
		close(c->pending[i].fd);
		free(c->pending[i].extra);
	}
	free(c->pending);
	free(c->listed);
	if (c->shim_pidfd >= 0)
		close(c->shim_pidfd);
	free(c);
}

/* --- lookup --------------------------------------------------------------- */

struct daemon_container *daemon_find_locked(struct daemon *d, const char *ref, int *ambiguous)
{
	struct daemon_container *found = NULL;
	const char *name = ref[0] == '/' ? ref + 1 : ref;
	size_t len = strlen(ref);

	*ambiguous = 0;
	for (struct daemon_container *c = d->containers; c; c = c->next)
		if (strcmp(c->id, ref) == 0)
			return c;
	for (struct daemon_container *c = d->containers; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	if (len == 0 || len > 64)
		return NULL;
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		if (strncmp(c->id, ref, len) != 0)
			continue;
		if (found) {
			*ambiguous = 1;
			return NULL;
		}
		found = c;
	}
	return found;
}

int daemon_get(struct daemon *d, const char *ref, struct daemon_container **out,
	       struct berr *err)
{
	struct daemon_container *c;
	int ambiguous;

	daemon_lock(d);
	c = daemon_find_locked(d, ref, &ambiguous);
	if (c)
		c->refs++;
	daemon_unlock(d);
	if (ambiguous)
		return berr_invalid(err, "multiple containers found with provided prefix: %s",
				 ref);
	if (!c)
		return berr_not_found(err, "No such container: %s", ref);
	*out = c;
	return 0;
}

void daemon_put_locked(struct daemon_container *c)
{
	if (--c->refs == 0)
		daemon_container_free(c);
}

void daemon_put(struct daemon *d, struct daemon_container *c)
{
	if (!c)
		return;
	daemon_lock(d);
	daemon_put_locked(c);
	daemon_unlock(d);
}

void daemon_counts(struct daemon *d, int *total, int *running, int *paused, int *stopped)
{
	*total = *running = *paused = *stopped = 0;
	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		(*total)++;
		if (c->status == DS_RUNNING || c->status == DS_RESTARTING)
			(*running)++;
		else if (c->status == DS_PAUSED)
			(*paused)++;
		else
			(*stopped)++;
	}
	daemon_unlock(d);
}

bool daemon_image_in_use(const char *image_id, void *arg)
{
	struct daemon *d = arg;
	bool used = false;

	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c && !used; c = c->next)
		used = strcmp(c->spec.image_id, image_id) == 0;
	daemon_unlock(d);
	return used;
}

/* --- create --------------------------------------------------------------- */

static const char *const adjectives[] = {
	"brave", "calm", "eager", "fond", "gentle", "happy", "jolly", "keen", "lucid",
	"merry", "nifty", "proud", "quiet", "sharp", "tender", "vivid", "wise", "zen",
};
static const char *const nouns[] = {
	"anchor", "barge", "buoy", "cove", "dock", "ferry", "harbor", "jetty", "keel",
	"lagoon", "mast", "pier", "quay", "rudder", "schooner", "tide", "wharf", "yacht",
};

bool daemon_valid_name(const char *n)
{
	if (!isalnum((unsigned char)n[0]) || strlen(n) > 255)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '.' && *n != '-')
			return false;
	return true;
}

static int random_id(char id[65], struct berr *err)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return berr_sys(err, "random container id");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	/* An id of digits only could be mistaken for a number by clients. */
	if (strspn(id, "0123456789") == 64)
		id[0] = 'a';
	return 0;
}

static char **merged_env(char *const *image, size_t n_image, char *const *user)
{
	size_t n_user = strv_len(user), n = 0;
	char **out = calloc(n_image + n_user + 1, sizeof(char *));

	if (!out)
		return NULL;
	for (size_t i = 0; i < n_image; i++) {
		size_t klen = strcspn(image[i], "=");
		bool overridden = false;

		for (size_t j = 0; j < n_user; j++)
			overridden |= strncmp(user[j], image[i], klen) == 0 &&
				      (user[j][klen] == '=' || user[j][klen] == '\0');
		if (!overridden && !(out[n++] = strdup(image[i])))
			goto oom;
	}
	for (size_t j = 0; j < n_user; j++)
		if (!(out[n++] = strdup(user[j])))
			goto oom;
	return out;
oom:
	strv_free(out);
	return NULL;
}

static char **labels_from(const struct spec_kv *kv, size_t n, char **user)
{
	size_t nu = strv_len(user), used = 0;
	char **out = calloc(n + nu + 1, sizeof(char *));

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool overridden = false;

		for (size_t j = 0; j < nu; j++)
			overridden |= strncmp(user[j], kv[i].key, strlen(kv[i].key)) == 0 &&
				      user[j][strlen(kv[i].key)] == '=';
		if (!overridden && asprintf(&out[used++], "%s=%s", kv[i].key, kv[i].value) < 0) {
			out[--used] = NULL;
			strv_free(out);
			return NULL;
		}
	}
	for (size_t j = 0; j < nu; j++)
		if (!(out[used++] = strdup(user[j]))) {
			strv_free(out);
			return NULL;
		}
	return out;
}

/* The image's volumes join the request's (docker's Config.Volumes is
 * their union). */
static char **volumes_from_image(const char **img, size_t n, char **user)
{
	size_t nu = strv_len(user), used = 0;
	char **out = calloc(n + nu + 1, sizeof(char *));

	if (!out)
		return NULL;
	for (size_t j = 0; j < nu; j++)
		if (!(out[used++] = strdup(user[j])))
			goto fail;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < used; j++)
			dup |= strcmp(out[j], img[i]) == 0;
		if (!dup && !(out[used++] = strdup(img[i])))
			goto fail;
	}
	return out;
fail:
	strv_free(out);
	return NULL;
}

/* Fill what the user left unset from the image, as docker does: Cmd
 * comes from the image unless the user gave Cmd or an Entrypoint. */
static int apply_image(struct daemon_spec *s, const struct spec_image_config *img,
		       struct berr *err)
{
	const struct spec_image_run *r = &img->run;
	char **env, **labels;

	if (!s->entrypoint && r->entrypoint_set) {
		s->entrypoint = strv_dup((char *const *)r->entrypoint, r->n_entrypoint);
		if (!s->cmd && r->cmd_set)
			s->cmd = strv_dup((char *const *)r->cmd, r->n_cmd);
	} else if (!s->cmd && !s->entrypoint && r->cmd_set) {
		s->cmd = strv_dup((char *const *)r->cmd, r->n_cmd);
	}
	/* Entrypoint [""] means "no entrypoint", as in docker. */
	if (s->entrypoint && s->entrypoint[0] && !s->entrypoint[0][0] && !s->entrypoint[1]) {
		strv_free(s->entrypoint);
		s->entrypoint = calloc(1, sizeof(char *));
	}
	/* "User": "" is what the docker CLI sends without -u: the image's
	 * user, as in dockerd, or an image that drops root would run as root. */
	if ((!s->user || !*s->user) && r->user && *r->user) {
		free(s->user);
		s->user = strdup(r->user);
		if (!s->user)
			return berr_set(err, ENOMEM, "create");
	}
	if ((!s->workdir || !*s->workdir) && r->working_dir && *r->working_dir) {
		free(s->workdir);
		s->workdir = strdup(r->working_dir);
	}
	if (!s->stop_signal && r->stop_signal)
		s->stop_signal = strdup(r->stop_signal);
	if (daemon_ports_expose(s, r->exposed_ports, r->n_exposed_ports, err) < 0)
		return -ENOMEM;
	env = merged_env((char *const *)r->env, r->n_env, s->env);
	labels = labels_from(r->labels, r->n_labels, s->labels);
	if (!env || !labels) {
		strv_free(env);
		strv_free(labels);
		return berr_set(err, ENOMEM, "create");
	}
	strv_free(s->env);
	strv_free(s->labels);
	s->env = env;
	s->labels = labels;
	/* The image's healthcheck, unless the request gave one (["NONE"]
	 * included); its durations where the request left them unset. */
	if (!s->health_test && r->n_health_test) {
		s->health_test = strv_dup((char *const *)r->health_test, r->n_health_test);
		if (!s->health_test)
			return berr_set(err, ENOMEM, "create");
	}
	if (!s->health_interval)
		s->health_interval = r->health_interval;
	if (!s->health_timeout)
		s->health_timeout = r->health_timeout;
	if (!s->health_start_period)
		s->health_start_period = r->health_start_period;
	if (!s->health_retries)
		s->health_retries = r->health_retries;
	if (r->n_volumes) {
		char **vols = volumes_from_image(r->volumes, r->n_volumes, s->volumes);

		if (!vols)
			return berr_set(err, ENOMEM, "create");
		strv_free(s->volumes);
		s->volumes = vols;
	}
	if (strv_len(s->entrypoint) + strv_len(s->cmd) == 0)
		return berr_invalid(err, "no command specified");
	return 0;
}

/* docker's form of a MAC address: six hex pairs, colon-separated, and
 * one of a single interface (unicast), as the kernel takes for a veth. */
static bool mac_ok(const char *m)
{
	unsigned b[6];
	char end;

	if (strlen(m) != 17 || sscanf(m, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &end) != 6)
		return false;
	for (size_t i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	return !(b[0] & 1);
}

/* --mac-address, and the networks besides the first (docker run
 * --network A --network B): known, each once, on a container whose
 * first network is one of berthd's. */
static int check_networks(struct daemon *d, const struct daemon_spec *s, bool on_network,
			  struct berr *err)
{
	const char *first = daemon_net_of(d, s);

	if (s->mac && *s->mac) {
		if (!on_network)
			return berr_invalid(err, "conflicting options: mac-address and the network "
					    "mode");
		if (!mac_ok(s->mac))
			return berr_invalid(err, "invalid MAC address \"%s\": want six hex pairs "
					    "separated by colons, of a unicast address", s->mac);
	}
	for (size_t i = 0; s->networks && s->networks[i]; i++) {
		char name[160];

		daemon_net_entry_name(s->networks[i], name, sizeof(name));
		if (!on_network || !first)
			return berr_invalid(err, "container sharing network namespace with another "
					    "container or host cannot be connected to any other "
					    "network");
		if (strcmp(name, first) == 0 || daemon_net_more_index(s, name) != (long)i)
			return berr_invalid(err, "network %s given twice", name);
		if (!daemon_net_known(d, name))
			return berr_invalid(err, "network %s not found", name);
	}
	return 0;
}

static int check_spec(struct daemon *d, const struct daemon_spec *s, struct berr *err)
{
	const char *nm = s->network_mode;
	const char *rp = s->restart_name;
	bool user_net = nm && *nm && strcmp(nm, "default") && strcmp(nm, "bridge") &&
			strcmp(nm, "none") && strcmp(nm, "host") && strncmp(nm, "container:", 10);
	bool on_network = user_net || (d->default_net && (!nm || !*nm || !strcmp(nm, "default") ||
							  !strcmp(nm, "bridge")));
	int ret;

	if (nm && strncmp(nm, "container:", 10) == 0) {
		struct daemon_container *other;
		int ambiguous = 0;

		user_net = false;
		daemon_lock(d);
		other = daemon_find_locked(d, nm + 10, &ambiguous);
		daemon_unlock(d);
		if (!other)
			return berr_invalid(err, "No such container: %s", nm + 10);
	}
	/* 400, not 404: the docker CLI answers a 404 of create by pulling
	 * the image. */
	if (user_net && !daemon_net_known(d, nm))
		return berr_invalid(err, "network %s not found", nm);
	if (s->aliases && s->aliases[0] && !user_net)
		return berr_invalid(err, "network-scoped aliases are only supported for "
				    "user-defined networks");
	if (s->ip && *s->ip) {
		struct in_addr a;

		if (!user_net)
			return berr_invalid(err, "user specified IP address is supported on user "
					    "defined networks only");
		if (inet_pton(AF_INET, s->ip, &a) != 1)
			return berr_invalid(err, "invalid IPv4 address \"%s\"", s->ip);
	}
	ret = daemon_ports_check(s, on_network, err);
	if (ret == 0)
		ret = daemon_names_check(s, err);
	if (ret == 0)
		ret = check_networks(d, s, on_network, err);
	if (ret < 0)
		return ret;
	if (rp && *rp && strcmp(rp, "no") && strcmp(rp, "always") &&
	    strcmp(rp, "unless-stopped") && strcmp(rp, "on-failure"))
		return berr_invalid(err, "invalid restart policy \"%s\"", rp);
	if (s->restart_max < 0)
		return berr_invalid(err, "invalid restart policy: maximum retry count cannot "
				 "be negative");
	if (s->restart_max && (!rp || strcmp(rp, "on-failure") != 0))
		return berr_invalid(err,
				 "invalid restart policy: maximum retry count can only be used "
				 "with 'on-failure'");
	if (s->auto_remove && rp && *rp && strcmp(rp, "no") != 0)
		return berr_invalid(err,
				 "conflicting options: cannot specify both --restart and --rm");
	ret = daemon_check_limits(s, err);
	if (ret < 0)
		return ret;
	if (s->stop_signal && *s->stop_signal && names_signal(s->stop_signal) < 0)
		return berr_invalid(err, "invalid stop signal \"%s\"", s->stop_signal);
	for (size_t i = 0; s->binds && s->binds[i]; i++) {
		struct daemon_bind b;

		ret = daemon_bundle_parse_bind(s->binds[i], &b, err);
		if (ret < 0)
			return ret;
	}
	ret = daemon_check_run_options(s, err);
	if (ret < 0)
		return ret;
	ret = daemon_bundle_check_caps(s->cap_add, s->cap_drop, err);
	if (ret == 0)
		ret = daemon_bundle_check_security(s->security_opt, err);
	return ret;
}

static int make_dirs(struct daemon *d, const char *id, struct berr *err)
{
	static const char *const subs[] = { NULL, "upper", "work", "rootfs" };

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		cleanup_free char *p = daemon_dir(d, id, subs[i]);

		if (!p || (mkdir(p, i ? 0755 : 0700) < 0 && errno != EEXIST))
			return berr_sys(err, "create the container's directory");
	}
	return 0;
}

/* The mounts of s, with the containers its volumes-from entries name. */
static int resolve_mounts_locked(struct daemon *d, struct daemon_spec *s, struct berr *err)
{
	size_t n = strv_len(s->volumes_from);
	const struct daemon_spec *from[n + 1];
	char **created = NULL;
	int ret;

	for (size_t i = 0; i < n; i++) {
		char ref[256];
		struct daemon_container *other;
		int ambiguous;

		snprintf(ref, sizeof(ref), "%.*s", (int)strcspn(s->volumes_from[i], ":"),
			 s->volumes_from[i]);
		other = daemon_find_locked(d, ref, &ambiguous);
		from[i] = other && !other->removed ? &other->spec : NULL;
	}
	from[n] = NULL;
	ret = daemon_mounts_resolve_locked(d, s, from, &created, err);
	for (size_t i = 0; created && created[i]; i++)
		daemon_event_volume_locked(d, "create", created[i]);
	strv_free(created);
	return ret;
}

int daemon_create(struct daemon *d, struct daemon_spec *spec, const char *name,
		  char id[65], struct berr *err)
{
	struct image_rec img = { 0 };
	cleanup_free char *config = NULL;
	struct spec_image_config *icfg = NULL;
	struct daemon_container *c = NULL;
	char gen[64];
	size_t len;
	int ret, ambiguous;

	if (name && *name == '/')
		name++;
	if (name && *name && !daemon_valid_name(name))
		return berr_invalid(err,
				 "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
				 "are allowed",
				 name);
	ret = check_spec(d, spec, err);
	if (ret < 0)
		return ret;
	ret = image_store_find(d->o.data_root, spec->image, &img, err);
	if (ret < 0)
		return ret;
	/* docker run starts it next. */
	ret = image_store_config(d->o.data_root, img.id, &config, &len, err);
	if (ret == 0)
		ret = spec_image_config_parse(config, len, &icfg, err);
	if (ret == 0)
		ret = apply_image(spec, icfg, err);
	/* -P made bindings of the image's ports: checked as the user's. */
	if (ret == 0)
		ret = check_spec(d, spec, err);
	spec_image_config_free(icfg);
	if (ret < 0) {
		image_rec_free(&img);
		return ret;
	}
	free(spec->image_id);
	spec->image_id = strdup(img.id);
	image_rec_free(&img);
	c = calloc(1, sizeof(*c));
	if (!c || !spec->image_id)
		return berr_set(err, ENOMEM, "create");
	ret = random_id(c->id, err);
	if (ret < 0) {
		free(c);
		return ret;
	}
	c->spec = *spec;
	memset(spec, 0, sizeof(*spec));
	c->shim_pidfd = -1;
	c->refs = 1;
	c->status = DS_CREATED;
	timestamp_now(c->created, sizeof(c->created));

	daemon_lock(d);
	if (name && *name) {
		struct daemon_container *other = daemon_find_locked(d, name, &ambiguous);

		if (other && strcmp(other->name, name) == 0) {
			ret = berr_conflict(err, EEXIST,
					"Conflict. The container name \"/%s\" is already in use by "
					"container \"%s\". You have to remove (or rename) that "
					"container to be able to reuse that name.",
					name, other->id);
			goto unlock;
		}
		c->name = strdup(name);
	} else {
		for (int tries = 0; tries < 1000; tries++) {
			unsigned r;

			if (getrandom(&r, sizeof(r), 0) != sizeof(r))
				r = (unsigned)tries * 7919u;
			snprintf(gen, sizeof(gen), "%s_%s%s",
				 adjectives[r % (sizeof(adjectives) / sizeof(*adjectives))],
				 nouns[(r / 64) % (sizeof(nouns) / sizeof(*nouns))],
				 tries >= 100 ? c->id + 60 : "");
			if (!daemon_find_locked(d, gen, &ambiguous))
				break;
		}
		c->name = strdup(gen);
	}
	ret = c->name ? 0 : berr_set(err, ENOMEM, "create");
	/* Under the lock: a volume it names cannot be removed before it is
	 * in the table. */
	if (ret == 0)
		ret = resolve_mounts_locked(d, &c->spec, err);
	if (ret < 0)
		goto unlock;
	ret = make_dirs(d, c->id, err);
	if (ret == 0)
		ret = daemon_save_config(d, c, err);
	if (ret == 0)
		ret = daemon_save_state(d, c, err);
	if (ret < 0) {
		cleanup_free char *dir = daemon_dir(d, c->id, NULL);
		struct berr ignored;

		if (dir)
			layer_store_rmtree(dir, &ignored);
		strv_free(daemon_mounts_remove_anonymous_locked(d, &c->spec));
		goto unlock;
	}
	c->next = d->containers;
	d->containers = c;
	snprintf(id, 65, "%s", c->id);
	daemon_event_locked(d, c, "create", NULL);
	c = NULL;
unlock:
	daemon_unlock(d);
	if (c)
		daemon_container_free(c);
	return ret;
}

/* --- events --------------------------------------------------------------- */

void daemon_event_free(struct daemon_event *e)
{
	strv_free(e->attrs);
	e->attrs = NULL;
}

static void event_store(struct daemon *d, const char *type, const char *action,
			const char *id, char **attrs)
{
	struct daemon_event *e = &d->events[d->next_seq % DAEMON_EVENTS];
	struct timespec ts;

	daemon_event_free(e);
	clock_gettime(CLOCK_REALTIME, &ts);
	e->seq = ++d->next_seq;
	e->time_nano = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->action, sizeof(e->action), "%s", action);
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->attrs = attrs;
	pthread_cond_broadcast(&d->changed);
}

void daemon_event_locked(struct daemon *d, struct daemon_container *c, const char *action,
			 char *const *extra)
{
	size_t nl = strv_len(c->spec.labels), ne = strv_len(extra), n = 0;
	char **attrs = calloc(nl + ne + 3, sizeof(char *));

	if (attrs) {
		for (size_t i = 0; i < ne; i++)
			attrs[n++] = strdup(extra[i]);
		if (asprintf(&attrs[n++], "image=%s", c->spec.image) < 0)
			attrs[--n] = NULL;
		if (asprintf(&attrs[n++], "name=%s", c->name) < 0)
			attrs[--n] = NULL;
		for (size_t i = 0; i < nl; i++)
			attrs[n++] = strdup(c->spec.labels[i]);
	}
	event_store(d, "container", action, c->id, attrs);
}

void daemon_event_volume_locked(struct daemon *d, const char *action, const char *name)
{
	char **attrs = calloc(2, sizeof(char *));

	if (attrs)
		attrs[0] = strdup("driver=local");
	event_store(d, "volume", action, name, attrs);
}

void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  char *const *attrs)
{
	daemon_lock(d);
	event_store(d, type, action, id, strv_dup(attrs, strv_len(attrs)));
	daemon_unlock(d);
}

size_t daemon_events_read(struct daemon *d, uint64_t *cursor, struct daemon_event *out,
			  size_t max)
{
	size_t n = 0;

	daemon_lock(d);
	if (d->next_seq > DAEMON_EVENTS && *cursor < d->next_seq - DAEMON_EVENTS)
		*cursor = d->next_seq - DAEMON_EVENTS;
	while (*cursor < d->next_seq && n < max) {
		const struct daemon_event *e = &d->events[*cursor % DAEMON_EVENTS];

		out[n] = *e;
		out[n].attrs = strv_dup(e->attrs, strv_len(e->attrs));
		n++;
		(*cursor)++;
	}
	daemon_unlock(d);
	return n;
}

void daemon_wait_change(struct daemon *d, int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	daemon_lock(d);
	pthread_cond_timedwait(&d->changed, &d->lock, &ts);
	daemon_unlock(d);
}

