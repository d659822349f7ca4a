/* Network definitions as config lists: bridge networks (bridge,
 * host-local, portmap), their docker fields under "berth",
 * reading them back, and the subnets they take. */
#include "runtime/network/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"
#include "spec/json_write.h"

/* "A.B.C.D/N" into host-order address and prefix; -1 when malformed. */
static int parse_cidr(const char *s, uint32_t *addr, int *prefix)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	char *end;
	long p;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)(slash - s), s);
	p = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, buf, &a) != 1 || *end || end == slash + 1 || p < 0 || p > 32)
		return -1;
	*addr = ntohl(a.s_addr);
	*prefix = (int)p;
	return 0;
}

static uint32_t mask_of(int prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

static void addr_str(uint32_t a, char *out, size_t n)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, out, (socklen_t)n);
}

/* The plugins of a bridge network, in the order ADD runs them: the
 * bridge and the container's veth with an address from host-local, and
 * the published ports.  No NAT (ipMasq) and no firewall plugin: the
 * network's NAT and forwarding rules are berthd's, made once for the
 * network (bridge_rules.c says why). */
static void write_plugins(struct jw *w, const struct net_bridge_def *def)
{
	jw_key(w, "plugins");
	jw_array_open(w);

	jw_map_open(w);
	jw_kstr(w, "type", "bridge");
	/* --ip: host-local takes the address from runtimeConfig. */
	jw_key(w, "capabilities");
	jw_map_open(w);
	jw_kbool(w, "ips", true);
	/* --mac-address: the bridge plugin sets the container's veth's. */
	jw_kbool(w, "mac", true);
	jw_map_close(w);
	jw_kstr(w, "bridge", def->device);
	/* Internal: no address of the host on the bridge, no default
	 * route; the containers reach only each other. */
	jw_kbool(w, "isGateway", !def->internal);
	jw_kbool(w, "ipMasq", false);
	jw_kbool(w, "hairpinMode", true);
	jw_key(w, "ipam");
	jw_map_open(w);
	jw_kstr(w, "type", "host-local");
	jw_key(w, "ranges");
	jw_array_open(w);
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "subnet", def->subnet);
	if (!def->internal)
		jw_kstr(w, "gateway", def->gateway);
	if (def->ip_range && *def->ip_range) {
		uint32_t a;
		int p;
		char first[32], last[32];

		/* host-local takes a range as its first and last address. */
		if (parse_cidr(def->ip_range, &a, &p) == 0) {
			addr_str((a & mask_of(p)) + (p < 31), first, sizeof(first));
			addr_str((a | ~mask_of(p)) - (p < 31), last, sizeof(last));
			jw_kstr(w, "rangeStart", first);
			jw_kstr(w, "rangeEnd", last);
		}
	}
	jw_map_close(w);
	jw_array_close(w);
	/* Dual stack: one more range set, so that the container gets an
	 * address of each family. */
	if (def->subnet6 && *def->subnet6) {
		jw_array_open(w);
		jw_map_open(w);
		jw_kstr(w, "subnet", def->subnet6);
		if (!def->internal)
			jw_kstr(w, "gateway", def->gateway6);
		jw_map_close(w);
		jw_array_close(w);
	}
	jw_array_close(w);
	jw_key(w, "routes");
	jw_array_open(w);
	if (!def->internal) {
		jw_map_open(w);
		jw_kstr(w, "dst", "0.0.0.0/0");
		jw_map_close(w);
		if (def->subnet6 && *def->subnet6) {
			jw_map_open(w);
			jw_kstr(w, "dst", "::/0");
			jw_map_close(w);
		}
	}
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

	jw_array_close(w);
}

static void write_berth(struct jw *w, const struct net_bridge_def *def)
{
	jw_key(w, "berth");
	jw_map_open(w);
	jw_kstr(w, "id", def->id);
	jw_kstr(w, "created", def->created);
	jw_kstr(w, "subnet", def->subnet);
	jw_kstr(w, "gateway", def->internal ? "" : def->gateway);
	jw_kstr(w, "ipRange", def->ip_range ? def->ip_range : "");
	jw_kstr(w, "subnet6", def->subnet6 ? def->subnet6 : "");
	jw_kstr(w, "gateway6", def->internal || !def->gateway6 ? "" : def->gateway6);
	jw_kbool(w, "internal", def->internal);
	jw_kbool(w, "user", def->user);
	jw_key(w, "labels");
	jw_array_open(w);
	for (size_t i = 0; def->labels && def->labels[i]; i++)
		jw_str(w, def->labels[i]);
	jw_array_close(w);
	jw_map_close(w);
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
	write_berth(w, def);
	write_plugins(w, def);
	jw_map_close(w);
	ret = jw_finish(w, &json, &len, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s.conflist", ctx->conf_dir, def->name);
	return fsutil_write_atomic(path, json, len, 0600, err);
}

static bool is_own(const char *ifname, char *const *own)
{
	for (size_t i = 0; own && own[i]; i++)
		if (strcmp(ifname, own[i]) == 0)
			return true;
	return false;
}

/* Does a route of the host (/proc/net/route: little-endian hex) overlap
 * net/mask, other than the default route and routes through own? */
static bool route_overlaps(uint32_t net, uint32_t mask, char *const *own)
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
		if (m == 0 || is_own(ifname, own))
			continue;
		both = m & mask;
		if ((d & both) == (net & both))
			return true;
	}
	return false;
}

bool net_subnet_routed(const char *subnet, char *const *own)
{
	uint32_t a;
	int p;

	return parse_cidr(subnet, &a, &p) == 0 && route_overlaps(a & mask_of(p), mask_of(p), own);
}

bool net_subnets_overlap(const char *a, const char *b)
{
	uint32_t x, y, m;
	int px, py;

	if (parse_cidr(a, &x, &px) < 0 || parse_cidr(b, &y, &py) < 0)
		return false;
	m = mask_of(px < py ? px : py);
	return (x & m) == (y & m);
}

int net_check_subnet(const char *subnet, char *norm, size_t n, char *gw, size_t gwn,
		     const char *range, struct berr *err)
{
	uint32_t a, g, r, m;
	int p, rp;
	struct in_addr in;

	if (parse_cidr(subnet, &a, &p) < 0 || p < 8 || p > 30)
		return berr_invalid(err, "invalid subnet \"%s\": want an IPv4 ADDRESS/PREFIX with "
				    "a prefix of 8 to 30", subnet);
	m = mask_of(p);
	addr_str(a & m, norm, n);
	snprintf(norm + strlen(norm), n - strlen(norm), "/%d", p);
	if (!*gw) {
		addr_str((a & m) + 1, gw, gwn);
	} else {
		if (inet_pton(AF_INET, gw, &in) != 1)
			return berr_invalid(err, "invalid gateway \"%s\"", gw);
		g = ntohl(in.s_addr);
		if ((g & m) != (a & m) || g == (a & m) || g == ((a & m) | ~m))
			return berr_invalid(err, "gateway %s is not a host address of subnet %s", gw,
					    norm);
	}
	if (range && *range) {
		if (parse_cidr(range, &r, &rp) < 0 || rp < p || (r & m) != (a & m))
			return berr_invalid(err, "ip-range %s is not a subnet of %s", range, norm);
	}
	return 0;
}

int net_pick_subnet(const char *own_device, char *out, size_t n, char *gw, size_t gwn,
		    struct berr *err)
{
	/* Private ranges docker and podman do not take by default. */
	static const char *const candidates[] = { "172.30", "172.31", "172.29", "172.28",
						  "10.213", "10.214", "10.215", "10.216" };
	char *own[] = { (char *)own_device, NULL };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		char base[32];
		struct in_addr a;

		snprintf(base, sizeof(base), "%s.0.0", candidates[i]);
		inet_pton(AF_INET, base, &a);
		if (route_overlaps(ntohl(a.s_addr), 0xffff0000u, own))
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

void net_info_free(struct net_info *n)
{
	strv_free(n->labels);
	n->labels = NULL;
}

static void copy_str(yajl_val obj, const char *key, char *out, size_t n)
{
	const char *v = YAJL_GET_STRING(jr_get(obj, key));

	snprintf(out, n, "%s", v ? v : "");
}

static bool has_plugin(yajl_val list, const char *type)
{
	yajl_val p = jr_get(list, "plugins");

	for (size_t i = 0; YAJL_IS_ARRAY(p) && i < YAJL_GET_ARRAY(p)->len; i++) {
		const char *t = YAJL_GET_STRING(jr_get(YAJL_GET_ARRAY(p)->values[i], "type"));

		if (t && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

int net_info_read(const struct net_ctx *ctx, const char *name, struct net_info *out,
		  struct berr *err)
{
	cleanup_free char *text = NULL;
	cleanup_tree yajl_val tree = NULL;
	char path[PATH_MAX];
	yajl_val b, labels, plugin;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (net_check_name(name, err) < 0)
		return berr_not_found(err, "network %s not found", name);
	snprintf(path, sizeof(path), "%s/%s.conflist", ctx->conf_dir, name);
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret == -ENOENT)
		return berr_not_found(err, "network %s not found", name);
	if (ret < 0)
		return ret;
	ret = jr_parse(text, len, &tree, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	b = jr_get(tree, "berth");
	plugin = jr_get(tree, "plugins");
	plugin = YAJL_IS_ARRAY(plugin) && YAJL_GET_ARRAY(plugin)->len ? YAJL_GET_ARRAY(plugin)->values[0]
								     : NULL;
	snprintf(out->name, sizeof(out->name), "%s", name);
	copy_str(b, "id", out->id, sizeof(out->id));
	copy_str(b, "created", out->created, sizeof(out->created));
	copy_str(b, "subnet", out->subnet, sizeof(out->subnet));
	copy_str(b, "gateway", out->gateway, sizeof(out->gateway));
	copy_str(b, "ipRange", out->ip_range, sizeof(out->ip_range));
	copy_str(b, "subnet6", out->subnet6, sizeof(out->subnet6));
	copy_str(b, "gateway6", out->gateway6, sizeof(out->gateway6));
	copy_str(plugin, "bridge", out->device, sizeof(out->device));
	out->internal = YAJL_IS_TRUE(jr_get(b, "internal"));
	out->per_container_rules = YAJL_IS_TRUE(jr_get(plugin, "ipMasq")) ||
				   has_plugin(tree, "firewall");
	out->user = YAJL_IS_TRUE(jr_get(b, "user"));
	labels = jr_get(b, "labels");
	out->labels = calloc((YAJL_IS_ARRAY(labels) ? YAJL_GET_ARRAY(labels)->len : 0) + 1,
			     sizeof(char *));
	if (!out->labels)
		return berr_set(err, ENOMEM, "network %s", name);
	for (size_t i = 0, k = 0; YAJL_IS_ARRAY(labels) && i < YAJL_GET_ARRAY(labels)->len; i++) {
		const char *l = YAJL_GET_STRING(YAJL_GET_ARRAY(labels)->values[i]);

		if (l && !(out->labels[k++] = strdup(l)))
			return berr_set(err, ENOMEM, "network %s", name);
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct net_info *)a)->name, ((const struct net_info *)b)->name);
}

int net_info_list(const struct net_ctx *ctx, struct net_info **out, size_t *n,
		  struct berr *err)
{
	cleanup_closedir DIR *dir = opendir(ctx->conf_dir);
	struct net_info *list = NULL;
	struct dirent *e;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!dir)
		return errno == ENOENT ? 0 : berr_sys(err, "open %s", ctx->conf_dir);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		char name[256];
		struct net_info *grown;
		struct berr ignored;

		if (len <= 9 || strcmp(e->d_name + len - 9, ".conflist") != 0 || len - 9 >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 9), e->d_name);
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown) {
			for (size_t i = 0; i < count; i++)
				net_info_free(&list[i]);
			free(list);
			return berr_set(err, ENOMEM, "networks");
		}
		list = grown;
		/* One that cannot be read is not listed. */
		if (net_info_read(ctx, name, &list[count], &ignored) == 0)
			count++;
		else
			net_info_free(&list[count]);
	}
	if (count)
		qsort(list, count, sizeof(*list), by_name);
	*out = list;
	*n = count;
	return 0;
}

int net_remove(const struct net_ctx *ctx, const char *name, struct berr *err)
{
	char path[PATH_MAX];

	if (net_check_name(name, err) < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s.conflist", ctx->conf_dir, name);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", path);
	return 0;
}
