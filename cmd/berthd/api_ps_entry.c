/* docker ps: a container's entry, and the entry kept written.
 *
 * Writing an entry through the JSON writer costs microseconds (about sixty
 * keys and values, each escaped and checked), and a listing of many
 * containers was nearly all that.  So each container keeps its entry as
 * text (in its record's `listed`, under the daemon's lock) together with
 * the key it was written from: the values of every input of the entry
 * that can change after the container was created.  A listing compares
 * the key with the container's values now and copies the text when they
 * are equal, writing anew only an entry whose container changed (renamed,
 * started, stopped, paused, connected to a network...): no engine call
 * has to say that it changed a container, so none can forget to.
 *
 * What the key leaves out is set at create and never changes: the id,
 * the creation time, the image and its id, the command, the labels, the
 * exposed ports and the mounts (docker has no call that changes them),
 * and the daemon's data root.  An input added to entry_json that a call
 * can change belongs in entry_key.  Status ("Up 5 minutes") moves with
 * the clock and the healthcheck: it is written at each listing, between
 * the kept text's two halves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_ports.h"
#include "api_ps.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"
#include "spec/json_write.h"

/* c->listed: one block, the key then the text before Status's value
 * (head) then the text after it (tail). */
struct ps_kept {
	int64_t created_ns;
	bool written; /* the fields below and data hold an entry */
	int64_t started_s, finished_s; /* started_at, finished_at parsed */
	size_t key_len, head_len, tail_len;
	char data[];
};

/* --- growing text ----------------------------------------------------------- */

static void grow(struct ps_text *t, size_t more)
{
	size_t cap = t->cap ? t->cap : 4096;
	char *s;

	if (t->failed || t->len + more <= t->cap)
		return;
	while (cap < t->len + more)
		cap *= 2;
	s = realloc(t->s, cap);
	if (!s) {
		t->failed = true;
		return;
	}
	t->s = s;
	t->cap = cap;
}

void ps_text_add(struct ps_text *t, const void *p, size_t n)
{
	grow(t, n);
	if (t->failed)
		return;
	memcpy(t->s + t->len, p, n);
	t->len += n;
}

void ps_text_free(struct ps_text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

/* --- Status ---------------------------------------------------------------- */

static void human_duration(int64_t secs, char *buf, size_t size)
{
	if (secs < 1)
		snprintf(buf, size, "Less than a second");
	else if (secs == 1)
		snprintf(buf, size, "1 second");
	else if (secs < 60)
		snprintf(buf, size, "%lld seconds", (long long)secs);
	else if (secs < 120)
		snprintf(buf, size, "About a minute");
	else if (secs < 3600)
		snprintf(buf, size, "%lld minutes", (long long)secs / 60);
	else if (secs < 7200)
		snprintf(buf, size, "About an hour");
	else if (secs < 48 * 3600)
		snprintf(buf, size, "%lld hours", (long long)secs / 3600);
	else
		snprintf(buf, size, "%lld days", (long long)secs / 86400);
}

/* A record's time in seconds since the epoch, 0 when absent or unreadable
 * (which makes it long ago, as before). */
static int64_t seconds_of(const char *ts)
{
	int64_t ns;

	if (!ts || !*ts || daemon_log_time(ts, &ns) < 0)
		return 0;
	return ns / 1000000000LL;
}

/* started, finished: c's started_at and finished_at in seconds. */
static void status_text(const struct daemon_container *c, int64_t started, int64_t finished,
			time_t now, char *buf, size_t size)
{
	const struct daemon_health *h = daemon_health_now_locked(c);
	char d[64];

	switch (c->status) {
	case DS_RUNNING:
	case DS_PAUSED:
		human_duration(now - started, d, sizeof(d));
		if (c->status == DS_RUNNING && h && h->status[0])
			snprintf(buf, size, "Up %s (%s%s)", d,
				 strcmp(h->status, "starting") ? "" : "health: ", h->status);
		else
			snprintf(buf, size, "Up %s%s", d, c->status == DS_PAUSED ? " (Paused)" : "");
		break;
	case DS_RESTARTING:
		human_duration(now - finished, d, sizeof(d));
		snprintf(buf, size, "Restarting (%d) %s ago", c->exit_code, d);
		break;
	case DS_EXITED:
		human_duration(now - finished, d, sizeof(d));
		snprintf(buf, size, "Exited (%d) %s ago", c->exit_code, d);
		break;
	case DS_CREATED:
		snprintf(buf, size, "Created");
		break;
	case DS_REMOVING:
		snprintf(buf, size, "Removal In Progress");
		break;
	default:
		snprintf(buf, size, "Dead");
	}
}

/* --- the entry --------------------------------------------------------------- */

/* docker's Command: the arguments joined, quoted where needed. */
static void command_text(const struct daemon_spec *s, char *buf, size_t size)
{
	size_t used = 0;
	char **lists[2] = { s->entrypoint, s->cmd };

	buf[0] = '\0';
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			const char *a = lists[l][i];
			bool quote = !*a || strpbrk(a, " \t\n'\"$;&|<>()*?\\") != NULL;
			int n = snprintf(buf + used, size - used, quote ? "%s'%s'" : "%s%s",
					 used ? " " : "", a);

			if (n < 0 || (size_t)n >= size - used)
				return;
			used += (size_t)n;
		}
	}
}

static void entry_json(struct jw *w, const struct srv *srv, const struct daemon_container *c,
		       int64_t created_ns, const long long *size, const char *status)
{
	char cmd[1024];

	jw_map_open(w);
	api_container_heading(w, c);
	command_text(&c->spec, cmd, sizeof(cmd));
	jw_kstr(w, "Command", cmd);
	jw_kint(w, "Created", created_ns / 1000000000LL);
	api_ports_write_list(w, c);
	if (size) {
		jw_kint(w, "SizeRw", size[0]);
		jw_kint(w, "SizeRootFs", size[1]);
	}
	jw_kv_map(w, "Labels", c->spec.labels);
	jw_kstr(w, "State", daemon_status_name(c->status));
	jw_kstr(w, "Status", status);
	jw_key(w, "HostConfig");
	jw_map_open(w);
	jw_kstr(w, "NetworkMode",
		c->spec.network_mode && *c->spec.network_mode ? c->spec.network_mode : "default");
	jw_map_close(w);
	api_network_settings(w, srv->d, c, false);
	api_mounts_json(w, srv->data_root, &c->spec);
	jw_map_close(w);
}

void api_container_heading(struct jw *w, const struct daemon_container *c)
{
	char name[300];

	jw_kstr(w, "Id", c->id);
	jw_key(w, "Names");
	jw_array_open(w);
	snprintf(name, sizeof(name), "/%s", c->name);
	jw_str(w, name);
	jw_array_close(w);
	jw_kstr(w, "Image", c->spec.image);
	jw_kstr(w, "ImageID", c->spec.image_id);
}

/* --- the key ------------------------------------------------------------------ */

static void key_int(struct ps_text *k, int64_t v)
{
	ps_text_add(k, &v, sizeof(v));
}

/* NULL and "" differ (null against "" in the entry). */
static void key_str(struct ps_text *k, const char *s)
{
	ps_text_add(k, s ? "s" : "n", 1);
	if (s)
		ps_text_add(k, s, strlen(s) + 1);
}

static void key_strv(struct ps_text *k, char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	key_int(k, v ? (int64_t)n : -1);
	for (size_t i = 0; i < n; i++)
		key_str(k, v[i]);
}

static void key_endpoint(struct ps_text *k, const struct daemon_endpoint *ep)
{
	key_str(k, ep->network);
	key_str(k, ep->network_id);
	key_str(k, ep->ip);
	key_str(k, ep->gateway);
	key_str(k, ep->mac);
	key_str(k, ep->ip6);
	key_str(k, ep->gateway6);
	key_int(k, ep->prefix);
	key_int(k, ep->prefix6);
}

/* Every input of entry_json and status_text that can change after create,
 * but the clock and the healthcheck's status (read at each listing). */
static void entry_key(struct ps_text *k, const struct daemon *d,
		      const struct daemon_container *c)
{
	k->len = 0;
	key_int(k, c->status);
	key_int(k, c->exit_code);
	key_str(k, c->started_at);
	key_str(k, c->finished_at);
	key_str(k, c->name);
	key_str(k, c->spec.network_mode);
	key_str(k, c->spec.ip);
	key_strv(k, c->spec.aliases);
	key_strv(k, c->spec.networks);
	key_str(k, d->default_net);
	key_endpoint(k, &c->ep);
	/* The ports are plain values (no pointer); bytes past a string's end
	 * that differ only cost a rewrite. */
	key_int(k, (int64_t)c->ep.n_ports);
	if (c->ep.n_ports)
		ps_text_add(k, c->ep.ports, c->ep.n_ports * sizeof(*c->ep.ports));
	key_int(k, (int64_t)c->n_more);
	for (size_t i = 0; i < c->n_more; i++)
		key_endpoint(k, &c->more[i]);
}

/* --- kept entries ---------------------------------------------------------- */

static struct ps_kept *kept_of(struct daemon_container *c)
{
	struct ps_kept *k = c->listed;
	int64_t ns;

	if (k)
		return k;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->created_ns = daemon_log_time(c->created, &ns) < 0 ? 0 : ns;
	c->listed = k;
	return k;
}

int64_t ps_created_locked(struct daemon_container *c)
{
	struct ps_kept *k = kept_of(c);
	int64_t ns;

	if (k)
		return k->created_ns;
	return daemon_log_time(c->created, &ns) < 0 ? 0 : ns;
}

void ps_entry_write_locked(struct jw *w, const struct srv *srv, struct daemon_container *c,
			   const long long *size, time_t now)
{
	char status[128];

	status_text(c, seconds_of(c->started_at), seconds_of(c->finished_at), now, status,
		    sizeof(status));
	entry_json(w, srv, c, ps_created_locked(c), size, status);
}

/* The kept form: the entry written with an empty Status, cut around it.
 * Only the entry's own Status is followed by HostConfig's map: a label's
 * value, a string, cannot be. */
static int write_kept(const struct srv *srv, struct daemon_container *c, const struct ps_text *key,
		      struct berr *err)
{
	static const char mark[] = ",\"Status\":\"\",\"HostConfig\":{";
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *text = NULL;
	struct ps_kept *k = kept_of(c), *grown;
	size_t len, head, tail;
	char *at;
	int ret;

	if (!k)
		return berr_set(err, ENOMEM, "list containers");
	entry_json(w, srv, c, k->created_ns, NULL, "");
	if ((ret = jw_finish(w, &text, &len, err)) < 0)
		return ret;
	at = memmem(text, len, mark, sizeof(mark) - 1);
	if (!at)
		return berr_fail(err, EINVAL, "list containers: %s: no Status in its entry", c->id);
	head = (size_t)(at - text) + strlen(",\"Status\":\"");
	tail = len - head;
	grown = realloc(k, sizeof(*k) + key->len + head + tail);
	if (!grown)
		return berr_set(err, ENOMEM, "list containers");
	c->listed = k = grown;
	k->key_len = key->len;
	k->head_len = head;
	k->tail_len = tail;
	memcpy(k->data, key->s, key->len);
	memcpy(k->data + key->len, text, head);
	memcpy(k->data + key->len + head, text + head, tail);
	k->started_s = seconds_of(c->started_at);
	k->finished_s = seconds_of(c->finished_at);
	k->written = true;
	return 0;
}

/* Status's text as a JSON string's content: what status_text writes needs
 * no escape, but a healthcheck's status is the engine's to choose. */
static void add_escaped(struct ps_text *t, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			char esc[2] = { '\\', (char)ch };

			ps_text_add(t, esc, 2);
		} else if (ch < 0x20) {
			char esc[8];

			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			ps_text_add(t, esc, 6);
		} else {
			ps_text_add(t, s, 1);
		}
	}
}

int ps_entry_append_locked(struct ps_text *t, struct ps_text *scratch, const struct srv *srv,
			   struct daemon_container *c, time_t now, struct berr *err)
{
	struct ps_kept *k = kept_of(c);
	char status[128];
	int ret;

	if (!k)
		return berr_set(err, ENOMEM, "list containers");
	entry_key(scratch, srv->d, c);
	if (scratch->failed)
		return berr_set(err, ENOMEM, "list containers");
	if (!k->written || k->key_len != scratch->len ||
	    memcmp(k->data, scratch->s, scratch->len) != 0) {
		if ((ret = write_kept(srv, c, scratch, err)) < 0)
			return ret;
		k = c->listed;
	}
	status_text(c, k->started_s, k->finished_s, now, status, sizeof(status));
	ps_text_add(t, k->data + k->key_len, k->head_len);
	add_escaped(t, status);
	ps_text_add(t, k->data + k->key_len + k->head_len, k->tail_len);
	return t->failed ? berr_set(err, ENOMEM, "list containers") : 0;
}
