/* A container's networks besides its first, as its record keeps them
 * (spec.networks: "NAME", then "|ALIAS" for each alias there), and the
 * networks it is attached to now: lookups that call nothing else. */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "spec/base/strv.h"

void daemon_net_entry_name(const char *entry, char *out, size_t n)
{
	snprintf(out, n, "%.*s", (int)strcspn(entry, "|"), entry);
}

long daemon_net_more_index(const struct daemon_spec *s, const char *net)
{
	for (size_t i = 0; s->networks && s->networks[i]; i++) {
		char name[160];

		daemon_net_entry_name(s->networks[i], name, sizeof(name));
		if (strcmp(name, net) == 0)
			return (long)i;
	}
	return -1;
}

char **daemon_net_names_locked(const struct daemon_container *c)
{
	char **v = NULL;

	if (c->ep.network[0] && strv_push(&v, c->ep.network) < 0)
		return v;
	for (size_t i = 0; i < c->n_more; i++)
		if (strv_push(&v, c->more[i].network) < 0)
			break;
	return v;
}

bool daemon_net_on_locked(const struct daemon_container *c, const char *net)
{
	if (c->ep.ip[0] && strcmp(c->ep.network, net) == 0)
		return true;
	for (size_t i = 0; i < c->n_more; i++)
		if (strcmp(c->more[i].network, net) == 0)
			return true;
	return false;
}
