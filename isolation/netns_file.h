/* Network namespaces that live in a file: made before any process is in
 * them, so that CNI can set up a container's interfaces before its
 * process starts and tear them down after it ended.  The namespace stays
 * alive while the file stays bind-mounted. */
#ifndef BERTH_ISOLATION_NETNS_FILE_H
#define BERTH_ISOLATION_NETNS_FILE_H

#include "spec/base/err.h"

/* A new network namespace bind-mounted at path (a file that must not
 * exist yet; its directory must).  Safe in a threaded process: only a
 * short-lived thread of its own enters the new namespace. */
int netns_file_create(const char *path, struct berr *err);

/* The network namespace at from (a process's /proc/PID/ns/net)
 * bind-mounted at path (a file that must not exist yet), so that it is
 * named by a path no other process can come to own. */
int netns_file_bind(const char *from, const char *path, struct berr *err);

/* Unmount and remove path; nothing there is no error. */
int netns_file_remove(const char *path, struct berr *err);

#endif
