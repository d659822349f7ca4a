/* berth's default seccomp profile: what `berth spec` puts in
 * linux.seccomp, and what contrib/seccomp.json ships for other tools. */
#ifndef BERTH_SPEC_SECCOMP_DEFAULT_H
#define BERTH_SPEC_SECCOMP_DEFAULT_H

#include <stddef.h>

#include "spec/base/err.h"

/* The profile as a JSON object (pretty-printed, no trailing newline). */
int spec_seccomp_default_json(char **out, size_t *len, struct berr *err);

#endif
