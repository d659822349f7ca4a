/* docker exec: create, start (hijacked or detached), inspect, resize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "body.h"
#include "spec/base/cleanup.h"
#include "spec/json_read.h"

/* ConsoleSize: [height, width], or null. */
static int get_size(struct jr *r, yajl_val obj, unsigned *rows, unsigned *cols)
{
	yajl_val v = jr_get(obj, "ConsoleSize");

	if (!v)
		return 0;
	if (!YAJL_IS_ARRAY(v) || v->u.array.len != 2 || !YAJL_IS_INTEGER(v->u.array.values[0]) ||
	    !YAJL_IS_INTEGER(v->u.array.values[1]) || YAJL_GET_INTEGER(v->u.array.values[0]) < 0 ||
	    YAJL_GET_INTEGER(v->u.array.values[1]) < 0 ||
	    YAJL_GET_INTEGER(v->u.array.values[0]) > 65535 ||
	    YAJL_GET_INTEGER(v->u.array.values[1]) > 65535)
		return jr_fail_key(r, "ConsoleSize", "expected [height, width]");
	*rows = (unsigned)YAJL_GET_INTEGER(v->u.array.values[0]);
	*cols = (unsigned)YAJL_GET_INTEGER(v->u.array.values[1]);
	return 1;
}

static int parse_exec(const char *body, size_t len, struct daemon_exec_spec *s,
		      unsigned *rows, unsigned *cols, struct arena *a, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	const char *keys = NULL;
	struct jr r;
	int ret;

	JR_TRY(body_open(&r, body, len, "an exec config", &doc, a, err));
	JR_TRY(body_strv(&r, doc, "Cmd", &s->cmd));
	JR_TRY(body_strv(&r, doc, "Env", &s->env));
	JR_TRY(body_str(&r, doc, "User", &s->user));
	JR_TRY(body_str(&r, doc, "WorkingDir", &s->workdir));
	JR_TRY(jr_bool(&r, doc, "Tty", &s->tty));
	JR_TRY(jr_bool(&r, doc, "AttachStdin", &s->attach_stdin));
	JR_TRY(jr_bool(&r, doc, "AttachStdout", &s->attach_stdout));
	JR_TRY(jr_bool(&r, doc, "AttachStderr", &s->attach_stderr));
	JR_TRY(jr_bool(&r, doc, "Privileged", &s->privileged));
	JR_TRY(get_size(&r, doc, rows, cols));
	ret = jr_str(&r, doc, "DetachKeys", &keys);
	JR_TRY(ret);
	if (ret == 1 && *keys)
		return berr_as(r.err,
			       jr_fail_key(&r, "DetachKeys", "detach keys are not supported by berthd"),
			       BERR_UNSUPPORTED);
	return 0;
}

enum MHD_Result api_exec_create(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_exec_spec s = { 0 };
	struct arena a = { 0 };
	struct berr err = { 0 };
	unsigned rows = 0, cols = 0;
	char id[65];
	int ret;

	ret = parse_exec(r->body, r->body_len, &s, &rows, &cols, &a, &err);
	arena_release(&a);
	if (ret < 0) {
		daemon_exec_spec_free(&s);
		return body_reply_error(r, ret, &err, "exec");
	}
	ret = daemon_exec_create(r->srv->d, r->params[0], &s, id, &err);
	daemon_exec_spec_free(&s);
	if (ret < 0)
		return http_reply_berr(r, &err);
	if (rows && cols)
		daemon_exec_resize(r->srv->d, id, rows, cols, &err);
	jw_map_open(w);
	jw_kstr(w, "Id", id);
	jw_map_close(w);
	return http_reply_json(r, 201, w);
}

struct exec_start {
	struct srv *srv;
	char id[65];
	bool tty;
	unsigned rows, cols;
};

/* After the switch to the raw stream, errors go to the client in it, as
 * dockerd writes them: on stdout, ended by CRLF. */
static void tell_client(int fd, bool tty, const char *msg)
{
	char text[1100];
	int n = snprintf(text, sizeof(text), "%s\r\n", msg);
	unsigned char hdr[8] = { 1, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				 (unsigned char)(n >> 8), (unsigned char)n };

	if (n <= 0 || n >= (int)sizeof(text))
		return;
	if ((!tty && send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL) < 0) ||
	    send(fd, text, (size_t)n, MSG_NOSIGNAL) < 0) {
		/* the client went away: nobody to tell */
	}
}

static void exec_hijacked(void *cls, int fd, const char *extra, size_t extra_len)
{
	struct exec_start *x = cls;
	struct berr err;

	if (fd >= 0) {
		if (daemon_exec_start(x->srv->d, x->id, fd, extra, extra_len, x->rows, x->cols,
				      &err) < 0) {
			http_log(x->srv, 1, "exec %s: %s", x->id, err.msg);
			tell_client(fd, x->tty, err.msg);
		}
		close(fd);
	}
	free(x);
}

enum MHD_Result api_exec_start(struct req *r)
{
	cleanup_tree yajl_val doc = NULL;
	struct daemon_exec *found;
	struct exec_start *x;
	struct arena a = { 0 };
	struct berr err = { 0 };
	struct jr jr;
	bool detach = false, tty = false;
	int ret = 0;

	x = calloc(1, sizeof(*x));
	if (!x)
		return MHD_NO;
	if (r->body && r->body_len) {
		ret = body_open(&jr, r->body, r->body_len, "exec start options", &doc, &a, &err);
		if (ret == 0)
			ret = jr_bool(&jr, doc, "Detach", &detach);
		if (ret >= 0)
			ret = get_size(&jr, doc, &x->rows, &x->cols);
		arena_release(&a);
		if (ret < 0) {
			free(x);
			return http_reply_berr(r, &err);
		}
	}
	if (detach) {
		free(x);
		ret = daemon_exec_start(r->srv->d, r->params[0], -1, NULL, 0, 0, 0, &err);
		return http_reply_done(r, ret, &err, 200);
	}
	/* What can be refused is refused before the switch, with a status
	 * the client can read. */
	daemon_lock(r->srv->d);
	found = daemon_exec_find_locked(r->srv->d, r->params[0]);
	if (!found)
		ret = berr_not_found(&err, "No such exec instance: %s", r->params[0]);
	else if (found->state != EXEC_CREATED)
		ret = berr_conflict(&err, EBUSY, "exec %s has already been started", r->params[0]);
	else
		tty = found->spec.tty;
	daemon_unlock(r->srv->d);
	if (ret < 0) {
		free(x);
		return http_reply_berr(r, &err);
	}
	x->srv = r->srv;
	x->tty = tty;
	snprintf(x->id, sizeof(x->id), "%s", r->params[0]);
	return http_reply_hijack(r,
				 tty ? "application/vnd.docker.raw-stream"
				     : "application/vnd.docker.multiplexed-stream",
				 exec_hijacked, x);
}

enum MHD_Result api_exec_inspect(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon *d = r->srv->d;
	struct daemon_exec *x;

	daemon_lock(d);
	x = daemon_exec_find_locked(d, r->params[0]);
	if (!x) {
		daemon_unlock(d);
		return http_reply_error(r, 404, "No such exec instance: %s", r->params[0]);
	}
	daemon_exec_refresh_locked(d, x);
	jw_map_open(w);
	jw_kstr(w, "ID", x->id);
	jw_kbool(w, "Running", x->state == EXEC_RUNNING || x->state == EXEC_STARTING);
	jw_key(w, "ExitCode");
	if (x->state == EXEC_EXITED)
		jw_int(w, x->exit_code);
	else
		jw_null(w);
	jw_key(w, "ProcessConfig");
	jw_map_open(w);
	jw_kbool(w, "tty", x->spec.tty);
	jw_kstr(w, "entrypoint", x->spec.cmd && x->spec.cmd[0] ? x->spec.cmd[0] : "");
	jw_key(w, "arguments");
	jw_array_open(w);
	for (size_t i = 1; x->spec.cmd && x->spec.cmd[0] && x->spec.cmd[i]; i++)
		jw_str(w, x->spec.cmd[i]);
	jw_array_close(w);
	jw_kbool(w, "privileged", x->spec.privileged);
	jw_kstr(w, "user", x->spec.user ? x->spec.user : "");
	jw_kstr(w, "workingDir", x->spec.workdir ? x->spec.workdir : "");
	jw_map_close(w);
	jw_kbool(w, "OpenStdin", x->spec.attach_stdin);
	jw_kbool(w, "OpenStderr", x->spec.attach_stderr);
	jw_kbool(w, "OpenStdout", x->spec.attach_stdout);
	jw_kbool(w, "CanRemove", false);
	jw_kstr(w, "ContainerID", x->container);
	jw_kstr(w, "DetachKeys", "");
	jw_kint(w, "Pid", x->pid);
	jw_map_close(w);
	daemon_unlock(d);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_exec_resize(struct req *r)
{
	struct berr err = { 0 };
	unsigned rows, cols;
	int ret;

	if (http_query_tty_size(r, &rows, &cols) < 0)
		return http_reply_error(r, 400, "invalid terminal size");
	ret = daemon_exec_resize(r->srv->d, r->params[0], rows, cols, &err);
	return http_reply_done(r, ret, &err, 200);
}
