/* Debug lines about the lifecycle's main steps (rt_ctx.debug): what
 * `berth --debug` shows.  Nothing is formatted when no one listens. */
#ifndef BERTH_RUNTIME_DEBUG_H
#define BERTH_RUNTIME_DEBUG_H

#include "runtime/runtime.h"

void debug_log(const struct rt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
