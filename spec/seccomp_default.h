/* berth's default seccomp profile: what `berth spec` puts in
 * linux.seccomp, what berthd gives its containers, and what
 * contrib/seccomp.json ships for other tools. */
#ifndef BERTH_SPEC_SECCOMP_DEFAULT_H
#define BERTH_SPEC_SECCOMP_DEFAULT_H

#include <stddef.h>

#include "spec/base/err.h"

struct jw;

/* The profile for a container whose bounding set holds caps (capability
 * names such as "CAP_SYS_ADMIN", NULL-terminated; NULL: none), as a JSON
 * object written to w: berthd's containers get it this way. */
void spec_seccomp_default_write(struct jw *w, const char *const *caps);

/* The profile for berth spec's default capabilities, which lift none of
 * its refusals, as a JSON object (pretty-printed, no trailing newline). */
int spec_seccomp_default_json(char **out, size_t *len, struct berr *err);

#endif
