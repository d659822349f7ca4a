/* berth's default seccomp profile: what `berth spec` puts in
 * linux.seccomp, what berthd gives its containers, and what
 * contrib/seccomp.json ships for other tools. */
#ifndef BERTH_SPEC_SECCOMP_DEFAULT_H
#define BERTH_SPEC_SECCOMP_DEFAULT_H

#include <stddef.h>
#include <stdint.h>

#include "spec/base/arena.h"
#include "spec/base/err.h"
#include "spec/config.h"

/* The profile for a container whose bounding set is caps (bit n =
 * capability n, as struct spec_caps holds them), into s, allocated from
 * a: capabilities that make a refused group legitimate allow it, as
 * Docker's profile does. */
int spec_seccomp_default(struct arena *a, uint64_t caps, struct spec_seccomp *s,
			 struct berr *err);

/* The profile for berth spec's default capabilities (SPEC_DEFAULT_CAPS),
 * which lift none of its refusals, as a JSON object (pretty-printed, no
 * trailing newline). */
int spec_seccomp_default_json(char **out, size_t *len, struct berr *err);

#endif
