/* linux.sysctl: only the settings that belong to a namespace of the
 * container's own may be written, or the container would change the host. */
#ifndef BERTH_ISOLATION_SYSCTL_H
#define BERTH_ISOLATION_SYSCTL_H

#include <stdbool.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Refuse keys that are not namespaced, or whose namespace the container
 * shares with the host.  private_ns[t] says whether namespace t is the
 * container's own (new, or joined and not berth's). */
int sysctl_check(const struct spec_kv *sysctl, size_t n,
		 const bool private_ns[NS_TYPES], struct berr *err);

/* Write them through the container's /proc (after pivot_root). */
int sysctl_apply(const struct spec_kv *sysctl, size_t n, struct berr *err);

#endif
