/* berthd's connections, watched, so that hostile or broken clients cannot
 * starve the others:
 *
 *  - deadlines per request, not idle timeouts: a connection that waits for
 *    a request (a new one, or one kept alive after a reply) must deliver
 *    the request's headers within CONNS_HEADER_S, and then its body within
 *    CONNS_BODY_S, plus a second for each CONNS_BODY_RATE bytes received
 *    (a tarball may be large; a trickle is still cut);
 *  - slots for new clients: when the connections near the limit, the
 *    oldest ones still waiting for their request are closed, never one
 *    whose request is being served;
 *  - one budget for the request bodies held in memory (CONNS_BODY_BUDGET);
 *  - the heap returned to the kernel a second after connections close.
 *
 * A watchdog thread closes the connections that overstay (shutdown(2) of
 * their socket, which libmicrohttpd's connection thread sees as the
 * client's end) and trims the heap. */
#ifndef BERTHD_CONNS_H
#define BERTHD_CONNS_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "spec/base/err.h"

#define CONNS_HEADER_S 20
#define CONNS_BODY_S 60
#define CONNS_BODY_RATE (64u * 1024)        /* bytes a second, beyond CONNS_BODY_S */
#define CONNS_BODY_BUDGET (64ull << 20)     /* JSON bodies held at once */

struct srv;
struct conns;

/* Watch up to limit connections, keeping limit / 8 of them for new
 * clients; s is where the cuts are logged. */
int conns_new(struct srv *s, unsigned limit, struct conns **out, struct berr *err);
/* After the HTTP server stopped (every connection closed). */
void conns_free(struct conns *c);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback (cls: the conns). */
void conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		  enum MHD_ConnectionNotificationCode code);

/* The request's progress on conn: its headers are in (its body follows,
 * to a file when to_file); received bytes of a body so far; the whole
 * request is in and being served; the reply is done (the connection waits
 * for the next request). */
void conns_headers_in(struct conns *c, struct MHD_Connection *conn, bool to_file);
void conns_body_progress(struct conns *c, struct MHD_Connection *conn, unsigned long long received);
void conns_serving(struct conns *c, struct MHD_Connection *conn);
void conns_reply_done(struct conns *c, struct MHD_Connection *conn);

/* Take n bytes of the body budget; false when that would exceed it. */
bool conns_body_take(struct conns *c, size_t n);
void conns_body_give(struct conns *c, size_t n);

#endif
