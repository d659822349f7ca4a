/* The network room's view of this daemon: its directories and plugins. */
#include "runtime/engine/internal.h"

#include "runtime/network/network.h"

#define DEFAULT_CNI_PATH "/usr/lib/cni"

void daemon_net_ctx(const struct daemon *d, struct net_ctx *out)
{
	*out = (struct net_ctx){ .cni_path = d->o.cni_path ? d->o.cni_path : DEFAULT_CNI_PATH,
				 .conf_dir = d->net_conf_dir,
				 .cache_dir = d->net_cache_dir };
}

bool daemon_net_known(struct daemon *d, const char *name)
{
	struct net_ctx ctx;
	struct net_info info;
	struct berr ignored;
	bool ok;

	daemon_net_ctx(d, &ctx);
	ok = net_info_read(&ctx, name, &info, &ignored) == 0;
	net_info_free(&info);
	return ok;
}
