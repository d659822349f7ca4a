/* JSON for the CNI plugins (see cni_json.h). */
#include "runtime/network/cni_json.h"

#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

void cni_json_ports(struct jw *w, const struct net_port *ports, size_t n_ports)
{
	jw_array_open(w);
	for (size_t i = 0; i < n_ports; i++) {
		jw_map_open(w);
		jw_kint(w, "hostPort", ports[i].host_port);
		jw_kint(w, "containerPort", ports[i].container_port);
		jw_kstr(w, "protocol", ports[i].protocol);
		if (ports[i].host_ip[0])
			jw_kstr(w, "hostIP", ports[i].host_ip);
		jw_map_close(w);
	}
	jw_array_close(w);
}

bool cni_declares(yajl_val plugin, const char *capability)
{
	yajl_val caps = jr_get(plugin, "capabilities");

	return caps && YAJL_IS_TRUE(jr_get(caps, capability));
}

int cni_plugin_config(yajl_val list, yajl_val plugin, yajl_val prev,
		      const struct net_port *ports, size_t n_ports, const char *ip,
		      const char *mac, char **out, size_t *len, struct berr *err)
{
	bool pm = cni_declares(plugin, "portMappings"), ips = ip && cni_declares(plugin, "ips");
	bool macs = mac && cni_declares(plugin, "mac");

	cleanup_jw struct jw *w = jw_new(false);
	yajl_val obj = plugin;

	jw_map_open(w);
	for (size_t i = 0; i < YAJL_GET_OBJECT(obj)->len; i++) {
		const char *k = YAJL_GET_OBJECT(obj)->keys[i];

		/* The list's own, or ours to give. */
		if (!strcmp(k, "name") || !strcmp(k, "cniVersion") || !strcmp(k, "prevResult") ||
		    !strcmp(k, "runtimeConfig"))
			continue;
		jw_key(w, k);
		jw_tree(w, YAJL_GET_OBJECT(obj)->values[i]);
	}
	jw_key(w, "name");
	jw_tree(w, jr_get(list, "name"));
	jw_key(w, "cniVersion");
	jw_tree(w, jr_get(list, "cniVersion"));
	if (prev) {
		jw_key(w, "prevResult");
		jw_tree(w, prev);
	}
	if (pm || ips || macs) {
		jw_key(w, "runtimeConfig");
		jw_map_open(w);
		if (pm) {
			jw_key(w, "portMappings");
			cni_json_ports(w, ports, n_ports);
		}
		if (ips) {
			jw_key(w, "ips");
			jw_array_open(w);
			jw_str(w, ip);
			jw_array_close(w);
		}
		if (macs)
			jw_kstr(w, "mac", mac);
		jw_map_close(w);
	}
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
