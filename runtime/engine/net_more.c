/* A container on more than one network: its first network (network_mode)
 * is eth0 with the default route and the published ports; each other one
 * (spec.networks, "NAME|ALIAS...") is another interface, eth1 and on, in
 * the same namespace, whose IPAM routes lose the default route (docker's
 * default route is the first network's gateway; a second one would clash
 * in the plugins' ADD).  Their attachments are in the network room's
 * cache as the first one's, so DEL after a crash finds them all. */
#include "runtime/engine/internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/network/network.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static void fill(const struct daemon *d, struct daemon_endpoint *out, const char *net,
		 const struct net_endpoint *ep)
{
	struct net_ctx ctx;
	struct net_info info;
	struct berr ignored;

	memset(out, 0, sizeof(*out));
	daemon_net_ctx(d, &ctx);
	snprintf(out->network, sizeof(out->network), "%s", net);
	if (net_info_read(&ctx, net, &info, &ignored) == 0)
		snprintf(out->network_id, sizeof(out->network_id), "%s", info.id);
	net_info_free(&info);
	snprintf(out->ip, sizeof(out->ip), "%s", ep->ip);
	snprintf(out->gateway, sizeof(out->gateway), "%s", ep->gateway);
	snprintf(out->mac, sizeof(out->mac), "%s", ep->mac);
	snprintf(out->ifname, sizeof(out->ifname), "%s", ep->ifname);
	snprintf(out->ip6, sizeof(out->ip6), "%s", ep->ip6);
	snprintf(out->gateway6, sizeof(out->gateway6), "%s", ep->gateway6);
	out->prefix6 = ep->prefix6;
	out->prefix = ep->prefix;
}

int daemon_net_attach_more(struct daemon *d, struct daemon_container *c, const char *netns,
			   struct berr *err)
{
	size_t n = strv_len(c->spec.networks);
	cleanup_free struct daemon_endpoint *more = calloc(n ? n : 1, sizeof(*more));
	struct net_ctx ctx;

	if (!more)
		return berr_set(err, ENOMEM, "networks");
	daemon_net_ctx(d, &ctx);
	for (size_t i = 0; i < n; i++) {
		char name[160], ifname[16];
		struct net_endpoint ep;
		int ret;

		daemon_net_entry_name(c->spec.networks[i], name, sizeof(name));
		snprintf(ifname, sizeof(ifname), "eth%u", (unsigned)(i + 1));
		ret = net_attach(&ctx, name, c->id, netns,
				 &(struct net_request){ .ifname = ifname, .secondary = true }, &ep,
				 err);
		if (ret < 0)
			return ret;
		fill(d, &more[i], name, &ep);
	}
	daemon_lock(d);
	free(c->more);
	c->more = steal_ptr(more);
	c->n_more = n;
	daemon_unlock(d);
	return 0;
}

void daemon_net_load_more_locked(struct daemon *d, struct daemon_container *c)
{
	size_t n = strv_len(c->spec.networks);
	struct daemon_endpoint *more = calloc(n ? n : 1, sizeof(*more));
	struct net_ctx ctx;
	size_t k = 0;

	if (!more)
		return;
	daemon_net_ctx(d, &ctx);
	for (size_t i = 0; i < n; i++) {
		cleanup_free struct net_port *ports = NULL;
		struct net_endpoint ep;
		struct berr ignored;
		char name[160];
		size_t n_ports;

		daemon_net_entry_name(c->spec.networks[i], name, sizeof(name));
		if (net_endpoint_load(&ctx, c->id, name, &ep, &ports, &n_ports, &ignored) == 0)
			fill(d, &more[k++], name, &ep);
	}
	free(c->more);
	c->more = more;
	c->n_more = k;
}

/* The first ethN no interface of c has. */
static void free_ifname_locked(const struct daemon_container *c, char *out, size_t n)
{
	for (unsigned i = 0;; i++) {
		bool used = false;

		snprintf(out, n, "eth%u", i);
		used = c->ep.ip[0] && strcmp(c->ep.ifname, out) == 0;
		for (size_t j = 0; !used && j < c->n_more; j++)
			used = strcmp(c->more[j].ifname, out) == 0;
		if (!used)
			return;
	}
}

int daemon_net_connect_running(struct daemon *d, struct daemon_container *c, const char *net,
			       struct berr *err)
{
	struct daemon_endpoint *grown;
	struct net_endpoint ep;
	struct net_ctx ctx;
	char netns[PATH_MAX], ifname[16];
	struct stat st;
	int ret;

	daemon_net_ctx(d, &ctx);
	daemon_net_netns_path(d, c->id, netns, sizeof(netns));
	/* Its first network's attachment named its namespace by this file. */
	if (stat(netns, &st) < 0)
		return berr_sys(err, "connect %s to network %s: its network namespace %s", c->id,
				net, netns);
	daemon_lock(d);
	free_ifname_locked(c, ifname, sizeof(ifname));
	daemon_unlock(d);
	ret = net_attach(&ctx, net, c->id, netns,
			 &(struct net_request){ .ifname = ifname, .secondary = true }, &ep, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	grown = realloc(c->more, (c->n_more + 1) * sizeof(*grown));
	if (grown) {
		c->more = grown;
		fill(d, &c->more[c->n_more++], net, &ep);
	}
	daemon_unlock(d);
	if (!grown) {
		struct berr ignored;

		net_detach(&ctx, c->id, net, &ignored);
		return berr_set(err, ENOMEM, "connect");
	}
	daemon_net_hosts_refresh(d, net);
	return 0;
}

int daemon_net_disconnect_running(struct daemon *d, struct daemon_container *c, const char *net,
				  struct berr *err)
{
	struct net_ctx ctx;
	int ret;

	daemon_net_ctx(d, &ctx);
	ret = net_detach(&ctx, c->id, net, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	if (strcmp(c->ep.network, net) == 0) {
		/* Its first network goes: the next one takes its place (its
		 * interface keeps its name and has no default route until
		 * the container starts again); the ports went with DEL. */
		free(c->ep.ports);
		memset(&c->ep, 0, sizeof(c->ep));
		if (c->n_more) {
			c->ep = c->more[0];
			memmove(c->more, c->more + 1, (c->n_more - 1) * sizeof(*c->more));
			c->n_more--;
		}
	} else {
		for (size_t i = 0; i < c->n_more; i++)
			if (strcmp(c->more[i].network, net) == 0) {
				memmove(c->more + i, c->more + i + 1,
					(c->n_more - i - 1) * sizeof(*c->more));
				c->n_more--;
				break;
			}
	}
	daemon_net_hosts_write_locked(d, c);
	daemon_unlock(d);
	daemon_net_hosts_refresh(d, net);
	return 0;
}
