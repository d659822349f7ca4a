/* Image references ("busybox", "localhost:5000/team/app:1.2",
 * "repo@sha256:...") as docker's reference grammar (the distribution
 * project's reference package) defines them:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*, 255 at most
 *   domain     := host [ ":" port ], host being dot-separated labels of
 *                 letters, digits and inner dashes, or "[" IPv6 "]"
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex (sha256, sha384, sha512)
 *
 * The first component is the domain when it has a "." or ":", is
 * "localhost", or has capitals; without one the domain is docker.io, and
 * a single component lives in library/.  Everything else is refused, so a
 * reference never carries "..", "/" runs, spaces or control characters
 * into a record, a log or a path. */
#ifndef BERTH_SPEC_IMAGE_REF_H
#define BERTH_SPEC_IMAGE_REF_H

#include <stddef.h>

#include "spec/base/err.h"

#define IMAGE_REF_NAME_MAX 255
#define IMAGE_REF_TAG_MAX 128

struct image_ref {
	char domain[IMAGE_REF_NAME_MAX + 1]; /* "docker.io" when none is named */
	char path[IMAGE_REF_NAME_MAX + 1];   /* "library/busybox" */
	char tag[IMAGE_REF_TAG_MAX + 1];     /* "" when none */
	char digest[7 + 128 + 1];            /* "" when none, else "sha256:<hex>" */
};

/* Parse s; -EINVAL with "invalid reference format: ..." saying what is
 * wrong. */
int image_ref_parse(const char *s, struct image_ref *out, struct berr *err);

/* The familiar form of a parsed reference, as docker shows it:
 * docker.io/library/ and docker.io/ dropped, ":latest" when it has
 * neither tag nor digest.  -ENAMETOOLONG when size is too small. */
int image_ref_familiar(const struct image_ref *r, char *buf, size_t size);

#endif
