/* Healthchecks in the API: Config.Healthcheck read into the engine's
 * spec, and State.Health and Config.Healthcheck as inspect shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"

int api_parse_healthcheck(struct jr *r, yajl_val doc, struct daemon_spec *s)
{
	yajl_val h = jr_get(doc, "Healthcheck");
	int32_t retries = 0;
	int64_t start_interval = 0;
	size_t mark;

	if (!h || YAJL_IS_NULL(h))
		return 0;
	mark = jr_enter_key(r, "Healthcheck");
	JR_TRY(jr_val_object(r, h));
	JR_TRY(body_strv(r, h, "Test", &s->health_test));
	JR_TRY(jr_i64(r, h, "Interval", &s->health_interval));
	JR_TRY(jr_i64(r, h, "Timeout", &s->health_timeout));
	JR_TRY(jr_i64(r, h, "StartPeriod", &s->health_start_period));
	JR_TRY(jr_i32(r, h, "Retries", &retries));
	s->health_retries = retries;
	JR_TRY(jr_i64(r, h, "StartInterval", &start_interval));
	if (start_interval)
		return berr_as(r->err,
			       jr_fail_key(r, "StartInterval",
					   "a start interval is not supported by berthd"),
			       BERR_UNSUPPORTED);
	jr_leave(r, mark);
	return 0;
}

void api_health_config_json(struct jw *w, const struct daemon_spec *s)
{
	/* Durations without a test are kept, as dockerd keeps them: they
	 * apply to the image's test. */
	if (!s->health_test && !s->health_interval && !s->health_timeout &&
	    !s->health_start_period && !s->health_retries)
		return;
	jw_key(w, "Healthcheck");
	jw_map_open(w);
	if (s->health_test) {
		jw_key(w, "Test");
		jw_array_open(w);
		for (size_t i = 0; s->health_test[i]; i++)
			jw_str(w, s->health_test[i]);
		jw_array_close(w);
	}
	if (s->health_interval)
		jw_kint(w, "Interval", s->health_interval);
	if (s->health_timeout)
		jw_kint(w, "Timeout", s->health_timeout);
	if (s->health_start_period)
		jw_kint(w, "StartPeriod", s->health_start_period);
	if (s->health_retries)
		jw_kint(w, "Retries", s->health_retries);
	jw_map_close(w);
}

void api_health_state_json(struct jw *w, const struct daemon_container *c)
{
	const struct daemon_health *h = daemon_health_now_locked(c);

	if (!h)
		return;
	jw_key(w, "Health");
	jw_map_open(w);
	jw_kstr(w, "Status", h->status);
	jw_kint(w, "FailingStreak", h->failing_streak);
	jw_key(w, "Log");
	jw_array_open(w);
	for (size_t i = 0; i < h->n_log; i++) {
		jw_map_open(w);
		jw_kstr(w, "Start", h->log[i].start);
		jw_kstr(w, "End", h->log[i].end);
		jw_kint(w, "ExitCode", h->log[i].exit_code);
		jw_kstr(w, "Output", h->log[i].output ? h->log[i].output : "");
		jw_map_close(w);
	}
	jw_array_close(w);
	jw_map_close(w);
}
