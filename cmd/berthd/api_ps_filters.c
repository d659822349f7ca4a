/* docker ps: the filters whose values are resolved once per request (see
 * api_ps.h), matched as dockerd's list matches them, and the order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_ports.h"
#include "api_ps.h"
#include "runtime/engine/volume.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

void ps_filter_free(struct ps_filter *p)
{
	for (size_t i = 0; i < p->n_names; i++)
		regfree(&p->names[i]);
	free(p->names);
	free(p->exited);
	strv_free(p->images);
	strv_free(p->networks);
	strv_free(p->volumes);
	free(p->publish);
	free(p->expose);
	memset(p, 0, sizeof(*p));
}

static bool in_strv(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* glibc's regcomp grows with the product of counted repetitions, and
 * back-references make regexec exponential: a client could stall or
 * exhaust berthd with one filter.  Go's regexp, which dockerd uses, has
 * no back-references and caps repetitions at 1000; so does this. */
static int name_pattern_bounded(const char *re, struct berr *err)
{
	unsigned long product = 1;

	if (strlen(re) > 1024)
		return berr_invalid(err, "invalid filter 'name=%.32s...': longer than 1024 bytes",
				    re);
	for (const char *c = re; *c; c++) {
		if (c[0] == '\\' && c[1] >= '1' && c[1] <= '9')
			return berr_invalid(err,
					    "invalid filter 'name=%s': back-references are not "
					    "supported (nor by docker)",
					    re);
		if (c[0] == '\\' && c[1]) {
			c++;
			continue;
		}
		if (c[0] == '{' && c[1] >= '0' && c[1] <= '9') {
			/* {m}, {m,} and {m,n}: the most copies compiled. */
			const char *end = c + 1 + strspn(c + 1, "0123456789");
			unsigned long most = strtoul(c + 1, NULL, 10);

			if (*end == ',' && end[1] >= '0' && end[1] <= '9')
				most = strtoul(end + 1, NULL, 10);
			if (most <= 1000)
				product *= most ? most : 1;
			if (most > 1000 || product > 1000)
				return berr_invalid(err,
						    "invalid filter 'name=%s': repetition counts "
						    "above 1000 (in all) are not supported",
						    re);
		}
	}
	return 0;
}

/* docker matches names with Go's regexp, unanchored; a bad expression is
 * refused here rather than matching nothing, so that a typo is seen. */
static int prepare_names(struct ps_filter *p, char **values, struct berr *err)
{
	size_t n = strv_len(values);

	if (!n)
		return 0;
	p->names = calloc(n, sizeof(*p->names));
	if (!p->names)
		return berr_set(err, ENOMEM, "filters");
	for (size_t i = 0; i < n; i++) {
		char why[128];
		int rc;

		rc = name_pattern_bounded(values[i], err);
		if (rc < 0)
			return rc;
		rc = regcomp(&p->names[i], values[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &p->names[i], why, sizeof(why));
			return berr_invalid(err, "invalid filter 'name=%s': %s", values[i], why);
		}
		p->n_names++;
	}
	return 0;
}

static int prepare_exited(struct ps_filter *p, char **values, struct berr *err)
{
	size_t n = strv_len(values);

	if (!n)
		return 0;
	p->exited = calloc(n, sizeof(int));
	if (!p->exited)
		return berr_set(err, ENOMEM, "filters");
	for (size_t i = 0; i < n; i++) {
		char *end;
		long code;

		errno = 0;
		code = strtol(values[i], &end, 10);
		if (!*values[i] || *end || errno || code < -2147483648L || code > 2147483647L)
			return berr_invalid(err, "invalid filter 'exited=%s'", values[i]);
		p->exited[p->n_exited++] = (int)code;
	}
	return 0;
}

static int parse_port_number(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (!len || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

/* PORT[-LAST][/PROTO], the protocol tcp when left out (docker's nat
 * package reads it so). */
static int parse_port_range(const char *key, const char *v, struct ps_port_range *out,
			    struct berr *err)
{
	const char *slash = strchr(v, '/'), *dash;
	size_t len = slash ? (size_t)(slash - v) : strlen(v);

	if (strchr(v, ':'))
		return berr_invalid(err, "filter for '%s' should not contain ':': %s", key, v);
	snprintf(out->proto, sizeof(out->proto), "%s", slash && slash[1] ? slash + 1 : "tcp");
	if (slash && slash[1] && strlen(slash + 1) >= sizeof(out->proto))
		return berr_invalid(err, "error while looking up for %s %s: invalid protocol", key,
				    v);
	dash = memchr(v, '-', len);
	if (parse_port_number(v, dash ? (size_t)(dash - v) : len, &out->lo) < 0 ||
	    parse_port_number(dash ? dash + 1 : v, dash ? len - (size_t)(dash - v) - 1 : len,
			      &out->hi) < 0)
		return berr_invalid(err, "error while looking up for %s %s: invalid port", key, v);
	if (out->hi < out->lo)
		return berr_invalid(err,
				    "error while looking up for %s %s: invalid range specified "
				    "for port",
				    key, v);
	return 0;
}

static int prepare_ports(const char *key, char **values, struct ps_port_range **out,
			 size_t *n, struct berr *err)
{
	size_t len = strv_len(values);

	if (!len)
		return 0;
	*out = calloc(len, sizeof(**out));
	if (!*out)
		return berr_set(err, ENOMEM, "filters");
	for (size_t i = 0; i < len; i++) {
		int ret = parse_port_range(key, values[i], &(*out)[i], err);

		if (ret < 0)
			return ret;
		(*n)++;
	}
	return 0;
}

/* An image a value names that the store does not have matches nothing,
 * as with dockerd (which only logs it). */
static int prepare_ancestors(struct ps_filter *p, char **values, const char *data_root,
			     struct berr *err)
{
	struct image_rec *recs = NULL;
	size_t n = 0;
	bool grew = true;

	if (!values)
		return 0;
	p->by_ancestor = true;
	for (size_t i = 0; values[i]; i++) {
		struct image_rec img = { 0 };
		struct berr ignored;
		int ret = 0;

		if (image_store_find(data_root, values[i], &img, &ignored) == 0 &&
		    !in_strv(p->images, img.id))
			ret = strv_push(&p->images, img.id);
		image_rec_free(&img);
		if (ret < 0)
			return berr_set(err, ENOMEM, "filters");
	}
	if (!p->images)
		return 0;
	if (image_store_list(data_root, &recs, &n, err) < 0)
		return berr_wrap(err, -EIO, "filter ancestor");
	/* Then every image built on one of them, down the chains of
	 * parents docker build records. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (!recs[i].parent[0] || !in_strv(p->images, recs[i].parent) ||
			    in_strv(p->images, recs[i].id))
				continue;
			if (strv_push(&p->images, recs[i].id) < 0) {
				image_recs_free(recs, n);
				return berr_set(err, ENOMEM, "filters");
			}
			grew = true;
		}
	}
	image_recs_free(recs, n);
	return 0;
}

/* A value is a network's name, or the beginning of networks' ids: kept
 * as names, which a container's record holds even while it is stopped. */
static int prepare_networks(struct ps_filter *p, char **values, struct daemon *d,
			    struct berr *err)
{
	struct daemon_network *nets = NULL;
	size_t n = 0;
	int ret = 0;

	if (!values)
		return 0;
	p->by_network = true;
	if (daemon_networks(d, &nets, &n, err) < 0)
		return berr_wrap(err, -EIO, "filter network");
	for (size_t i = 0; values[i] && ret == 0; i++) {
		if (!in_strv(p->networks, values[i]))
			ret = strv_push(&p->networks, values[i]);
		for (size_t j = 0; j < n && ret == 0; j++)
			if (*values[i] && strncmp(nets[j].id, values[i], strlen(values[i])) == 0 &&
			    !in_strv(p->networks, nets[j].name))
				ret = strv_push(&p->networks, nets[j].name);
	}
	daemon_networks_free(nets, n);
	return ret < 0 ? berr_set(err, ENOMEM, "filters") : 0;
}

/* before and since name one container each, by name or id. */
static int prepare_container(char **values, struct daemon *d, char out[65], struct berr *err)
{
	struct daemon_container *c;

	for (size_t i = 0; values && values[i]; i++) {
		int ret = daemon_get(d, values[i], &c, err);

		if (ret < 0)
			return ret;
		snprintf(out, 65, "%s", c->id);
		daemon_put(d, c);
	}
	return 0;
}

int ps_filter_prepare(struct ps_filter *p, const struct filters *f, struct srv *srv,
		      struct berr *err)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (filters_has(f, "is-task"))
		ret = berr_failk(err, BERR_UNSUPPORTED, ENOTSUP,
				 "filter 'is-task' is not supported by berthd: it has no swarm "
				 "mode, so no container is a task");
	else
		ret = prepare_names(p, filters_values(f, "name"), err);
	if (ret == 0)
		ret = prepare_exited(p, filters_values(f, "exited"), err);
	if (ret == 0)
		ret = prepare_ports("publish", filters_values(f, "publish"), &p->publish,
				    &p->n_publish, err);
	if (ret == 0)
		ret = prepare_ports("expose", filters_values(f, "expose"), &p->expose,
				    &p->n_expose, err);
	if (ret == 0 && filters_has(f, "volume")) {
		p->volumes = strv_dup(filters_values(f, "volume"),
				      strv_len(filters_values(f, "volume")));
		if (!p->volumes)
			ret = berr_set(err, ENOMEM, "filters");
	}
	if (ret == 0)
		ret = prepare_container(filters_values(f, "before"), srv->d, p->before, err);
	if (ret == 0)
		ret = prepare_container(filters_values(f, "since"), srv->d, p->since, err);
	if (ret == 0)
		ret = prepare_ancestors(p, filters_values(f, "ancestor"), srv->data_root, err);
	if (ret == 0)
		ret = prepare_networks(p, filters_values(f, "network"), srv->d, err);
	if (ret < 0)
		ps_filter_free(p);
	return ret;
}

/* --- matching, with the daemon's lock held ------------------------------- */

/* docker's Go regexp sees the name with its "/" ("^/web"); names given
 * without it match too. */
static bool name_matches(const struct ps_filter *p, const char *name)
{
	char slashed[300];

	if (!p->n_names)
		return true;
	snprintf(slashed, sizeof(slashed), "/%s", name);
	for (size_t i = 0; i < p->n_names; i++)
		if (regexec(&p->names[i], slashed, 0, NULL, 0) == 0 ||
		    regexec(&p->names[i], name, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* Only a container that ran and is not running now has an exit code. */
static bool exit_matches(const struct ps_filter *p, const struct daemon_container *c)
{
	bool stopped = c->status == DS_EXITED || c->status == DS_DEAD ||
		       c->status == DS_CREATED || c->status == DS_REMOVING;

	if (!p->n_exited)
		return true;
	if (!stopped || !c->has_run)
		return false;
	for (size_t i = 0; i < p->n_exited; i++)
		if (p->exited[i] == c->exit_code)
			return true;
	return false;
}

/* A volume's name, a bind's host path, or any mount's destination. */
static bool volume_matches(const struct ps_filter *p, const struct daemon_spec *s)
{
	if (!p->volumes)
		return true;
	for (size_t i = 0; s->mounts && s->mounts[i]; i++) {
		cleanup_free char *line = strdup(s->mounts[i]);
		struct daemon_mount m;

		if (!line || daemon_mount_split(line, &m) < 0)
			continue;
		if (in_strv(p->volumes, m.target) || (*m.source && in_strv(p->volumes, m.source)))
			return true;
	}
	return false;
}

static bool network_matches(const struct ps_filter *p, const struct daemon_spec *s)
{
	const char *mode = s->network_mode;
	char name[160];

	if (!p->by_network)
		return true;
	/* Another container's network is not one of its own. */
	if (mode && strncmp(mode, "container:", 10) == 0)
		return false;
	if (in_strv(p->networks, !mode || !*mode || !strcmp(mode, "default") ? "bridge" : mode))
		return true;
	for (size_t i = 0; s->networks && s->networks[i]; i++) {
		daemon_net_entry_name(s->networks[i], name, sizeof(name));
		if (in_strv(p->networks, name))
			return true;
	}
	return false;
}

static bool port_in(const struct ps_port_range *r, size_t n, unsigned port, const char *proto)
{
	for (size_t i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi && strcmp(proto, r[i].proto) == 0)
			return true;
	return false;
}

/* As dockerd: publish is a published port's host side, expose its
 * container side or an exposed port's, and only while the container
 * runs (dockerd has no ports for a container that is not running). */
static bool ports_match(const struct ps_filter *p, const struct daemon_container *c)
{
	const struct daemon_endpoint *ep = &c->ep;

	if (!p->n_publish && !p->n_expose)
		return true;
	if (!api_ports_listed(c))
		return false;
	for (size_t i = 0; i < ep->n_ports; i++)
		if (port_in(p->publish, p->n_publish, ep->ports[i].host_port, ep->ports[i].proto) ||
		    port_in(p->expose, p->n_expose, ep->ports[i].container_port,
			    ep->ports[i].proto))
			return true;
	for (size_t i = 0; c->spec.exposed && c->spec.exposed[i]; i++) {
		const char *slash = strchr(c->spec.exposed[i], '/');
		unsigned port = (unsigned)strtoul(c->spec.exposed[i], NULL, 10);

		if (port_in(p->expose, p->n_expose, port, slash ? slash + 1 : "tcp"))
			return true;
	}
	return false;
}

bool ps_filter_match_locked(const struct ps_filter *p, const struct daemon_container *c)
{
	if (!name_matches(p, c->name) || !exit_matches(p, c))
		return false;
	if (p->by_ancestor && !(c->spec.image_id && in_strv(p->images, c->spec.image_id)))
		return false;
	return volume_matches(p, &c->spec) && network_matches(p, &c->spec) && ports_match(p, c);
}

/* --- the order ---------------------------------------------------------- */

struct ps_item {
	struct daemon_container *c;
	int64_t created;
};

/* Newest first; the same second to the nanosecond is ordered by id, so
 * that the order is one. */
static int newest_first(const void *a, const void *b)
{
	const struct ps_item *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(y->c->id, x->c->id);
}

static ssize_t position(const struct ps_item *items, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].c->id, id) == 0)
			return (ssize_t)i;
	return -1;
}

static int gone(struct daemon_container ***out, const char *id, struct berr *err)
{
	free(*out);
	*out = NULL;
	return berr_not_found(err, "No such container: %s", id);
}

int ps_order_locked(const struct ps_filter *p, struct daemon *d,
		    struct daemon_container ***out, size_t *n, struct berr *err)
{
	cleanup_free struct ps_item *items = NULL;
	size_t count = 0, from = 0, to;
	ssize_t at;

	*out = NULL;
	*n = 0;
	for (struct daemon_container *c = d->containers; c; c = c->next)
		count++;
	items = calloc(count + 1, sizeof(*items));
	*out = calloc(count + 1, sizeof(**out));
	if (!items || !*out)
		return gone(out, "", err), berr_set(err, ENOMEM, "list containers");
	count = 0;
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		items[count].c = c;
		items[count].created = ps_created_locked(c);
		count++;
	}
	qsort(items, count, sizeof(*items), newest_first);
	to = count;
	/* Newest first: since keeps what comes before it, before what
	 * comes after it.  One removed since the request began is gone. */
	if (p->since[0]) {
		if ((at = position(items, count, p->since)) < 0)
			return gone(out, p->since, err);
		to = (size_t)at;
	}
	if (p->before[0]) {
		if ((at = position(items, count, p->before)) < 0)
			return gone(out, p->before, err);
		from = (size_t)at + 1;
	}
	for (size_t i = from; i < to; i++)
		(*out)[(*n)++] = items[i].c;
	return 0;
}
