/* On a host with cgroup v1 hierarchies, the shim's move of a container's
 * process into them waits for an RCU grace period of the kernel (10 to 20
 * ms, the largest part of a docker run on such a host), unless one passed
 * a moment ago (see rt_cgroup_warmup in runtime/cgroups.h).  berthd starts
 * that wait itself, in a thread, as soon as a container is created,
 * started or given an exec: docker run sends create, attach, wait and
 * start in a row, then the shim starts and prepares the container, so by
 * the time it moves the process the wait is over or nearly.
 *
 * One warm-up at a time: a move while one is in flight shares its grace
 * period anyway.  Where to write is looked up at the first container, not
 * at start-up, so that an idle berthd has not paged in the parsing. */
#include "runtime/engine/internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "runtime/cgroups.h"

enum { UNKNOWN, LOOKING, KNOWN };

void daemon_warmup_init(struct daemon *d)
{
	atomic_init(&d->warmup_state, UNKNOWN);
	atomic_init(&d->warming, false);
	d->warmup_procs = NULL;
}

/* The first caller looks; the others skip their warm-up meanwhile. */
static const char *target(struct daemon *d)
{
	int expected = UNKNOWN;
	struct berr ignored;

	if (atomic_load(&d->warmup_state) == KNOWN)
		return d->warmup_procs;
	if (!atomic_compare_exchange_strong(&d->warmup_state, &expected, LOOKING))
		return NULL;
	/* No target (a unified host, or an unreadable layout): no warm-up. */
	rt_cgroup_warmup_target(&d->warmup_procs, &ignored);
	atomic_store(&d->warmup_state, KNOWN);
	return d->warmup_procs;
}

static void *warm(void *arg)
{
	struct daemon *d = arg;

	rt_cgroup_warmup(d->warmup_procs);
	atomic_store(&d->warming, false);
	return NULL;
}

void daemon_warmup(struct daemon *d)
{
	pthread_attr_t attr;
	pthread_t t;

	if (!target(d) || atomic_exchange(&d->warming, true))
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, warm, d) != 0)
		atomic_store(&d->warming, false);
	pthread_attr_destroy(&attr);
}

/* The thread uses d: it is let finish (one grace period at most). */
void daemon_warmup_close(struct daemon *d)
{
	while (atomic_load(&d->warming) || atomic_load(&d->warmup_state) == LOOKING)
		sched_yield();
	free(d->warmup_procs);
	d->warmup_procs = NULL;
}
