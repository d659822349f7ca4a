/* Network definitions as config lists: the bridge network (bridge,
 * host-local, portmap, firewall), and the choice of its subnet. */
#include "runtime/network/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/json_write.h"

/* The plugins of a bridge network, in the order ADD runs them: the
 * bridge and the container's veth with an address from host-local (NAT
 * for outbound traffic when masquerade), the published ports, and the
 * forwarding rules a host whose FORWARD policy drops needs. */
static void write_plugins(struct jw *w, const struct net_bridge_def *def)
{
	jw_key(w, "plugins");
	jw_array_open(w);

	jw_map_open(w);
	jw_kstr(w, "type", "bridge");
	jw_kstr(w, "bridge", def->device);
	jw_kbool(w, "isGateway", true);
	jw_kbool(w, "ipMasq", def->masquerade);
	jw_kbool(w, "hairpinMode", true);
	jw_key(w, "ipam");
	jw_map_open(w);
	jw_kstr(w, "type", "host-local");
	jw_key(w, "ranges");
	jw_array_open(w);
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "subnet", def->subnet);
	jw_kstr(w, "gateway", def->gateway);
	jw_map_close(w);
	jw_array_close(w);
	jw_array_close(w);
	jw_key(w, "routes");
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "dst", "0.0.0.0/0");
	jw_map_close(w);
	jw_array_close(w);
	jw_kstr(w, "dataDir", def->ipam_dir);
	jw_map_close(w);
	jw_map_close(w);

	jw_map_open(w);
	jw_kstr(w, "type", "portmap");
	jw_key(w, "capabilities");
	jw_map_open(w);
	jw_kbool(w, "portMappings", true);
	jw_map_close(w);
	jw_map_close(w);

	jw_map_open(w);
	jw_kstr(w, "type", "firewall");
	jw_kstr(w, "backend", "iptables");
	jw_map_close(w);

	jw_array_close(w);
}

int net_bridge_write(const struct net_ctx *ctx, const struct net_bridge_def *def,
		     struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);
	cleanup_free char *json = NULL;
	char path[PATH_MAX];
	size_t len;
	int ret;

	ret = net_check_name(def->name, err);
	if (ret < 0)
		return ret;
	if (mkdir(ctx->conf_dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", ctx->conf_dir);
	jw_map_open(w);
	jw_kstr(w, "cniVersion", "1.0.0");
	jw_kstr(w, "name", def->name);
	write_plugins(w, def);
	jw_map_close(w);
	ret = jw_finish(w, &json, &len, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s.conflist", ctx->conf_dir, def->name);
	return fsutil_write_atomic(path, json, len, 0600, err);
}

/* Does a route of the host (/proc/net/route: little-endian hex) overlap
 * net/mask, other than the default route and routes through own? */
static bool route_overlaps(uint32_t net, uint32_t mask, const char *own, struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/net/route", "re");
	char line[256], ifname[64];
	unsigned dst, gw, flags, refcnt, use, metric, rmask;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		uint32_t d, m, both;

		if (sscanf(line, "%63s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt,
			   &use, &metric, &rmask) != 8)
			continue; /* the header */
		d = ntohl(dst);
		m = ntohl(rmask);
		if (m == 0 || (own && strcmp(ifname, own) == 0))
			continue;
		both = m & mask;
		if ((d & both) == (net & both))
			return true;
	}
	return false;
}

int net_pick_subnet(const char *own_device, char *out, size_t n, char *gw, size_t gwn,
		    struct berr *err)
{
	/* Private ranges docker and podman do not take by default. */
	static const char *const candidates[] = { "172.30", "172.31", "172.29", "172.28",
						  "10.213", "10.214", "10.215", "10.216" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		char base[32];
		struct in_addr a;

		snprintf(base, sizeof(base), "%s.0.0", candidates[i]);
		inet_pton(AF_INET, base, &a);
		if (route_overlaps(ntohl(a.s_addr), 0xffff0000u, own_device, err))
			continue;
		snprintf(out, n, "%s/16", base);
		snprintf(gw, gwn, "%s.0.1", candidates[i]);
		return 0;
	}
	return berr_fail(err, EADDRINUSE,
			 "no private subnet for the default network is free of the host's "
			 "routes: give one with --bip");
}

int net_parse_bip(const char *bip, char *subnet, size_t n, char *gw, size_t gwn,
		  struct berr *err)
{
	char addr[64];
	const char *slash = strchr(bip, '/');
	struct in_addr a, netaddr;
	char *end;
	long prefix;
	uint32_t mask;

	if (!slash || (size_t)(slash - bip) >= sizeof(addr))
		return berr_invalid(err, "invalid --bip \"%s\": want ADDRESS/PREFIX", bip);
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - bip), bip);
	prefix = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &a) != 1 || *end || end == slash + 1 || prefix < 8 ||
	    prefix > 30)
		return berr_invalid(err, "invalid --bip \"%s\": want an IPv4 ADDRESS/PREFIX "
				    "with a prefix of 8 to 30", bip);
	mask = 0xffffffffu << (32 - prefix);
	netaddr.s_addr = htonl(ntohl(a.s_addr) & mask);
	if (netaddr.s_addr == a.s_addr || (ntohl(a.s_addr) | mask) == 0xffffffffu)
		return berr_invalid(err, "invalid --bip \"%s\": the gateway must be an address "
				    "of the subnet, not its network or broadcast address", bip);
	inet_ntop(AF_INET, &netaddr, addr, sizeof(addr));
	snprintf(subnet, n, "%s/%ld", addr, prefix);
	snprintf(gw, gwn, "%.*s", (int)(slash - bip), bip);
	return 0;
}
