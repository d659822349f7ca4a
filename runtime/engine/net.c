/* Containers on networks: the engine's side of runtime/network/.
 *
 * A container on a CNI network gets a network namespace of its own as a
 * file (<root>/netns/<id>), made and attached (ADD) before its bundle is
 * written, so that config.json joins it by path and the container's
 * process starts with its interface in place; at its exit the supervisor
 * detaches it (DEL) and removes the file, outside the model's lock (the
 * plugins take a while).  What DEL needs is in the network room's cache,
 * so a berthd killed with -9 detaches at its next start what its
 * predecessor attached.
 *
 * Only the default network ("bridge") exists today; its config list is
 * rewritten at each start of berthd from --bridge and --bip. */
#include "runtime/engine/internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/network/network.h"
#include "spec/base/cleanup.h"

#define DEFAULT_NET "bridge"
#define DEFAULT_BRIDGE "berth0"
#define DEFAULT_CNI_PATH "/usr/lib/cni"

static struct net_ctx ctx_of(const struct daemon *d)
{
	return (struct net_ctx){ .cni_path = d->o.cni_path ? d->o.cni_path : DEFAULT_CNI_PATH,
				 .conf_dir = d->net_conf_dir,
				 .cache_dir = d->net_cache_dir };
}

static int mkdirs(struct daemon *d, struct berr *err)
{
	const char *dirs[] = { d->net_conf_dir, d->netns_dir, d->ipam_dir, d->net_cache_dir };
	char parent[PATH_MAX];

	/* <root>/cni holds the last two. */
	snprintf(parent, sizeof(parent), "%s/cni", d->o.root);
	if (mkdir(parent, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", parent);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0700) < 0 && errno != EEXIST)
			return berr_sys(err, "create %s", dirs[i]);
	return 0;
}

int daemon_net_init(struct daemon *d, struct berr *err)
{
	const char *dev = d->o.bridge && *d->o.bridge ? d->o.bridge : DEFAULT_BRIDGE;
	struct net_ctx ctx;
	char subnet[64], gw[64];
	int ret;

	if (asprintf(&d->net_conf_dir, "%s/networks", d->o.data_root) < 0 ||
	    asprintf(&d->net_cache_dir, "%s/cni/cache", d->o.root) < 0 ||
	    asprintf(&d->ipam_dir, "%s/cni/ipam", d->o.root) < 0 ||
	    asprintf(&d->netns_dir, "%s/netns", d->o.root) < 0)
		return berr_set(err, ENOMEM, "networks");
	ret = mkdirs(d, err);
	if (ret < 0)
		return ret;
	ctx = ctx_of(d);
	if (strcmp(dev, "none") == 0)
		return 0;
	if (strlen(dev) > 15 || strchr(dev, '/'))
		return berr_invalid(err, "invalid --bridge \"%s\": a device name of at most 15 "
				    "characters", dev);
	ret = d->o.bip ? net_parse_bip(d->o.bip, subnet, sizeof(subnet), gw, sizeof(gw), err)
		       : net_pick_subnet(dev, subnet, sizeof(subnet), gw, sizeof(gw), err);
	if (ret < 0)
		return ret;
	ret = net_bridge_write(&ctx,
			       &(struct net_bridge_def){ .name = DEFAULT_NET, .device = dev,
							 .subnet = subnet, .gateway = gw,
							 .ipam_dir = d->ipam_dir,
							 .masquerade = true },
			       err);
	if (ret < 0)
		return ret;
	d->default_net = DEFAULT_NET;
	return 0;
}

void daemon_net_close(struct daemon *d)
{
	free(d->net_conf_dir);
	free(d->net_cache_dir);
	free(d->ipam_dir);
	free(d->netns_dir);
}

const char *daemon_net_of(const struct daemon *d, const struct daemon_spec *s)
{
	const char *m = s->network_mode;

	if (!m || !*m || strcmp(m, "default") == 0 || strcmp(m, "bridge") == 0)
		return d->default_net;
	return NULL;
}

static void netns_path(struct daemon *d, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", d->netns_dir, id);
}

int daemon_net_detach(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	struct net_ctx ctx = ctx_of(d);
	char path[PATH_MAX];
	int ret;

	ret = net_detach_all(&ctx, c->id, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	memset(&c->ep, 0, sizeof(c->ep));
	daemon_unlock(d);
	netns_path(d, c->id, path, sizeof(path));
	return net_netns_remove(path, err);
}

int daemon_net_attach(struct daemon *d, struct daemon_container *c, char *netns, size_t n,
		      struct berr *err)
{
	const char *net = daemon_net_of(d, &c->spec);
	struct net_ctx ctx = ctx_of(d);
	struct net_endpoint ep;
	struct berr ignored;
	int ret;

	netns[0] = '\0';
	if (!net)
		return 0;
	/* What an earlier run left (a crash between its exit and its
	 * detach) goes first. */
	daemon_lock(d);
	c->net_stale = false;
	daemon_unlock(d);
	ret = daemon_net_detach(d, c, err);
	if (ret < 0)
		return berr_wrap(err, ret, "detach the container's earlier network");
	netns_path(d, c->id, netns, n);
	ret = net_netns_create(netns, err);
	if (ret < 0)
		return ret;
	ret = net_attach(&ctx, net, c->id, netns, "eth0", NULL, 0, &ep, err);
	if (ret < 0) {
		net_netns_remove(netns, &ignored);
		netns[0] = '\0';
		return ret;
	}
	daemon_lock(d);
	snprintf(c->ep.network, sizeof(c->ep.network), "%s", net);
	snprintf(c->ep.ip, sizeof(c->ep.ip), "%s", ep.ip);
	snprintf(c->ep.gateway, sizeof(c->ep.gateway), "%s", ep.gateway);
	snprintf(c->ep.mac, sizeof(c->ep.mac), "%s", ep.mac);
	c->ep.prefix = ep.prefix;
	daemon_unlock(d);
	return 0;
}

void daemon_net_load_locked(struct daemon *d, struct daemon_container *c)
{
	const char *net = daemon_net_of(d, &c->spec);
	struct net_ctx ctx = ctx_of(d);
	struct net_endpoint ep;
	struct berr ignored;

	if (!net || net_endpoint_load(&ctx, c->id, net, &ep, &ignored) < 0)
		return;
	snprintf(c->ep.network, sizeof(c->ep.network), "%s", net);
	snprintf(c->ep.ip, sizeof(c->ep.ip), "%s", ep.ip);
	snprintf(c->ep.gateway, sizeof(c->ep.gateway), "%s", ep.gateway);
	snprintf(c->ep.mac, sizeof(c->ep.mac), "%s", ep.mac);
	c->ep.prefix = ep.prefix;
}
