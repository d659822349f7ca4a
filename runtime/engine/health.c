/* Healthchecks, as dockerd runs them: every interval, the test runs in
 * the container as an exec; exit 0 is healthy, anything else (or running
 * past the timeout) a failure; after `retries` failures in a row the
 * container is unhealthy.  Failures within the start period do not count,
 * a success there makes it healthy.  Status changes are events
 * ("health_status: healthy").
 *
 * One thread of its own probes every container that has a check, one
 * probe at a time, through the engine's exec calls (exec.c): what a probe
 * prints comes back over a socket pair as the exec's stream. */
#include "runtime/engine/internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/base/timestamp.h"

#define SEC 1000000000LL
#define OUTPUT_MAX 4096 /* dockerd keeps as much of a probe's output */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t or_default(int64_t ns, int64_t dflt)
{
	return ns > 0 ? ns : dflt;
}

static bool has_check(const struct daemon_spec *s)
{
	return s->health_test && s->health_test[0] && strcmp(s->health_test[0], "NONE") != 0;
}

/* The command of the probe: CMD's as given, CMD-SHELL's through sh. */
static char **probe_cmd(const struct daemon_spec *s)
{
	if (strcmp(s->health_test[0], "CMD-SHELL") == 0) {
		char *sh[] = { "/bin/sh", "-c", s->health_test[1], NULL };

		return strv_dup(sh, 3);
	}
	return strv_dup(s->health_test + 1, strv_len(s->health_test + 1));
}

/* The exec's stream: docker's frames (8-byte headers) of stdout and
 * stderr, their payloads kept up to OUTPUT_MAX. */
struct output {
	char buf[OUTPUT_MAX + 1];
	size_t len;
	unsigned char hdr[8];
	size_t hdr_len;
	uint32_t left; /* of the current frame's payload */
};

static void take(struct output *o, const unsigned char *p, size_t n)
{
	while (n) {
		if (!o->left) {
			size_t k = sizeof(o->hdr) - o->hdr_len < n ? sizeof(o->hdr) - o->hdr_len : n;

			memcpy(o->hdr + o->hdr_len, p, k);
			o->hdr_len += k;
			p += k;
			n -= k;
			if (o->hdr_len == sizeof(o->hdr)) {
				o->left = (uint32_t)o->hdr[4] << 24 | (uint32_t)o->hdr[5] << 16 |
					  (uint32_t)o->hdr[6] << 8 | o->hdr[7];
				o->hdr_len = 0;
			}
			continue;
		}
		{
			size_t k = o->left < n ? o->left : n;
			size_t room = OUTPUT_MAX - o->len;

			memcpy(o->buf + o->len, p, k < room ? k : room);
			o->len += k < room ? k : room;
			o->left -= (uint32_t)k;
			p += k;
			n -= k;
		}
	}
}

static bool stopping(struct daemon *d)
{
	bool s;

	daemon_lock(d);
	s = d->stopping;
	daemon_unlock(d);
	return s;
}

/* Run one probe: its exit code (-1 timed out or could not run) and what
 * it printed (malloc'd). */
static int probe(struct daemon *d, const char *id, const struct daemon_spec *s, char **out)
{
	struct daemon_exec_spec x = { .attach_stdout = true, .attach_stderr = true };
	int64_t deadline = now_ms() + or_default(s->health_timeout, 30 * SEC) / 1000000;
	struct output o = { 0 };
	struct berr err = { 0 };
	char exec_id[65];
	int sv[2], code = -1;
	bool timed_out = true;

	*out = NULL;
	x.cmd = probe_cmd(s);
	if (!x.cmd)
		return -1;
	if (daemon_exec_create(d, id, &x, exec_id, &err) < 0) {
		daemon_exec_spec_free(&x);
		*out = strdup(err.msg);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (daemon_exec_start(d, exec_id, sv[0], NULL, 0, 0, 0, &err) < 0) {
		close(sv[0]);
		close(sv[1]);
		*out = strdup(err.msg);
		return -1;
	}
	close(sv[0]);
	/* Its output until it closes the stream, then its exit. */
	while (now_ms() < deadline && !stopping(d)) {
		struct pollfd p = { .fd = sv[1], .events = POLLIN };
		unsigned char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(sv[1], buf, sizeof(buf));
		if (n <= 0)
			break;
		take(&o, buf, (size_t)n);
	}
	close(sv[1]);
	while (now_ms() < deadline && !stopping(d)) {
		struct daemon_exec *e;
		bool done = false;

		daemon_lock(d);
		e = daemon_exec_find_locked(d, exec_id);
		if (e) {
			daemon_exec_refresh_locked(d, e);
			done = e->state == EXEC_EXITED;
			code = e->exit_code;
		}
		daemon_unlock(d);
		if (done || !e) {
			timed_out = !e;
			if (done)
				timed_out = false;
			break;
		}
		usleep(50 * 1000);
	}
	if (timed_out) {
		if (asprintf(out, "Health check exceeded timeout (%llds)",
			     (long long)(or_default(s->health_timeout, 30 * SEC) / SEC)) < 0)
			*out = NULL;
		return -1;
	}
	o.buf[o.len] = '\0';
	*out = strdup(o.buf);
	return code;
}

const struct daemon_health *daemon_health_now_locked(const struct daemon_container *c)
{
	static const struct daemon_health fresh = { .status = "starting" };

	if (!has_check(&c->spec))
		return NULL;
	if ((c->status == DS_RUNNING || c->status == DS_PAUSED) &&
	    (!c->health || strcmp(c->health->started_at, c->started_at) != 0))
		return &fresh;
	return c->health;
}

static void set_status_locked(struct daemon *d, struct daemon_container *c, const char *status)
{
	char action[48];

	if (strcmp(c->health->status, status) == 0)
		return;
	snprintf(c->health->status, sizeof(c->health->status), "%s", status);
	snprintf(action, sizeof(action), "health_status: %s", status);
	daemon_event_locked(d, c, action, NULL);
	pthread_cond_broadcast(&d->changed);
}

static void record_locked(struct daemon *d, struct daemon_container *c, const char *start,
			  int code, char *output)
{
	struct daemon_health *h = c->health;
	const struct daemon_spec *s = &c->spec;
	int retries = s->health_retries > 0 ? s->health_retries : 3;
	bool in_start = now_ms() - h->start_ms < s->health_start_period / 1000000;
	struct daemon_health_probe *p;

	if (h->n_log == DAEMON_HEALTH_LOG) {
		free(h->log[0].output);
		memmove(h->log, h->log + 1, (DAEMON_HEALTH_LOG - 1) * sizeof(h->log[0]));
		h->n_log--;
	}
	p = &h->log[h->n_log++];
	snprintf(p->start, sizeof(p->start), "%s", start);
	timestamp_now(p->end, sizeof(p->end));
	p->exit_code = code;
	p->output = output;
	if (code == 0) {
		h->failing_streak = 0;
		set_status_locked(d, c, "healthy");
	} else if (!in_start) {
		h->failing_streak++;
		if (h->failing_streak >= retries)
			set_status_locked(d, c, "unhealthy");
	}
}

/* The next container due for a probe (a reference), with a copy of its
 * spec's check; new runs start over as "starting". */
static struct daemon_container *due_locked(struct daemon *d, int64_t now)
{
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		const struct daemon_spec *s = &c->spec;

		if (!has_check(s) || c->removed || (c->status != DS_RUNNING)) {
			continue;
		}
		if (!c->health) {
			c->health = calloc(1, sizeof(*c->health));
			if (!c->health)
				continue;
		}
		if (strcmp(c->health->started_at, c->started_at) != 0) {
			for (size_t i = 0; i < c->health->n_log; i++)
				free(c->health->log[i].output);
			memset(c->health, 0, sizeof(*c->health));
			snprintf(c->health->started_at, sizeof(c->health->started_at), "%s",
				 c->started_at);
			snprintf(c->health->status, sizeof(c->health->status), "starting");
			c->health->start_ms = now;
			c->health->start_wall_ms = daemon_health_wall_ms();
			c->health->next_ms = now + or_default(s->health_interval, 30 * SEC) / 1000000;
		}
		if (!c->health->next_ms) {
			/* Read back from the record by a restarted berthd:
			 * the start period goes on from where it was, the
			 * next probe is an interval away. */
			c->health->start_ms = now - (daemon_health_wall_ms() -
						     c->health->start_wall_ms);
			c->health->next_ms = now + or_default(s->health_interval, 30 * SEC) / 1000000;
		}
		if (now >= c->health->next_ms) {
			c->refs++;
			return c;
		}
	}
	return NULL;
}

static void *health_loop(void *arg)
{
	struct daemon *d = arg;

	daemon_lock(d);
	while (!d->stopping) {
		struct daemon_container *c = due_locked(d, now_ms());
		struct timespec ts;

		if (c) {
			struct daemon_spec s = { 0 };
			char id[65], start[48];
			char *output = NULL;
			int code;

			snprintf(id, sizeof(id), "%s", c->id);
			s.health_test = strv_dup(c->spec.health_test, strv_len(c->spec.health_test));
			s.health_timeout = c->spec.health_timeout;
			daemon_unlock(d);
			timestamp_now(start, sizeof(start));
			code = s.health_test ? probe(d, id, &s, &output) : -1;
			daemon_spec_free(&s);
			daemon_lock(d);
			/* Still the same run? */
			if (c->health && !c->removed && c->status == DS_RUNNING) {
				record_locked(d, c, start, code, output);
				output = NULL;
				c->health->next_ms =
					now_ms() + or_default(c->spec.health_interval, 30 * SEC) / 1000000;
				daemon_save_state_quiet(d, c);
			}
			free(output);
			daemon_put_locked(c);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->changed, &d->lock, &ts);
	}
	daemon_unlock(d);
	return NULL;
}

int daemon_health_start(struct daemon *d, struct berr *err)
{
	int ret = pthread_create(&d->health_thread, NULL, health_loop, d);

	if (ret != 0)
		return berr_set(err, ret, "start the healthcheck thread");
	d->health_started = true;
	return 0;
}

void daemon_health_stop(struct daemon *d)
{
	if (!d->health_started)
		return;
	pthread_join(d->health_thread, NULL);
	d->health_started = false;
}
