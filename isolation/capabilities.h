/* Capabilities: the five sets of process.capabilities. */
#ifndef BERTH_ISOLATION_CAPABILITIES_H
#define BERTH_ISOLATION_CAPABILITIES_H

#include <stdint.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* The highest capability this kernel knows. */
int caps_last_cap(void);

/* Fail when the config names a capability berth itself lacks. */
int caps_check(const struct spec_caps *caps, struct berr *err);

/* What runc tolerates with a warning: names unknown to berth or to this
 * kernel, ambient capabilities that cannot be raised.  caps_apply leaves
 * those out. */
void caps_warn(const struct spec_caps *caps,
	       void (*warn)(void *arg, const struct berr *w), void *arg);

/* Drop every capability not in the bounding set. */
int caps_drop_bounding(const struct spec_caps *caps, struct berr *err);

/* Set effective, permitted and inheritable (plus extra_effective, kept
 * for the runtime's own last steps), then raise the ambient set. */
int caps_apply(const struct spec_caps *caps, uint64_t extra_effective,
	       struct berr *err);

#endif
