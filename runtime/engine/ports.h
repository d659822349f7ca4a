/* Published and exposed ports of a container spec (engine.h: the forms
 * of daemon_spec's ports and exposed), and the checks of its names
 * (DNS servers, extra hosts). */
#ifndef BERTH_ENGINE_PORTS_H
#define BERTH_ENGINE_PORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/engine/engine.h"
#include "spec/base/err.h"

/* "PORT/PROTO" into port and proto. */
int daemon_port_key_parse(const char *key, uint16_t *port, char proto[4], struct berr *err);

/* "PORT/PROTO|HOSTIP|HOSTPORT" into p (host_port 0: to be chosen). */
int daemon_port_parse(const char *binding, struct daemon_port *p, struct berr *err);

/* Check every binding and exposed port of s; refuse bindings without a
 * network of the container's own to publish them from. */
int daemon_ports_check(const struct daemon_spec *s, bool on_network, struct berr *err);

/* Add the image's exposed ports to s's, then, with -P, a binding with a
 * chosen host port for every exposed port not already published. */
int daemon_ports_expose(struct daemon_spec *s, const char *const *image_exposed, size_t n,
			struct berr *err);

/* --dns (addresses), --add-host (NAME:ADDRESS), --dns-search,
 * --dns-option and --network-alias (one word each); --dns with the host's network is
 * refused, as docker refuses it. */
int daemon_names_check(const struct daemon_spec *s, struct berr *err);

#endif
