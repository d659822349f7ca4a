/* Passing file descriptors over unix sockets (SCM_RIGHTS). */
#ifndef BERTH_ISOLATION_FDPASS_H
#define BERTH_ISOLATION_FDPASS_H

#include <stddef.h>

#include "spec/base/err.h"

/* One message carrying data (at least one byte) and, if fd >= 0, one fd. */
int fdpass_send(int sock, const void *data, size_t len, int fd, struct berr *err);

/* Receive one message; *fd gets a passed fd or -1.  Returns bytes read. */
long fdpass_recv(int sock, void *data, size_t len, int *fd, struct berr *err);

/* Connect a SOCK_STREAM unix socket to path (any length: long paths are
 * reached through their directory's fd). */
int fdpass_connect(const char *path, struct berr *err);

#endif
