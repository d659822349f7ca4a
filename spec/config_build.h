/* Small helpers for code that builds a struct spec_config in its arena
 * (the default config, berthd's bundles) rather than parsing one. */
#ifndef BERTH_SPEC_CONFIG_BUILD_H
#define BERTH_SPEC_CONFIG_BUILD_H

#include <stddef.h>
#include <sys/stat.h>

#include "spec/base/arena.h"

struct spec_device;

/* A NULL-terminated copy of the first n entries of list (n (size_t)-1: up
 * to its NULL), as the parser makes string lists; the strings themselves
 * are not copied.  NULL (errno ENOMEM) when out of memory. */
const char **spec_build_strv(struct arena *a, const char *const *list, size_t n, size_t *n_out);

/* n zeroed elements of size bytes, or NULL (errno ENOMEM). */
void *spec_build_array(struct arena *a, size_t n, size_t size);

/* *out: a device node of the host as the container gets it at path (a
 * copy in a), with the node's type, numbers, mode and owner from st;
 * -ENOMEM when out of memory. */
int spec_build_device(struct arena *a, const char *path, const struct stat *st,
		      struct spec_device *out);

#endif
