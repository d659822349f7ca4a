/* process.terminal: a pseudo-terminal from the container's own devpts. */
#ifndef BERTH_ISOLATION_CONSOLE_H
#define BERTH_ISOLATION_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "spec/base/err.h"

/* Open a new pty pair on the container's /dev/ptmx (after pivot_root),
 * sized height x width when set. */
int console_open(int *master, int *slave, bool sized, uint32_t height,
		 uint32_t width, struct berr *err);

/* Output newlines stay "\n" (no "\r\n"): runc clears ONLCR on the pty
 * it copies in the foreground, and scripts compare that output. */
int console_clear_onlcr(int fd, struct berr *err);

/* Bind the pty onto /dev/console, as runc does. */
int console_bind_dev_console(int slave, struct berr *err);

/* Make slave the controlling terminal and stdin, stdout, stderr. */
int console_make_controlling(int slave, struct berr *err);

/* Give the caller of `berth run` a terminal of its own: copy between
 * our stdio and master until the master hangs up. */
int console_set_raw(int fd, void *saved, struct berr *err);

#endif
