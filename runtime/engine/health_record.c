/* A running container's health in its state record, so that a restarted
 * berthd goes on from where the probes were (status, failing streak, the
 * last probes, how far into the start period) instead of starting over:
 * dockerd keeps it with the container too.  Only the health of the
 * current run is kept; a new run starts over (health.c). */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spec/base/strv.h"
#include "spec/record.h"

int64_t daemon_health_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void daemon_health_put(struct record_writer *w, const struct daemon_container *c)
{
	const struct daemon_health *h = c->health;
	char *start[DAEMON_HEALTH_LOG], *end[DAEMON_HEALTH_LOG], *out[DAEMON_HEALTH_LOG];
	char codes[DAEMON_HEALTH_LOG][16], *code[DAEMON_HEALTH_LOG];

	if (!h || !h->started_at[0] || strcmp(h->started_at, c->started_at) != 0)
		return;
	for (size_t i = 0; i < h->n_log; i++) {
		start[i] = (char *)h->log[i].start;
		end[i] = (char *)h->log[i].end;
		out[i] = h->log[i].output ? h->log[i].output : "";
		snprintf(codes[i], sizeof(codes[i]), "%d", h->log[i].exit_code);
		code[i] = codes[i];
	}
	record_put(w, "health_run", h->started_at);
	record_put(w, "health_status", h->status);
	record_put_int(w, "health_failing_streak", h->failing_streak);
	record_put_int(w, "health_since_ms", h->start_wall_ms);
	record_put_list(w, "health_log_start", start, h->n_log);
	record_put_list(w, "health_log_end", end, h->n_log);
	record_put_list(w, "health_log_exit", code, h->n_log);
	record_put_list(w, "health_log_output", out, h->n_log);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void free_lists(char ***lists, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_free(lists[i]);
}

static struct daemon_health *health_from(const struct record *r, const char *run,
					 char **start, char **end, char **code, char **out,
					 size_t n);

int daemon_health_read(const struct record *r, struct daemon_container *c)
{
	static const char *const keys[] = { "health_log_start", "health_log_end",
					    "health_log_exit", "health_log_output" };
	const char *run = record_str(r, "health_run");
	char **lists[4] = { NULL };
	size_t n = DAEMON_HEALTH_LOG;
	struct daemon_health *h;

	if (!run || strcmp(run, c->started_at) != 0)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		size_t len = 0;

		if (record_strv(r, keys[i], &lists[i], &len) < 0) {
			free_lists(lists, 4);
			return -ENOMEM;
		}
		if (len < n)
			n = len;
	}
	h = health_from(r, run, lists[0], lists[1], lists[2], lists[3], n);
	free_lists(lists, 4);
	if (!h)
		return -ENOMEM;
	daemon_health_free(c->health);
	c->health = h;
	return 0;
}

static struct daemon_health *health_from(const struct record *r, const char *run,
					 char **start, char **end, char **code, char **out,
					 size_t n)
{
	struct daemon_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	copy(h->started_at, sizeof(h->started_at), run);
	copy(h->status, sizeof(h->status), record_str(r, "health_status"));
	h->failing_streak = (int)record_ll(r, "health_failing_streak", 0);
	h->start_wall_ms = record_ll(r, "health_since_ms", 0);
	/* The probe clock is per boot: health.c sets it from the wall clock
	 * at its first look (next_ms 0). */
	for (size_t i = 0; i < n; i++) {
		struct daemon_health_probe *p = &h->log[i];

		copy(p->start, sizeof(p->start), start[i]);
		copy(p->end, sizeof(p->end), end[i]);
		p->exit_code = atoi(code[i]);
		p->output = strdup(out[i]);
		if (!p->output) {
			daemon_health_free(h);
			return NULL;
		}
		h->n_log++;
	}
	return h;
}
