/* A bridge network's NAT and forwarding rules, made once per network by
 * berthd, not per container by the plugins.
 *
 * Why not the plugins: the bridge plugin's ipMasq makes a NAT chain per
 * container and the firewall plugin per-container FORWARD rules, about
 * twenty iptables calls at each ADD and DEL; each call reads the whole
 * table, which grows with every container, so that a container's start
 * and removal got slower the more ran (seconds at a thousand).  What those
 * rules say is the same for every container of a network, so, as
 * dockerd does for its bridges, the network gets them once, keyed by its
 * bridge and subnet, and a container's ADD runs no iptables at all
 * (portmap, for published ports, still does: its rules are the ports').
 *
 * The rules live in chains of berthd's own, shared by every berthd of the
 * host (each network's rules name its own bridge):
 *   nat    BERTH-POSTROUTING, jumped to first from POSTROUTING:
 *          -s SUBNET ! -o BRIDGE -j MASQUERADE   (not for --internal)
 *   filter BERTH-FORWARD, jumped to first from FORWARD, so that a host
 *          whose FORWARD policy drops (dockerd's) forwards our bridges:
 *          -i BRIDGE -o BRIDGE -j ACCEPT          container to container
 *          -i BRIDGE ! -o BRIDGE -j ACCEPT        out
 *          -o BRIDGE ctstate RELATED,ESTABLISHED  replies in
 *          -o BRIDGE ctstate DNAT -j ACCEPT       published ports (portmap's
 *                                                 DNAT) from other hosts
 *          an --internal network has only the first, and drops (inserted
 *          first, before other networks' accepts) what leaves or enters.
 *   filter BERTH-ISOLATION-STAGE-1, jumped to first from BERTH-FORWARD,
 *          and BERTH-ISOLATION-STAGE-2: what one network forwards to
 *          another is dropped, as dockerd's DOCKER-ISOLATION-STAGE-1/2
 *          drop it between its bridges (the "out" accept above would
 *          otherwise let it through):
 *          STAGE-1  -i BRIDGE ! -o BRIDGE -j BERTH-ISOLATION-STAGE-2
 *          STAGE-2  -o BRIDGE -j DROP
 *          A packet leaving one network reaches STAGE-2, and is dropped
 *          there when it goes out by another network's bridge; to any
 *          other device (the host's way out) it returns.  An --internal
 *          network has none: its drops above already cover it.
 * The same with ip6tables for a dual-stack network's IPv6 subnet.  The
 * chains and jumps stay when the last network goes: another berthd may
 * be adding to them at that moment. */
#include "runtime/network/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NAT_CHAIN "BERTH-POSTROUTING"
#define FWD_CHAIN "BERTH-FORWARD"
#define ISO1_CHAIN "BERTH-ISOLATION-STAGE-1"
#define ISO2_CHAIN "BERTH-ISOLATION-STAGE-2"
#define MAX_SPEC 12
#define MAX_RULES 10

struct rule {
	const char *table, *chain;
	bool first; /* inserted at the top of the chain, not appended */
	const char *spec[MAX_SPEC];
};

/* The chains and the jumps to them, made first (in this order: the
 * isolation's jump is inserted first in BERTH-FORWARD, before any
 * network's accepts, also in a chain an older berthd filled). */
static const struct rule jumps[] = {
	{ "nat", "POSTROUTING", true, { "-j", NAT_CHAIN } },
	{ "filter", "FORWARD", true, { "-j", FWD_CHAIN } },
	{ "filter", FWD_CHAIN, true, { "-j", ISO1_CHAIN } },
};

/* The rules of network n for one family (subnet: its subnet of it);
 * returns their count. */
static size_t rules_of(const struct net_info *n, const char *subnet, struct rule *out)
{
	const char *br = n->device;
	size_t k = 0;

	if (n->internal) {
		out[k++] = (struct rule){ "filter", FWD_CHAIN, true,
					  { "-i", br, "!", "-o", br, "-j", "DROP" } };
		out[k++] = (struct rule){ "filter", FWD_CHAIN, true,
					  { "!", "-i", br, "-o", br, "-j", "DROP" } };
		out[k++] = (struct rule){ "filter", FWD_CHAIN, false,
					  { "-i", br, "-o", br, "-j", "ACCEPT" } };
		return k;
	}
	/* Before the accepts: a network never forwards to others, not even
	 * for the moment between the two at a start that adds them. */
	out[k++] = (struct rule){ "filter", ISO1_CHAIN, false,
				  { "-i", br, "!", "-o", br, "-j", ISO2_CHAIN } };
	out[k++] = (struct rule){ "filter", ISO2_CHAIN, false, { "-o", br, "-j", "DROP" } };
	out[k++] = (struct rule){ "nat", NAT_CHAIN, false,
				  { "-s", subnet, "!", "-o", br, "-j", "MASQUERADE" } };
	out[k++] = (struct rule){ "filter", FWD_CHAIN, false,
				  { "-i", br, "-o", br, "-j", "ACCEPT" } };
	out[k++] = (struct rule){ "filter", FWD_CHAIN, false,
				  { "-i", br, "!", "-o", br, "-j", "ACCEPT" } };
	out[k++] = (struct rule){ "filter", FWD_CHAIN, false,
				  { "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
				    "-j", "ACCEPT" } };
	out[k++] = (struct rule){ "filter", FWD_CHAIN, false,
				  { "-o", br, "-m", "conntrack", "--ctstate", "DNAT", "-j",
				    "ACCEPT" } };
	return k;
}

/* iptables -t TABLE OP CHAIN [1] SPEC...: its exit status. */
static int run_rule(bool v6, const struct rule *r, const char *op, char *msg, size_t msgn,
		    struct berr *err)
{
	const char *args[MAX_SPEC + 8];
	size_t n = 0;

	args[n++] = "-t";
	args[n++] = r->table;
	args[n++] = op;
	args[n++] = r->chain;
	if (strcmp(op, "-I") == 0)
		args[n++] = "1";
	for (size_t i = 0; i < MAX_SPEC && r->spec[i]; i++)
		args[n++] = r->spec[i];
	args[n] = NULL;
	return net_iptables(v6, args, msg, msgn, err);
}

static const char *tool(bool v6)
{
	return v6 ? "ip6tables" : "iptables";
}

static int ensure_chain(bool v6, const char *table, const char *chain, struct berr *err)
{
	const char *show[] = { "-t", table, "-S", chain, NULL };
	const char *make[] = { "-t", table, "-N", chain, NULL };
	char msg[256], again[256];
	int ret = net_iptables(v6, show, msg, sizeof(msg), err);

	if (ret > 0)
		ret = net_iptables(v6, make, msg, sizeof(msg), err);
	/* Made meanwhile by another berthd of the host: fine. */
	if (ret > 0 && net_iptables(v6, show, again, sizeof(again), err) == 0)
		return 0;
	if (ret > 0)
		return berr_fail(err, EIO, "%s: create chain %s in table %s: %s", tool(v6), chain,
				 table, msg);
	return ret;
}

/* r made unless it is there already. */
static int ensure_rule(bool v6, const struct rule *r, struct berr *err)
{
	char msg[256];
	int ret = run_rule(v6, r, "-C", msg, sizeof(msg), err);

	if (ret == 1)
		ret = run_rule(v6, r, r->first ? "-I" : "-A", msg, sizeof(msg), err);
	if (ret > 0)
		return berr_fail(err, EIO, "%s: add a rule to chain %s of table %s: %s", tool(v6),
				 r->chain, r->table, msg);
	return ret;
}

/* r deleted; one that is not there is no error (-D fails alike, with
 * status 1, for a rule or a chain that is not there).  berthd checks
 * before it adds, so a network's rule is there once at most. */
static int remove_rule(bool v6, const struct rule *r, struct berr *err)
{
	char msg[256];
	int ret = run_rule(v6, r, "-D", msg, sizeof(msg), err);

	if (ret > 1)
		return berr_fail(err, EIO, "%s: delete a rule of chain %s of table %s: %s",
				 tool(v6), r->chain, r->table, msg);
	return ret < 0 ? ret : 0;
}

static int apply_family(const struct net_info *n, bool v6, struct berr *err)
{
	struct rule rules[MAX_RULES];
	size_t count = rules_of(n, v6 ? n->subnet6 : n->subnet, rules);
	int ret = 0;

	if (!n->internal)
		ret = ensure_chain(v6, "nat", NAT_CHAIN, err);
	if (ret == 0)
		ret = ensure_chain(v6, "filter", FWD_CHAIN, err);
	/* Made for an internal network too: BERTH-FORWARD jumps to them. */
	if (ret == 0)
		ret = ensure_chain(v6, "filter", ISO1_CHAIN, err);
	if (ret == 0)
		ret = ensure_chain(v6, "filter", ISO2_CHAIN, err);
	for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]) && ret == 0; i++)
		if (!n->internal || strcmp(jumps[i].table, "nat") != 0)
			ret = ensure_rule(v6, &jumps[i], err);
	for (size_t i = 0; i < count && ret == 0; i++)
		ret = ensure_rule(v6, &rules[i], err);
	return ret;
}

/* The deletions of a table's rules as one iptables-restore transaction:
 * the nf_tables backend commits each iptables -D on its own, about 15 ms
 * each here.  0 when all went; otherwise none did (a rule was missing). */
static int remove_table_at_once(bool v6, const char *table, const struct rule *rules,
				size_t count, struct berr *err)
{
	char input[2048], msg[256];
	size_t len = (size_t)snprintf(input, sizeof(input), "*%s\n", table);
	size_t any = 0;

	for (size_t i = 0; i < count; i++) {
		if (strcmp(rules[i].table, table) != 0)
			continue;
		any++;
		len += (size_t)snprintf(input + len, len < sizeof(input) ? sizeof(input) - len : 0,
					"-D %s", rules[i].chain);
		for (size_t k = 0; k < MAX_SPEC && rules[i].spec[k]; k++)
			len += (size_t)snprintf(input + len,
						len < sizeof(input) ? sizeof(input) - len : 0, " %s",
						rules[i].spec[k]);
		len += (size_t)snprintf(input + len, len < sizeof(input) ? sizeof(input) - len : 0,
					"\n");
	}
	len += (size_t)snprintf(input + len, len < sizeof(input) ? sizeof(input) - len : 0,
				"COMMIT\n");
	if (!any)
		return 0;
	if (len >= sizeof(input))
		return 1;
	return net_iptables_restore(v6, input, msg, sizeof(msg), err);
}

static int remove_family(const struct net_info *n, bool v6, struct berr *err)
{
	static const char *const tables[] = { "nat", "filter" };
	struct rule rules[MAX_RULES];
	size_t count = rules_of(n, v6 ? n->subnet6 : n->subnet, rules);
	int first = 0;

	for (size_t t = 0; t < 2; t++) {
		struct berr one;
		int ret = remove_table_at_once(v6, tables[t], rules, count, &one);

		/* A rule was missing: one at a time, a missing one no error. */
		for (size_t i = 0; i < count && ret > 0; i++) {
			int r = strcmp(rules[i].table, tables[t]) ? 0 : remove_rule(v6, &rules[i], &one);

			ret = r < 0 ? r : 1;
		}
		if (ret > 0)
			ret = 0;
		if (ret < 0 && first == 0) {
			first = ret;
			*err = one;
		}
	}
	return first;
}

static bool has_rules(const struct net_info *n)
{
	return n->device[0] && n->subnet[0];
}

int net_rules_apply(const struct net_info *n, struct berr *err)
{
	int ret;

	if (!has_rules(n))
		return 0;
	ret = apply_family(n, false, err);
	if (ret == 0 && n->subnet6[0])
		ret = apply_family(n, true, err);
	if (ret < 0)
		return berr_wrap(err, ret, "network %s: its rules", n->name);
	return 0;
}

int net_rules_remove(const struct net_info *n, struct berr *err)
{
	struct berr six;
	int ret, ret6 = 0;

	if (!has_rules(n))
		return 0;
	ret = remove_family(n, false, err);
	if (n->subnet6[0])
		ret6 = remove_family(n, true, &six);
	if (ret == 0 && ret6 < 0) {
		*err = six;
		ret = ret6;
	}
	if (ret < 0)
		return berr_wrap(err, ret, "network %s: remove its rules", n->name);
	return 0;
}
