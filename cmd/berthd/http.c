#include "version.h"
#include "http.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conns.h"
#include "spec/base/cleanup.h"

/* Bounds on what a client may send. */
#define MAX_JSON_BODY (4u << 20)          /* JSON request bodies */
#define MAX_FILE_BODY (64ull << 30)       /* image tarballs */
#define MAX_HEADERS (32u * 1024)          /* all request headers together */
/* libmicrohttpd's pool per connection: the headers (MAX_HEADERS) and its
 * buffers.  It is mapped and zeroed for every connection, and a docker
 * run makes five: 256 KiB of it cost about 0.15 ms each in page faults
 * and zeroing, on the request's path. */
#define CONN_MEMORY (64u * 1024)
#define IDLE_TIMEOUT_S 120                /* an idle connection is closed */
#define MAX_CONNECTIONS 1024              /* fewer when the fd limit is low */

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

/* --- requests ---------------------------------------------------------------- */

static void req_free(struct req *r)
{
	free(r->path);
	free(r->params[0]);
	free(r->params[1]);
	free(r->body);
	conns_body_give(r->srv->conns, r->body_budget);
	free(r->bad_version);
	free(r->reply_value);
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
	struct srv *s = cls;

	(void)toe;
	if (*con_cls)
		req_free(*con_cls);
	*con_cls = NULL;
	conns_reply_done(s->conns, conn);
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
	if (r->over_budget)
		return;
	if (r->body_len + len > MAX_JSON_BODY) {
		r->too_big = true;
		return;
	}
	if (r->body_len + len + 1 > r->body_cap) {
		/* The size the client announced, else twice what is needed. */
		size_t need = r->body_len + len + 1;
		size_t cap = r->body_expected + 1 >= need ? r->body_expected + 1 : need * 2;
		char *grown;

		if (cap > MAX_JSON_BODY + 1)
			cap = MAX_JSON_BODY + 1;
		if (cap > r->body_budget) {
			if (!conns_body_take(r->srv->conns, cap - r->body_budget)) {
				/* Refused: what it held goes back at once. */
				free(r->body);
				r->body = NULL;
				r->body_len = r->body_cap = 0;
				conns_body_give(r->srv->conns, r->body_budget);
				r->body_budget = 0;
				r->over_budget = true;
				return;
			}
			r->body_budget = cap;
		}
		grown = realloc(r->body, cap);
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

static enum MHD_Result reply_busy(struct req *r)
{
	return http_reply_error(r, 503,
				"berthd is busy: the request bodies it is receiving at once would "
				"exceed %llu MiB; retry later",
				CONNS_BODY_BUDGET >> 20);
}

/* A JSON body larger than berthd takes, or than what is left of the body
 * budget, is refused from its Content-Length before the client sends it
 * (libmicrohttpd then closes the connection).  Otherwise the body's
 * announced size is taken from the budget at once. */
static bool refused_early(struct req *r, enum MHD_Result *ret)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (!cl || (r->route && r->route->body_to_file))
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno || end == cl || *end)
		return false; /* libmicrohttpd answers a malformed one itself */
	if (n > MAX_JSON_BODY) {
		r->refused = true;
		*ret = http_reply_error(r, 413, "request body too large (at most %u bytes)",
					MAX_JSON_BODY);
		return true;
	}
	if (n && !conns_body_take(r->srv->conns, (size_t)n + 1)) {
		r->refused = true;
		*ret = reply_busy(r);
		return true;
	}
	r->body_expected = (size_t)n;
	r->body_budget = n ? (size_t)n + 1 : 0;
	return false;
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
		conns_headers_in(s->conns, conn, r->route && r->route->body_to_file);
		{
			enum MHD_Result ret;

			if (refused_early(r, &ret))
				return ret;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->refused) {
			take_body(r, upload_data, *upload_size);
			r->body_received += *upload_size;
			conns_body_progress(s->conns, conn, r->body_received);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->refused)
		return MHD_YES;
	conns_serving(s->conns, conn);
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
	if (r->over_budget)
		return reply_busy(r);
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

/* A connection may hold two fds (its socket, and an upload file or a
 * hijacked copy); the rest of berthd needs fewer than 128. */
static unsigned connection_limit(void)
{
	struct rlimit rl;
	rlim_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return MAX_CONNECTIONS;
	n = rl.rlim_cur > 128 + 2 * 16 ? (rl.rlim_cur - 128) / 2 : 16;
	return n < MAX_CONNECTIONS ? (unsigned)n : MAX_CONNECTIONS;
}

int http_start(struct srv *s, int listen_fd, struct berr *err)
{
	unsigned limit = connection_limit();
	int ret = conns_new(s, limit, &s->conns, err);

	if (ret < 0)
		return ret;
	s->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG,
		0, NULL, NULL, access_handler, s, MHD_OPTION_LISTEN_SOCKET, listen_fd,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, conns_notify, s->conns,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_END);
	if (!s->mhd) {
		conns_free(s->conns);
		s->conns = NULL;
		return berr_fail(err, EIO, "could not start the HTTP server");
	}
	return 0;
}

void http_stop(struct srv *s)
{
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	s->mhd = NULL;
	conns_free(s->conns);
	s->conns = NULL;
}
