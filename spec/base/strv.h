/* NULL-terminated string vectors, used throughout berthd's model. */
#ifndef BERTH_BASE_STRV_H
#define BERTH_BASE_STRV_H

#include <stddef.h>

void strv_free(char **v);
/* A malloc'd copy of v's first n strings, NULL-terminated; NULL when out
 * of memory. */
char **strv_dup(char *const *v, size_t n);
size_t strv_len(char *const *v);

#endif
