#include "version.h"
#include "http.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

/* Bounds on what a client may send. */
#define MAX_JSON_BODY (4u << 20)          /* JSON request bodies */
#define MAX_FILE_BODY (64ull << 30)       /* image tarballs */
#define MAX_HEADERS (32u * 1024)          /* all request headers together */
#define CONN_MEMORY (256u * 1024)         /* libmicrohttpd's pool per connection */
#define IDLE_TIMEOUT_S 120                /* an idle connection is closed */
#define MAX_CONNECTIONS 512

extern int berthd_log_fd;

void http_log(struct srv *s, int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char buf[2048], now[32];
	struct tm tm;
	time_t t = time(NULL);
	va_list ap;
	int n;

	if (level > s->log_level)
		return;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(buf, sizeof(buf), "time=\"%s\" level=%s msg=\"", now, names[level]);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 3, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	buf[n++] = '"';
	buf[n++] = '\n';
	if (write(berthd_log_fd, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

/* --- routing ----------------------------------------------------------------- */

static size_t split(char *s, char **parts, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(s, "/", &save); tok && n < max;
	     tok = strtok_r(NULL, "/", &save))
		parts[n++] = tok;
	return n;
}

/* Match path against pattern; captures go to params (malloc'd). */
static bool match(const char *pattern, const char *path, char **params)
{
	char pbuf[256], xbuf[4096];
	char *pp[16], *xp[128];
	size_t np, nx, star = (size_t)-1;

	if (strlen(pattern) >= sizeof(pbuf) || strlen(path) >= sizeof(xbuf))
		return false;
	strcpy(pbuf, pattern);
	strcpy(xbuf, path);
	np = split(pbuf, pp, 16);
	nx = split(xbuf, xp, 128);
	for (size_t i = 0; i < np; i++)
		if (strstr(pp[i], "*}"))
			star = i;
	if (star == (size_t)-1 ? np != nx : nx < np)
		return false;
	for (size_t i = 0, x = 0, p = 0; i < np; i++) {
		if (i == star) {
			size_t take = nx - np + 1;
			size_t len = 0;
			char *v;

			for (size_t k = 0; k < take; k++)
				len += strlen(xp[x + k]) + 1;
			v = malloc(len + 1);
			if (!v)
				return false;
			v[0] = '\0';
			for (size_t k = 0; k < take; k++) {
				if (k)
					strcat(v, "/");
				strcat(v, xp[x + k]);
			}
			free(params[p]);
			params[p++] = v;
			x += take;
			continue;
		}
		if (pp[i][0] == '{') {
			free(params[p]);
			params[p++] = strdup(xp[x]);
		} else if (strcmp(pp[i], xp[x]) != 0) {
			return false;
		}
		x++;
	}
	return true;
}

static const struct route *route_for(struct req *r)
{
	for (const struct route *rt = api_routes; rt->method; rt++) {
		if (strcmp(rt->method, r->method) != 0 &&
		    !(strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0))
			continue;
		if (match(rt->pattern, r->path, r->params))
			return rt;
	}
	return NULL;
}

/* /v1.45/containers/json -> /containers/json, remembering the version. */
static int strip_version(struct req *r, const char *url)
{
	unsigned major, minor;
	int n = 0;

	r->api_minor = 45;
	if (url[0] == '/' && url[1] == 'v' && sscanf(url, "/v%u.%u%n", &major, &minor, &n) == 2 &&
	    (url[n] == '/' || url[n] == '\0')) {
		if (major != 1 || minor > 45 || minor < 24) {
			if (asprintf(&r->bad_version, "%u.%u", major, minor) < 0)
				r->bad_version = NULL;
		}
		r->api_minor = minor;
		url += n;
	}
	r->path = strdup(*url ? url : "/");
	return r->path ? 0 : -ENOMEM;
}

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

unsigned http_status_of(int ret)
{
	switch (-ret) {
	case ENOENT:
		return 404;
	case EEXIST:
	case EBUSY:
	case ESRCH:
		return 409;
	case EINVAL:
	case E2BIG:
	case ENAMETOOLONG:
		return 400;
	case ENOSYS:
		return 501;
	default:
		return 500;
	}
}

enum MHD_Result http_reply_berr(struct req *r, int ret, const struct berr *err)
{
	return http_reply_error(r, http_status_of(ret), "%s", err->msg);
}

enum MHD_Result http_reply_done(struct req *r, int ret, const struct berr *err, unsigned status)
{
	if (ret < 0)
		return http_reply_berr(r, ret, err);
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

/* --- requests ---------------------------------------------------------------- */

static void req_free(struct req *r)
{
	free(r->path);
	free(r->params[0]);
	free(r->params[1]);
	free(r->body);
	free(r->bad_version);
	if (r->body_fd >= 0)
		close(r->body_fd);
	if (r->body_file) {
		unlink(r->body_file);
		free(r->body_file);
	}
	free(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (*con_cls)
		req_free(*con_cls);
	*con_cls = NULL;
}

static int open_body_file(struct req *r)
{
	if (asprintf(&r->body_file, "%s/tmp/upload-XXXXXX", r->srv->data_root) < 0) {
		r->body_file = NULL;
		return -ENOMEM;
	}
	r->body_fd = mkostemp(r->body_file, O_CLOEXEC);
	if (r->body_fd < 0) {
		free(r->body_file);
		r->body_file = NULL;
		return -errno;
	}
	return 0;
}

static void take_body(struct req *r, const char *data, size_t len)
{
	if (r->too_big || r->write_failed)
		return;
	if (r->route && r->route->body_to_file) {
		if (r->body_fd < 0 && open_body_file(r) < 0) {
			r->write_failed = true;
			return;
		}
		if ((uint64_t)lseek(r->body_fd, 0, SEEK_CUR) + len > MAX_FILE_BODY) {
			r->too_big = true;
			return;
		}
		while (len) {
			ssize_t n = write(r->body_fd, data, len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r->write_failed = true;
				return;
			}
			data += n;
			len -= (size_t)n;
		}
		return;
	}
	if (r->body_len + len > MAX_JSON_BODY) {
		r->too_big = true;
		return;
	}
	if (r->body_len + len + 1 > r->body_cap) {
		size_t cap = (r->body_len + len + 1) * 2;
		char *grown = realloc(r->body, cap);

		if (!grown) {
			r->too_big = true;
			return;
		}
		r->body = grown;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, len);
	r->body_len += len;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	size_t *total = cls;

	(void)kind;
	*total += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size,
				      void **con_cls)
{
	struct srv *s = cls;
	struct req *r = *con_cls;

	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->srv = s;
		r->conn = conn;
		r->method = method;
		r->body_fd = -1;
		if (strip_version(r, url) < 0) {
			req_free(r);
			return MHD_NO;
		}
		r->route = route_for(r);
		MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &r->header_bytes);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		take_body(r, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	http_log(s, 3, "%s %s", method, url);
	/* Headers beyond the pool get libmicrohttpd's own 431; these get
	 * ours, in JSON. */
	if (r->header_bytes > MAX_HEADERS)
		return http_reply_error(r, 431, "request headers too large (at most %u bytes)",
					MAX_HEADERS);
	if (r->bad_version)
		return http_reply_error(r, 400,
					"client version %s is not supported: the API versions "
					"berthd supports are " API_MIN_VERSION " to " API_VERSION,
					r->bad_version);
	if (r->too_big)
		return http_reply_error(r, 413, "request body too large (at most %u bytes)",
					MAX_JSON_BODY);
	if (r->write_failed)
		return http_reply_error(r, 500, "could not store the request body: %s",
					strerror(errno));
	if (!r->route)
		return http_reply_error(r, 501, "berthd does not implement %s %s", method,
					r->path);
	if (r->body_fd >= 0)
		lseek(r->body_fd, 0, SEEK_SET);
	return r->route->fn(r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct srv *s = cls;
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	http_log(s, 3, "http: %s", buf);
}

int http_start(struct srv *s, int listen_fd, struct berr *err)
{
	s->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG,
		0, NULL, NULL, access_handler, s, MHD_OPTION_LISTEN_SOCKET, listen_fd,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_END);
	if (!s->mhd)
		return berr_fail(err, EIO, "could not start the HTTP server");
	return 0;
}

void http_stop(struct srv *s)
{
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	s->mhd = NULL;
}
