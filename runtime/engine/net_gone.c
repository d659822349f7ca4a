/* The networks of removed containers, detached after the removal.
 *
 * A removal reports the container gone once its process, its mounts and
 * its files are; its CNI DEL (a few plugin processes, each running
 * iptables) then runs on the supervisor's thread, off the path a client
 * waits on (docker run --rm waits for the removal).  Until its DEL is done
 * the attachment keeps its lease, so host-local never hands its address
 * out twice; an attach that asks for what a pending DEL still holds (that
 * address with --ip, that MAC, a host port) runs that DEL itself first, or
 * waits for the thread running it.  A network's removal first finishes
 * every pending DEL, as berthd's stop does; a DEL that a killed berthd
 * never ran is found at the next start in the attachment cache (and
 * netns files) with no container of that id. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runtime/network/network.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

struct daemon_gone {
	struct daemon_gone *next;
	char id[65];
	char ip[64];
	char mac[32];
	struct daemon_port *ports;
	size_t n_ports;
	bool running;
};

static void gone_free(struct daemon_gone *g)
{
	free(g->ports);
	free(g);
}

static void wake(struct daemon *d)
{
	uint64_t one = 1;

	if (d->wake_fd >= 0 && write(d->wake_fd, &one, sizeof(one)) < 0) {
		/* already due: the counter is full */
	}
}

static void append_locked(struct daemon *d, struct daemon_gone *g)
{
	struct daemon_gone **p = &d->gone;

	while (*p)
		p = &(*p)->next;
	*p = g;
}

/* DEL of every attachment of g's id, then its namespace file; a DEL that
 * fails keeps both (the cache) for the next start of berthd, which tries
 * again. */
static void detach(struct daemon *d, struct daemon_gone *g)
{
	struct net_ctx ctx;
	char path[PATH_MAX], msg[sizeof(((struct berr *)0)->msg) + 128];
	struct berr err = { 0 };

	daemon_net_ctx(d, &ctx);
	if (net_detach_all(&ctx, g->id, &err) == 0) {
		daemon_net_netns_path(d, g->id, path, sizeof(path));
		net_netns_remove(path, &err);
		return;
	}
	/* Its removal was answered already: the log is where it shows. */
	if (d->o.warn) {
		snprintf(msg, sizeof(msg),
			 "the network teardown of removed container %.12s failed (berthd "
			 "tries again at its next start): %s",
			 g->id, err.msg);
		d->o.warn(d->o.warn_arg, msg);
	}
}

/* Run g, claimed by the caller (running set), and let it go. */
static void finish(struct daemon *d, struct daemon_gone *g)
{
	detach(d, g);
	daemon_lock(d);
	for (struct daemon_gone **p = &d->gone; *p; p = &(*p)->next) {
		if (*p == g) {
			*p = g->next;
			break;
		}
	}
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	gone_free(g);
}

int daemon_net_defer_detach(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	struct daemon_gone *g = calloc(1, sizeof(*g));
	char **nets;

	if (!g)
		return berr_set(err, ENOMEM, "detach %s", c->id);
	daemon_lock(d);
	snprintf(g->id, sizeof(g->id), "%s", c->id);
	snprintf(g->ip, sizeof(g->ip), "%s", c->ep.ip);
	snprintf(g->mac, sizeof(g->mac), "%s", c->ep.mac);
	g->ports = c->ep.ports;
	g->n_ports = c->ep.n_ports;
	c->ep.ports = NULL;
	c->ep.n_ports = 0;
	nets = daemon_net_names_locked(c);
	/* No endpoint, as daemon_net_set_endpoint_locked(..., NULL, ...)
	 * leaves it (its ports are g's now). */
	memset(&c->ep, 0, sizeof(c->ep));
	free(c->more);
	c->more = NULL;
	c->n_more = 0;
	append_locked(d, g);
	daemon_unlock(d);
	wake(d);
	/* Its peers' /etc/hosts lose its name now, not at its DEL. */
	for (size_t i = 0; nets && nets[i]; i++)
		daemon_net_hosts_refresh(d, nets[i]);
	strv_free(nets);
	return 0;
}

bool daemon_net_gone_due_locked(const struct daemon *d)
{
	for (const struct daemon_gone *g = d->gone; g; g = g->next)
		if (!g->running)
			return true;
	return false;
}

/* The first pending DEL that match says to run (all when match is NULL),
 * claimed; *busy: one that matches is being run by another thread. */
typedef bool (*gone_match)(const struct daemon_gone *g, const void *arg);

static struct daemon_gone *claim_locked(struct daemon *d, gone_match match, const void *arg,
					bool *busy)
{
	*busy = false;
	for (struct daemon_gone *g = d->gone; g; g = g->next) {
		if (match && !match(g, arg))
			continue;
		if (g->running) {
			*busy = true;
			continue;
		}
		g->running = true;
		return g;
	}
	return NULL;
}

/* Run every pending DEL that matches, and wait for those others run. */
static void run_matching(struct daemon *d, gone_match match, const void *arg)
{
	for (;;) {
		struct daemon_gone *g;
		bool busy;

		daemon_lock(d);
		g = claim_locked(d, match, arg, &busy);
		while (!g && busy) {
			pthread_cond_wait(&d->changed, &d->lock);
			g = claim_locked(d, match, arg, &busy);
		}
		daemon_unlock(d);
		if (!g)
			return;
		finish(d, g);
	}
}

void daemon_net_gone_run(struct daemon *d)
{
	for (;;) {
		struct daemon_gone *g;
		bool busy;

		daemon_lock(d);
		g = claim_locked(d, NULL, NULL, &busy);
		daemon_unlock(d);
		if (!g)
			return;
		finish(d, g);
	}
}

void daemon_net_gone_flush(struct daemon *d)
{
	run_matching(d, NULL, NULL);
}

struct wanted {
	const char *ip, *mac;
	const struct daemon_port *ports;
	size_t n_ports;
};

static bool holds(const struct daemon_gone *g, const void *arg)
{
	const struct wanted *w = arg;

	if (w->ip && *w->ip && strcmp(w->ip, g->ip) == 0)
		return true;
	if (w->mac && *w->mac && strcasecmp(w->mac, g->mac) == 0)
		return true;
	for (size_t i = 0; i < w->n_ports; i++)
		for (size_t j = 0; j < g->n_ports; j++)
			if (w->ports[i].host_port == g->ports[j].host_port &&
			    strcmp(w->ports[i].proto, g->ports[j].proto) == 0)
				return true;
	return false;
}

void daemon_net_gone_release(struct daemon *d, const char *ip, const char *mac,
			     const struct daemon_port *ports, size_t n_ports)
{
	struct wanted w = { .ip = ip, .mac = mac, .ports = ports, .n_ports = n_ports };

	run_matching(d, holds, &w);
}

static bool known_locked(const struct daemon *d, const char *id)
{
	for (const struct daemon_container *c = d->containers; c; c = c->next)
		if (strcmp(c->id, id) == 0)
			return true;
	for (const struct daemon_gone *g = d->gone; g; g = g->next)
		if (strcmp(g->id, id) == 0)
			return true;
	return false;
}

/* Every entry of dir named like a container id that no container has. */
static void recover_dir(struct daemon *d, const char *dir)
{
	cleanup_closedir DIR *dp = opendir(dir);
	struct dirent *e;

	while (dp && (e = readdir(dp))) {
		struct daemon_gone *g;

		if (strlen(e->d_name) != 64 || strspn(e->d_name, "0123456789abcdef") != 64)
			continue;
		daemon_lock(d);
		if (!known_locked(d, e->d_name) && (g = calloc(1, sizeof(*g)))) {
			memcpy(g->id, e->d_name, 64); /* 64 long, checked above */
			append_locked(d, g);
		}
		daemon_unlock(d);
	}
}

void daemon_net_gone_recover(struct daemon *d)
{
	if (d->slirp || !d->net_cache_dir)
		return;
	recover_dir(d, d->net_cache_dir);
	recover_dir(d, d->netns_dir);
}
