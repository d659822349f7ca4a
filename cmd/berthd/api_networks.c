/* docker network ...: create, list (filters name, id, label, driver,
 * type), inspect, remove; connect and disconnect of a container. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

/* The containers attached to it now, as docker's inspect lists them. */
static void network_containers(struct jw *w, struct daemon *d, const struct daemon_network *n)
{
	jw_key(w, "Containers");
	jw_map_open(w);
	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		const struct daemon_endpoint *ep = NULL;
		char addr[64];

		if (c->ep.ip[0] && strcmp(c->ep.network, n->name) == 0)
			ep = &c->ep;
		for (size_t i = 0; !ep && i < c->n_more; i++)
			if (strcmp(c->more[i].network, n->name) == 0)
				ep = &c->more[i];
		if (!ep)
			continue;
		snprintf(addr, sizeof(addr), "%s/%d", ep->ip, ep->prefix);
		jw_key(w, c->id);
		jw_map_open(w);
		jw_kstr(w, "Name", c->name);
		jw_kstr(w, "EndpointID", c->id);
		jw_kstr(w, "MacAddress", ep->mac);
		jw_kstr(w, "IPv4Address", addr);
		if (ep->ip6[0])
			snprintf(addr, sizeof(addr), "%s/%d", ep->ip6, ep->prefix6);
		jw_kstr(w, "IPv6Address", ep->ip6[0] ? addr : "");
		jw_map_close(w);
	}
	daemon_unlock(d);
	jw_map_close(w);
}

static void network_json(struct jw *w, struct daemon *d, const struct daemon_network *n,
			 bool containers)
{
	jw_map_open(w);
	jw_kstr(w, "Name", n->name);
	jw_kstr(w, "Id", n->id);
	jw_kstr(w, "Created", n->created[0] ? n->created : "0001-01-01T00:00:00Z");
	jw_kstr(w, "Scope", "local");
	jw_kstr(w, "Driver", n->driver);
	jw_kbool(w, "EnableIPv6", n->subnet6[0] != '\0');
	jw_key(w, "IPAM");
	jw_map_open(w);
	jw_kstr(w, "Driver", "default");
	jw_key(w, "Options");
	jw_null(w);
	jw_key(w, "Config");
	jw_array_open(w);
	if (n->subnet[0]) {
		jw_map_open(w);
		jw_kstr(w, "Subnet", n->subnet);
		if (n->gateway[0])
			jw_kstr(w, "Gateway", n->gateway);
		if (n->ip_range[0])
			jw_kstr(w, "IPRange", n->ip_range);
		jw_map_close(w);
	}
	if (n->subnet6[0]) {
		jw_map_open(w);
		jw_kstr(w, "Subnet", n->subnet6);
		if (n->gateway6[0])
			jw_kstr(w, "Gateway", n->gateway6);
		jw_map_close(w);
	}
	jw_array_close(w);
	jw_map_close(w);
	jw_kbool(w, "Internal", n->internal);
	jw_kbool(w, "Attachable", false);
	jw_kbool(w, "Ingress", false);
	jw_key(w, "ConfigFrom");
	jw_map_open(w);
	jw_kstr(w, "Network", "");
	jw_map_close(w);
	jw_kbool(w, "ConfigOnly", false);
	if (containers)
		network_containers(w, d, n);
	else {
		jw_key(w, "Containers");
		jw_map_open(w);
		jw_map_close(w);
	}
	jw_key(w, "Options");
	jw_map_open(w);
	jw_map_close(w);
	jw_kv_map(w, "Labels", n->labels);
	jw_map_close(w);
}

/* name and id match by substring and prefix, as dockerd's. */
static bool list_match(const struct filters *f, const struct daemon_network *n)
{
	char **v;
	bool ok;

	if ((v = filters_values(f, "name"))) {
		ok = false;
		for (size_t i = 0; v[i]; i++)
			ok |= strstr(n->name, v[i]) != NULL;
		if (!ok)
			return false;
	}
	if ((v = filters_values(f, "id"))) {
		ok = false;
		for (size_t i = 0; v[i]; i++)
			ok |= strncmp(n->id, v[i], strlen(v[i])) == 0;
		if (!ok)
			return false;
	}
	return filters_match(f, "driver", n->driver) &&
	       filters_match(f, "type", n->builtin ? "builtin" : "custom") && filters_labels(f, n->labels);
}

enum MHD_Result api_network_list(struct req *r)
{
	static const char *const allowed[] = { "name", "id", "label", "driver", "type", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_network *list;
	struct filters f;
	struct berr err;
	size_t n;
	int ret;

	ret = filters_query(r, allowed, &f, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	ret = daemon_networks(r->srv->d, &list, &n, &err);
	if (ret < 0) {
		filters_free(&f);
		return http_reply_berr(r, &err);
	}
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		if (list_match(&f, &list[i]))
			network_json(w, r->srv->d, &list[i], false);
	jw_array_close(w);
	daemon_networks_free(list, n);
	filters_free(&f);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_network_inspect(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_network n;
	struct berr err;
	int ret = daemon_network_find(r->srv->d, r->params[0], &n, &err);

	if (ret < 0)
		return http_reply_berr(r, &err);
	network_json(w, r->srv->d, &n, true);
	daemon_network_free(&n);
	return http_reply_json(r, 200, w);
}

/* One pool of IPAM.Config: Subnet, Gateway, IPRange (IPv4 only). */
static int parse_pool(struct jr *jr, yajl_val c, struct daemon_network_req *q)
{
	const char *subnet = NULL, *gw = NULL, *range = NULL;
	yajl_val aux = jr_get(c, "AuxiliaryAddresses");

	JR_TRY(jr_val_object(jr, c));
	JR_TRY(jr_str(jr, c, "Subnet", &subnet));
	JR_TRY(jr_str(jr, c, "Gateway", &gw));
	JR_TRY(jr_str(jr, c, "IPRange", &range));
	if (aux && YAJL_IS_OBJECT(aux) && YAJL_GET_OBJECT(aux)->len)
		return berr_as(jr->err, jr_fail_key(jr, "AuxiliaryAddresses",
						    "is not supported by berthd"),
			       BERR_UNSUPPORTED);
	if (subnet && strchr(subnet, ':')) {
		if (q->subnet6)
			return berr_as(jr->err, jr_fail(jr, "more than one IPv6 pool is not "
							"supported by berthd"),
				       BERR_UNSUPPORTED);
		if (range && *range)
			return berr_as(jr->err, jr_fail_key(jr, "IPRange", "an IPv6 ip-range is not "
							    "supported by berthd"),
				       BERR_UNSUPPORTED);
		q->subnet6 = subnet;
		q->gateway6 = gw;
		return 0;
	}
	if (q->subnet || q->gateway || q->ip_range)
		return berr_as(jr->err, jr_fail(jr, "more than one IPv4 pool is not supported by "
						"berthd"),
			       BERR_UNSUPPORTED);
	q->subnet = subnet;
	q->gateway = gw;
	q->ip_range = range;
	return 0;
}

/* IPAM.Config: an IPv4 pool and (--ipv6) an IPv6 one, one each at most. */
static int parse_ipam(struct jr *jr, yajl_val doc, struct daemon_network_req *q)
{
	yajl_val ipam = jr_get(doc, "IPAM"), cfg;
	size_t mark;

	if (!ipam || YAJL_IS_NULL(ipam))
		return 0;
	mark = jr_enter_key(jr, "IPAM");
	JR_TRY(jr_val_object(jr, ipam));
	{
		const char *drv = NULL;

		JR_TRY(jr_str(jr, ipam, "Driver", &drv));
		if (drv && *drv && strcmp(drv, "default"))
			return berr_as(jr->err, jr_fail_key(jr, "Driver", "IPAM driver \"%s\" is not "
							    "supported by berthd", drv),
				       BERR_UNSUPPORTED);
	}
	cfg = jr_get(ipam, "Config");
	if (cfg && YAJL_IS_ARRAY(cfg)) {
		size_t cmark = jr_enter_key(jr, "Config");

		for (size_t i = 0; i < YAJL_GET_ARRAY(cfg)->len; i++) {
			size_t imark = jr_enter_index(jr, i);

			JR_TRY(parse_pool(jr, YAJL_GET_ARRAY(cfg)->values[i], q));
			jr_leave(jr, imark);
		}
		jr_leave(jr, cmark);
	}
	jr_leave(jr, mark);
	return 0;
}

static int parse_create(struct jr *jr, yajl_val doc, struct daemon_network_req *q,
			char ***labels)
{
	bool flag = false;
	yajl_val opts;

	JR_TRY(jr_str(jr, doc, "Name", &q->name));
	JR_TRY(jr_str(jr, doc, "Driver", &q->driver));
	JR_TRY(jr_bool(jr, doc, "Internal", &q->internal));
	JR_TRY(jr_bool(jr, doc, "EnableIPv6", &q->ipv6));
	/* Attachable is for swarm services: no meaning here. */
	flag = false;
	JR_TRY(jr_bool(jr, doc, "Ingress", &flag));
	if (flag)
		return berr_as(jr->err, jr_fail_key(jr, "Ingress", "is not supported by berthd"),
			       BERR_UNSUPPORTED);
	flag = false;
	JR_TRY(jr_bool(jr, doc, "ConfigOnly", &flag));
	if (flag)
		return berr_as(jr->err, jr_fail_key(jr, "ConfigOnly", "is not supported by berthd"),
			       BERR_UNSUPPORTED);
	opts = jr_get(doc, "Options");
	if (opts && YAJL_IS_OBJECT(opts) && YAJL_GET_OBJECT(opts)->len)
		return berr_as(jr->err, jr_fail_key(jr, "Options", "driver options are not "
						    "supported by berthd"),
			       BERR_UNSUPPORTED);
	JR_TRY(parse_ipam(jr, doc, q));
	JR_TRY(jr_str_map_strv(jr, doc, "Labels", labels));
	return 0;
}

enum MHD_Result api_network_create(struct req *r)
{
	cleanup_tree yajl_val doc = NULL;
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_network_req q = { 0 };
	struct arena a = { 0 };
	char **labels = NULL;
	struct berr err = { 0 };
	struct jr jr;
	char id[65];
	int ret;

	ret = body_open(&jr, r->body, r->body_len, "a network config", &doc, &a, &err);
	if (ret == 0)
		ret = parse_create(&jr, doc, &q, &labels);
	if (ret < 0) {
		strv_free(labels);
		arena_release(&a);
		return body_reply_error(r, ret, &err, "network create");
	}
	q.labels = labels;
	ret = daemon_network_create(r->srv->d, &q, id, &err);
	strv_free(labels);
	arena_release(&a);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_kstr(w, "Id", id);
	jw_kstr(w, "Warning", "");
	jw_map_close(w);
	return http_reply_json(r, 201, w);
}

enum MHD_Result api_network_remove(struct req *r)
{
	struct berr err;
	int ret = daemon_network_remove(r->srv->d, r->params[0], &err);

	return http_reply_done(r, ret, &err, 204);
}

enum MHD_Result api_network_connect(struct req *r)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	struct berr err = { 0 };
	const char *ctr = NULL;
	char **aliases = NULL;
	struct jr jr;
	yajl_val ec;
	int ret;

	ret = body_open(&jr, r->body, r->body_len, "a connect request", &doc, &a, &err);
	if (ret == 0)
		ret = jr_str(&jr, doc, "Container", &ctr);
	ec = jr_get(doc, "EndpointConfig");
	if (ret >= 0 && ec && YAJL_IS_OBJECT(ec)) {
		yajl_val ipam = jr_get(ec, "IPAMConfig");
		static const char *const refused[] = { "Links", "MacAddress", "DriverOpts",
						       "IPAddress", NULL };
		size_t mark = jr_enter_key(&jr, "EndpointConfig");

		ret = body_strv(&jr, ec, "Aliases", &aliases);
		for (size_t i = 0; ret >= 0 && refused[i]; i++) {
			yajl_val v = jr_get(ec, refused[i]);

			if ((YAJL_IS_STRING(v) && *YAJL_GET_STRING(v)) ||
			    (YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len) ||
			    (YAJL_IS_OBJECT(v) && YAJL_GET_OBJECT(v)->len))
				ret = berr_as(&err, jr_fail_key(&jr, refused[i],
								"is not supported by berthd"),
					      BERR_UNSUPPORTED);
		}
		if (ret >= 0 && ipam && YAJL_IS_OBJECT(ipam)) {
			const char *ip4 = NULL, *ip6 = NULL;

			if (jr_str(&jr, ipam, "IPv4Address", &ip4) < 0 ||
			    jr_str(&jr, ipam, "IPv6Address", &ip6) < 0 || (ip4 && *ip4) ||
			    (ip6 && *ip6))
				ret = berr_unsupported(&err, "EndpointConfig.IPAMConfig: a fixed "
						       "address is not supported by berthd");
		}
		jr_leave(&jr, mark);
	}
	if (ret >= 0 && (!ctr || !*ctr))
		ret = berr_invalid(&err, "Container is required");
	if (ret >= 0)
		ret = daemon_network_connect(r->srv->d, r->params[0], ctr, aliases, &err);
	strv_free(aliases);
	arena_release(&a);
	if (ret == -ENOMEM && !err.msg[0])
		return body_reply_error(r, ret, &err, "connect");
	return http_reply_done(r, ret < 0 ? ret : 0, &err, 200);
}

enum MHD_Result api_network_disconnect(struct req *r)
{
	cleanup_tree yajl_val doc = NULL;
	struct arena a = { 0 };
	struct berr err = { 0 };
	const char *ctr = NULL;
	struct jr jr;
	int ret;

	ret = body_open(&jr, r->body, r->body_len, "a disconnect request", &doc, &a, &err);
	if (ret == 0)
		ret = jr_str(&jr, doc, "Container", &ctr);
	if (ret >= 0 && (!ctr || !*ctr))
		ret = berr_invalid(&err, "Container is required");
	if (ret >= 0)
		ret = daemon_network_disconnect(r->srv->d, r->params[0], ctr, &err);
	arena_release(&a);
	return http_reply_done(r, ret < 0 ? ret : 0, &err, 200);
}
