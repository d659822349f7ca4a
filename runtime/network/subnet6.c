/* IPv6 subnets of dual-stack networks (docker network create --ipv6
 * --subnet fd00:1::/64): checked and normalized, and compared. */
#include "runtime/network/network.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_cidr6(const char *s, struct in6_addr *a, int *prefix)
{
	const char *slash = strchr(s, '/');
	char addr[64], *end;
	long p;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - s), s);
	if (inet_pton(AF_INET6, addr, a) != 1)
		return -1;
	p = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || p < 0 || p > 128)
		return -1;
	*prefix = (int)p;
	return 0;
}

static void mask6(struct in6_addr *a, int prefix)
{
	for (int i = 0; i < 16; i++) {
		int bits = prefix - i * 8;

		a->s6_addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

bool net_subnets6_overlap(const char *a, const char *b)
{
	struct in6_addr x, y;
	int px, py, p;

	if (!a || !b || parse_cidr6(a, &x, &px) < 0 || parse_cidr6(b, &y, &py) < 0)
		return false;
	p = px < py ? px : py;
	mask6(&x, p);
	mask6(&y, p);
	return memcmp(&x, &y, sizeof(x)) == 0;
}

int net_check_subnet6(const char *subnet, char *norm, size_t n, char *gw, size_t gwn,
		      struct berr *err)
{
	struct in6_addr a, g, net;
	char text[INET6_ADDRSTRLEN];
	int p;

	/* Room for a gateway and containers, and no wider than one
	 * site's prefix. */
	if (parse_cidr6(subnet, &a, &p) < 0 || p < 48 || p > 120)
		return berr_invalid(err, "invalid IPv6 subnet \"%s\": want an IPv6 ADDRESS/PREFIX "
				    "with a prefix of 48 to 120", subnet);
	net = a;
	mask6(&net, p);
	inet_ntop(AF_INET6, &net, text, sizeof(text));
	snprintf(norm, n, "%s/%d", text, p);
	if (!*gw) {
		g = net;
		g.s6_addr[15] |= 1;
		inet_ntop(AF_INET6, &g, gw, (socklen_t)gwn);
		return 0;
	}
	if (inet_pton(AF_INET6, gw, &g) != 1)
		return berr_invalid(err, "invalid IPv6 gateway \"%s\"", gw);
	{
		struct in6_addr gn = g;

		mask6(&gn, p);
		if (memcmp(&gn, &net, sizeof(gn)) != 0 || memcmp(&g, &net, sizeof(g)) == 0)
			return berr_invalid(err, "gateway %s is not a host address of subnet %s", gw,
					    norm);
	}
	return 0;
}
