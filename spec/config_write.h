/* struct spec_config -> config.json: the one writer of the format, for
 * `berth spec` and for the bundles berthd makes.  It writes every field
 * the parser (config_parse.c and its parts) reads, and nothing that is
 * unset, so that what it writes parses back to the same struct. */
#ifndef BERTH_SPEC_CONFIG_WRITE_H
#define BERTH_SPEC_CONFIG_WRITE_H

#include <stddef.h>

#include "spec/base/err.h"
#include "spec/config.h"

/* The document, pretty-printed as runc's `spec` output, without a
 * trailing newline (malloc'd). */
int spec_config_write(const struct spec_config *cfg, char **out, size_t *len,
		      struct berr *err);

/* A process.json (as `exec --process` reads it), on one line. */
int spec_process_write(const struct spec_process *p, char **out, size_t *len,
		       struct berr *err);

/* A linux.seccomp object on its own, pretty-printed (the shape of
 * contrib/seccomp.json). */
int spec_seccomp_write(const struct spec_seccomp *s, char **out, size_t *len,
		       struct berr *err);

#endif
