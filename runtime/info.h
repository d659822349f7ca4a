/* What berth supports here (features) and writes by default (spec). */
#ifndef BERTH_RUNTIME_INFO_H
#define BERTH_RUNTIME_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

/* The OCI features document for this host. */
int rt_features(char **json, size_t *len, struct berr *err);

/* A default config.json (runc spec), rootless for the calling user. */
int rt_default_config(bool rootless, char **json, size_t *len, struct berr *err);

/* The default seccomp profile (linux.seccomp of the default config). */
int rt_default_seccomp(char **json, size_t *len, struct berr *err);

#endif
