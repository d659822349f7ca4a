/* The connection watch: deadlines, slots kept free, the body budget and
 * the heap trim (see conns.h). */
#include "conns.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "http.h"

#define STR_(x) #x
#define TOSTR(x) STR_(x)
#define TRIM_AFTER_MS 1000
#define TICK_MS 500

enum phase {
	WAITING,  /* for a request's headers */
	RECEIVING, /* its body */
	SERVING,  /* a handler runs or the reply goes out: never cut */
};

struct conn_entry {
	struct conn_entry *prev, *next;
	int fd;
	enum phase phase;
	bool to_file;
	bool cut;
	int64_t since_ms;    /* when the phase began */
	int64_t deadline_ms; /* WAITING and RECEIVING: cut after this */
};

struct conns {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t watchdog;
	bool stopping;
	bool trim_due;
	struct srv *srv;
	struct conn_entry *head, *tail;
	unsigned n, n_cut, keep_below;
	size_t body_bytes;
	int64_t last_close_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct conn_entry *entry_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void set_phase(struct conn_entry *e, enum phase p, int64_t allowed_ms)
{
	e->phase = p;
	e->since_ms = now_ms();
	e->deadline_ms = e->since_ms + allowed_ms;
}

/* The client sees its connection end, as if the peer had gone; the
 * connection's own thread closes it (and tells conns_notify).  Called
 * with the lock held, so the fd cannot be closed under us: libmicrohttpd
 * notifies a close before it closes the socket. */
static void cut(struct conns *c, struct conn_entry *e, const char *why)
{
	if (e->cut)
		return;
	e->cut = true;
	c->n_cut++;
	shutdown(e->fd, SHUT_RDWR);
	http_log(c->srv, 2, "closed a connection: %s", why);
}

/* The connection to close for a new client: the one that has waited
 * longest for its request headers, else the one that has been sending its
 * body longest. */
static struct conn_entry *victim(struct conns *c, const struct conn_entry *fresh)
{
	struct conn_entry *best = NULL;

	for (struct conn_entry *e = c->head; e; e = e->next) {
		if (e == fresh || e->cut || e->phase == SERVING)
			continue;
		if (!best || e->phase < best->phase ||
		    (e->phase == best->phase && e->since_ms < best->since_ms))
			best = e;
	}
	return best;
}

static void make_room(struct conns *c, const struct conn_entry *fresh)
{
	while (c->n - c->n_cut > c->keep_below) {
		struct conn_entry *e = victim(c, fresh);

		if (!e)
			return;
		cut(c, e, e->phase == WAITING
				  ? "the connections near their limit; this one had sent no request"
				  : "the connections near their limit; this one was slowest to send its body");
	}
}

void conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		  enum MHD_ConnectionNotificationCode code)
{
	struct conns *c = cls;
	struct conn_entry *e = *socket_context;

	pthread_mutex_lock(&c->lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		e = calloc(1, sizeof(*e));
		if (e && ci) {
			e->fd = ci->connect_fd;
			set_phase(e, WAITING, CONNS_HEADER_S * 1000);
			e->prev = c->tail;
			if (c->tail)
				c->tail->next = e;
			else
				c->head = e;
			c->tail = e;
			c->n++;
			*socket_context = e;
			make_room(c, e);
		} else {
			/* Unwatched: no deadline, but nothing else is lost. */
			free(e);
		}
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && e) {
		if (e->prev)
			e->prev->next = e->next;
		else
			c->head = e->next;
		if (e->next)
			e->next->prev = e->prev;
		else
			c->tail = e->prev;
		c->n--;
		if (e->cut)
			c->n_cut--;
		free(e);
		*socket_context = NULL;
		c->trim_due = true;
		c->last_close_ms = now_ms();
	}
	pthread_mutex_unlock(&c->lock);
}

void conns_headers_in(struct conns *c, struct MHD_Connection *conn, bool to_file)
{
	struct conn_entry *e = entry_of(conn);

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	set_phase(e, RECEIVING, CONNS_BODY_S * 1000);
	e->to_file = to_file;
	pthread_mutex_unlock(&c->lock);
}

void conns_body_progress(struct conns *c, struct MHD_Connection *conn, unsigned long long received)
{
	struct conn_entry *e = entry_of(conn);

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	/* Only tarballs may be large enough to need more than the flat
	 * deadline; a JSON body (4 MiB at most) gets none. */
	if (e->phase == RECEIVING && e->to_file)
		e->deadline_ms = e->since_ms + CONNS_BODY_S * 1000 +
				 (int64_t)(received * 1000 / CONNS_BODY_RATE);
	pthread_mutex_unlock(&c->lock);
}

void conns_serving(struct conns *c, struct MHD_Connection *conn)
{
	struct conn_entry *e = entry_of(conn);

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	set_phase(e, SERVING, 0);
	pthread_mutex_unlock(&c->lock);
}

void conns_reply_done(struct conns *c, struct MHD_Connection *conn)
{
	struct conn_entry *e = entry_of(conn);

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	set_phase(e, WAITING, CONNS_HEADER_S * 1000);
	pthread_mutex_unlock(&c->lock);
}

bool conns_body_take(struct conns *c, size_t n)
{
	bool ok;

	pthread_mutex_lock(&c->lock);
	ok = n <= CONNS_BODY_BUDGET - c->body_bytes;
	if (ok)
		c->body_bytes += n;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

void conns_body_give(struct conns *c, size_t n)
{
	pthread_mutex_lock(&c->lock);
	c->body_bytes -= n < c->body_bytes ? n : c->body_bytes;
	pthread_mutex_unlock(&c->lock);
}

static void cut_overdue(struct conns *c, int64_t now)
{
	for (struct conn_entry *e = c->head; e; e = e->next) {
		if (e->cut || e->phase == SERVING || now < e->deadline_ms)
			continue;
		if (e->phase == WAITING)
			cut(c, e, "no request headers within " TOSTR(CONNS_HEADER_S) " s");
		else
			cut(c, e, e->to_file ? "the request body came too slowly"
					     : "no request body within " TOSTR(CONNS_BODY_S) " s");
	}
}

static void *watchdog(void *arg)
{
	struct conns *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		int64_t now = now_ms();
		struct timespec until;

		cut_overdue(c, now);
		/* What the connections that came and went left free in the heap
		 * (bodies, pools, their threads' allocations) goes back to the
		 * kernel once they are gone, not when a container next exits. */
		if (c->trim_due && now - c->last_close_ms >= TRIM_AFTER_MS) {
			c->trim_due = false;
			pthread_mutex_unlock(&c->lock);
			malloc_trim(0);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->wake, &c->lock, &until);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int conns_new(struct srv *s, unsigned limit, struct conns **out, struct berr *err)
{
	struct conns *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;
	int ret;

	if (!c)
		return berr_set(err, ENOMEM, "connection watch");
	c->srv = s;
	c->keep_below = limit - limit / 8;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	ret = pthread_create(&c->watchdog, NULL, watchdog, c);
	if (ret) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return berr_fail(err, ret, "start the connection watchdog");
	}
	*out = c;
	return 0;
}

void conns_free(struct conns *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->watchdog, NULL);
	while (c->head) {
		struct conn_entry *e = c->head;

		c->head = e->next;
		free(e);
	}
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
