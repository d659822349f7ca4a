/* berthd's earlier versions kept a container's records (its config and
 * its state) as key=value lines (spec/base/record_legacy.h).  On start,
 * each such file is read here, once, with the keys and conventions those
 * versions wrote, and written again as JSON; from then on only JSON is
 * read.  The two files are migrated each on its own, so that a crash
 * between the two leaves nothing that a later start cannot finish. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/record_legacy.h"
#include "spec/base/strv.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Lists were repeated keys; a list that had not been given (no Cmd, as
 * opposed to an empty one) was told by a "<key>_set=0" line. */
static char **legacy_strv(const struct record_legacy *kv, const char *k, const char *set_key)
{
	if (set_key && !record_legacy_bool(kv, set_key))
		return NULL;
	return record_legacy_list(kv, k, NULL);
}

static void legacy_config(const struct record_legacy *kv, struct daemon_container *c)
{
	struct daemon_spec *s = &c->spec;
	const char *created = record_legacy_get(kv, "created");

	c->name = dup_or_null(record_legacy_get(kv, "name"));
	snprintf(c->created, sizeof(c->created), "%s", created ? created : "");
	s->image = dup_or_null(record_legacy_get(kv, "image"));
	s->image_id = dup_or_null(record_legacy_get(kv, "image_id"));
	s->hostname = dup_or_null(record_legacy_get(kv, "hostname"));
	s->domainname = dup_or_null(record_legacy_get(kv, "domainname"));
	s->user = dup_or_null(record_legacy_get(kv, "user"));
	s->workdir = dup_or_null(record_legacy_get(kv, "workdir"));
	s->stop_signal = dup_or_null(record_legacy_get(kv, "stop_signal"));
	s->cmd = legacy_strv(kv, "cmd", "cmd_set");
	s->entrypoint = legacy_strv(kv, "entrypoint", "entrypoint_set");
	s->env = legacy_strv(kv, "env", NULL);
	s->labels = legacy_strv(kv, "label", NULL);
	s->tty = record_legacy_bool(kv, "tty");
	s->open_stdin = record_legacy_bool(kv, "open_stdin");
	s->stdin_once = record_legacy_bool(kv, "stdin_once");
	s->attach_stdin = record_legacy_bool(kv, "attach_stdin");
	s->attach_stdout = record_legacy_bool(kv, "attach_stdout");
	s->attach_stderr = record_legacy_bool(kv, "attach_stderr");
	s->stop_timeout = (int)record_legacy_ll(kv, "stop_timeout", -1);
	s->binds = legacy_strv(kv, "bind", NULL);
	s->cap_add = legacy_strv(kv, "cap_add", NULL);
	s->cap_drop = legacy_strv(kv, "cap_drop", NULL);
	s->security_opt = legacy_strv(kv, "security_opt", NULL);
	s->memory = record_legacy_ll(kv, "memory", 0);
	s->memory_swap = record_legacy_ll(kv, "memory_swap", 0);
	s->nano_cpus = record_legacy_ll(kv, "nano_cpus", 0);
	s->cpu_shares = record_legacy_ll(kv, "cpu_shares", 0);
	s->pids_limit = record_legacy_ll(kv, "pids_limit", 0);
	s->cpu_quota = record_legacy_ll(kv, "cpu_quota", 0);
	s->cpu_period = record_legacy_ll(kv, "cpu_period", 0);
	s->cpuset_cpus = dup_or_null(record_legacy_get(kv, "cpuset_cpus"));
	s->cpuset_mems = dup_or_null(record_legacy_get(kv, "cpuset_mems"));
	s->readonly_rootfs = record_legacy_bool(kv, "readonly_rootfs");
	s->privileged = record_legacy_bool(kv, "privileged");
	s->auto_remove = record_legacy_bool(kv, "auto_remove");
	s->restart_name = dup_or_null(record_legacy_get(kv, "restart_name"));
	s->restart_max = (int)record_legacy_ll(kv, "restart_max", 0);
	s->network_mode = dup_or_null(record_legacy_get(kv, "network_mode"));
}

static void legacy_state(const struct record_legacy *kv, struct daemon_container *c)
{
	const char *started = record_legacy_get(kv, "started_at");
	const char *finished = record_legacy_get(kv, "finished_at");

	c->status = kv->n ? daemon_status_from(record_legacy_get(kv, "status")) : DS_CREATED;
	c->pid = (pid_t)record_legacy_ll(kv, "pid", 0);
	c->exit_code = (int)record_legacy_ll(kv, "exit_code", 0);
	c->oom_killed = record_legacy_bool(kv, "oom_killed");
	c->error = dup_or_null(record_legacy_get(kv, "error"));
	snprintf(c->started_at, sizeof(c->started_at), "%s", started ? started : "");
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", finished ? finished : "");
	c->restart_count = (int)record_legacy_ll(kv, "restart_count", 0);
	c->manual_stop = record_legacy_bool(kv, "manual_stop");
	c->has_run = record_legacy_bool(kv, "has_run");
	c->shim_pid = (pid_t)record_legacy_ll(kv, "shim_pid", 0);
	c->shim_start = (uint64_t)record_legacy_ll(kv, "shim_start", 0);
}

/* Read the old file, fill c with what it holds, write it as JSON with
 * save and make that durable: the old content is gone with the rename.
 * 0 when the file is absent or JSON already, 1 when it was migrated. */
static int migrate_one(struct daemon *d, struct daemon_container *c, const char *file,
		       void (*read)(const struct record_legacy *, struct daemon_container *),
		       int (*save)(struct daemon *, struct daemon_container *, struct berr *),
		       struct berr *err)
{
	cleanup_free char *path = daemon_dir(d, c->id, file);
	cleanup_free char *text = NULL;
	struct record_legacy kv;
	size_t len;
	int ret;

	if (!path)
		return berr_set(err, ENOMEM, "migrate a container record");
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (!record_legacy_is(text, len))
		return 0;
	ret = record_legacy_parse(text, len, &kv, err);
	if (ret < 0)
		return ret;
	read(&kv, c);
	record_legacy_free(&kv);
	ret = save(d, c, err);
	if (ret == 0)
		ret = fsutil_sync_path(path, err);
	return ret < 0 ? berr_wrap(err, ret, "migrate %s", path) : 1;
}

int daemon_migrate_container(struct daemon *d, const char *id, struct berr *err)
{
	struct daemon_container *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return berr_set(err, ENOMEM, "migrate a container record");
	c->shim_pidfd = -1;
	snprintf(c->id, sizeof(c->id), "%.64s", id);
	ret = migrate_one(d, c, "config", legacy_config, daemon_save_config, err);
	if (ret >= 0)
		ret = migrate_one(d, c, "state", legacy_state, daemon_save_state, err);
	daemon_container_free(c);
	return ret < 0 ? ret : 0;
}

int daemon_migrate_all(struct daemon *d, struct berr *err)
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
		struct berr ignored;

		if (strlen(de->d_name) != 64)
			continue;
		/* One that cannot be migrated stays on disk, untouched, and
		 * is skipped as any unreadable record is. */
		daemon_migrate_container(d, de->d_name, &ignored);
	}
	return 0;
}
