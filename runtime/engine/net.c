/* Containers on networks: the engine's side of runtime/network/.
 *
 * A container on a CNI network gets a network namespace of its own as a
 * file (<root>/netns/<id>), made and attached (ADD) before its bundle is
 * written, so that config.json joins it by path and the container's
 * process starts with its interface in place; at its exit the supervisor
 * detaches it (DEL) and removes the file, outside the model's lock (the
 * plugins take a while).  What DEL needs is in the network room's cache,
 * so a berthd killed with -9 detaches at its next start what its
 * predecessor attached.
 *
 * The default network ("bridge") has its config list rewritten at each
 * start of berthd from --bridge and --bip; the user's networks are
 * networks.c's.  This file attaches a container's first network (eth0,
 * the default route, the published ports); its others are net_more.c's,
 * its /etc/hosts names net_hosts.c's. */
#include "runtime/engine/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/bundle.h"
#include "runtime/engine/ports.h"
#include "runtime/network/network.h"
#include "runtime/network/slirp.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"

#define DEFAULT_NET "bridge"
#define DEFAULT_BRIDGE "berth0"

static struct net_ctx ctx_of(const struct daemon *d)
{
	struct net_ctx ctx;

	daemon_net_ctx(d, &ctx);
	return ctx;
}

static int mkdirs(struct daemon *d, struct berr *err)
{
	const char *dirs[] = { d->net_conf_dir, d->netns_dir, d->ipam_dir, d->net_cache_dir };
	char parent[PATH_MAX];

	/* <root>/cni holds the last two. */
	snprintf(parent, sizeof(parent), "%s/cni", d->o.root);
	if (mkdir(parent, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", parent);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0700) < 0 && errno != EEXIST)
			return berr_sys(err, "create %s", dirs[i]);
	return 0;
}

/* The subnet an earlier run gave the default network on this device, while
 * no other device routes it.  Containers that outlived that run keep their
 * addresses in it, and the bridge keeps its address: picking afresh at each
 * start could choose another subnet (one freed meanwhile) and every later
 * attachment would then fail on the bridge's old address, as dockerd's
 * would not (it keeps docker0's). */
static bool kept_subnet(const struct net_ctx *ctx, const char *dev, char *subnet, size_t n,
			char *gw, size_t gwn)
{
	struct net_info info = { 0 };
	struct berr ignored;
	char *own[] = { (char *)dev, NULL };
	bool ok;

	if (net_info_read(ctx, DEFAULT_NET, &info, &ignored) < 0)
		return false;
	ok = strcmp(info.device, dev) == 0 && *info.subnet && *info.gateway &&
	     !net_subnet_routed(info.subnet, own);
	if (ok) {
		snprintf(subnet, n, "%s", info.subnet);
		snprintf(gw, gwn, "%s", info.gateway);
	}
	net_info_free(&info);
	return ok;
}

/* The default bridge is made at start with the gateway's address, as
 * dockerd makes docker0, not at the first container by the bridge plugin:
 * its route then holds the subnet from now on, so nothing else picks it
 * meanwhile (a second daemon, a VPN).  A bridge left with another address
 * (its subnet taken by another device since) loses it: the plugin refuses
 * a bridge whose address differs from the gateway.  Failures are left to
 * the plugin's ADD, which says what is wrong (ip is iproute2's: berthd
 * itself has no netlink code). */
static void make_bridge(const char *dev, const char *subnet, const char *gw, bool kept)
{
	char addr[80];
	char *add[] = { "ip", "link", "add", (char *)dev, "type", "bridge", NULL };
	char *flush[] = { "ip", "-4", "addr", "flush", "dev", (char *)dev, NULL };
	char *set[] = { "ip", "addr", "replace", addr, "dev", (char *)dev, NULL };
	char *up[] = { "ip", "link", "set", (char *)dev, "up", NULL };

	snprintf(addr, sizeof(addr), "%s%s", gw, strchr(subnet, '/'));
	daemon_run_quiet(add);
	if (!kept)
		daemon_run_quiet(flush);
	daemon_run_quiet(set);
	daemon_run_quiet(up);
}

/* The default network's rules stay when berthd stops (net_rules.c); an
 * earlier run's, for another bridge or subnet (--bridge, --bip changed),
 * go before this run makes its own. */
static int drop_old_rules(const struct net_ctx *ctx, const char *dev, const char *subnet,
			  struct berr *err)
{
	struct net_info old;
	struct berr ignored;
	int ret = 0;

	if (net_info_read(ctx, DEFAULT_NET, &old, &ignored) < 0) {
		net_info_free(&old);
		return 0;
	}
	if (strcmp(old.device, dev) != 0 || strcmp(old.subnet, subnet) != 0)
		ret = net_rules_remove(&old, err);
	net_info_free(&old);
	return ret;
}

int daemon_net_init(struct daemon *d, struct berr *err)
{
	const char *dev = d->o.bridge && *d->o.bridge ? d->o.bridge : DEFAULT_BRIDGE;
	struct net_ctx ctx;
	char subnet[64], gw[64], ksub[64], kgw[64];
	bool kept;
	int ret;

	if (asprintf(&d->net_conf_dir, "%s/networks", d->o.data_root) < 0 ||
	    asprintf(&d->net_cache_dir, "%s/cni/cache", d->o.root) < 0 ||
	    asprintf(&d->ipam_dir, "%s/cni/ipam", d->o.root) < 0 ||
	    asprintf(&d->netns_dir, "%s/netns", d->o.root) < 0)
		return berr_set(err, ENOMEM, "networks");
	/* A few at once keep both cores busy; more only queue on iptables'
	 * lock (runtime/network/gate.c). */
	d->net_gate = net_gate_new(4);
	if (!d->net_gate)
		return berr_set(err, ENOMEM, "networks");
	ret = mkdirs(d, err);
	if (ret < 0)
		return ret;
	ctx = ctx_of(d);
	if (strcmp(dev, "none") == 0)
		return daemon_net_rules_start(d, err);
	if (rt_rootless()) {
		/* The CNI plugins need root on the host; slirp4netns does not
		 * (runtime/network/slirp.h). */
		if (d->o.bridge && *d->o.bridge)
			return berr_unsupported(err, "--bridge %s: a rootless berthd has no networks "
						"but its default (slirp4netns), none and host (the "
						"CNI plugins need root on the host)", dev);
		d->slirp = true;
		d->default_net = DEFAULT_NET;
		return 0;
	}
	if (strlen(dev) > 15 || strchr(dev, '/'))
		return berr_invalid(err, "invalid --bridge \"%s\": a device name of at most 15 "
				    "characters", dev);
	kept = kept_subnet(&ctx, dev, ksub, sizeof(ksub), kgw, sizeof(kgw));
	if (d->o.bip) {
		ret = net_parse_bip(d->o.bip, subnet, sizeof(subnet), gw, sizeof(gw), err);
		kept = kept && strcmp(ksub, subnet) == 0 && strcmp(kgw, gw) == 0;
	} else if (kept) {
		snprintf(subnet, sizeof(subnet), "%s", ksub);
		snprintf(gw, sizeof(gw), "%s", kgw);
		ret = 0;
	} else {
		ret = net_pick_subnet(dev, subnet, sizeof(subnet), gw, sizeof(gw), err);
	}
	if (ret < 0)
		return ret;
	ret = drop_old_rules(&ctx, dev, subnet, err);
	if (ret < 0)
		return ret;
	ret = net_bridge_write(&ctx,
			       &(struct net_bridge_def){ .name = DEFAULT_NET, .id = DEFAULT_NET,
							 .device = dev, .subnet = subnet,
							 .gateway = gw, .ipam_dir = d->ipam_dir,
							 .created = "" },
			       err);
	if (ret < 0)
		return ret;
	make_bridge(dev, subnet, gw, kept);
	d->default_net = DEFAULT_NET;
	return daemon_net_rules_start(d, err);
}

void daemon_net_close(struct daemon *d)
{
	free(d->net_conf_dir);
	free(d->net_cache_dir);
	free(d->ipam_dir);
	free(d->netns_dir);
	net_gate_free(d->net_gate);
}



void daemon_net_set_endpoint_locked(struct daemon *d, struct daemon_container *c, const char *net,
				const struct net_endpoint *ep, struct daemon_port *ports,
				size_t n_ports)
{
	struct net_ctx ctx = ctx_of(d);
	struct net_info info;
	struct berr ignored;

	free(c->ep.ports);
	memset(&c->ep, 0, sizeof(c->ep));
	if (!net)
		return;
	snprintf(c->ep.network, sizeof(c->ep.network), "%s", net);
	if (net_info_read(&ctx, net, &info, &ignored) == 0)
		snprintf(c->ep.network_id, sizeof(c->ep.network_id), "%s", info.id);
	net_info_free(&info);
	snprintf(c->ep.ip, sizeof(c->ep.ip), "%s", ep->ip);
	snprintf(c->ep.gateway, sizeof(c->ep.gateway), "%s", ep->gateway);
	snprintf(c->ep.mac, sizeof(c->ep.mac), "%s", ep->mac);
	snprintf(c->ep.ifname, sizeof(c->ep.ifname), "%s", ep->ifname);
	snprintf(c->ep.ip6, sizeof(c->ep.ip6), "%s", ep->ip6);
	snprintf(c->ep.gateway6, sizeof(c->ep.gateway6), "%s", ep->gateway6);
	c->ep.prefix6 = ep->prefix6;
	c->ep.prefix = ep->prefix;
	c->ep.ports = ports;
	c->ep.n_ports = n_ports;
}

/* A port of the host, as portmap's DNAT takes it, checked: not published
 * by another container of ours, not bound by a process of the host (a
 * bind of our own tells, and chooses the port when it is 0). */
static int host_port_bind(struct daemon_port *p, struct berr *err)
{
	bool v6 = strchr(p->host_ip, ':') != NULL;
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(p->host_port) };
	struct sockaddr_in sa4 = { .sin_family = AF_INET, .sin_port = htons(p->host_port) };
	struct sockaddr *sa = v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa4;
	socklen_t len = v6 ? sizeof(sa6) : sizeof(sa4);
	int one = 1, ret = 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET,
			(strcmp(p->proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berr_sys(err, "publish port %u/%s: socket", p->container_port, p->proto);
	if (v6)
		inet_pton(AF_INET6, p->host_ip, &sa6.sin6_addr);
	else if (p->host_ip[0])
		inet_pton(AF_INET, p->host_ip, &sa4.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, len) < 0) {
		if (errno == EADDRINUSE)
			ret = berr_conflict(err, EADDRINUSE,
					    "Bind for %s:%u failed: port is already allocated",
					    p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port);
		else if (errno == EADDRNOTAVAIL)
			ret = berr_invalid(err, "cannot publish port %u on %s: not an address "
					   "of this host", p->container_port, p->host_ip);
		else
			ret = berr_sys(err, "publish port %u/%s on %s:%u", p->container_port,
				       p->proto, p->host_ip[0] ? p->host_ip : "0.0.0.0",
				       p->host_port);
	} else if (!p->host_port && getsockname(fd, sa, &len) == 0) {
		p->host_port = ntohs(v6 ? sa6.sin6_port : sa4.sin_port);
	}
	close(fd);
	return ret;
}

static bool clash(const struct daemon_port *a, const struct daemon_port *b)
{
	return a->host_port == b->host_port && strcmp(a->proto, b->proto) == 0 &&
	       (!a->host_ip[0] || !b->host_ip[0] || strcmp(a->host_ip, b->host_ip) == 0);
}

/* Is p published already, by another container or earlier in ports? */
static bool taken_locked(struct daemon *d, struct daemon_container *c,
			 const struct daemon_port *ports, size_t n, const struct daemon_port *p)
{
	for (size_t i = 0; i < n; i++)
		if (clash(&ports[i], p))
			return true;
	for (struct daemon_container *o = d->containers; o; o = o->next)
		for (size_t i = 0; o != c && i < o->ep.n_ports; i++)
			if (clash(&o->ep.ports[i], p))
				return true;
	return false;
}

/* p's host port bound and checked against what ports (n before it) and
 * the other containers publish. */
static int try_port(struct daemon *d, struct daemon_container *c, const struct daemon_port *ports,
		    size_t n, struct daemon_port *p, struct berr *err)
{
	int ret = host_port_bind(p, err);

	daemon_lock(d);
	if (ret == 0 && taken_locked(d, c, ports, n, p))
		ret = berr_conflict(err, EADDRINUSE, "Bind for %s:%u failed: port is already allocated",
				    p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port);
	daemon_unlock(d);
	return ret;
}

/* A host port for p: its own, the first free of its range, or one the
 * kernel chooses (again when another container of ours publishes it). */
static int choose_port(struct daemon *d, struct daemon_container *c,
		       const struct daemon_port *ports, size_t n, struct daemon_port *p,
		       struct berr *err)
{
	uint16_t first = p->host_port, last = p->host_last;
	int ret = -EADDRINUSE;

	p->host_last = 0;
	if (!first) {
		for (int tries = 0; tries < 16 && ret == -EADDRINUSE; tries++) {
			p->host_port = 0;
			ret = try_port(d, c, ports, n, p, err);
		}
		return ret;
	}
	if (!last)
		return try_port(d, c, ports, n, p, err);
	for (unsigned port = first; port <= last && ret == -EADDRINUSE; port++) {
		p->host_port = (uint16_t)port;
		ret = try_port(d, c, ports, n, p, err);
	}
	if (ret == -EADDRINUSE)
		ret = berr_conflict(err, EADDRINUSE,
				    "Bind for %s:%u-%u failed: every port of the range is already "
				    "allocated", p->host_ip[0] ? p->host_ip : "0.0.0.0", first, last);
	return ret;
}

static int resolve_ports(struct daemon *d, struct daemon_container *c,
			 struct daemon_port **out, size_t *n, struct berr *err)
{
	size_t count = strv_len(c->spec.ports);
	cleanup_free struct daemon_port *ports = calloc(count ? count : 1, sizeof(*ports));
	int ret = 0;

	if (!ports)
		return berr_set(err, ENOMEM, "publish ports");
	*n = 0;
	for (size_t i = 0; i < count && ret == 0; i++) {
		ret = daemon_port_parse(c->spec.ports[i], &ports[i], err);
		if (ret == 0)
			ret = choose_port(d, c, ports, i, &ports[i], err);
	}
	if (ret < 0)
		return ret;
	*n = count;
	*out = steal_ptr(ports);
	return 0;
}

int daemon_net_detach(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	struct net_ctx ctx = ctx_of(d);
	char path[PATH_MAX];
	char **nets = NULL;
	int ret;

	ret = d->slirp ? net_slirp_stop(d->netns_dir, c->id, err) : net_detach_all(&ctx, c->id, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	nets = daemon_net_names_locked(c);
	daemon_net_set_endpoint_locked(d, c, NULL, NULL, NULL, 0);
	free(c->more);
	c->more = NULL;
	c->n_more = 0;
	daemon_unlock(d);
	for (size_t i = 0; nets && nets[i]; i++)
		daemon_net_hosts_refresh(d, nets[i]);
	strv_free(nets);
	daemon_net_netns_path(d, c->id, path, sizeof(path));
	return net_netns_remove(path, err);
}

/* --ip: the address with its network's prefix, which must hold it. */
static int fixed_address(const struct net_ctx *ctx, const char *net, const char *ip, char *out,
			 size_t n, struct berr *err)
{
	struct net_info info;
	char one[64];
	int ret = net_info_read(ctx, net, &info, err);

	if (ret < 0)
		return ret;
	snprintf(one, sizeof(one), "%s/32", ip);
	if (!info.subnet[0] || !net_subnets_overlap(one, info.subnet))
		ret = berr_invalid(err, "address %s is not in the subnet %s of network %s", ip,
				   info.subnet, net);
	else
		snprintf(out, n, "%s/%s", ip, strchr(info.subnet, '/') + 1);
	net_info_free(&info);
	return ret;
}

/* A port published on an IPv6 address of the host reaches the
 * container's IPv6 address: its network must be dual stack. */
static int ports_family_check(const struct net_ctx *ctx, const char *net,
			      const struct daemon_port *ports, size_t n, struct berr *err)
{
	struct net_info info;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		if (!strchr(ports[i].host_ip, ':'))
			continue;
		ret = net_info_read(ctx, net, &info, err);
		if (ret == 0 && !info.subnet6[0])
			ret = berr_invalid(err, "port %u/%s on %s: network %s has no IPv6 subnet "
					   "(create one with --ipv6)", ports[i].container_port,
					   ports[i].proto, ports[i].host_ip, net);
		net_info_free(&info);
	}
	return ret;
}

/* --network container:REF: the namespace of that container, which must
 * run: its file when berthd made one, else its process's. */
static int join_container(struct daemon *d, struct daemon_container *c, char *netns, size_t n,
			  struct berr *err)
{
	const char *ref = c->spec.network_mode + 10;
	struct daemon_container *t;
	int ambiguous = 0, ret = 0;

	daemon_lock(d);
	t = daemon_find_locked(d, ref, &ambiguous);
	if (!t)
		ret = berr_not_found(err, "No such container: %s", ref);
	else if (t == c)
		ret = berr_invalid(err, "cannot join own network");
	else if (t->status != DS_RUNNING && t->status != DS_PAUSED)
		ret = berr_conflict(err, ESRCH, "cannot join network of a non running container: %s",
				    t->id);
	else if (!daemon_bundle_own_netns(&t->spec))
		ret = berr_unsupported(err, "joining container %s, which is on the host's network, "
				       "is not supported by berthd", ref);
	else if (t->ep.ip[0])
		snprintf(netns, n, "%s/%s", d->netns_dir, t->id);
	else
		snprintf(netns, n, "/proc/%d/ns/net", (int)t->pid);
	daemon_unlock(d);
	return ret;
}

/* The container's published ports resolved (*ports, kept in its record)
 * and the same ports as the network library takes them (*np). */
static int ports_resolve(struct daemon *d, struct daemon_container *c, struct daemon_port **ports,
			 struct net_port **np, size_t *n, struct berr *err)
{
	int ret = resolve_ports(d, c, ports, n, err);

	if (ret < 0)
		return ret;
	*np = calloc(*n ? *n : 1, sizeof(**np));
	if (!*np) {
		free(*ports);
		*ports = NULL;
		return berr_set(err, ENOMEM, "publish ports");
	}
	for (size_t i = 0; i < *n; i++) {
		(*np)[i].host_port = (*ports)[i].host_port;
		(*np)[i].container_port = (*ports)[i].container_port;
		memcpy((*np)[i].protocol, (*ports)[i].proto, sizeof((*np)[i].protocol));
		memcpy((*np)[i].host_ip, (*ports)[i].host_ip, sizeof((*np)[i].host_ip));
	}
	return 0;
}

int daemon_net_attach(struct daemon *d, struct daemon_container *c, char *netns, size_t n,
		      struct berr *err)
{
	const char *net = daemon_net_of(d, &c->spec);
	struct net_ctx ctx = ctx_of(d);
	struct net_endpoint ep;
	struct daemon_port *ports = NULL;
	cleanup_free struct net_port *np = NULL;
	struct berr ignored;
	char fixed[80] = "";
	size_t n_ports = 0;
	int ret;

	netns[0] = '\0';
	if (c->spec.network_mode && strncmp(c->spec.network_mode, "container:", 10) == 0)
		return join_container(d, c, netns, n, err);
	/* Its network went (disconnect) after its ports were published. */
	if (!net && c->spec.ports && c->spec.ports[0] && daemon_bundle_own_netns(&c->spec))
		return berr_invalid(err, "published ports need a network of the container's own: "
				    "the container is on none");
	if (!net)
		return 0;
	/* What an earlier run left (a crash between its exit and its
	 * detach) goes first. */
	daemon_lock(d);
	c->net_stale = false;
	daemon_unlock(d);
	ret = daemon_net_detach(d, c, err);
	if (ret < 0)
		return berr_wrap(err, ret, "detach the container's earlier network");
	ret = ports_resolve(d, c, &ports, &np, &n_ports, err);
	if (ret < 0)
		return ret;
	ret = ports_family_check(&ctx, net, ports, n_ports, err);
	if (ret < 0) {
		free(ports);
		return ret;
	}
	daemon_net_gone_release(d, c->spec.ip, c->spec.mac, ports, n_ports);
	if (c->spec.ip && *c->spec.ip) {
		ret = fixed_address(&ctx, net, c->spec.ip, fixed, sizeof(fixed), err);
		if (ret < 0) {
			free(ports);
			return ret;
		}
	}
	daemon_net_netns_path(d, c->id, netns, n);
	ret = net_netns_create(netns, err);
	if (ret == 0 && d->slirp)
		ret = net_slirp_start(d->netns_dir, c->id, netns, np, n_ports, &ep, err);
	else if (ret == 0)
		ret = net_attach(&ctx, net, c->id, netns,
				 &(struct net_request){ .ifname = "eth0", .ports = np,
							.n_ports = n_ports,
							.ip = fixed[0] ? fixed : NULL,
							.mac = c->spec.mac },
				 &ep, err);
	if (ret < 0) {
		net_netns_remove(netns, &ignored);
		netns[0] = '\0';
		free(ports);
		return ret;
	}
	daemon_lock(d);
	daemon_net_set_endpoint_locked(d, c, net, &ep, ports, n_ports);
	daemon_unlock(d);
	ret = daemon_net_attach_more(d, c, netns, err);
	if (ret < 0) {
		daemon_net_detach(d, c, &ignored);
		netns[0] = '\0';
	}
	return ret;
}

int daemon_net_attach_running(struct daemon *d, struct daemon_container *c, pid_t pid,
			      struct berr *err)
{
	const char *net = daemon_net_of(d, &c->spec);
	struct net_ctx ctx = ctx_of(d);
	struct net_endpoint ep;
	struct daemon_port *ports = NULL;
	cleanup_free struct net_port *np = NULL;
	char proc[64], netns[PATH_MAX], fixed[80] = "", name[sizeof(c->ep.network)];
	struct berr ignored;
	size_t n_ports = 0;
	int ret;

	if (!net)
		return 0;
	ret = ports_resolve(d, c, &ports, &np, &n_ports, err);
	if (ret < 0)
		return ret;
	ret = ports_family_check(&ctx, net, ports, n_ports, err);
	if (ret == 0)
		daemon_net_gone_release(d, c->spec.ip, c->spec.mac, ports, n_ports);
	if (ret == 0 && c->spec.ip && *c->spec.ip)
		ret = fixed_address(&ctx, net, c->spec.ip, fixed, sizeof(fixed), err);
	/* Its process's namespace, named by a file of ours as at a start:
	 * a DEL after the process ended must not find another process
	 * that came to have its pid. */
	snprintf(proc, sizeof(proc), "/proc/%d/ns/net", (int)pid);
	daemon_net_netns_path(d, c->id, netns, sizeof(netns));
	if (ret == 0) {
		net_netns_remove(netns, &ignored);
		ret = net_netns_bind(proc, netns, err);
	}
	if (ret == 0) {
		bool same;

		/* Still its process (the caller holds it busy: an exit is the
		 * only change left). */
		daemon_lock(d);
		same = c->status == DS_RUNNING && c->pid == pid;
		daemon_unlock(d);
		if (!same) {
			net_netns_remove(netns, &ignored);
			ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
		}
	}
	if (ret == 0) {
		ret = net_attach(&ctx, net, c->id, netns,
				 &(struct net_request){ .ifname = "eth0", .ports = np,
							.n_ports = n_ports,
							.ip = fixed[0] ? fixed : NULL,
							.mac = c->spec.mac },
				 &ep, err);
		if (ret < 0)
			net_netns_remove(netns, &ignored);
	}
	if (ret < 0) {
		free(ports);
		return ret;
	}
	daemon_lock(d);
	daemon_net_set_endpoint_locked(d, c, net, &ep, ports, n_ports);
	snprintf(name, sizeof(name), "%s", c->ep.network);
	daemon_unlock(d);
	daemon_net_hosts_refresh(d, name);
	return 0;
}

void daemon_net_load_locked(struct daemon *d, struct daemon_container *c)
{
	const char *net = daemon_net_of(d, &c->spec);
	struct net_ctx ctx = ctx_of(d);
	cleanup_free struct net_port *np = NULL;
	struct daemon_port *ports;
	struct net_endpoint ep;
	struct berr ignored;
	size_t n = 0;

	if (!net)
		return;
	if (d->slirp ? net_slirp_load(d->netns_dir, c->id, &ep, &np, &n, &ignored) < 0
		     : net_endpoint_load(&ctx, c->id, net, &ep, &np, &n, &ignored) < 0)
		return;
	ports = calloc(n ? n : 1, sizeof(*ports));
	if (!ports)
		return;
	for (size_t i = 0; i < n; i++) {
		ports[i].host_port = np[i].host_port;
		ports[i].container_port = np[i].container_port;
		memcpy(ports[i].proto, np[i].protocol, sizeof(ports[i].proto));
		memcpy(ports[i].host_ip, np[i].host_ip, sizeof(ports[i].host_ip));
	}
	daemon_net_set_endpoint_locked(d, c, net, &ep, ports, n);
	daemon_net_load_more_locked(d, c);
}

/* --network container:REF shares that container's names too: its
 * /etc/hosts and resolv.conf become this one's. */
int daemon_net_join_files(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	static const char *const files[] = { "hosts", "resolv.conf" };
	const char *m = c->spec.network_mode;
	struct daemon_container *t;
	char tid[65];
	int ambiguous = 0;

	if (!m || strncmp(m, "container:", 10) != 0)
		return 0;
	daemon_lock(d);
	t = daemon_find_locked(d, m + 10, &ambiguous);
	if (t)
		snprintf(tid, sizeof(tid), "%s", t->id);
	daemon_unlock(d);
	if (!t)
		return berr_not_found(err, "No such container: %s", m + 10);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *from = daemon_dir(d, tid, files[i]);
		cleanup_free char *to = daemon_dir(d, c->id, files[i]);
		cleanup_free char *text = NULL;
		size_t len;
		int ret;

		if (!from || !to)
			return berr_set(err, ENOMEM, "%s", files[i]);
		ret = fsutil_read_file(from, &text, &len, err);
		if (ret == 0)
			ret = fsutil_write_atomic(to, text, len, 0644, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
