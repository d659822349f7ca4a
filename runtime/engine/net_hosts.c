/* A container's /etc/hosts on user networks: itself (one line for each
 * of its addresses), then its peers on each of its user networks by
 * hostname, name and their aliases there, rewritten in place as they
 * come and go (docker answers those names with a DNS server of its own).
 * The default network has no names, as docker's. */
#include "runtime/engine/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static const struct daemon_endpoint *endpoint_on(const struct daemon_container *c,
						 const char *net)
{
	if (c->ep.ip[0] && strcmp(c->ep.network, net) == 0)
		return &c->ep;
	for (size_t i = 0; i < c->n_more; i++)
		if (strcmp(c->more[i].network, net) == 0)
			return &c->more[i];
	return NULL;
}

/* Its aliases on net: those of its first network, or of its entry in
 * spec.networks ("NAME|ALIAS|..."). */
static void write_aliases(FILE *f, const struct daemon *d, const struct daemon_container *c,
			  const char *net)
{
	const char *first = daemon_net_of(d, &c->spec);
	long i = daemon_net_more_index(&c->spec, net);

	if (first && strcmp(first, net) == 0) {
		for (size_t k = 0; c->spec.aliases && c->spec.aliases[k]; k++)
			fprintf(f, " %s", c->spec.aliases[k]);
		return;
	}
	for (const char *a = i >= 0 ? strchr(c->spec.networks[i], '|') : NULL; a;
	     a = strchr(a + 1, '|'))
		fprintf(f, " %.*s", (int)strcspn(a + 1, "|"), a + 1);
}

static void hosts_line(FILE *f, const struct daemon *d, const struct daemon_container *c,
		       bool self, const struct daemon_endpoint *ep)
{
	char host[256];

	if (c->spec.hostname && *c->spec.hostname)
		snprintf(host, sizeof(host), "%s", c->spec.hostname);
	else
		snprintf(host, sizeof(host), "%.12s", c->id);
	/* Each of its addresses there, IPv6 too on a dual-stack network. */
	for (int v6 = 0; v6 < 2; v6++) {
		const char *ip = v6 ? ep->ip6 : ep->ip;

		if (!*ip)
			continue;
		fprintf(f, "%s\t%s", ip, host);
		if (!self || strcmp(host, c->name) != 0)
			fprintf(f, " %s", c->name);
		write_aliases(f, d, c, ep->network);
		fprintf(f, "\n");
	}
}

static bool user_net(const struct daemon *d, const struct daemon_endpoint *ep)
{
	return !d->default_net || strcmp(ep->network, d->default_net) != 0;
}

static void peers(FILE *f, struct daemon *d, const struct daemon_container *c,
		  const struct daemon_endpoint *ep)
{
	if (!user_net(d, ep))
		return;
	for (struct daemon_container *p = d->containers; p; p = p->next) {
		const struct daemon_endpoint *pe = p != c ? endpoint_on(p, ep->network) : NULL;

		if (pe)
			hosts_line(f, d, p, false, pe);
	}
}

/* In place (truncate and write), not by rename: the file is
 * bind-mounted into the container, which keeps seeing its inode. */
void daemon_net_hosts_write_locked(struct daemon *d, struct daemon_container *c)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	if (!c->ep.ip[0] && !c->n_more)
		return; /* what bundle.c wrote stays */
	path = daemon_dir(d, c->id, "hosts");
	f = path ? open_memstream(&text, &len) : NULL;
	if (!f)
		return;
	fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (c->ep.ip[0])
		hosts_line(f, d, c, true, &c->ep);
	for (size_t i = 0; i < c->n_more; i++)
		hosts_line(f, d, c, true, &c->more[i]);
	if (c->ep.ip[0])
		peers(f, d, c, &c->ep);
	for (size_t i = 0; i < c->n_more; i++)
		peers(f, d, c, &c->more[i]);
	for (size_t i = 0; c->spec.extra_hosts && c->spec.extra_hosts[i]; i++) {
		const char *h = c->spec.extra_hosts[i], *colon = strchr(h, ':');

		if (colon)
			fprintf(f, "%s\t%.*s\n", colon + 1, (int)(colon - h), h);
	}
	if (fclose(f) != 0)
		return;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (write(fd, text, len) < 0) {
		/* the next change writes it again */
	}
	close(fd);
}

void daemon_net_hosts_refresh(struct daemon *d, const char *network)
{
	if (!network || (d->default_net && strcmp(network, d->default_net) == 0))
		return; /* the default network has no names, as docker's */
	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next)
		if (endpoint_on(c, network))
			daemon_net_hosts_write_locked(d, c);
	daemon_unlock(d);
}

void daemon_net_hosts_refresh_of(struct daemon *d, struct daemon_container *c)
{
	char **nets;

	daemon_lock(d);
	nets = daemon_net_names_locked(c);
	daemon_unlock(d);
	for (size_t i = 0; nets && nets[i]; i++)
		daemon_net_hosts_refresh(d, nets[i]);
	strv_free(nets);
}
