/* JSON for the CNI plugins (see cni_json.h). */
#include "runtime/network/cni_json.h"

#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

void cni_json_emit(struct jw *w, yajl_val v)
{
	if (YAJL_IS_STRING(v)) {
		jw_str(w, YAJL_GET_STRING(v));
	} else if (YAJL_IS_NUMBER(v)) {
		const char *t = YAJL_GET_NUMBER(v);

		jw_json(w, t, strlen(t));
	} else if (YAJL_IS_OBJECT(v)) {
		jw_map_open(w);
		for (size_t i = 0; i < YAJL_GET_OBJECT(v)->len; i++) {
			jw_key(w, YAJL_GET_OBJECT(v)->keys[i]);
			cni_json_emit(w, YAJL_GET_OBJECT(v)->values[i]);
		}
		jw_map_close(w);
	} else if (YAJL_IS_ARRAY(v)) {
		jw_array_open(w);
		for (size_t i = 0; i < YAJL_GET_ARRAY(v)->len; i++)
			cni_json_emit(w, YAJL_GET_ARRAY(v)->values[i]);
		jw_array_close(w);
	} else if (YAJL_IS_TRUE(v)) {
		jw_bool(w, true);
	} else if (YAJL_IS_FALSE(v)) {
		jw_bool(w, false);
	} else {
		jw_null(w);
	}
}

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

static bool declares(yajl_val plugin, const char *capability)
{
	yajl_val caps = jr_get(plugin, "capabilities");

	return caps && YAJL_IS_TRUE(jr_get(caps, capability));
}

int cni_plugin_config(yajl_val list, yajl_val plugin, yajl_val prev,
		      const struct net_port *ports, size_t n_ports, const char *ip, char **out,
		      size_t *len, struct berr *err)
{
	bool pm = declares(plugin, "portMappings"), ips = ip && declares(plugin, "ips");

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
		cni_json_emit(w, YAJL_GET_OBJECT(obj)->values[i]);
	}
	jw_key(w, "name");
	cni_json_emit(w, jr_get(list, "name"));
	jw_key(w, "cniVersion");
	cni_json_emit(w, jr_get(list, "cniVersion"));
	if (prev) {
		jw_key(w, "prevResult");
		cni_json_emit(w, prev);
	}
	if (pm || ips) {
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
		jw_map_close(w);
	}
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
