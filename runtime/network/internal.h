/* Shared by the network room's files. */
#ifndef BERTH_NETWORK_INTERNAL_H
#define BERTH_NETWORK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "runtime/network/network.h"

/* One attachment as the cache holds it. */
struct net_attachment {
	const char *network, *id, *ifname, *netns;
	yajl_val conflist; /* the list it was made with */
	const struct net_port *ports;
	size_t n_ports;
	const char *ip; /* a fixed address, "A.B.C.D/N"; NULL none */
	const char *mac; /* a fixed MAC address; NULL none */
	yajl_val result; /* NULL: ADD did not finish */
};


/* <cache_dir>/<id> and <cache_dir>/<id>/<network>. */
int net_cache_path(const struct net_ctx *ctx, const char *id, const char *network,
		   char *out, size_t n);
int net_cache_write(const struct net_ctx *ctx, const struct net_attachment *a,
		    struct berr *err);
/* Parse the cache file of id's attachment to network: the tree (caller
 * frees) and its parts pointing into it (ports malloc'd, *ports freed by
 * the caller); -ENOENT when there is none. */
int net_cache_read(const struct net_ctx *ctx, const char *id, const char *network,
		   yajl_val *tree, struct net_attachment *a, struct net_port **ports,
		   struct berr *err);

/* Run iptables (v6: ip6tables) -w with args (NULL-ended): its exit
 * status, msg its stderr on one line; negative (err set) when it could
 * not run. */
int net_iptables(bool v6, const char *const args[], char *msg, size_t msgn, struct berr *err);
/* iptables-restore (v6: ip6tables-restore) -w --noflush of input: one
 * transaction, all or nothing; its exit status as net_iptables'. */
int net_iptables_restore(bool v6, const char *input, char *msg, size_t msgn, struct berr *err);

/* The container's interface in a CNI result. */
int net_endpoint_from_result(yajl_val result, const char *ifname, struct net_endpoint *ep,
			     struct berr *err);

/* Start the program at path (tool_spawn.c): fds[i] >= 0 becomes its fd
 * i, -1 opens /dev/null there.  posix_spawn's result: 0 or an errno. */
int net_tool_spawn(const char *path, char *const argv[], char *const envp[],
		   const int fds[3], pid_t *pid);

#endif
