/* berthd's HTTP layer over libmicrohttpd: requests in (bounded), routes to
 * the API handlers, responses out (JSON, streams, hijacked connections).
 *
 * Threads: libmicrohttpd runs one thread per connection, so a handler may
 * block (wait, logs --follow, events) without holding up other clients;
 * a streaming response polls its connection so that a client that went
 * away ends it. */
#ifndef BERTHD_HTTP_H
#define BERTHD_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "runtime/engine/engine.h"
#include "spec/base/err.h"
#include "spec/json_write.h"

#define API_VERSION "1.45"
#define API_MIN_VERSION "1.24"

struct conns;

struct srv {
	struct daemon *d;
	struct MHD_Daemon *mhd;
	struct conns *conns;      /* deadlines, free slots, the body budget */
	const char *data_root;
	char *root_dir;
	int log_level; /* 0 error, 1 warn, 2 info, 3 debug */
};

struct req {
	struct srv *srv;
	struct MHD_Connection *conn;
	const char *method;
	char *path;               /* without the /vX.Y prefix */
	const struct route *route;
	char *params[2];          /* {id} / {name} of the route */
	char *body;               /* JSON bodies, NUL-terminated */
	size_t body_len, body_cap;
	size_t body_expected;     /* its Content-Length, 0 when not given */
	unsigned long long body_received;
	size_t body_budget;       /* what it holds of the conns' body budget */
	int body_fd;              /* tarball bodies go to a file */
	char *body_file;
	size_t header_bytes;
	bool too_big;
	bool over_budget;         /* refused for the bodies others send at once */
	bool refused;             /* answered before its body: ignore the body */
	bool write_failed;
	char *bad_version;
	unsigned api_minor;       /* the client's API version (1.minor) */
	const char *reply_header; /* one more header of the reply, a literal */
	char *reply_value;        /* its value (malloc'd, freed with r) */
};

typedef enum MHD_Result (*handler_fn)(struct req *r);

struct route {
	const char *method;
	const char *pattern; /* {x} one segment, {x*} one or more */
	handler_fn fn;
	bool body_to_file;
};

extern const struct route api_routes[];

int http_start(struct srv *s, int listen_fd, struct berr *err);
void http_stop(struct srv *s);

/* Query parameters. */
const char *http_query(struct req *r, const char *key);
bool http_query_bool(struct req *r, const char *key); /* 1, true, yes */
/* The integer value of key, dflt when absent; -EINVAL when malformed. */
int http_query_int(struct req *r, const char *key, long long dflt, long long *out);
/* A terminal size, docker's h (rows) and w (columns), 0 when absent;
 * -EINVAL when malformed or out of range. */
int http_query_tty_size(struct req *r, unsigned *rows, unsigned *cols);

/* Responses: each returns what the handler returns to libmicrohttpd. */
enum MHD_Result http_reply(struct req *r, unsigned status, const char *ctype, char *body,
			   size_t len); /* takes body (malloc'd) */
enum MHD_Result http_reply_json(struct req *r, unsigned status, struct jw *w);
/* The JSON array w holds, as newline-separated messages (docker's progress
 * streams), status 200. */
enum MHD_Result http_reply_lines(struct req *r, struct jw *w);
enum MHD_Result http_reply_error(struct req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The status of an error's kind (never of its errno: see spec/base/err.h). */
unsigned http_status_of(const struct berr *err);
enum MHD_Result http_reply_berr(struct req *r, const struct berr *err);
enum MHD_Result http_reply_empty(struct req *r, unsigned status);
/* The reply of a call with nothing to return: its error when ret < 0,
 * else status with no body. */
enum MHD_Result http_reply_done(struct req *r, int ret, const struct berr *err, unsigned status);

/* A streamed body: fn fills buf and returns its length, 0 to be called
 * again later (it should block a little first), -1 at the end. */
typedef ssize_t (*http_stream_fn)(void *cls, char *buf, size_t max);
enum MHD_Result http_reply_stream(struct req *r, unsigned status, const char *ctype,
				  http_stream_fn fn, void *cls, void (*free_cls)(void *));

/* For an http_stream_fn holding bytes it made earlier: copy what is left
 * of data[*off, len) into buf, at most max, and advance *off.  Returns
 * the count, 0 when nothing is left. */
size_t http_stream_pending(char *buf, size_t max, const char *data, size_t len, size_t *off);

/* What a worker thread (a build, a pull or push) writes for a streamed
 * reply: out[off, len) not yet sent, appended under lock, cond signalled
 * on each append and when done is set. */
struct http_job_stream {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *out;
	size_t len, off;
	bool done;
};

/* The http_stream_fn of such a job: what is pending, else after a short
 * wait for more; -1 once done and all sent. */
ssize_t http_job_stream_next(struct http_job_stream *s, char *buf, size_t max);

/* Switch the connection to a raw stream (101 Switching Protocols), then
 * call fn with the connection's fd (blocking, close-on-exec; fn owns it)
 * and the bytes the client sent after its request.  When the switch is
 * refused, fn is called with fd -1 (so that it frees cls). */
typedef void (*http_hijack_fn)(void *cls, int fd, const char *extra, size_t extra_len);
enum MHD_Result http_reply_hijack(struct req *r, const char *ctype, http_hijack_fn fn,
				  void *cls);

/* Has the client of this connection gone away? */
bool http_conn_gone(struct MHD_Connection *conn);

/* Where http_log writes (log.c): stderr unless main opened a log file. */
extern int berthd_log_fd;
void http_log(struct srv *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
