/* Long-lived container endpoints: wait, logs, attach. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"
#include "spec/json_write.h"

/* --- wait ------------------------------------------------------------------- */

struct wait_stream {
	struct daemon *d;
	struct daemon_container *c;
	struct MHD_Connection *conn;
	enum daemon_wait_cond cond;
	bool done;
};

static bool conn_gone(void *arg)
{
	return http_conn_gone(arg);
}

/* A failed removal, as dockerd reports it: the CLI prints the message. */
static ssize_t wait_error(const struct berr *e, int code, char *buf, size_t max)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *out = NULL;
	size_t len;
	struct berr err;

	if (!w)
		return -1;
	jw_map_open(w);
	jw_key(w, "Error");
	jw_map_open(w);
	jw_kstr(w, "Message", e->msg);
	jw_map_close(w);
	jw_kint(w, "StatusCode", code);
	jw_map_close(w);
	if (jw_finish(w, &out, &len, &err) < 0 || len + 1 >= max)
		return -1;
	memcpy(buf, out, len);
	buf[len] = '\n';
	return (ssize_t)len + 1;
}

static ssize_t wait_next(void *cls, char *buf, size_t max)
{
	struct wait_stream *w = cls;
	struct berr err;
	int code = 0, n, ret;

	if (w->done)
		return -1;
	w->done = true;
	ret = daemon_wait(w->d, w->c, w->cond, conn_gone, w->conn, &code, &err);
	if (ret < 0)
		return ret == -EIO ? wait_error(&err, code, buf, max) : -1;
	n = snprintf(buf, max, "{\"Error\":null,\"StatusCode\":%d}\n", code);
	return n > 0 && (size_t)n < max ? n : -1;
}

static void wait_free(void *cls)
{
	struct wait_stream *w = cls;

	daemon_put(w->d, w->c);
	free(w);
}

enum MHD_Result api_container_wait(struct req *r)
{
	const char *cond = http_query(r, "condition");
	struct wait_stream *w;
	struct berr err;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return MHD_NO;
	w->d = r->srv->d;
	w->conn = r->conn;
	if (!cond || !*cond || !strcmp(cond, "not-running"))
		w->cond = WAIT_NOT_RUNNING;
	else if (!strcmp(cond, "next-exit"))
		w->cond = WAIT_NEXT_EXIT;
	else if (!strcmp(cond, "removed"))
		w->cond = WAIT_REMOVED;
	else {
		free(w);
		return http_reply_error(r, 400, "invalid condition: \"%s\"", cond);
	}
	ret = daemon_get(r->srv->d, r->params[0], &w->c, &err);
	if (ret < 0) {
		free(w);
		return http_reply_berr(r, &err);
	}
	/* The headers go out now: the CLI waits for them before it starts
	 * the container. */
	return http_reply_stream(r, 200, "application/json", wait_next, w, wait_free);
}

/* --- logs ------------------------------------------------------------------- */

struct logs_stream {
	struct daemon *d;
	struct daemon_container *c;
	int fd;
	off_t off;
	bool out, err, follow, timestamps, tty;
	int64_t since, until;
	char *line; /* an incomplete record carried to the next read */
	size_t line_len;
	char *outbuf;
	size_t out_len, out_off;
	int idle;
	/* The rotated files, oldest first, then the log itself (the last). */
	char *files[101];
	size_t n_files, cur;
};

static bool append(struct logs_stream *s, const void *data, size_t len)
{
	char *grown = realloc(s->outbuf, s->out_len + len);

	if (!grown)
		return false;
	s->outbuf = grown;
	memcpy(grown + s->out_len, data, len);
	s->out_len += len;
	return true;
}

static void emit(struct logs_stream *s, const struct daemon_log_record *rec)
{
	size_t len = rec->len + (rec->partial ? 0 : 1) + (s->timestamps ? rec->time_len + 1 : 0);

	if ((rec->stream == LOG_STDOUT && !s->out) || (rec->stream == LOG_STDERR && !s->err))
		return;
	if (s->since && rec->time_nano < s->since)
		return;
	if (s->until && rec->time_nano > s->until)
		return;
	if (!s->tty) {
		unsigned char hdr[8] = { (unsigned char)rec->stream, 0, 0, 0,
					 (unsigned char)(len >> 24), (unsigned char)(len >> 16),
					 (unsigned char)(len >> 8), (unsigned char)len };

		append(s, hdr, 8);
	}
	if (s->timestamps) {
		append(s, rec->time, rec->time_len);
		append(s, " ", 1);
	}
	append(s, rec->content, rec->len);
	if (!rec->partial)
		append(s, "\n", 1);
}

static void process_lines(struct logs_stream *s, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		char *grown = realloc(s->line, s->line_len + n + 1);

		if (!grown)
			return;
		s->line = grown;
		memcpy(s->line + s->line_len, data, n);
		s->line_len += n;
		if (!nl)
			return;
		{
			struct daemon_log_record rec;

			if (daemon_log_parse(s->line, s->line_len, &rec) == 0)
				emit(s, &rec);
		}
		s->line_len = 0;
		data += n + 1;
		len -= n + 1;
	}
}

static bool container_running(struct logs_stream *s)
{
	bool running;

	daemon_lock(s->d);
	running = !s->c->removed && (s->c->status == DS_RUNNING || s->c->status == DS_PAUSED ||
				     s->c->status == DS_RESTARTING || s->c->busy);
	daemon_unlock(s->d);
	return running;
}

static bool rotated(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

static long long count_records(int fd)
{
	char buf[65536];
	long long n = 0;
	off_t off = 0;
	ssize_t got;

	while ((got = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
		off += got;
	}
	return n;
}

static ssize_t logs_next(void *cls, char *buf, size_t max)
{
	struct logs_stream *s = cls;
	char chunk[65536];

	for (;;) {
		ssize_t n;

		if (s->out_off < s->out_len)
			return (ssize_t)http_stream_pending(buf, max, s->outbuf, s->out_len,
							    &s->out_off);
		s->out_len = s->out_off = 0;
		n = s->fd >= 0 ? pread(s->fd, chunk, sizeof(chunk), s->off) : 0;
		if (n > 0) {
			s->off += n;
			process_lines(s, chunk, (size_t)n);
			continue;
		}
		/* The end of a rotated file: the next one. */
		if (s->cur + 1 < s->n_files) {
			if (s->fd >= 0)
				close(s->fd);
			s->fd = open(s->files[++s->cur], O_RDONLY | O_CLOEXEC);
			s->off = 0;
			continue;
		}
		if (!s->follow || s->d->stopping)
			return -1;
		/* The end of a file the shim rotated away: the new one. */
		if (s->fd >= 0 && s->n_files && rotated(s->fd, s->files[s->cur])) {
			close(s->fd);
			s->fd = open(s->files[s->cur], O_RDONLY | O_CLOEXEC);
			s->off = 0;
			if (s->fd >= 0)
				continue;
		}
		if (s->fd < 0) {
			cleanup_free char *path = daemon_log_path(s->d, s->c->id);

			s->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
			if (s->fd >= 0)
				continue;
		}
		/* Ended: the container stopped and everything it wrote is out
		 * (one more read after it stopped, for what came last). */
		if (!container_running(s)) {
			if (s->idle++ > 0)
				return -1;
			continue;
		}
		usleep(100 * 1000);
		return 0;
	}
}

static void logs_free(void *cls)
{
	struct logs_stream *s = cls;

	if (s->fd >= 0)
		close(s->fd);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i]);
	daemon_put(s->d, s->c);
	free(s->line);
	free(s->outbuf);
	free(s);
}

/* Where the last n records start. */
static off_t tail_offset(int fd, long long n)
{
	char buf[65536];
	off_t end = lseek(fd, 0, SEEK_END), pos = end;
	long long seen = 0;

	if (n < 0 || end <= 0)
		return 0;
	while (pos > 0) {
		size_t k = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t got;

		pos -= (off_t)k;
		got = pread(fd, buf, k, pos);
		if (got <= 0)
			return 0;
		for (ssize_t i = got; i-- > 0;) {
			if (buf[i] != '\n' || pos + i == end - 1)
				continue;
			if (++seen == n)
				return pos + i + 1;
		}
	}
	return 0;
}

/* The log's rotated files that exist, oldest first (path.N ... path.1),
 * then path itself. */
static int log_files(struct logs_stream *s, const char *path)
{
	for (int i = 100; i >= 1; i--) {
		char *p;

		if (asprintf(&p, "%s.%d", path, i) < 0)
			return -ENOMEM;
		if (access(p, F_OK) == 0)
			s->files[s->n_files++] = p;
		else
			free(p);
	}
	s->files[s->n_files] = strdup(path);
	if (!s->files[s->n_files])
		return -ENOMEM;
	s->n_files++;
	return 0;
}

/* Where reading starts: the last n records (n < 0: all), across the
 * rotated files. */
static void open_at_tail(struct logs_stream *s, long long n)
{
	long long left = n;

	s->cur = 0;
	s->fd = open(s->files[0], O_RDONLY | O_CLOEXEC);
	if (n < 0)
		return;
	if (s->fd >= 0)
		close(s->fd);
	for (size_t i = s->n_files; i-- > 0;) {
		int fd = open(s->files[i], O_RDONLY | O_CLOEXEC);
		long long have = fd >= 0 ? count_records(fd) : 0;

		if (n == 0 || have >= left || i == 0) {
			s->cur = i;
			s->fd = fd;
			s->off = fd < 0 ? 0 : n == 0 ? lseek(fd, 0, SEEK_END)
				: have >= left ? tail_offset(fd, left) : 0;
			return;
		}
		if (fd >= 0)
			close(fd);
		left -= have;
	}
}

enum MHD_Result api_container_logs(struct req *r)
{
	struct logs_stream *s = calloc(1, sizeof(*s));
	const char *tail = http_query(r, "tail"), *since = http_query(r, "since"),
		   *until = http_query(r, "until");
	cleanup_free char *path = NULL;
	struct berr err;
	long long n = -1;
	int ret;

	if (!s)
		return MHD_NO;
	s->fd = -1;
	s->d = r->srv->d;
	s->out = http_query_bool(r, "stdout");
	s->err = http_query_bool(r, "stderr");
	s->follow = http_query_bool(r, "follow");
	s->timestamps = http_query_bool(r, "timestamps");
	if (!s->out && !s->err) {
		free(s);
		return http_reply_error(r, 400,
					"Bad parameters: you must choose at least one stream");
	}
	if (tail && *tail && strcmp(tail, "all") != 0) {
		char *end;

		n = strtoll(tail, &end, 10);
		if (*end || n < 0)
			n = -1;
	}
	if ((since && *since && strcmp(since, "0") != 0 && daemon_log_time(since, &s->since) < 0) ||
	    (until && *until && strcmp(until, "0") != 0 && daemon_log_time(until, &s->until) < 0)) {
		free(s);
		return http_reply_error(r, 400, "invalid since or until time");
	}
	ret = daemon_get(r->srv->d, r->params[0], &s->c, &err);
	if (ret < 0) {
		free(s);
		return http_reply_berr(r, &err);
	}
	daemon_lock(s->d);
	s->tty = s->c->spec.tty;
	ret = s->c->spec.log_driver && strcmp(s->c->spec.log_driver, "none") == 0;
	daemon_unlock(s->d);
	if (ret) {
		daemon_put(s->d, s->c);
		free(s);
		return http_reply_error(r, 501,
					"configured logging driver does not support reading");
	}
	path = daemon_log_path(s->d, s->c->id);
	if (!path || log_files(s, path) < 0) {
		logs_free(s);
		return http_reply_error(r, 500, "logs: out of memory");
	}
	open_at_tail(s, n);
	return http_reply_stream(r, 200,
				 s->tty ? "application/vnd.docker.raw-stream"
					: "application/vnd.docker.multiplexed-stream",
				 logs_next, s, logs_free);
}

/* --- attach ---------------------------------------------------------------------- */

struct attach_req {
	struct srv *srv;
	char *id;
	bool in, out, err;
};

static void attach_hijacked(void *cls, int fd, const char *extra, size_t extra_len)
{
	struct attach_req *a = cls;
	struct berr err;

	if (fd >= 0 &&
	    daemon_attach(a->srv->d, a->id, fd, a->in, a->out, a->err, extra, extra_len, &err) < 0)
		http_log(a->srv, 1, "attach to %s: %s", a->id, err.msg);
	free(a->id);
	free(a);
}

enum MHD_Result api_container_attach(struct req *r)
{
	struct daemon_container *c;
	struct attach_req *a;
	struct berr err;
	bool tty;
	int ret = daemon_get(r->srv->d, r->params[0], &c, &err);

	if (ret < 0)
		return http_reply_berr(r, &err);
	if (!http_query_bool(r, "stream")) {
		daemon_put(r->srv->d, c);
		return http_reply_error(r, 501,
					"attach without stream=1 (logs only) is not supported by "
					"berthd: use the logs endpoint");
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		daemon_put(r->srv->d, c);
		return MHD_NO;
	}
	a->srv = r->srv;
	a->id = strdup(c->id);
	a->in = http_query_bool(r, "stdin");
	a->out = http_query_bool(r, "stdout");
	a->err = http_query_bool(r, "stderr");
	daemon_lock(r->srv->d);
	tty = c->spec.tty;
	daemon_unlock(r->srv->d);
	daemon_put(r->srv->d, c);
	return http_reply_hijack(r,
				 tty ? "application/vnd.docker.raw-stream"
				     : "application/vnd.docker.multiplexed-stream",
				 attach_hijacked, a);
}
