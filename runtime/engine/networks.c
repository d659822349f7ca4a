/* docker network ...: the networks as objects.  host and none are
 * built in (they are modes, with no config list); bridge is the default
 * network (net.c writes it); the others are bridge networks the user
 * made, each with a bridge of its own (br-<id>) and a subnet that
 * overlaps no other network's and no route of the host. */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/network/network.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/base/timestamp.h"

static void from_info(struct daemon_network *out, struct net_info *in)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", in->name);
	snprintf(out->id, sizeof(out->id), "%s", in->id);
	out->driver = "bridge";
	snprintf(out->subnet, sizeof(out->subnet), "%s", in->subnet);
	snprintf(out->gateway, sizeof(out->gateway), "%s", in->gateway);
	snprintf(out->ip_range, sizeof(out->ip_range), "%s", in->ip_range);
	snprintf(out->subnet6, sizeof(out->subnet6), "%s", in->subnet6);
	snprintf(out->gateway6, sizeof(out->gateway6), "%s", in->gateway6);
	snprintf(out->created, sizeof(out->created), "%s", in->created);
	out->labels = in->labels;
	in->labels = NULL;
	out->internal = in->internal;
	out->builtin = !in->user;
}

static void builtin(struct daemon_network *out, const char *name, const char *driver)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->id, sizeof(out->id), "%s", name);
	out->driver = driver;
	out->builtin = true;
	out->labels = calloc(1, sizeof(char *));
}

int daemon_networks(struct daemon *d, struct daemon_network **out, size_t *n, struct berr *err)
{
	struct net_ctx ctx;
	struct net_info *infos = NULL;
	struct daemon_network *list;
	size_t count = 0;
	int ret;

	daemon_net_ctx(d, &ctx);
	ret = net_info_list(&ctx, &infos, &count, err);
	if (ret < 0)
		return ret;
	list = calloc(count + 2, sizeof(*list));
	if (!list) {
		for (size_t i = 0; i < count; i++)
			net_info_free(&infos[i]);
		free(infos);
		return berr_set(err, ENOMEM, "networks");
	}
	builtin(&list[0], "host", "host");
	builtin(&list[1], "none", "null");
	for (size_t i = 0; i < count; i++)
		from_info(&list[2 + i], &infos[i]);
	free(infos);
	*out = list;
	*n = count + 2;
	return 0;
}

int daemon_network_find(struct daemon *d, const char *ref, struct daemon_network *out,
			struct berr *err)
{
	struct daemon_network *list, *found = NULL;
	size_t n, prefix = strlen(ref);
	int ret = daemon_networks(d, &list, &n, err), matches = 0;

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(list[i].name, ref) == 0 || strcmp(list[i].id, ref) == 0)
			found = &list[i];
	for (size_t i = 0; i < n && !found && prefix; i++)
		if (strncmp(list[i].id, ref, prefix) == 0 && matches++ == 0)
			found = &list[i];
	if (matches > 1)
		found = NULL;
	if (found) {
		*out = *found;
		found->labels = NULL;
	}
	daemon_networks_free(list, n);
	if (!found)
		return matches > 1 ? berr_invalid(err, "network %s is ambiguous (%d matches found "
						 "on name)", ref, matches)
				   : berr_not_found(err, "network %s not found", ref);
	return 0;
}

static int random_hex(char id[65], struct berr *err)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return berr_sys(err, "network id");
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(id + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* The bridges of every network: a route through one is the network's
 * own, not the host's. */
static char **own_devices(const struct net_info *infos, size_t n)
{
	char **own = calloc(n + 1, sizeof(char *));

	for (size_t i = 0; own && i < n; i++)
		own[i] = (char *)infos[i].device;
	return own;
}

/* A subnet no network takes and the host does not route: docker's pool
 * for user networks, 172.18.0.0/16 to 172.27.0.0/16, then 10.220-10.239. */
static int pick_subnet(const struct net_info *infos, size_t n, char *const *own, char *out,
		       size_t len, struct berr *err)
{
	for (int i = 0; i < 30; i++) {
		bool taken = false;

		if (i < 10)
			snprintf(out, len, "172.%d.0.0/16", 18 + i);
		else
			snprintf(out, len, "10.%d.0.0/16", 210 + i);
		for (size_t j = 0; j < n && !taken; j++)
			taken = net_subnets_overlap(out, infos[j].subnet);
		if (!taken && !net_subnet_routed(out, own))
			return 0;
	}
	return berr_fail(err, EADDRINUSE, "could not find an available, non-overlapping IPv4 "
			 "address pool among the defaults to assign to the network");
}

static int check_req(const struct daemon_network_req *req, struct berr *err)
{
	const char *n = req->name;

	if (!n || !*n)
		return berr_invalid(err, "network name is required");
	if (!strcmp(n, "host") || !strcmp(n, "none") || !strcmp(n, "bridge") ||
	    !strcmp(n, "default"))
		return berr_conflict(err, EEXIST, "network with name %s already exists", n);
	if (req->driver && *req->driver && strcmp(req->driver, "bridge"))
		return berr_unsupported(err, "network driver \"%s\" is not supported by berthd "
					"(bridge is)", req->driver);
	return 0;
}

/* --ipv6: its IPv6 subnet (which berthd does not choose itself) checked,
 * normalized, and overlapping no other network's. */
static int check_ipv6(const struct daemon_network_req *req, const struct net_info *infos, size_t n,
		      char *subnet6, size_t sn, char *gw6, size_t gn, struct berr *err)
{
	bool given = req->subnet6 && *req->subnet6;
	int ret;

	if (!req->ipv6 && (given || (req->gateway6 && *req->gateway6)))
		return berr_invalid(err, "an IPv6 subnet or gateway needs --ipv6");
	if (!req->ipv6)
		return 0;
	if (!given)
		return berr_unsupported(err, "--ipv6 without an IPv6 --subnet: berthd chooses no "
					"IPv6 subnet itself (give one, e.g. a unique local "
					"fdXX:XXXX:XXXX::/64)");
	snprintf(gw6, gn, "%s", req->gateway6 ? req->gateway6 : "");
	ret = net_check_subnet6(req->subnet6, subnet6, sn, gw6, gn, err);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (infos[i].subnet6[0] && net_subnets6_overlap(subnet6, infos[i].subnet6))
			ret = berr_invalid(err, "invalid pool request: Pool overlaps with other one "
					   "on this address space (network %s, %s)", infos[i].name,
					   infos[i].subnet6);
	return ret;
}

/* A new network's NAT and forwarding rules (runtime/network's
 * bridge_rules.c); when they cannot be made, the network goes again, with
 * what was made of them. */
static int make_rules(const struct net_ctx *ctx, const char *name, struct berr *err)
{
	struct net_info info;
	struct berr ignored;
	int ret = net_info_read(ctx, name, &info, err);

	if (ret == 0)
		ret = net_rules_apply(&info, err);
	if (ret < 0) {
		if (info.device[0])
			net_rules_remove(&info, &ignored);
		net_remove(ctx, name, &ignored);
	}
	net_info_free(&info);
	return ret;
}

int daemon_network_create(struct daemon *d, const struct daemon_network_req *req,
			  char id[65], struct berr *err)
{
	struct net_ctx ctx;
	struct net_info *infos = NULL;
	cleanup_free char **own = NULL;
	char subnet[64] = "", gw[64] = "", device[16], created[48];
	char subnet6[64] = "", gw6[64] = "";
	size_t n = 0;
	int ret;

	ret = check_req(req, err);
	if (ret < 0)
		return ret;
	if (rt_rootless())
		return berr_unsupported(err, "a rootless berthd has no networks but its default "
					"(slirp4netns), none and host (the CNI plugins need "
					"root on the host)");
	daemon_net_ctx(d, &ctx);
	ret = net_check_name(req->name, err);
	if (ret < 0)
		return ret;
	/* One creation at a time: the name and subnet checks hold until
	 * its config list is written. */
	daemon_lock(d);
	ret = net_info_list(&ctx, &infos, &n, err);
	if (ret < 0)
		goto out;
	own = own_devices(infos, n);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (strcmp(infos[i].name, req->name) == 0)
			ret = berr_conflict(err, EEXIST, "network with name %s already exists",
					    req->name);
	if (ret < 0)
		goto out;
	if (req->subnet && *req->subnet) {
		snprintf(gw, sizeof(gw), "%s", req->gateway ? req->gateway : "");
		ret = net_check_subnet(req->subnet, subnet, sizeof(subnet), gw, sizeof(gw),
				       req->ip_range, err);
		for (size_t i = 0; i < n && ret == 0; i++)
			if (net_subnets_overlap(subnet, infos[i].subnet))
				ret = berr_invalid(err, "invalid pool request: Pool overlaps with "
						   "other one on this address space (network %s, "
						   "%s)", infos[i].name, infos[i].subnet);
		if (ret == 0 && net_subnet_routed(subnet, own))
			ret = berr_invalid(err, "subnet %s overlaps a route of the host", subnet);
	} else if ((req->gateway && *req->gateway) || (req->ip_range && *req->ip_range)) {
		ret = berr_invalid(err, "a gateway or ip-range needs a subnet");
	} else {
		ret = pick_subnet(infos, n, own, subnet, sizeof(subnet), err);
		if (ret == 0)
			ret = net_check_subnet(subnet, subnet, sizeof(subnet), gw, sizeof(gw), NULL,
					       err);
	}
	if (ret == 0)
		ret = check_ipv6(req, infos, n, subnet6, sizeof(subnet6), gw6, sizeof(gw6), err);
	if (ret == 0)
		ret = random_hex(id, err);
	if (ret < 0)
		goto out;
	snprintf(device, sizeof(device), "br-%.12s", id);
	timestamp_now(created, sizeof(created));
	ret = net_bridge_write(&ctx,
			       &(struct net_bridge_def){ .name = req->name, .id = id,
							 .device = device, .subnet = subnet,
							 .gateway = gw, .ip_range = req->ip_range,
							 .subnet6 = subnet6, .gateway6 = gw6,
							 .ipam_dir = d->ipam_dir, .created = created,
							 .labels = req->labels,
							 .internal = req->internal, .user = true },
			       err);
	if (ret == 0)
		ret = make_rules(&ctx, req->name, err);
out:
	daemon_unlock(d);
	for (size_t i = 0; i < n; i++)
		net_info_free(&infos[i]);
	free(infos);
	return ret;
}

/* Is a container attached to the network, or about to be? */
static bool in_use_locked(struct daemon *d, const char *name)
{
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		if (strcmp(c->ep.network, name) == 0 || daemon_net_on_locked(c, name))
			return true;
		if (c->busy && ((c->spec.network_mode && strcmp(c->spec.network_mode, name) == 0) ||
				daemon_net_more_index(&c->spec, name) >= 0))
			return true;
	}
	return false;
}

/* The bridge the plugins made and its address leases go with the
 * network (ip is iproute2's: berthd itself has no netlink code). */
static void remove_leftovers(struct daemon *d, const char *name, const char *device)
{
	char *argv[] = { "ip", "link", "delete", (char *)device, "type", "bridge", NULL };
	cleanup_free char *leases = NULL;
	pid_t pid;

	daemon_run_quiet(argv);
	if (asprintf(&leases, "%s/%s", d->ipam_dir, name) >= 0) {
		char *rm[] = { "rm", "-rf", "--", leases, NULL };

		if (daemon_spawn("rm", true, rm, STDERR_FILENO, 2, &pid) == 0)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
}

static int remove_locked(struct daemon *d, const struct daemon_network *nw, struct berr *err)
{
	struct net_ctx ctx;
	struct net_info info;
	struct berr ignored;
	int ret;

	if (nw->builtin)
		return berr_conflict(err, EPERM, "%s is a pre-defined network and cannot be removed",
				     nw->name);
	if (in_use_locked(d, nw->name))
		return berr_conflict(err, EBUSY, "error while removing network: network %s id %s "
				     "has active endpoints", nw->name, nw->id);
	daemon_net_ctx(d, &ctx);
	ret = net_info_read(&ctx, nw->name, &info, &ignored);
	/* Its rules first: when they cannot go, the network stays, and a
	 * later removal tries again. */
	if (ret == 0)
		ret = net_rules_remove(&info, err);
	if (ret == 0)
		ret = net_remove(&ctx, nw->name, err);
	if (ret == 0)
		remove_leftovers(d, nw->name, info.device);
	net_info_free(&info);
	return ret;
}

int daemon_network_remove(struct daemon *d, const char *ref, struct berr *err)
{
	struct daemon_network nw;
	int ret = daemon_network_find(d, ref, &nw, err);

	if (ret < 0)
		return ret;
	/* The DELs of removed containers still need its config list. */
	daemon_net_gone_flush(d);
	daemon_lock(d);
	ret = remove_locked(d, &nw, err);
	daemon_unlock(d);
	daemon_network_free(&nw);
	return ret;
}

int daemon_network_prune(struct daemon *d, daemon_network_pick_fn want, void *arg, char ***names,
			 struct berr *err)
{
	struct daemon_network *list;
	size_t n, k = 0;
	int ret = daemon_networks(d, &list, &n, err);

	if (ret < 0)
		return ret;
	*names = calloc(n + 1, sizeof(char *));
	if (!*names) {
		daemon_networks_free(list, n);
		return berr_set(err, ENOMEM, "prune");
	}
	daemon_net_gone_flush(d);
	daemon_lock(d);
	for (size_t i = 0; i < n; i++) {
		struct berr ignored;

		if (list[i].builtin || (want && !want(&list[i], arg)) ||
		    in_use_locked(d, list[i].name))
			continue;
		if (remove_locked(d, &list[i], &ignored) == 0)
			(*names)[k++] = strdup(list[i].name);
	}
	daemon_unlock(d);
	daemon_networks_free(list, n);
	return 0;
}

/* The container ref names, held and busy (no start, stop or removal
 * meanwhile); *pid: its init when it runs, else 0. */
static int get_held(struct daemon *d, const char *ref, struct daemon_container **out,
		    pid_t *pid, struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	while (c->busy)
		pthread_cond_wait(&d->changed, &d->lock);
	if (c->removed || c->status == DS_REMOVING || c->status == DS_RESTARTING)
		ret = berr_conflict(err, EBUSY, "container %s is being removed or restarted", c->id);
	else if (c->status == DS_PAUSED)
		ret = berr_conflict(err, EBUSY, "container %s is paused", c->id);
	else
		c->busy = true;
	*pid = c->status == DS_RUNNING ? c->pid : 0;
	daemon_unlock(d);
	if (ret < 0) {
		daemon_put(d, c);
		return ret;
	}
	*out = c;
	return 0;
}

static void release(struct daemon *d, struct daemon_container *c)
{
	daemon_lock(d);
	c->busy = false;
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	daemon_put(d, c);
}

/* A connect's or disconnect's network and container, held (get_held). */
static int find_held(struct daemon *d, const char *net, const char *ref,
		     struct daemon_network *nw, struct daemon_container **c, pid_t *pid,
		     struct berr *err)
{
	int ret = daemon_network_find(d, net, nw, err);

	if (ret < 0)
		return ret;
	ret = get_held(d, ref, c, pid, err);
	if (ret < 0)
		daemon_network_free(nw);
	return ret;
}

/* Is nw the container's first network? */
static bool on_network(const struct daemon_container *c, const struct daemon_network *nw)
{
	const char *m = c->spec.network_mode;

	if (!m || !*m || strcmp(m, "default") == 0)
		m = "bridge";
	return strcmp(m, nw->name) == 0;
}

/* Its record's first network becomes mode (and aliases), its other
 * networks nets (NULL: none), saved. */
static int set_mode(struct daemon *d, struct daemon_container *c, const char *mode,
		    char *const *aliases, char *const *nets, struct berr *err)
{
	char *m = strdup(mode), **al = aliases ? strv_dup(aliases, strv_len(aliases)) : NULL;
	char **nv = nets ? strv_dup(nets, strv_len(nets)) : NULL;
	int ret;

	if (!m || (aliases && !al) || (nets && !nv)) {
		free(m);
		strv_free(al);
		strv_free(nv);
		return berr_set(err, ENOMEM, "network");
	}
	daemon_lock(d);
	free(c->spec.network_mode);
	c->spec.network_mode = m;
	strv_free(c->spec.aliases);
	c->spec.aliases = al;
	strv_free(c->spec.networks);
	c->spec.networks = nv;
	ret = daemon_save_config(d, c, err);
	daemon_unlock(d);
	return ret;
}

/* Its other networks' entries saved as nets (NULL: none); nets is taken. */
static int set_networks(struct daemon *d, struct daemon_container *c, char **nets,
			struct berr *err)
{
	int ret;

	daemon_lock(d);
	strv_free(c->spec.networks);
	c->spec.networks = nets;
	ret = daemon_save_config(d, c, err);
	daemon_unlock(d);
	return ret;
}

/* "NAME|ALIAS|...", an entry of spec.networks. */
static char *entry_of(const char *net, char *const *aliases)
{
	char *e = strdup(net);

	for (size_t i = 0; e && aliases && aliases[i]; i++) {
		char *longer;

		if (asprintf(&longer, "%s|%s", e, aliases[i]) < 0)
			longer = NULL;
		free(e);
		e = longer;
	}
	return e;
}

/* Its other networks with net's entry replaced by (or, new, added as)
 * entry, or (entry NULL) without it. */
static char **nets_with(const struct daemon_spec *s, const char *net, const char *entry)
{
	long at = daemon_net_more_index(s, net);
	char **v = NULL;
	bool failed = false;

	for (size_t i = 0; s->networks && s->networks[i]; i++) {
		const char *e = (long)i == at ? entry : s->networks[i];

		if (e && strv_push(&v, e) < 0)
			failed = true;
	}
	if (at < 0 && entry && strv_push(&v, entry) < 0)
		failed = true;
	if (failed) {
		strv_free(v);
		return NULL;
	}
	return v ? v : calloc(1, sizeof(char *));
}

static int check_connect(struct daemon *d, const struct daemon_container *c,
			 const struct daemon_network *nw, char *const *aliases, struct berr *err)
{
	const char *m = c->spec.network_mode ? c->spec.network_mode : "";

	if (strcmp(nw->name, "host") == 0 || strcmp(nw->name, "none") == 0)
		return berr_invalid(err, "container cannot be disconnected from host network or "
				    "connected to host network");
	if (strcmp(m, "host") == 0 || strncmp(m, "container:", 10) == 0)
		return berr_invalid(err, "container sharing network namespace with another "
				    "container or host cannot be connected to any other network");
	if (strcmp(nw->name, "bridge") == 0 && !d->default_net)
		return berr_invalid(err, "network bridge: berthd runs without a default network");
	if (aliases && aliases[0] && !strcmp(nw->name, "bridge"))
		return berr_invalid(err, "network-scoped aliases are only supported for "
				    "user-defined networks");
	for (size_t i = 0; aliases && aliases[i]; i++)
		if (!*aliases[i] || strpbrk(aliases[i], " \t\r\n|") || strlen(aliases[i]) > 255)
			return berr_invalid(err, "invalid network alias \"%s\"", aliases[i]);
	return 0;
}

/* One more network for a container on another: recorded among its other
 * networks, and, running, attached at once as one more interface. */
static int connect_more(struct daemon *d, struct daemon_container *c, const char *net,
			char *const *aliases, pid_t pid, struct berr *err)
{
	cleanup_free char *entry = entry_of(net, aliases);
	bool known = daemon_net_more_index(&c->spec, net) >= 0;
	char **nets = entry ? nets_with(&c->spec, net, entry) : NULL;
	char **before;
	int ret;

	if (!nets)
		return berr_set(err, ENOMEM, "connect");
	/* A running one is attached to every network of its record. */
	if (pid && known) {
		strv_free(nets);
		return berr_conflict(err, EEXIST, "endpoint with name %s already exists in "
				     "network %s", c->name, net);
	}
	before = c->spec.networks ? strv_dup(c->spec.networks, strv_len(c->spec.networks))
				  : NULL;
	if (c->spec.networks && !before) {
		strv_free(nets);
		return berr_set(err, ENOMEM, "connect");
	}
	ret = set_networks(d, c, nets, err);
	if (ret == 0 && pid) {
		ret = daemon_net_connect_running(d, c, net, err);
		if (ret < 0) {
			struct berr ignored;

			set_networks(d, c, steal_ptr(before), &ignored);
		}
	}
	strv_free(before);
	return ret;
}

int daemon_network_connect(struct daemon *d, const char *net, const char *ref,
			   char *const *aliases, struct berr *err)
{
	struct daemon_network nw;
	struct daemon_container *c;
	pid_t pid;
	bool attached;
	const char *m;
	int ret;

	/* slirp4netns starts with the container, on its namespace's file. */
	if (d->slirp)
		return berr_unsupported(err, "a rootless berthd connects no container to a "
					"network: its default network (slirp4netns) is given "
					"at a container's start");
	ret = find_held(d, net, ref, &nw, &c, &pid, err);
	if (ret < 0)
		return ret;
	ret = check_connect(d, c, &nw, aliases, err);
	m = c->spec.network_mode ? c->spec.network_mode : "";
	attached = c->ep.ip[0] != '\0';
	if (ret == 0 && !on_network(c, &nw) && strcmp(m, "none") != 0) {
		ret = connect_more(d, c, nw.name, aliases, pid, err);
		goto out;
	}
	if (ret == 0 && pid && attached)
		ret = berr_conflict(err, EEXIST, "endpoint with name %s already exists in network %s",
				    c->name, nw.name);
	if (ret == 0)
		ret = set_mode(d, c, nw.name, aliases, c->spec.networks, err);
	/* A running container joins now, in its own namespace. */
	if (ret == 0 && pid) {
		ret = daemon_net_attach_running(d, c, pid, err);
		if (ret < 0) {
			struct berr ignored;

			set_mode(d, c, "none", NULL, NULL, &ignored);
		}
	}
out:
	release(d, c);
	daemon_network_free(&nw);
	return ret;
}

/* Its first network goes while it has others: the first of them takes
 * its place in the record (--ip and --mac-address were the first
 * network's: they go too). */
static int promote(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	char name[160], **aliases = NULL, **rest;
	const char *e = c->spec.networks[0];
	int ret;

	daemon_net_entry_name(e, name, sizeof(name));
	for (const char *a = strchr(e, '|'); a; a = strchr(a + 1, '|')) {
		cleanup_free char *one = strndup(a + 1, strcspn(a + 1, "|"));

		if (!one || strv_push(&aliases, one) < 0) {
			strv_free(aliases);
			return berr_set(err, ENOMEM, "disconnect");
		}
	}
	rest = nets_with(&c->spec, name, NULL);
	if (!rest) {
		strv_free(aliases);
		return berr_set(err, ENOMEM, "disconnect");
	}
	daemon_lock(d);
	free(c->spec.ip);
	c->spec.ip = NULL;
	free(c->spec.mac);
	c->spec.mac = NULL;
	daemon_unlock(d);
	ret = set_mode(d, c, name, aliases, rest[0] ? rest : NULL, err);
	strv_free(aliases);
	strv_free(rest);
	return ret;
}

int daemon_network_disconnect(struct daemon *d, const char *net, const char *ref,
			      struct berr *err)
{
	struct daemon_network nw;
	struct daemon_container *c;
	pid_t pid;
	bool first, other;
	int ret = find_held(d, net, ref, &nw, &c, &pid, err);

	if (ret < 0)
		return ret;
	first = on_network(c, &nw);
	other = daemon_net_more_index(&c->spec, nw.name) >= 0;
	if (!first && !other)
		ret = berr_conflict(err, ENOENT, "container %s is not connected to network %s",
				    c->id, nw.name);
	else if (strcmp(nw.name, "host") == 0 || strcmp(nw.name, "none") == 0)
		ret = berr_invalid(err, "container cannot be disconnected from host network or "
				   "connected to host network");
	if (ret < 0)
		goto out;
	if (other) {
		/* One of its other networks: that interface alone goes. */
		char **rest = nets_with(&c->spec, nw.name, NULL);

		if (!rest)
			ret = berr_set(err, ENOMEM, "disconnect");
		if (ret == 0 && pid)
			ret = daemon_net_disconnect_running(d, c, nw.name, err);
		if (ret == 0)
			ret = set_networks(d, c, steal_ptr(rest), err);
		strv_free(rest);
	} else if (c->spec.networks && c->spec.networks[0]) {
		if (pid)
			ret = daemon_net_disconnect_running(d, c, nw.name, err);
		if (ret == 0)
			ret = promote(d, c, err);
	} else {
		/* Its one network: a running one loses its interface now
		 * (DEL); its namespace stays its process's, with loopback
		 * only, as with --network none. */
		if (pid)
			ret = daemon_net_detach(d, c, err);
		if (ret == 0)
			ret = set_mode(d, c, "none", NULL, NULL, err);
	}
out:
	release(d, c);
	daemon_network_free(&nw);
	return ret;
}
