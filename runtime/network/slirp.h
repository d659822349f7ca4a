/* A rootless berthd's network: slirp4netns on a container's network
 * namespace file.
 *
 * Why slirp4netns and not pasta: Debian 12's passt is a snapshot of 2023
 * whose command line and AppArmor profile have changed since, while
 * slirp4netns 1.2 is the stable helper podman 4 and rootless docker use
 * by default; its API socket adds a published port to the running helper
 * (add_hostfwd) the same way at a start and later, and its own sandbox
 * and seccomp filter confine it.  The host's loopback stays closed to the
 * container (--disable-host-loopback): a user's local services are not
 * the container's.
 *
 * The helper runs in berthd's user namespace but in the host's network
 * namespace, in a session of its own, so that it outlives a killed
 * berthd as the container does; what it is (pid, start time) and the
 * ports it forwards are in a record beside the namespace file:
 *   <dir>/<id>.slirp       the record (JSON)
 *   <dir>/<id>.slirp.sock  its API socket
 *   <dir>/<id>.slirp.log   its stderr
 * The container sees tap0 with 10.0.2.100/24, the gateway 10.0.2.2 and a
 * DNS forwarder at 10.0.2.3. */
#ifndef BERTH_NETWORK_SLIRP_H
#define BERTH_NETWORK_SLIRP_H

#include <stddef.h>

#include "runtime/network/network.h"
#include "spec/base/err.h"

/* Start slirp4netns (found in PATH) on the namespace at netns, wait until
 * tap0 is configured, forward ports, write the record and fill ep.  On
 * failure nothing of it is left. */
int net_slirp_start(const char *dir, const char *id, const char *netns,
		    const struct net_port *ports, size_t n_ports, struct net_endpoint *ep,
		    struct berr *err);

/* Stop the helper of id (checked by its start time: a pid taken by
 * another process is left alone) and remove its files; nothing there is
 * no error. */
int net_slirp_stop(const char *dir, const char *id, struct berr *err);

/* The endpoint and ports of a running helper, from its record (-ENOENT
 * when there is none); *ports malloc'd. */
int net_slirp_load(const char *dir, const char *id, struct net_endpoint *ep,
		   struct net_port **ports, size_t *n_ports, struct berr *err);

#endif
