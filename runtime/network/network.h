/* berthd's networks, through the CNI plugins as the CNI specification
 * (1.0) prescribes: a network is a config list on disk; attaching a
 * container runs the list's plugins with ADD against the container's
 * network namespace (a file, see isolation/netns_file.h), detaching runs
 * them with DEL in reverse order.  Each attachment's config and result
 * are cached, so that DEL works after a crash or a restart of berthd, and
 * even if the network was changed or removed since.
 *
 * Layout:
 *   <conf_dir>/<network>.conflist        the network's config list
 *   <cache_dir>/<container id>/<network> one attachment (JSON: the config
 *                                        list it was made with, the
 *                                        interface, the runtime config
 *                                        and the plugins' result)
 * The plugins keep their own state where their configs say (host-local's
 * address leases: its dataDir, which berthd puts below its run root).
 *
 * The room knows nothing of containers beyond an id and a namespace
 * path; it prints nothing. */
#ifndef BERTH_NETWORK_NETWORK_H
#define BERTH_NETWORK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

/* At most max CNI plugins run at once through one gate (gate.c); the
 * others wait for their turn. */
struct net_gate;
struct net_gate *net_gate_new(int max);
void net_gate_free(struct net_gate *g);
void net_gate_enter(struct net_gate *g);
void net_gate_leave(struct net_gate *g);

struct net_ctx {
	const char *cni_path;  /* where the plugin binaries are (CNI_PATH) */
	const char *conf_dir;  /* config lists */
	const char *cache_dir; /* attachments */
	struct net_gate *gate; /* NULL: no bound */
};

/* Names berth accepts for networks: docker's [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int net_check_name(const char *name, struct berr *err);

/* A published port: portmap's portMappings entry. */
struct net_port {
	uint16_t host_port, container_port;
	char protocol[4]; /* tcp | udp */
	char host_ip[48]; /* "" all addresses */
};

/* What an attachment gave the container's interface. */
struct net_endpoint {
	char ip[48];      /* without prefix; "" none */
	int prefix;
	char gateway[48];
	char ip6[48]; /* an IPv6 address too, on a dual-stack network; "" none */
	int prefix6;
	char gateway6[48];
	char mac[24];
	char ifname[16]; /* the container's interface */
};

/* A bridge network's definition: the default network's, or one made
 * through the API (docker network create), whose docker fields are kept
 * in the config list under "berth", which the plugins never read. */
struct net_bridge_def {
	const char *name;   /* the network's name ("bridge") */
	const char *id;     /* 64 hex */
	const char *device; /* the bridge ("berth0") */
	const char *subnet; /* "172.30.0.0/16" */
	const char *gateway;
	const char *ip_range; /* "" or NULL: the whole subnet */
	const char *subnet6;  /* dual stack: "fd00:1::/64"; "" or NULL: IPv4 only */
	const char *gateway6;
	const char *ipam_dir; /* host-local's dataDir */
	const char *created;  /* RFC 3339 */
	char *const *labels;  /* "key=value", NULL-terminated; may be NULL */
	bool internal;        /* no NAT, no default route: no way out */
	bool user;            /* made through the API */
};

/* Write (replace) the config list of a bridge network. */
int net_bridge_write(const struct net_ctx *ctx, const struct net_bridge_def *def,
		     struct berr *err);

/* A network read back: its definition, strings owned by the struct. */
struct net_info {
	char name[129], id[65], device[16], subnet[64], gateway[64], ip_range[64];
	char subnet6[64], gateway6[64]; /* "": IPv4 only */
	char created[48];
	char **labels;
	bool internal, user;
	/* Written by an older berthd: its plugins make per-container rules
	 * (the bridge plugin's ipMasq, the firewall plugin). */
	bool per_container_rules;
};
void net_info_free(struct net_info *n);
/* -ENOENT (not found) when there is no such network. */
int net_info_read(const struct net_ctx *ctx, const char *name, struct net_info *out,
		  struct berr *err);
/* Every network's (names sorted); free each, then the array. */
int net_info_list(const struct net_ctx *ctx, struct net_info **out, size_t *n,
		  struct berr *err);
/* A bridge network's NAT, forwarding and isolation rules
 * (bridge_rules.c), which berthd makes once per network instead of the
 * plugins per container: made where missing (idempotent), or removed. */
int net_rules_apply(const struct net_info *n, struct berr *err);
int net_rules_remove(const struct net_info *n, struct berr *err);

/* Remove a network's config list (its attachments are the caller's). */
int net_remove(const struct net_ctx *ctx, const char *name, struct berr *err);

/* Do two IPv4 subnets "A.B.C.D/N" share an address?  Is subnet routed
 * by the host through a device other than those in own (NULL-ended)? */
bool net_subnets_overlap(const char *a, const char *b);
/* The same of IPv6 subnets; an IPv6 subnet checked and normalized as
 * net_check_subnet does (gw: its first address when empty). */
bool net_subnets6_overlap(const char *a, const char *b);
int net_check_subnet6(const char *subnet, char *norm, size_t n, char *gw, size_t gwn,
		      struct berr *err);
bool net_subnet_routed(const char *subnet, char *const *own);
/* "A.B.C.D/N" checked and normalized (the network address); gw gets its
 * first address when gw is empty, and must be inside it; range, when not
 * empty, must be a subnet inside it. */
int net_check_subnet(const char *subnet, char *norm, size_t n, char *gw, size_t gwn,
		     const char *range, struct berr *err);

/* A private IPv4 /16 that overlaps no route of the host but those through
 * own_device (the default network's own bridge, from an earlier run):
 * the first free of a fixed list.  out gets "A.B.0.0/16", gw "A.B.0.1". */
int net_pick_subnet(const char *own_device, char *out, size_t n, char *gw, size_t gwn,
		    struct berr *err);
/* The network and gateway of a "--bip" style "A.B.C.D/N" (the gateway's
 * address with its prefix). */
int net_parse_bip(const char *bip, char *subnet, size_t n, char *gw, size_t gwn,
		  struct berr *err);

/* A container's network namespace as a file (made before the container,
 * so that ADD can run before its process starts and DEL after it ended);
 * removing one that is not there is no error. */
int net_netns_create(const char *path, struct berr *err);
int net_netns_remove(const char *path, struct berr *err);
/* A running process's namespace (from: /proc/PID/ns/net) named by path. */
int net_netns_bind(const char *from, const char *path, struct berr *err);

/* What a container asks of one attachment. */
struct net_request {
	const char *ifname; /* "eth0" */
	const struct net_port *ports;
	size_t n_ports;
	const char *ip;  /* a fixed address, "A.B.C.D/N"; NULL: one from the pool */
	const char *mac; /* a fixed MAC address; NULL: the plugin's */
	/* Not the container's first network: the routes of its IPAM
	 * without the default route, which the first network's gateway
	 * holds (as docker's), and which a second one would clash with. */
	bool secondary;
};

/* Attach container id (its namespace at netns) to network as req asks:
 * the ports, ip and mac given to the plugins that declare the
 * portMappings, ips and mac capabilities (a mac that no plugin of the
 * list takes is refused); run ADD, cache the attachment, fill ep.  On
 * failure nothing is left: what ADD made is deleted again. */
int net_attach(const struct net_ctx *ctx, const char *network, const char *id,
	       const char *netns, const struct net_request *req, struct net_endpoint *ep,
	       struct berr *err);

/* Detach id from network alone (DEL from the cache); no attachment is no
 * error. */
int net_detach(const struct net_ctx *ctx, const char *id, const char *network,
	       struct berr *err);

/* Detach id from every network it is attached to (DEL from the cache),
 * then forget the attachments.  Idempotent; the first error is returned
 * after every attachment was tried. */
int net_detach_all(const struct net_ctx *ctx, const char *id, struct berr *err);

/* The endpoint of a cached attachment (-ENOENT if there is none) and its
 * ports (malloc'd, free them). */
int net_endpoint_load(const struct net_ctx *ctx, const char *id, const char *network,
		      struct net_endpoint *ep, struct net_port **ports, size_t *n_ports,
		      struct berr *err);

#endif
