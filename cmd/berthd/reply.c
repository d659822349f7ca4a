/* berthd's responses (JSON, errors, streams, hijacked connections) and
 * query parameters: what every API handler and the request loop in http.c
 * use.  Kept apart from http.c, which calls the handlers, so that the
 * handlers and the request loop do not call each other round a loop. */
#include "version.h"
#include "http.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "spec/base/cleanup.h"

/* --- responses ------------------------------------------------------------- */

static void common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Api-Version", API_VERSION);
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, "Server", "berthd/" BERTH_VERSION " (linux)");
}

/* Every response carries the headers docker's do; the queue holds its own
 * reference, so ours goes here. */
static enum MHD_Result queue(struct req *r, unsigned status, const char *ctype,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	common_headers(resp);
	if (r->reply_header && r->reply_value)
		MHD_add_response_header(resp, r->reply_header, r->reply_value);
	if (ctype)
		MHD_add_response_header(resp, "Content-Type", ctype);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result http_reply(struct req *r, unsigned status, const char *ctype, char *body,
			   size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body ? body : (char *)"",
					       body ? MHD_RESPMEM_MUST_FREE
						    : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	return queue(r, status, ctype, resp);
}

enum MHD_Result http_reply_empty(struct req *r, unsigned status)
{
	return http_reply(r, status, NULL, NULL, 0);
}

enum MHD_Result http_reply_json(struct req *r, unsigned status, struct jw *w)
{
	struct berr err;
	char *json = NULL;
	size_t len;

	if (jw_finish(w, &json, &len, &err) < 0)
		return http_reply_error(r, 500, "%s", err.msg);
	/* dockerd ends its JSON documents with a newline. */
	{
		char *grown = realloc(json, len + 2);

		if (!grown) {
			free(json);
			return MHD_NO;
		}
		json = grown;
		json[len++] = '\n';
		json[len] = '\0';
	}
	return http_reply(r, status, "application/json", json, len);
}

enum MHD_Result http_reply_error(struct req *r, unsigned status, const char *fmt, ...)
{
	cleanup_jw struct jw *w = jw_new(false);
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_log(r->srv, status >= 500 ? 0 : 2, "%s %s: %u %s", r->method, r->path, status, msg);
	jw_map_open(w);
	jw_kstr(w, "message", msg);
	jw_map_close(w);
	return http_reply_json(r, status, w);
}

unsigned http_status_of(const struct berr *err)
{
	switch (err->kind) {
	case BERR_NOT_FOUND:
		return 404;
	case BERR_CONFLICT:
		return 409;
	case BERR_INVALID:
		return 400;
	case BERR_UNSUPPORTED:
		return 501;
	case BERR_INTERNAL:
		break;
	}
	return 500;
}

enum MHD_Result http_reply_berr(struct req *r, const struct berr *err)
{
	return http_reply_error(r, http_status_of(err), "%s", err->msg);
}

enum MHD_Result http_reply_done(struct req *r, int ret, const struct berr *err, unsigned status)
{
	if (ret < 0)
		return http_reply_berr(r, err);
	return http_reply_empty(r, status);
}

struct stream {
	struct MHD_Connection *conn;
	http_stream_fn fn;
	void *cls;
	void (*free_cls)(void *);
};

bool http_conn_gone(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd p;

	if (!ci)
		return true;
	p = (struct pollfd){ .fd = ci->connect_fd, .events = POLLRDHUP };
	if (poll(&p, 1, 0) < 0)
		return false;
	return p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;

	(void)pos;
	for (;;) {
		ssize_t n = s->fn(s->cls, buf, max);

		if (n > 0)
			return n;
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (http_conn_gone(s->conn))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->free_cls)
		s->free_cls(s->cls);
	free(s);
}

enum MHD_Result http_reply_stream(struct req *r, unsigned status, const char *ctype,
				  http_stream_fn fn, void *cls, void (*free_cls)(void *))
{
	struct stream *s = malloc(sizeof(*s));
	struct MHD_Response *resp;

	if (!s) {
		if (free_cls)
			free_cls(cls);
		return MHD_NO;
	}
	*s = (struct stream){ .conn = r->conn, .fn = fn, .cls = cls, .free_cls = free_cls };
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s,
						 stream_free);
	if (!resp) {
		stream_free(s);
		return MHD_NO;
	}
	return queue(r, status, ctype, resp);
}

size_t http_stream_pending(char *buf, size_t max, const char *data, size_t len, size_t *off)
{
	size_t k = *off < len ? len - *off : 0;

	if (k == 0)
		return 0;
	if (k > max)
		k = max;
	memcpy(buf, data + *off, k);
	*off += k;
	return k;
}

struct hijack {
	http_hijack_fn fn;
	void *cls;
};

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *req_cls,
		       const char *extra_in, size_t extra_in_size, MHD_socket sock,
		       struct MHD_UpgradeResponseHandle *urh)
{
	struct hijack *h = cls;
	int fd = fcntl(sock, F_DUPFD_CLOEXEC, 3);

	(void)conn;
	(void)req_cls;
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Our own copy of the socket lives on; libmicrohttpd lets go of its
	 * copy (it does not shut the connection down). */
	char *extra = extra_in_size ? malloc(extra_in_size) : NULL;

	if (extra)
		memcpy(extra, extra_in, extra_in_size);
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
	h->fn(h->cls, fd, extra, extra ? extra_in_size : 0);
	free(extra);
	free(h);
}

enum MHD_Result http_reply_hijack(struct req *r, const char *ctype, http_hijack_fn fn,
				  void *cls)
{
	struct hijack *h = malloc(sizeof(*h));
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!h)
		goto refused;
	*h = (struct hijack){ .fn = fn, .cls = cls };
	resp = MHD_create_response_for_upgrade(on_upgrade, h);
	if (!resp)
		goto refused;
	MHD_add_response_header(resp, "Upgrade", "tcp");
	ret = queue(r, MHD_HTTP_SWITCHING_PROTOCOLS, ctype, resp);
	if (ret == MHD_YES)
		return ret;
	/* libmicrohttpd refuses the switch for some requests (HTTP/1.0
	 * without an Upgrade header): on_upgrade never runs. */
refused:
	free(h);
	fn(cls, -1, NULL, 0);
	return MHD_NO;
}

/* --- queries ----------------------------------------------------------------- */

const char *http_query(struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool http_query_bool(struct req *r, const char *key)
{
	const char *v = http_query(r, key);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

int http_query_int(struct req *r, const char *key, long long dflt, long long *out)
{
	const char *v = http_query(r, key);
	char *end;

	*out = dflt;
	if (!v || !*v)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int http_query_tty_size(struct req *r, unsigned *rows, unsigned *cols)
{
	long long h, w;

	if (http_query_int(r, "h", 0, &h) < 0 || http_query_int(r, "w", 0, &w) < 0 || h < 0 ||
	    w < 0 || h > 65535 || w > 65535)
		return -EINVAL;
	*rows = (unsigned)h;
	*cols = (unsigned)w;
	return 0;
}

/* A JSON array as a stream of JSON messages, one per line. */
enum MHD_Result http_reply_lines(struct req *r, struct jw *w)
{
	struct berr err;
	char *json = NULL, *out;
	size_t len, used = 0;

	if (jw_finish(w, &json, &len, &err) < 0)
		return http_reply_error(r, 500, "%s", err.msg);
	/* The writer made one array: turn it into newline-separated objects. */
	out = malloc(len + 2);
	if (!out) {
		free(json);
		return MHD_NO;
	}
	for (size_t i = 1, depth = 0; i + 1 < len; i++) {
		char c = json[i];

		out[used++] = c;
		if (c == '"') {
			for (i++; i + 1 < len; i++) {
				out[used++] = json[i];
				if (json[i] == '\\') {
					out[used++] = json[++i];
					continue;
				}
				if (json[i] == '"')
					break;
			}
			continue;
		}
		if (c == '{')
			depth++;
		if (c == '}' && --depth == 0) {
			out[used++] = '\n';
			if (json[i + 1] == ',')
				i++;
		}
	}
	free(json);
	return http_reply(r, 200, "application/json", out, used);
}

ssize_t http_job_stream_next(struct http_job_stream *s, char *buf, size_t max)
{
	ssize_t n = 0;

	pthread_mutex_lock(&s->lock);
	if (s->off == s->len && !s->done) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	if (s->off < s->len) {
		n = (ssize_t)http_stream_pending(buf, max, s->out, s->len, &s->off);
		if (s->off == s->len)
			s->off = s->len = 0;
	} else if (s->done) {
		n = -1;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}
