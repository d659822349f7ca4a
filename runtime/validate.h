/* Checks of a config that need no kernel: run before anything is made, so
 * a bad config leaves nothing behind. */
#ifndef BERTH_RUNTIME_VALIDATE_H
#define BERTH_RUNTIME_VALIDATE_H

#include <stdbool.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* What create needs beyond a well-formed config: a process with args and
 * an absolute cwd, a mount namespace for masked and read-only paths, a
 * UTS namespace (not the caller's) for a hostname,
 * the terminal/console-socket pairing... */
int validate_for_create(const struct spec_config *cfg, bool console_socket,
			bool foreground, struct berr *err);

#endif
