/* The network room's view of this daemon: its directories and plugins,
 * the network a container's spec joins first, the file that names a
 * container's network namespace. */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "runtime/network/network.h"

#define DEFAULT_CNI_PATH "/usr/lib/cni"

void daemon_net_ctx(const struct daemon *d, struct net_ctx *out)
{
	*out = (struct net_ctx){ .cni_path = d->o.cni_path ? d->o.cni_path : DEFAULT_CNI_PATH,
				 .conf_dir = d->net_conf_dir,
				 .cache_dir = d->net_cache_dir,
				 .gate = d->net_gate };
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

const char *daemon_net_of(const struct daemon *d, const struct daemon_spec *s)
{
	const char *m = s->network_mode;

	if (!m || !*m || strcmp(m, "default") == 0 || strcmp(m, "bridge") == 0)
		return d->default_net;
	if (strcmp(m, "none") == 0 || strcmp(m, "host") == 0 || strncmp(m, "container:", 10) == 0)
		return NULL;
	return m; /* a user network */
}

void daemon_net_netns_path(const struct daemon *d, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", d->netns_dir, id);
}
