/* Giving up at the caller's request: rt_ctx.cancel_fd turns readable
 * (berth makes it a signalfd of SIGTERM, SIGINT and SIGHUP) and a long
 * step stops, so that its caller undoes what was made. */
#ifndef BERTH_RUNTIME_CANCEL_H
#define BERTH_RUNTIME_CANCEL_H

#include "spec/base/err.h"

/* -ECANCELED, with what was interrupted, when cancel_fd is readable;
 * 0 otherwise, and always 0 for cancel_fd 0 (none). */
int cancel_check(int cancel_fd, const char *what, struct berr *err);

/* Wait until fd is readable (0), or cancel_fd is (as cancel_check). */
int cancel_wait(int fd, int cancel_fd, const char *what, struct berr *err);

#endif
