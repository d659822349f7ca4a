/* The container's side of an attachment, read from a CNI result (1.0:
 * "interfaces" and "ips" that point at them by index). */
#include "runtime/network/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_read.h"

/* The index of the interface named ifname inside the namespace, -1 if
 * the result names none. */
static long container_interface(yajl_val ifaces, const char *ifname)
{
	for (size_t i = 0; YAJL_IS_ARRAY(ifaces) && i < YAJL_GET_ARRAY(ifaces)->len; i++) {
		yajl_val f = YAJL_GET_ARRAY(ifaces)->values[i];
		const char *name = YAJL_GET_STRING(jr_get(f, "name"));
		const char *sandbox = YAJL_GET_STRING(jr_get(f, "sandbox"));

		if (name && strcmp(name, ifname) == 0 && sandbox && *sandbox)
			return (long)i;
	}
	return -1;
}

int net_endpoint_from_result(yajl_val result, const char *ifname, struct net_endpoint *ep,
			     struct berr *err)
{
	yajl_val ifaces = jr_get(result, "interfaces"), ips = jr_get(result, "ips");
	long idx = container_interface(ifaces, ifname);

	memset(ep, 0, sizeof(*ep));
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", ifname);
	if (idx >= 0) {
		const char *mac = YAJL_GET_STRING(
			jr_get(YAJL_GET_ARRAY(ifaces)->values[idx], "mac"));

		snprintf(ep->mac, sizeof(ep->mac), "%s", mac ? mac : "");
	}
	for (size_t i = 0; YAJL_IS_ARRAY(ips) && i < YAJL_GET_ARRAY(ips)->len; i++) {
		yajl_val ip = YAJL_GET_ARRAY(ips)->values[i];
		yajl_val at = jr_get(ip, "interface");
		const char *addr = YAJL_GET_STRING(jr_get(ip, "address"));
		const char *gw = YAJL_GET_STRING(jr_get(ip, "gateway"));
		const char *slash = addr ? strchr(addr, '/') : NULL;
		bool v6;

		if (!slash || (YAJL_IS_INTEGER(at) && YAJL_GET_INTEGER(at) != idx))
			continue;
		/* The first of each family: docker's IPAddress and
		 * GlobalIPv6Address. */
		v6 = strchr(addr, ':') != NULL;
		if (v6 && !ep->ip6[0]) {
			snprintf(ep->ip6, sizeof(ep->ip6), "%.*s", (int)(slash - addr), addr);
			ep->prefix6 = atoi(slash + 1);
			snprintf(ep->gateway6, sizeof(ep->gateway6), "%s", gw ? gw : "");
		} else if (!v6 && !ep->ip[0]) {
			snprintf(ep->ip, sizeof(ep->ip), "%.*s", (int)(slash - addr), addr);
			ep->prefix = atoi(slash + 1);
			snprintf(ep->gateway, sizeof(ep->gateway), "%s", gw ? gw : "");
		}
	}
	if (!ep->ip[0])
		return berr_fail(err, EPROTO, "the CNI result gives interface %s no address",
				 ifname);
	return 0;
}
