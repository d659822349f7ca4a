/* The systemd cgroup driver (--systemd-cgroup), which berth does not
 * implement: it answers a client that asks for it with why not. */
#ifndef BERTH_RUNTIME_SYSTEMD_H
#define BERTH_RUNTIME_SYSTEMD_H

#include "spec/base/err.h"

/* Fill err with why --systemd-cgroup cannot be used on this host
 * (systemd is not running, or berth lacks the driver); returns
 * -EOPNOTSUPP. */
int systemd_cgroup_refuse(struct berr *err);

#endif
