/* A container's NetworkSettings, as inspect and docker ps write them:
 * its first network (its NetworkMode's) and its others, each with the
 * address it has there while attached. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_ports.h"
#include "runtime/engine/engine.h"
#include "spec/json_write.h"

static const char *network_name(const struct daemon_spec *s)
{
	const char *m = s->network_mode;

	if (!m || !*m || !strcmp(m, "default"))
		return "bridge";
	return m;
}

/* The address fields of the settings and of an endpoint: the container's
 * on its network while it is attached, else all empty. */
static void address(struct jw *w, const struct daemon_endpoint *ep)
{
	jw_kstr(w, "Gateway", ep->gateway);
	jw_kstr(w, "IPAddress", ep->ip);
	jw_kint(w, "IPPrefixLen", ep->prefix);
	jw_kstr(w, "MacAddress", ep->mac);
	jw_kstr(w, "IPv6Gateway", ep->gateway6);
	jw_kstr(w, "GlobalIPv6Address", ep->ip6);
	jw_kint(w, "GlobalIPv6PrefixLen", ep->prefix6);
}

/* The NetworkID of the container's one network: host and none are their
 * own; "bridge" is the default CNI network (its name serves as its id;
 * empty until the container is attached, as docker's before a start), or
 * with berthd --bridge none a namespace with loopback only. */
static const char *network_id(const struct daemon *d, const struct daemon_container *c,
			      const char *net)
{
	if (strcmp(net, "host") == 0 || strcmp(net, "none") == 0)
		return net;
	if (!d->default_net && strcmp(net, "bridge") == 0)
		return "loopback-only";
	return c->ep.network_id[0] ? c->ep.network_id : c->ep.network;
}

/* One of its networks besides the first (entry: "NAME|ALIAS..."). */
static void other_network(struct jw *w, const struct daemon *d, const struct daemon_container *c,
			  const char *entry)
{
	static const struct daemon_endpoint none;
	const struct daemon_endpoint *ep = &none;
	char name[160];

	daemon_net_entry_name(entry, name, sizeof(name));
	for (size_t i = 0; i < c->n_more; i++)
		if (strcmp(c->more[i].network, name) == 0)
			ep = &c->more[i];
	jw_key(w, name);
	jw_map_open(w);
	jw_key(w, "IPAMConfig");
	jw_null(w);
	jw_key(w, "Links");
	jw_null(w);
	jw_key(w, "Aliases");
	jw_array_open(w);
	for (const char *a = strchr(entry, '|'); a; a = strchr(a + 1, '|')) {
		char one[256];

		snprintf(one, sizeof(one), "%.*s", (int)strcspn(a + 1, "|"), a + 1);
		jw_str(w, one);
	}
	jw_array_close(w);
	if (!d->default_net && strcmp(name, "bridge") == 0)
		jw_kstr(w, "NetworkID", "loopback-only");
	else
		jw_kstr(w, "NetworkID", ep->network_id[0] ? ep->network_id : name);
	jw_kstr(w, "EndpointID", ep->ip[0] ? c->id : "");
	address(w, ep);
	jw_key(w, "DriverOpts");
	jw_null(w);
	jw_map_close(w);
}

void api_network_settings(struct jw *w, const struct daemon *d,
			  const struct daemon_container *c, bool full)
{
	const char *net = network_name(&c->spec);

	jw_key(w, "NetworkSettings");
	jw_map_open(w);
	if (full) {
		jw_kstr(w, "Bridge", "");
		jw_kstr(w, "SandboxID", "");
		api_ports_write_settings(w, c);
		jw_kstr(w, "SandboxKey", "");
		address(w, &c->ep);
	}
	jw_key(w, "Networks");
	jw_map_open(w);
	/* Another container's network is not one of its own. */
	if (strncmp(net, "container:", 10) == 0) {
		jw_map_close(w);
		jw_map_close(w);
		return;
	}
	jw_key(w, net);
	jw_map_open(w);
	jw_key(w, "IPAMConfig");
	if (c->spec.ip && *c->spec.ip) {
		jw_map_open(w);
		jw_kstr(w, "IPv4Address", c->spec.ip);
		jw_map_close(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "Links");
	jw_null(w);
	jw_kstrv(w, "Aliases", c->spec.aliases);
	jw_kstr(w, "NetworkID", network_id(d, c, net));
	jw_kstr(w, "EndpointID", c->ep.ip[0] ? c->id : "");
	address(w, &c->ep);
	jw_key(w, "DriverOpts");
	jw_null(w);
	jw_map_close(w);
	for (size_t i = 0; c->spec.networks && c->spec.networks[i]; i++)
		other_network(w, d, c, c->spec.networks[i]);
	jw_map_close(w);
	jw_map_close(w);
}
