/* The cache of attachments (network.h): what DEL needs, kept on disk from
 * before ADD starts until DEL succeeded, so that a crash at any point
 * leaves something to delete. */
#include "runtime/network/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/network/cni_json.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/json_read.h"

int net_check_name(const char *name, struct berr *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > 128 || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", name[0]) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return berr_invalid(err, "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    name);
	return 0;
}

int net_cache_path(const struct net_ctx *ctx, const char *id, const char *network,
		   char *out, size_t n)
{
	int len = network ? snprintf(out, n, "%s/%s/%s", ctx->cache_dir, id, network)
			  : snprintf(out, n, "%s/%s", ctx->cache_dir, id);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

int net_cache_write(const struct net_ctx *ctx, const struct net_attachment *a,
		    struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *json = NULL;
	char path[PATH_MAX];
	size_t len;
	int ret;

	if (net_cache_path(ctx, a->id, NULL, path, sizeof(path)) < 0)
		return berr_set(err, ENAMETOOLONG, "network cache of %s", a->id);
	if (mkdir(ctx->cache_dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", ctx->cache_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", path);
	net_cache_path(ctx, a->id, a->network, path, sizeof(path));
	jw_map_open(w);
	jw_kstr(w, "kind", "berth-cni-attachment");
	jw_kstr(w, "containerId", a->id);
	jw_kstr(w, "network", a->network);
	jw_kstr(w, "ifName", a->ifname);
	jw_kstr(w, "netns", a->netns);
	jw_key(w, "config");
	jw_tree(w, a->conflist);
	jw_key(w, "portMappings");
	cni_json_ports(w, a->ports, a->n_ports);
	if (a->ip)
		jw_kstr(w, "ip", a->ip);
	if (a->mac)
		jw_kstr(w, "mac", a->mac);
	jw_key(w, "result");
	if (a->result)
		jw_tree(w, a->result);
	else
		jw_null(w);
	jw_map_close(w);
	ret = jw_finish(w, &json, &len, err);
	if (ret < 0)
		return ret;
	return fsutil_write_atomic(path, json, len, 0600, err);
}

static int read_ports(yajl_val arr, struct net_port **out, size_t *n, const char *path,
		      struct berr *err)
{
	size_t count = YAJL_IS_ARRAY(arr) ? YAJL_GET_ARRAY(arr)->len : 0;

	*n = 0;
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return berr_set(err, ENOMEM, "%s", path);
	for (size_t i = 0; i < count; i++) {
		yajl_val p = YAJL_GET_ARRAY(arr)->values[i];
		yajl_val hp = jr_get(p, "hostPort"), cp = jr_get(p, "containerPort");
		yajl_val proto = jr_get(p, "protocol"), ip = jr_get(p, "hostIP");
		struct net_port *o = &(*out)[i];

		if (!YAJL_IS_INTEGER(hp) || !YAJL_IS_INTEGER(cp) || !YAJL_IS_STRING(proto))
			return berr_fail(err, EINVAL, "%s: bad portMappings entry", path);
		o->host_port = (uint16_t)YAJL_GET_INTEGER(hp);
		o->container_port = (uint16_t)YAJL_GET_INTEGER(cp);
		snprintf(o->protocol, sizeof(o->protocol), "%s", YAJL_GET_STRING(proto));
		if (YAJL_IS_STRING(ip))
			snprintf(o->host_ip, sizeof(o->host_ip), "%s", YAJL_GET_STRING(ip));
		(*n)++;
	}
	return 0;
}

int net_cache_read(const struct net_ctx *ctx, const char *id, const char *network,
		   yajl_val *tree, struct net_attachment *a, struct net_port **ports,
		   struct berr *err)
{
	cleanup_free char *text = NULL;
	char path[PATH_MAX];
	size_t len;
	yajl_val v;
	int ret;

	if (net_cache_path(ctx, id, network, path, sizeof(path)) < 0)
		return berr_set(err, ENAMETOOLONG, "network cache of %s", id);
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	ret = jr_parse(text, len, tree, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	memset(a, 0, sizeof(*a));
	v = *tree;
	a->id = YAJL_GET_STRING(jr_get(v, "containerId"));
	a->network = YAJL_GET_STRING(jr_get(v, "network"));
	a->ifname = YAJL_GET_STRING(jr_get(v, "ifName"));
	a->netns = YAJL_GET_STRING(jr_get(v, "netns"));
	a->ip = YAJL_GET_STRING(jr_get(v, "ip"));
	a->mac = YAJL_GET_STRING(jr_get(v, "mac"));
	a->conflist = jr_get(v, "config");
	a->result = jr_get(v, "result");
	if (a->result && YAJL_IS_NULL(a->result))
		a->result = NULL;
	if (!a->id || !a->network || !a->ifname || !a->netns || !YAJL_IS_OBJECT(a->conflist))
		return berr_fail(err, EINVAL, "%s: not a network attachment", path);
	ret = read_ports(jr_get(v, "portMappings"), ports, &a->n_ports, path, err);
	a->ports = *ports;
	return ret;
}
