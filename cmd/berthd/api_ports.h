/* Ports in docker's create body, inspect and list: PortBindings and
 * ExposedPorts read into a container spec's forms (engine.h), and
 * written back with what a running container publishes. */
#ifndef BERTHD_API_PORTS_H
#define BERTHD_API_PORTS_H

#include <stdbool.h>

#include "runtime/engine/engine.h"
#include "spec/json_read.h"
#include "spec/json_write.h"

/* HostConfig.PortBindings ({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]})
 * and Config.ExposedPorts ({"80/tcp": {}}); the getters' convention. */
int api_ports_bindings(struct jr *r, yajl_val hc, char ***out);
int api_ports_exposed(struct jr *r, yajl_val doc, char ***out);

/* HostConfig.PortBindings and Config.ExposedPorts, key and value. */
void api_ports_write_bindings(struct jw *w, const struct daemon_spec *s);
void api_ports_write_exposed(struct jw *w, const struct daemon_spec *s);
/* NetworkSettings.Ports: every exposed port, with what publishes it
 * while the container runs (null when nothing does), key and value. */
void api_ports_write_settings(struct jw *w, const struct daemon_container *c);
/* Does the list show c's ports?  Only while it runs or is paused, as
 * dockerd's (the list's Ports and ps's publish and expose filters). */
bool api_ports_listed(const struct daemon_container *c);
/* The list's Ports: published ones with their host side, the others
 * with their container port only, key and value; none when
 * api_ports_listed says so. */
void api_ports_write_list(struct jw *w, const struct daemon_container *c);

#endif
