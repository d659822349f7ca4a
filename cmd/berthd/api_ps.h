/* docker ps beyond a container's own fields: the filters that need the
 * request's values resolved first (name as a regular expression, exited,
 * before and since, ancestor, volume, network, publish, expose, is-task),
 * the order (newest first), and the sizes of ps -s; and each container's
 * entry, kept written (api_ps_entry.c). */
#ifndef BERTHD_API_PS_H
#define BERTHD_API_PS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "api.h"
#include "runtime/engine/engine.h"

/* A port filter's range: PORT[-LAST][/PROTO]. */
struct ps_port_range {
	unsigned lo, hi;
	char proto[8];
};

struct ps_filter {
	regex_t *names;
	size_t n_names;
	int *exited;
	size_t n_exited;
	/* ancestor: the named images' ids and those of every image built on
	 * them (NULL-terminated; NULL and by_ancestor: none is known). */
	bool by_ancestor;
	char **images;
	/* network: the names of the networks the values name or whose id
	 * they begin. */
	bool by_network;
	char **networks;
	struct ps_port_range *publish, *expose;
	size_t n_publish, n_expose;
	char **volumes;
	/* before and since: the containers' ids ("" none). */
	char before[65], since[65];
};

/* Resolve the values of f (already checked by name): -EINVAL for a
 * malformed one, -ENOENT for a before or since container that does not
 * exist, unsupported for is-task.  On failure *p is freed. */
int ps_filter_prepare(struct ps_filter *p, const struct filters *f, struct srv *srv,
		      struct berr *err);
void ps_filter_free(struct ps_filter *p);

/* With the daemon's lock held: does c pass the prepared filters? */
bool ps_filter_match_locked(const struct ps_filter *p, const struct daemon_container *c);

/* With the daemon's lock held: the containers newest first (by creation,
 * as dockerd lists them), only those created before p->before and after
 * p->since (malloc'd array in *out). */
int ps_order_locked(const struct ps_filter *p, struct daemon *d,
		    struct daemon_container ***out, size_t *n, struct berr *err);

/* --- api_ps_entry.c ----------------------------------------------------- */

/* Text grown piece by piece; failed once out of memory (then every add
 * is a no-op). */
struct ps_text {
	char *s;
	size_t len, cap;
	bool failed;
};

void ps_text_add(struct ps_text *t, const void *p, size_t n);
void ps_text_free(struct ps_text *t);

/* With the daemon's lock held: c's creation time in nanoseconds (0 when
 * its record's is unreadable), read from the record once. */
int64_t ps_created_locked(struct daemon_container *c);

/* With the daemon's lock held: c's entry written anew to w, with its
 * sizes (SizeRw, SizeRootFs) when size is not NULL; its Status told
 * against now. */
void ps_entry_write_locked(struct jw *w, const struct srv *srv, struct daemon_container *c,
			   const long long *size, time_t now);

/* With the daemon's lock held: c's entry appended to t, copied from the
 * one kept since c last changed (written anew and kept when c changed
 * since); scratch is the caller's, reused from one container to the
 * next. */
int ps_entry_append_locked(struct ps_text *t, struct ps_text *scratch, const struct srv *srv,
			   struct daemon_container *c, time_t now, struct berr *err);

#endif
