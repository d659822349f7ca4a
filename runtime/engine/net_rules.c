/* Every network's NAT and forwarding rules at berthd's start: made where
 * missing (a host rebooted, a rule deleted by hand), idempotently; they
 * stay when berthd stops, as dockerd's do, so that containers that
 * outlive berthd keep their way out meanwhile.
 *
 * A config list of an older berthd, whose bridge plugin made a NAT chain
 * per container (ipMasq) and whose firewall plugin made FORWARD rules per
 * container, is rewritten without them (migrated), so that its next
 * containers start without that cost.  That is safe for containers it
 * attached: each attachment's DEL runs the list cached with it
 * (runtime/network/cache.c), so theirs still removes their per-container
 * rules; the network's own rules meanwhile only repeat what theirs
 * allow. */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "runtime/network/network.h"

static int migrate(struct daemon *d, const struct net_ctx *ctx, const struct net_info *n,
		   struct berr *err)
{
	struct net_bridge_def def = {
		.name = n->name, .id = n->id, .device = n->device, .subnet = n->subnet,
		.gateway = n->gateway, .ip_range = n->ip_range, .subnet6 = n->subnet6,
		.gateway6 = n->gateway6, .ipam_dir = d->ipam_dir, .created = n->created,
		.labels = n->labels, .internal = n->internal, .user = n->user,
	};

	return net_bridge_write(ctx, &def, err);
}

int daemon_net_rules_start(struct daemon *d, struct berr *err)
{
	struct net_ctx ctx;
	struct net_info *infos = NULL;
	size_t n = 0;
	int ret;

	daemon_net_ctx(d, &ctx);
	ret = net_info_list(&ctx, &infos, &n, err);
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (infos[i].per_container_rules)
			ret = migrate(d, &ctx, &infos[i], err);
		if (ret == 0)
			ret = net_rules_apply(&infos[i], err);
	}
	for (size_t i = 0; i < n; i++)
		net_info_free(&infos[i]);
	free(infos);
	return ret;
}
