/* The JSON the CNI runner passes around: a parsed value written back
 * out, and the config one plugin of a list is run with. */
#ifndef BERTH_NETWORK_CNI_JSON_H
#define BERTH_NETWORK_CNI_JSON_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "runtime/network/network.h"
#include "spec/json_write.h"

/* The config of one plugin of a list, as the specification's "Deriving
 * execution configuration from plugin configuration" says: the plugin's
 * object with the list's name and cniVersion, prevResult (NULL: none) and
 * the runtimeConfig of the capabilities it declares (portMappings; ips
 * when ip is not NULL; mac when mac is not NULL). */
int cni_plugin_config(yajl_val list, yajl_val plugin, yajl_val prev,
		      const struct net_port *ports, size_t n_ports, const char *ip,
		      const char *mac, char **out, size_t *len, struct berr *err);

/* Does plugin declare capability (its "capabilities" say true)? */
bool cni_declares(yajl_val plugin, const char *capability);

/* Write ports as portmap's portMappings array. */
void cni_json_ports(struct jw *w, const struct net_port *ports, size_t n_ports);

#endif
