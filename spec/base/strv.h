/* NULL-terminated string vectors, used throughout berthd's model. */
#ifndef BERTH_BASE_STRV_H
#define BERTH_BASE_STRV_H

#include <stddef.h>

void strv_free(char **v);
/* A malloc'd copy of v's first n strings, NULL-terminated; NULL when out
 * of memory. */
char **strv_dup(char *const *v, size_t n);
size_t strv_len(char *const *v);
/* Appends a copy of s to *v, keeping it NULL-terminated; -ENOMEM when out
 * of memory, *v still whole. */
int strv_push(char ***v, const char *s);
/* The same, taking s itself: it is freed on failure, and a NULL s (an
 * allocation that failed before) is -ENOMEM. */
int strv_push_owned(char ***v, char *s);

#endif
