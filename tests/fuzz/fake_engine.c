/* A fake of berthd's engine (runtime/engine/engine.h) for the HTTP
 * harness: one container ("fuzzbox", exited) and one exec session, found
 * by id, id prefix or name as the real engine finds them; every operation
 * on them succeeds and does nothing, every other reference is not found.
 * Nothing here starts, stops or touches a process, a cgroup or a file
 * beyond the log file made at start.
 *
 * It owns what the real engine owns (the free functions), so it must
 * follow engine.h: a field added to struct daemon_spec needs its free
 * here too, or the harness reports a leak. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_engine.h"
#include "runtime/engine/archive.h"
#include "runtime/engine/build.h"
#include "runtime/engine/changes.h"
#include "runtime/engine/commit.h"
#include "runtime/engine/log.h"
#include "runtime/engine/prune.h"
#include "runtime/engine/volume.h"
#include "spec/base/strv.h"

#define BOX_ID "f00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dface"
#define EXEC_ID "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"

static char *box_cmd[] = { "sh", "-c", "echo hi", NULL };
static char *box_env[] = { "PATH=/bin", NULL };
static char *box_labels[] = { "a=b", "com.example=1", NULL };
static char *exec_cmd[] = { "ls", NULL };
static char *box_mounts[] = { "volume\tfuzzvol\t/data\trw,rprivate",
			      "bind\t/srv\t/srv\tro,rslave", "tmpfs\t\t/run\tsize=1m", NULL };
static char *box_volumes[] = { "/data", NULL };
static char log_path[256];

static struct daemon_container box = {
	.id = BOX_ID,
	.name = "fuzzbox",
	.created = "2024-01-01T00:00:00.000000000Z",
	.spec = {
		.image = "busybox",
		.image_id = "sha256:" BOX_ID,
		.hostname = "fuzzbox",
		.cmd = box_cmd,
		.env = box_env,
		.labels = box_labels,
		.mounts = box_mounts,
		.volumes = box_volumes,
		.stop_timeout = -1,
		.restart_name = "no",
		.network_mode = "default",
	},
	.status = DS_EXITED,
	.exit_code = 3,
	.started_at = "2024-01-01T00:00:01.000000000Z",
	.finished_at = "2024-01-01T00:00:02.000000000Z",
	.has_run = true,
	.shim_pidfd = -1,
};

static struct daemon_exec exec = {
	.id = EXEC_ID,
	.container = BOX_ID,
	.spec = { .cmd = exec_cmd, .attach_stdout = true },
	.state = EXEC_CREATED,
};

void fake_engine_init(struct daemon *d, const char *dir)
{
	int fd;

	memset(d, 0, sizeof(*d));
	d->containers = &box;
	d->execs = &exec;
	d->n_execs = 1;
	snprintf(log_path, sizeof(log_path), "%s/container.log", dir);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		daemon_log_write(fd, LOG_STDOUT, "hi\n", 3);
		daemon_log_write(fd, LOG_STDERR, "partial", 7);
		daemon_log_write(fd, LOG_STDOUT, "two\nlines\n", 10);
		close(fd);
	}
}

static bool is_box(const char *ref)
{
	size_t n = ref ? strlen(ref) : 0;

	if (!n)
		return false;
	if (ref[0] == '/')
		ref++;
	return strcmp(ref, box.name) == 0 || (n <= 64 && strncmp(BOX_ID, ref, n) == 0);
}

static int no_such(struct berr *err, const char *ref)
{
	return berr_fail(err, ENOENT, "No such container: %s", ref ? ref : "");
}

#define BOX_OR_FAIL(ref, err)                    \
	do {                                     \
		if (!is_box(ref))                \
			return no_such(err, ref); \
	} while (0)

void daemon_lock(struct daemon *d)
{
	(void)d;
}

void daemon_unlock(struct daemon *d)
{
	(void)d;
}

int daemon_get(struct daemon *d, const char *ref, struct daemon_container **out,
	       struct berr *err)
{
	(void)d;
	BOX_OR_FAIL(ref, err);
	*out = &box;
	return 0;
}

void daemon_put(struct daemon *d, struct daemon_container *c)
{
	(void)d;
	(void)c;
}

int daemon_create(struct daemon *d, struct daemon_spec *spec, const char *name, char id[65],
		  struct berr *err)
{
	(void)d;
	if (!spec->image || !*spec->image)
		return berr_fail(err, EINVAL, "no image given");
	if (name && is_box(name))
		return berr_fail(err, EEXIST, "the name \"%s\" is in use", name);
	memcpy(id, BOX_ID, 65);
	return 0;
}

int daemon_start(struct daemon *d, const char *ref, struct berr *err)
{
	(void)d;
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_stop(struct daemon *d, const char *ref, int timeout, const char *signal,
		struct berr *err)
{
	(void)d;
	(void)timeout;
	(void)signal;
	BOX_OR_FAIL(ref, err);
	return 1;
}

int daemon_restart(struct daemon *d, const char *ref, int timeout, struct berr *err)
{
	(void)d;
	(void)timeout;
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_kill(struct daemon *d, const char *ref, const char *signal, struct berr *err)
{
	(void)d;
	(void)signal;
	BOX_OR_FAIL(ref, err);
	return berr_fail(err, ESRCH, "container %s is not running", ref);
}

int daemon_pause(struct daemon *d, const char *ref, struct berr *err)
{
	(void)d;
	BOX_OR_FAIL(ref, err);
	return berr_fail(err, ESRCH, "container %s is not running", ref);
}

int daemon_unpause(struct daemon *d, const char *ref, struct berr *err)
{
	return daemon_pause(d, ref, err);
}

int daemon_remove(struct daemon *d, const char *ref, bool force, bool volumes,
		  struct berr *err)
{
	(void)d;
	(void)force;
	(void)volumes;
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_wait(struct daemon *d, struct daemon_container *c, enum daemon_wait_cond cond,
		bool (*gone)(void *arg), void *arg, int *code, struct berr *err)
{
	(void)d;
	(void)cond;
	(void)err;
	if (gone)
		gone(arg);
	*code = c->exit_code;
	return 0;
}

void daemon_wait_change(struct daemon *d, int timeout_ms)
{
	(void)d;
	(void)timeout_ms;
}

int daemon_attach(struct daemon *d, const char *ref, int fd, bool in, bool out, bool errs,
		  const char *extra, size_t extra_len, struct berr *err)
{
	(void)d;
	(void)in;
	(void)out;
	(void)errs;
	(void)extra;
	(void)extra_len;
	close(fd);
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_resize(struct daemon *d, const char *ref, unsigned h, unsigned w, struct berr *err)
{
	(void)d;
	(void)h;
	(void)w;
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_exec_create(struct daemon *d, const char *ref, struct daemon_exec_spec *spec,
		       char id[65], struct berr *err)
{
	(void)d;
	(void)spec;
	BOX_OR_FAIL(ref, err);
	memcpy(id, EXEC_ID, 65);
	return 0;
}

struct daemon_exec *daemon_exec_find_locked(struct daemon *d, const char *id)
{
	(void)d;
	return id && strcmp(id, EXEC_ID) == 0 ? &exec : NULL;
}

void daemon_exec_refresh_locked(struct daemon *d, struct daemon_exec *x)
{
	(void)d;
	(void)x;
}

static int no_exec(struct berr *err, const char *id)
{
	return berr_fail(err, ENOENT, "No such exec instance: %s", id ? id : "");
}

int daemon_exec_start(struct daemon *d, const char *id, int fd, const char *extra,
		      size_t extra_len, unsigned rows, unsigned cols, struct berr *err)
{
	(void)fd;
	(void)extra;
	(void)extra_len;
	(void)rows;
	(void)cols;
	return daemon_exec_find_locked(d, id) ? 0 : no_exec(err, id);
}

int daemon_exec_resize(struct daemon *d, const char *id, unsigned h, unsigned w,
		       struct berr *err)
{
	(void)h;
	(void)w;
	return daemon_exec_find_locked(d, id) ? 0 : no_exec(err, id);
}

char *daemon_log_path(struct daemon *d, const char *id)
{
	(void)d;
	(void)id;
	return strdup(log_path);
}

int daemon_container_size(struct daemon *d, const char *ref, long long *rw, long long *root_fs,
			  struct berr *err)
{
	(void)d;
	BOX_OR_FAIL(ref, err);
	*rw = 3;
	*root_fs = 1027;
	return 0;
}

int daemon_top(struct daemon *d, const char *ref, const char *ps_args, struct daemon_top *out,
	       struct berr *err)
{
	static const char *const titles[] = { "UID", "PID", "CMD" };
	static const char *const row[] = { "root", "1", "sh" };

	(void)d;
	(void)ps_args;
	BOX_OR_FAIL(ref, err);
	memset(out, 0, sizeof(*out));
	out->titles = strv_dup((char *const *)titles, 3);
	out->rows = calloc(1, sizeof(char **));
	if (out->rows) {
		out->n_rows = 1;
		out->rows[0] = strv_dup((char *const *)row, 3);
	}
	if (!out->titles || !out->rows || !out->rows[0]) {
		daemon_top_free(out);
		return berr_set(err, ENOMEM, "top");
	}
	return 0;
}

void daemon_top_free(struct daemon_top *t)
{
	strv_free(t->titles);
	for (size_t i = 0; i < t->n_rows; i++)
		strv_free(t->rows[i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

int daemon_update(struct daemon *d, const char *ref, const struct daemon_update *u,
		  struct berr *err)
{
	(void)d;
	(void)u;
	BOX_OR_FAIL(ref, err);
	return 0;
}

int daemon_stats(struct daemon *d, struct daemon_container *c, struct daemon_stats *out,
		 struct berr *err)
{
	(void)d;
	(void)c;
	(void)err;
	memset(out, 0, sizeof(*out));
	snprintf(out->read, sizeof(out->read), "2024-01-01T00:00:03.000000000Z");
	out->online_cpus = 2;
	return 0;
}

bool daemon_image_in_use(const char *image_id, void *d)
{
	(void)d;
	return image_id && strcmp(image_id, box.spec.image_id) == 0;
}

void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  char *const *attrs)
{
	(void)d;
	(void)type;
	(void)action;
	(void)id;
	(void)attrs;
}

/* Two past events, then none. */
size_t daemon_events_read(struct daemon *d, uint64_t *cursor, struct daemon_event *out,
			  size_t max)
{
	static char *attrs[] = { "name=fuzzbox", "image=busybox", NULL };
	size_t n = 0;

	(void)d;
	for (; *cursor < 2 && n < max; n++) {
		struct daemon_event *e = &out[n];

		memset(e, 0, sizeof(*e));
		e->seq = ++*cursor;
		e->time_nano = 1704067200000000000LL + (int64_t)e->seq;
		snprintf(e->type, sizeof(e->type), "%s", e->seq == 1 ? "container" : "image");
		snprintf(e->action, sizeof(e->action), "%s", e->seq == 1 ? "create" : "tag");
		snprintf(e->id, sizeof(e->id), "%s", BOX_ID);
		e->attrs = strv_dup(attrs, 2);
	}
	return n;
}

void daemon_event_free(struct daemon_event *e)
{
	strv_free(e->attrs);
	e->attrs = NULL;
}

/* The unpack helper's result lines, as if the upload were an image. */
int daemon_image_helper(struct daemon *d, const char *mode, const char *file,
			const char *repo, const char *message,
			void (*line)(void *arg, const char *text), void *arg, struct berr *err)
{
	(void)d;
	(void)message;
	if (!file || access(file, R_OK) < 0)
		return berr_sys(err, "the upload");
	if (strcmp(mode, "load") == 0) {
		line(arg, "tag fuzz:latest");
		line(arg, "id sha256:" BOX_ID);
		return 0;
	}
	if (strcmp(mode, "import") == 0) {
		line(arg, "imported sha256:" BOX_ID);
		(void)repo;
		return 0;
	}
	return berr_fail(err, EINVAL, "unknown helper mode %s", mode);
}

/* A pull or push reports what the helper would, so that the progress
 * stream's writer sees every kind of line; a login says nothing. */
int daemon_image_registry(struct daemon *d, const char *mode, const char *ref,
			  const char *auth_json, size_t auth_len,
			  void (*line)(void *arg, const char *text), void *arg,
			  struct berr *err)
{
	(void)d;
	(void)auth_json;
	(void)auth_len;
	if (strcmp(mode, "login") == 0)
		return 0;
	if (strcmp(mode, "pull") != 0 && strcmp(mode, "push") != 0)
		return berr_fail(err, EINVAL, "unknown helper mode %s", mode);
	if (strlen(ref) > 200)
		return berr_invalid(err, "%s: not found", ref);
	line(arg, "from 1 fuzz/ref");
	line(arg, "layer 0123456789ab Pulling fs layer");
	line(arg, "layer 0123456789ab Downloading 100 1000");
	line(arg, "layer 0123456789ab Pull complete");
	line(arg, "layer broken");
	line(arg, "digest sha256:" BOX_ID);
	line(arg, "size 512");
	line(arg, "id sha256:" BOX_ID);
	return 0;
}

void daemon_counts(struct daemon *d, int *total, int *running, int *paused, int *stopped)
{
	(void)d;
	*total = 1;
	*running = 0;
	*paused = 0;
	*stopped = 1;
}

/* Networks: the built-in ones only; nothing is made or removed. */
int daemon_networks(struct daemon *d, struct daemon_network **out, size_t *n, struct berr *err)
{
	static const char *const names[] = { "host", "none" };
	struct daemon_network *list = calloc(2, sizeof(*list));

	(void)d;
	if (!list)
		return berr_set(err, ENOMEM, "networks");
	for (size_t i = 0; i < 2; i++) {
		snprintf(list[i].name, sizeof(list[i].name), "%s", names[i]);
		snprintf(list[i].id, sizeof(list[i].id), "%s", names[i]);
		list[i].driver = i ? "null" : "host";
		list[i].builtin = true;
	}
	*out = list;
	*n = 2;
	return 0;
}

int daemon_network_find(struct daemon *d, const char *ref, struct daemon_network *out,
			struct berr *err)
{
	(void)d;
	(void)out;
	return berr_not_found(err, "network %s not found", ref);
}

int daemon_network_create(struct daemon *d, const struct daemon_network_req *req,
			  char id[65], struct berr *err)
{
	(void)d;
	(void)id;
	return berr_conflict(err, EEXIST, "network with name %s already exists",
			     req->name ? req->name : "");
}

int daemon_network_remove(struct daemon *d, const char *ref, struct berr *err)
{
	(void)d;
	return berr_not_found(err, "network %s not found", ref);
}

int daemon_network_prune(struct daemon *d, daemon_network_pick_fn want, void *arg, char ***names,
			 struct berr *err)
{
	(void)d;
	(void)want;
	(void)arg;
	*names = calloc(1, sizeof(char *));
	return *names ? 0 : berr_set(err, ENOMEM, "prune");
}

int daemon_network_connect(struct daemon *d, const char *net, const char *ref,
			   char *const *aliases, struct berr *err)
{
	(void)d;
	(void)ref;
	(void)aliases;
	return berr_not_found(err, "network %s not found", net);
}

int daemon_network_disconnect(struct daemon *d, const char *net, const char *ref,
			      struct berr *err)
{
	(void)d;
	(void)ref;
	return berr_not_found(err, "network %s not found", net);
}

/* Volumes: one, "fuzzvol", used by the box. */
static int fake_volume(const char *name, struct daemon_volume *out, struct berr *err)
{
	static char *labels[] = { "a=b", NULL };

	memset(out, 0, sizeof(*out));
	if (!name || strcmp(name, "fuzzvol") != 0)
		return berr_not_found(err, "no such volume: %s", name ? name : "");
	out->name = strdup("fuzzvol");
	out->mountpoint = strdup("/nonexistent/volumes/fuzzvol/_data");
	out->labels = strv_dup(labels, 1);
	snprintf(out->created, sizeof(out->created), "2024-01-01T00:00:00Z");
	out->users = 1;
	if (!out->name || !out->mountpoint || !out->labels) {
		daemon_volume_free(out);
		return berr_set(err, ENOMEM, "volume");
	}
	return 0;
}

void daemon_volume_free(struct daemon_volume *v)
{
	free(v->name);
	strv_free(v->labels);
	strv_free(v->options);
	free(v->mountpoint);
	memset(v, 0, sizeof(*v));
}

void daemon_volumes_free(struct daemon_volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		daemon_volume_free(&v[i]);
	free(v);
}

int daemon_volume_create(struct daemon *d, const char *name, const char *driver,
			 char *const *labels, char *const *options, struct daemon_volume *out,
			 struct berr *err)
{
	(void)d;
	(void)driver;
	(void)labels;
	(void)options;
	return fake_volume(name && *name ? name : "fuzzvol", out, err);
}

int daemon_volume_inspect(struct daemon *d, const char *name, struct daemon_volume *out,
			  struct berr *err)
{
	(void)d;
	return fake_volume(name, out, err);
}

int daemon_volume_list(struct daemon *d, struct daemon_volume **out, size_t *n,
		       struct berr *err)
{
	int ret;

	(void)d;
	*n = 0;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return berr_set(err, ENOMEM, "volumes");
	ret = fake_volume("fuzzvol", *out, err);
	if (ret < 0) {
		free(*out);
		*out = NULL;
		return ret;
	}
	*n = 1;
	return 0;
}

int daemon_volume_remove(struct daemon *d, const char *name, bool force, struct berr *err)
{
	(void)d;
	if (name && strcmp(name, "fuzzvol") == 0)
		return berr_conflict(err, EBUSY, "remove fuzzvol: volume is in use");
	if (force)
		return 0;
	return berr_not_found(err, "no such volume: %s", name ? name : "");
}

int daemon_volume_prune(struct daemon *d, bool all,
			bool (*keep)(const struct daemon_volume *v, void *arg), void *arg,
			char ***removed, uint64_t *space, struct berr *err)
{
	(void)d;
	(void)all;
	(void)keep;
	(void)arg;
	*space = 0;
	*removed = calloc(1, sizeof(char *));
	return *removed ? 0 : berr_set(err, ENOMEM, "prune");
}

uint64_t daemon_volume_size(const struct daemon_volume *v)
{
	(void)v;
	return 0;
}

int daemon_rename(struct daemon *d, const char *ref, const char *name, struct berr *err)
{
	(void)d;
	(void)name;
	BOX_OR_FAIL(ref, err);
	return 0;
}

/* Archives, diff, commit and prune: the box has no layers to read, so
 * every one of them is "not found" after the request was parsed; prune
 * finds nothing to remove. */
int daemon_archive_save(struct daemon *d, char *const *refs, size_t n,
			struct daemon_archive *out, struct berr *err)
{
	(void)d;
	(void)out;
	return berr_not_found(err, "No such image: %s", n ? refs[0] : "");
}

int daemon_archive_export(struct daemon *d, const char *ref, struct daemon_archive *out,
			  struct berr *err)
{
	(void)d;
	(void)out;
	return berr_not_found(err, "No such container: %s", ref);
}

int daemon_archive_cp(struct daemon *d, const char *ref, const struct daemon_cp *cp,
		      struct daemon_archive *out, struct berr *err)
{
	(void)d;
	(void)cp;
	(void)out;
	return berr_not_found(err, "No such container: %s", ref);
}

int daemon_archive_end(struct daemon_archive *a, struct berr *err)
{
	(void)err;
	if (a->fd >= 0)
		close(a->fd);
	if (a->errfd >= 0)
		close(a->errfd);
	a->fd = a->errfd = -1;
	return 0;
}

int daemon_changes(struct daemon *d, const char *ref, struct daemon_change **out, size_t *n,
		   struct berr *err)
{
	(void)d;
	*out = NULL;
	*n = 0;
	return berr_not_found(err, "No such container: %s", ref);
}

void daemon_changes_free(struct daemon_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

/* docker import: the helper's line, as if the upload were a rootfs. */
int daemon_image_import(struct daemon *d, const char *file, const char *repo,
			const char *message, char *const *changes,
			void (*line)(void *arg, const char *text), void *arg,
			struct berr *err)
{
	(void)d;
	(void)repo;
	(void)message;
	(void)changes;
	if (!file || access(file, R_OK) < 0)
		return berr_sys(err, "the upload");
	line(arg, "imported sha256:" BOX_ID);
	return 0;
}

/* docker build: one step's messages, as if the upload were a context. */
int daemon_build(struct daemon *d, const struct daemon_build_opts *o,
		 void (*out)(void *arg, const char *text), void *arg, char id[80],
		 struct berr *err)
{
	(void)d;
	if (!o->context || access(o->context, R_OK) < 0)
		return berr_sys(err, "the build context");
	if (o->cancelled && o->cancelled(o->cancel_arg))
		return berr_fail(err, ECANCELED, "the build was cancelled");
	out(arg, "Step 1/1 : FROM fuzz\n");
	snprintf(id, 80, "sha256:%s", BOX_ID);
	return 0;
}

/* The build cache: one record, which every prune removes (and which is
 * there again at the next call). */
#define CACHE_ID "cafecafecafecafecafecafecafecafecafecafecafecafecafecafecafecafe"

int daemon_build_cache_list(struct daemon *d, struct daemon_build_cache_rec **recs, size_t *n,
			    struct berr *err)
{
	(void)d;
	*recs = calloc(1, sizeof(**recs));
	if (!*recs)
		return berr_set(err, ENOMEM, "build cache");
	snprintf((*recs)->id, sizeof((*recs)->id), "%s", CACHE_ID);
	snprintf((*recs)->image, sizeof((*recs)->image), "sha256:%s", BOX_ID);
	(*recs)->size = 71;
	*n = 1;
	return 0;
}

int daemon_build_cache_prune(struct daemon *d, const struct daemon_build_prune_opts *o,
			     char ***deleted, uint64_t *reclaimed, struct berr *err)
{
	(void)d;
	(void)o;
	*reclaimed = 71;
	return strv_push(deleted, CACHE_ID) < 0 ? berr_set(err, ENOMEM, "build cache") : 0;
}

int daemon_commit(struct daemon *d, const char *ref, const struct daemon_commit *o,
		  char *id, size_t id_size, struct berr *err)
{
	(void)d;
	(void)o;
	(void)id;
	(void)id_size;
	return berr_not_found(err, "No such container: %s", ref);
}

int daemon_prune_containers(struct daemon *d, daemon_prune_fn want, void *arg,
			    char ***deleted, uint64_t *reclaimed, struct berr *err)
{
	(void)d;
	(void)want;
	(void)arg;
	(void)deleted;
	(void)err;
	*reclaimed = 0;
	return 0;
}

const struct daemon_health *daemon_health_now_locked(const struct daemon_container *c)
{
	(void)c;
	return NULL;
}
