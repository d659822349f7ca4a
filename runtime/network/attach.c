/* Attaching a container to a network and detaching it: the config list's
 * plugins run with ADD in order, each given the result of the one before
 * (prevResult); with DEL in reverse order, each given the cached final
 * result.  An ADD that fails is deleted at once (the specification asks
 * the runtime to), so that nothing is left half-made. */
#include "runtime/network/internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/network/cni_exec.h"
#include "runtime/network/cni_json.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/json_read.h"

static yajl_val plugins_of(yajl_val list)
{
	yajl_val p = jr_get(list, "plugins");

	return YAJL_IS_ARRAY(p) ? p : NULL;
}

static int load_conflist(const struct net_ctx *ctx, const char *network, yajl_val *out,
			 struct berr *err)
{
	cleanup_free char *text = NULL;
	char path[PATH_MAX];
	yajl_val p;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.conflist", ctx->conf_dir, network);
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret == -ENOENT)
		return berr_not_found(err, "network %s not found", network);
	if (ret < 0)
		return ret;
	ret = jr_parse(text, len, out, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	p = plugins_of(*out);
	if (!YAJL_IS_STRING(jr_get(*out, "name")) || !YAJL_IS_STRING(jr_get(*out, "cniVersion")) ||
	    !p || YAJL_GET_ARRAY(p)->len == 0)
		return berr_fail(err, EINVAL, "%s: not a CNI config list (name, cniVersion, plugins)",
				 path);
	for (size_t i = 0; i < YAJL_GET_ARRAY(p)->len; i++)
		if (!YAJL_IS_STRING(jr_get(YAJL_GET_ARRAY(p)->values[i], "type")))
			return berr_fail(err, EINVAL, "%s: plugin %zu has no type", path, i);
	return 0;
}

/* Run one plugin of the list; *result (may be NULL) gets its output
 * parsed, when out is wanted. */
static int run_plugin(const struct net_ctx *ctx, const struct net_attachment *a,
		      const char *command, yajl_val plugin, yajl_val prev, yajl_val *result,
		      struct berr *err)
{
	struct cni_call call = { .cni_path = ctx->cni_path, .command = command,
				 .container_id = a->id, .netns = a->netns,
				 .ifname = a->ifname };
	cleanup_free char *config = NULL, *out = NULL;
	size_t len;
	int ret;

	ret = cni_plugin_config(a->conflist, plugin, prev, a->ports, a->n_ports, a->ip, a->mac,
				&config, &len, err);
	if (ret < 0)
		return ret;
	net_gate_enter(ctx->gate);
	ret = cni_exec(&call, YAJL_GET_STRING(jr_get(plugin, "type")), config, len, &out, err);
	net_gate_leave(ctx->gate);
	if (ret < 0)
		return berr_wrap(err, ret, "network %s", a->network);
	if (!result)
		return 0;
	ret = jr_parse(out, strlen(out), result, err);
	if (ret < 0)
		return berr_wrap(err, ret, "network %s: the result of CNI plugin %s", a->network,
				 YAJL_GET_STRING(jr_get(plugin, "type")));
	return 0;
}

/* DEL through the whole list, last plugin first; every plugin is tried. */
static int run_del(const struct net_ctx *ctx, const struct net_attachment *a, struct berr *err)
{
	yajl_val p = plugins_of(a->conflist);
	int first = 0;

	for (size_t i = p ? YAJL_GET_ARRAY(p)->len : 0; i-- > 0;) {
		struct berr e;
		int ret = run_plugin(ctx, a, "DEL", YAJL_GET_ARRAY(p)->values[i], a->result, NULL,
				     &e);

		if (ret < 0 && first == 0) {
			first = ret;
			*err = e;
		}
	}
	return first;
}

static void forget(const struct net_ctx *ctx, const char *id, const char *network)
{
	char path[PATH_MAX];

	if (net_cache_path(ctx, id, network, path, sizeof(path)) == 0)
		unlink(path);
	if (net_cache_path(ctx, id, NULL, path, sizeof(path)) == 0)
		rmdir(path); /* when it was the last */
}

static bool default_route(yajl_val route)
{
	const char *dst = YAJL_GET_STRING(jr_get(route, "dst"));

	return dst && (strcmp(dst, "0.0.0.0/0") == 0 || strcmp(dst, "::/0") == 0);
}

/* Take the default routes out of the IPAM routes of the list's plugins
 * (in the tree: the cache keeps the list as ADD saw it, for DEL). */
static void drop_default_routes(yajl_val list)
{
	yajl_val p = plugins_of(list);

	for (size_t i = 0; i < YAJL_GET_ARRAY(p)->len; i++) {
		yajl_val routes = jr_get(jr_get(YAJL_GET_ARRAY(p)->values[i], "ipam"), "routes");
		size_t k = 0;

		if (!YAJL_IS_ARRAY(routes))
			continue;
		for (size_t j = 0; j < YAJL_GET_ARRAY(routes)->len; j++) {
			yajl_val r = YAJL_GET_ARRAY(routes)->values[j];

			if (default_route(r))
				yajl_tree_free(r);
			else
				YAJL_GET_ARRAY(routes)->values[k++] = r;
		}
		YAJL_GET_ARRAY(routes)->len = k;
	}
}

/* portmap's only work is the portMappings it is given: for a container
 * that publishes none, its ADD and DEL would each cost a process (a Go
 * binary) for nothing.  Taken out of the list in the tree, which the cache
 * keeps as ADD saw it, so DEL skips it too. */
static void drop_idle_portmap(yajl_val list, size_t n_ports)
{
	yajl_val p = plugins_of(list);
	size_t k = 0;

	if (n_ports)
		return;
	for (size_t i = 0; i < YAJL_GET_ARRAY(p)->len; i++) {
		yajl_val one = YAJL_GET_ARRAY(p)->values[i];
		const char *type = YAJL_GET_STRING(jr_get(one, "type"));

		if (strcmp(type, "portmap") == 0 && cni_declares(one, "portMappings"))
			yajl_tree_free(one);
		else
			YAJL_GET_ARRAY(p)->values[k++] = one;
	}
	YAJL_GET_ARRAY(p)->len = k;
}

/* A MAC address needs a plugin that takes one (lists written before
 * berth gave the bridge plugin the mac capability have none). */
static int check_mac(yajl_val list, const char *network, struct berr *err)
{
	yajl_val p = plugins_of(list);

	for (size_t i = 0; i < YAJL_GET_ARRAY(p)->len; i++)
		if (cni_declares(YAJL_GET_ARRAY(p)->values[i], "mac"))
			return 0;
	return berr_unsupported(err, "network %s takes no MAC address (no plugin of its config "
				"list has the mac capability; a network made by an older berthd: "
				"create it again)", network);
}

int net_attach(const struct net_ctx *ctx, const char *network, const char *id,
	       const char *netns, const struct net_request *req, struct net_endpoint *ep,
	       struct berr *err)
{
	cleanup_tree yajl_val list = NULL;
	struct net_attachment a = { .network = network, .id = id, .ifname = req->ifname,
				    .netns = netns, .ports = req->ports,
				    .n_ports = req->n_ports, .ip = req->ip, .mac = req->mac };
	yajl_val results[16] = { NULL };
	yajl_val p, last = NULL;
	size_t n;
	int ret;

	ret = net_check_name(network, err);
	if (ret < 0)
		return ret;
	ret = load_conflist(ctx, network, &list, err);
	if (ret < 0)
		return ret;
	if (req->mac && (ret = check_mac(list, network, err)) < 0)
		return ret;
	if (req->secondary)
		drop_default_routes(list);
	drop_idle_portmap(list, req->n_ports);
	a.conflist = list;
	p = plugins_of(list);
	n = YAJL_GET_ARRAY(p)->len;
	if (n > sizeof(results) / sizeof(results[0]))
		return berr_fail(err, EINVAL, "network %s: too many plugins", network);
	/* Cached before ADD: a crash in the middle leaves what DEL needs. */
	ret = net_cache_write(ctx, &a, err);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = run_plugin(ctx, &a, "ADD", YAJL_GET_ARRAY(p)->values[i], last, &results[i],
				 err);
		if (ret == 0)
			last = results[i];
	}
	if (ret == 0)
		ret = net_endpoint_from_result(last, req->ifname, ep, err);
	a.result = last;
	if (ret == 0)
		ret = net_cache_write(ctx, &a, err);
	if (ret < 0) {
		struct berr ignored;

		if (run_del(ctx, &a, &ignored) == 0)
			forget(ctx, id, network);
	}
	for (size_t i = 0; i < n; i++)
		if (results[i])
			yajl_tree_free(results[i]);
	return ret;
}

int net_detach(const struct net_ctx *ctx, const char *id, const char *network,
	       struct berr *err)
{
	cleanup_tree yajl_val tree = NULL;
	cleanup_free struct net_port *ports = NULL;
	struct net_attachment a;
	int ret;

	ret = net_cache_read(ctx, id, network, &tree, &a, &ports, err);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = run_del(ctx, &a, err);
	if (ret < 0)
		return ret;
	forget(ctx, id, network);
	return 0;
}

int net_detach_all(const struct net_ctx *ctx, const char *id, struct berr *err)
{
	cleanup_closedir DIR *dir = NULL;
	char path[PATH_MAX];
	struct dirent *e;
	int first = 0;

	if (net_cache_path(ctx, id, NULL, path, sizeof(path)) < 0)
		return berr_set(err, ENAMETOOLONG, "network cache of %s", id);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : berr_sys(err, "open %s", path);
	while ((e = readdir(dir))) {
		struct berr one;
		int ret;

		if (e->d_name[0] == '.')
			continue;
		ret = net_detach(ctx, id, e->d_name, &one);
		if (ret < 0 && first == 0) {
			first = ret;
			*err = one;
		}
	}
	return first;
}

int net_endpoint_load(const struct net_ctx *ctx, const char *id, const char *network,
		      struct net_endpoint *ep, struct net_port **ports_out, size_t *n_ports,
		      struct berr *err)
{
	cleanup_tree yajl_val tree = NULL;
	cleanup_free struct net_port *ports = NULL;
	struct net_attachment a;
	int ret;

	ret = net_cache_read(ctx, id, network, &tree, &a, &ports, err);
	if (ret < 0)
		return ret;
	if (!a.result)
		return berr_not_found(err, "network %s: the attachment of %s is not complete",
				      network, id);
	ret = net_endpoint_from_result(a.result, a.ifname, ep, err);
	if (ret == 0) {
		*ports_out = steal_ptr(ports);
		*n_ports = a.n_ports;
	}
	return ret;
}
