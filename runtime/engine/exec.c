/* docker exec: processes started in a running container by its
 * supervision (supervise.h).
 *
 * berthd keeps each exec's configuration and state in memory, as dockerd
 * does (a restart of berthd forgets them; the processes run on under
 * supervision).  Starting one writes its process.json (the container's
 * process with the exec's command, user, environment and directory) and
 * asks supervision to run it with the client's connection; supervision
 * writes the exit code to <root>/exec/<id> before it closes that
 * connection, and berthd reads it from there when asked (inspect) or when
 * the container exits. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/bundle.h"
#include "spec/base/strv.h"
#include "runtime/engine/exit.h"
#include "runtime/images/layer_store.h"
#include "runtime/engine/supervise.h"
#include "spec/base/cleanup.h"

/* Finished execs kept for inspection, beyond which the oldest go. */
#define KEEP_FINISHED 64

static void exec_free(struct daemon_exec *x)
{
	daemon_exec_spec_free(&x->spec);
	free(x);
}

static char *exec_file(struct daemon *d, const char *id, const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s/%s%s", d->exec_dir, id, suffix) < 0)
		return NULL;
	return p;
}

struct daemon_exec *daemon_exec_find_locked(struct daemon *d, const char *id)
{
	for (struct daemon_exec *x = d->execs; x; x = x->next)
		if (strcmp(x->id, id) == 0)
			return x;
	return NULL;
}

static void command_attr(const struct daemon_exec *x, const char *prefix, char *buf,
			 size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "%s", prefix);

	for (size_t i = 0; x->spec.cmd && x->spec.cmd[i] && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "",
					 x->spec.cmd[i]);
}

static void exec_event_locked(struct daemon *d, struct daemon_exec *x, const char *action,
			      bool with_code)
{
	struct daemon_container *c;
	char idattr[80], codeattr[32];
	char *attrs[3] = { idattr, NULL, NULL };
	int ambiguous;

	c = daemon_find_locked(d, x->container, &ambiguous);
	if (!c)
		return;
	snprintf(idattr, sizeof(idattr), "execID=%s", x->id);
	if (with_code) {
		snprintf(codeattr, sizeof(codeattr), "exitCode=%d", x->exit_code);
		attrs[1] = codeattr;
	}
	daemon_event_locked(d, c, action, attrs);
}

static void set_exited_locked(struct daemon *d, struct daemon_exec *x, int code)
{
	x->state = EXEC_EXITED;
	x->exit_code = code;
	x->pid = 0;
	exec_event_locked(d, x, "exec_die", true);
	pthread_cond_broadcast(&d->changed);
}

/* Has the shim recorded the exit?  (A short process may be done before
 * the thread that started it has heard the shim's answer: a starting
 * exec may have a file too.) */
void daemon_exec_refresh_locked(struct daemon *d, struct daemon_exec *x)
{
	cleanup_free char *path = NULL;
	struct daemon_exit e;
	struct berr ignored;
	int ret;

	if (x->state != EXEC_RUNNING && x->state != EXEC_STARTING)
		return;
	path = exec_file(d, x->id, "");
	/* Not there yet (-ENOENT); a file without a code reads as 255, as
	 * before. */
	ret = path ? daemon_exit_read(path, &e, &ignored) : -ENOMEM;
	if (ret < 0 && ret != -EINVAL)
		return;
	unlink(path);
	set_exited_locked(d, x, e.code);
}

void daemon_exec_container_exited_locked(struct daemon *d, const char *container)
{
	for (struct daemon_exec *x = d->execs; x; x = x->next) {
		if (strcmp(x->container, container) != 0)
			continue;
		daemon_exec_refresh_locked(d, x);
		/* The shim writes every exec's exit before it exits; one that
		 * died without doing so took its execs with it. */
		if (x->state == EXEC_RUNNING || x->state == EXEC_STARTING)
			set_exited_locked(d, x, 137);
	}
}

static void unlink_exec(struct daemon *d, struct daemon_exec **p)
{
	struct daemon_exec *x = *p;
	cleanup_free char *path = exec_file(d, x->id, "");

	if (path)
		unlink(path);
	*p = x->next;
	exec_free(x);
	d->n_execs--;
}

void daemon_exec_forget_container_locked(struct daemon *d, const char *container)
{
	for (struct daemon_exec **p = &d->execs; *p;) {
		if (strcmp((*p)->container, container) == 0)
			unlink_exec(d, p);
		else
			p = &(*p)->next;
	}
}

/* Keep memory bounded: the oldest finished execs go. */
static void prune_locked(struct daemon *d)
{
	size_t finished = 0;

	/* Detached ones are asked about by nobody: look. */
	for (struct daemon_exec *x = d->execs; x; x = x->next) {
		daemon_exec_refresh_locked(d, x);
		finished += x->state == EXEC_EXITED;
	}
	while (finished > KEEP_FINISHED) {
		struct daemon_exec **oldest = NULL;

		for (struct daemon_exec **p = &d->execs; *p; p = &(*p)->next)
			if ((*p)->state == EXEC_EXITED && (!oldest || (*p)->seq < (*oldest)->seq))
				oldest = p;
		if (!oldest)
			break;
		unlink_exec(d, oldest);
		finished--;
	}
}

static int random_exec_id(char id[65], struct berr *err)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return berr_sys(err, "random exec id");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	return 0;
}

int daemon_exec_create(struct daemon *d, const char *ref, struct daemon_exec_spec *spec,
		       char id[65], struct berr *err)
{
	struct daemon_container *c;
	struct daemon_exec *x;
	char action[32];
	int ret;

	if (spec->privileged)
		return berr_unsupported(err, "privileged exec is not supported by berthd");
	if (!spec->cmd || !spec->cmd[0] || !spec->cmd[0][0])
		return berr_invalid(err, "No exec command specified");
	for (size_t i = 0; spec->env && spec->env[i]; i++)
		if (!spec->env[i][0] || spec->env[i][0] == '=')
			return berr_invalid(err, "invalid environment variable: \"%s\"",
					 spec->env[i]);
	if (spec->workdir && *spec->workdir && spec->workdir[0] != '/')
		return berr_invalid(err, "the working directory '%s' is invalid: it needs to "
				 "be an absolute path", spec->workdir);
	ret = daemon_get(d, ref, &c, err);
	if (ret < 0)
		return ret;
	/* docker exec starts it next. */
	x = calloc(1, sizeof(*x));
	if (!x) {
		daemon_put(d, c);
		return berr_set(err, ENOMEM, "exec");
	}
	ret = random_exec_id(x->id, err);
	daemon_lock(d);
	if (ret == 0 && c->status == DS_PAUSED)
		ret = berr_conflict(err, ESRCH, "Container %s is paused, unpause the container before "
				"exec", c->id);
	else if (ret == 0 && (c->status != DS_RUNNING || c->removed))
		ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
	if (ret == 0) {
		snprintf(x->container, sizeof(x->container), "%s", c->id);
		x->spec = *spec;
		memset(spec, 0, sizeof(*spec));
		x->state = EXEC_CREATED;
		x->seq = ++d->exec_seq;
		x->next = d->execs;
		d->execs = x;
		d->n_execs++;
		snprintf(id, 65, "%s", x->id);
		command_attr(x, "exec_create: ", action, sizeof(action));
		exec_event_locked(d, x, action, false);
		prune_locked(d);
		x = NULL;
	}
	daemon_unlock(d);
	free(x);
	daemon_put(d, c);
	return ret;
}

static int spec_copy(struct daemon_exec_spec *to, const struct daemon_exec_spec *from,
		     struct berr *err)
{
	*to = *from;
	to->cmd = strv_dup(from->cmd, strv_len(from->cmd));
	to->env = from->env ? strv_dup(from->env, strv_len(from->env)) : NULL;
	to->user = from->user ? strdup(from->user) : NULL;
	to->workdir = from->workdir ? strdup(from->workdir) : NULL;
	if (!to->cmd || (from->env && !to->env) || (from->user && !to->user) ||
	    (from->workdir && !to->workdir)) {
		daemon_exec_spec_free(to);
		return berr_set(err, ENOMEM, "exec");
	}
	return 0;
}

/* The exec and a reference to its container, for a start or a resize;
 * with the lock held. */
static int lookup_locked(struct daemon *d, const char *id, struct daemon_exec **out,
			 struct daemon_container **c, struct berr *err)
{
	struct daemon_exec *x = daemon_exec_find_locked(d, id);
	int ambiguous;

	*c = x ? daemon_find_locked(d, x->container, &ambiguous) : NULL;
	if (!x || !*c)
		return berr_not_found(err, "No such exec instance: %s", id);
	(*c)->refs++;
	*out = x;
	return 0;
}

int daemon_exec_start(struct daemon *d, const char *id, int fd, const char *extra,
		      size_t extra_len, unsigned rows, unsigned cols, struct berr *err)
{
	struct daemon_container *c;
	struct daemon_exec *x;
	cleanup_free char *process = NULL, *exit_path = NULL, *dir = NULL;
	struct daemon_bundle_exec be;
	struct daemon_exec_spec spec = { 0 };
	struct sv_exec sx;
	char action[32];
	pid_t pid = 0;
	int ret;

	daemon_lock(d);
	ret = lookup_locked(d, id, &x, &c, err);
	if (ret < 0) {
		daemon_unlock(d);
		return ret;
	}
	if (x->state != EXEC_CREATED)
		ret = berr_conflict(err, EBUSY, x->state == EXEC_EXITED
					   ? "exec %s has already run"
					   : "exec %s is already running", id);
	else if (c->status != DS_RUNNING || c->removed)
		ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
	else
		x->state = EXEC_STARTING;
	if (rows && cols) {
		x->rows = rows;
		x->cols = cols;
	}
	rows = x->rows;
	cols = x->cols;
	/* Copied: a removal of the container may take the exec away while
	 * it starts. */
	if (ret == 0)
		ret = spec_copy(&spec, &x->spec, err);
	daemon_unlock(d);
	if (ret < 0) {
		daemon_put(d, c);
		return ret;
	}
	process = exec_file(d, id, ".json");
	exit_path = exec_file(d, id, "");
	dir = daemon_dir(d, c->id, NULL);
	if (!process || !exit_path || !dir) {
		ret = berr_set(err, ENOMEM, "exec");
		goto out;
	}
	be = (struct daemon_bundle_exec){ .spec = &c->spec, .id = c->id, .dir = dir,
					  .cmd = spec.cmd, .env = spec.env, .user = spec.user,
					  .workdir = spec.workdir, .tty = spec.tty, .path = process };
	ret = daemon_bundle_write_exec(&be, err);
	if (ret < 0)
		goto out;
	sx = (struct sv_exec){ .id = id, .process = process, .exit_path = exit_path,
			       .tty = spec.tty, .in = fd >= 0 && spec.attach_stdin,
			       .out = fd >= 0 && spec.attach_stdout,
			       .err = fd >= 0 && spec.attach_stderr, .rows = rows, .cols = cols,
			       .extra = extra, .extra_len = extra_len };
	ret = sv_exec(d, c, &sx, fd, &pid, err);
out:
	if (process)
		unlink(process);
	daemon_exec_spec_free(&spec);
	daemon_lock(d);
	x = daemon_exec_find_locked(d, id);
	if (!x) {
		/* Its container was removed meanwhile. */
	} else if (ret == 0) {
		daemon_exec_refresh_locked(d, x);
		if (x->state == EXEC_STARTING) {
			x->state = EXEC_RUNNING;
			x->pid = pid;
		}
		command_attr(x, "exec_start: ", action, sizeof(action));
		exec_event_locked(d, x, action, false);
		/* A resize that came while it started. */
		if (x->rows != rows || x->cols != cols) {
			unsigned h = x->rows, w = x->cols;
			struct berr ignored;

			daemon_unlock(d);
			sv_exec_resize(d, c, id, h, w, &ignored);
			daemon_lock(d);
		}
	} else {
		/* Never ran: docker's code for why (127 not found, 126
		 * other). */
		set_exited_locked(d, x, daemon_start_failure_code(err->msg) == 127 ? 127 : 126);
	}
	daemon_unlock(d);
	daemon_put(d, c);
	return ret;
}

int daemon_exec_resize(struct daemon *d, const char *id, unsigned h, unsigned w,
		       struct berr *err)
{
	struct daemon_container *c;
	struct daemon_exec *x;
	int ret;

	daemon_lock(d);
	ret = lookup_locked(d, id, &x, &c, err);
	if (ret < 0) {
		daemon_unlock(d);
		return ret;
	}
	daemon_exec_refresh_locked(d, x);
	if (x->state == EXEC_CREATED || x->state == EXEC_STARTING) {
		/* Applied when it starts. */
		x->rows = h;
		x->cols = w;
		daemon_unlock(d);
		daemon_put(d, c);
		return 0;
	}
	if (x->state != EXEC_RUNNING)
		ret = berr_conflict(err, ESRCH, "exec %s is not running", id);
	daemon_unlock(d);
	if (ret == 0)
		ret = sv_exec_resize(d, c, id, h, w, err);
	daemon_put(d, c);
	return ret;
}

/* Files of execs of an earlier berthd: those execs are forgotten. */
int daemon_exec_init(struct daemon *d, struct berr *err)
{
	if (asprintf(&d->exec_dir, "%s/exec", d->o.root) < 0) {
		d->exec_dir = NULL;
		return berr_set(err, ENOMEM, "exec");
	}
	if (layer_store_rmtree(d->exec_dir, err) < 0)
		return -EIO;
	if (mkdir(d->exec_dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", d->exec_dir);
	return 0;
}

void daemon_exec_close(struct daemon *d)
{
	while (d->execs) {
		struct daemon_exec *x = d->execs;

		d->execs = x->next;
		exec_free(x);
	}
	free(d->exec_dir);
	d->exec_dir = NULL;
}
