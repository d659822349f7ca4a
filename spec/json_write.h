/* A small JSON writer over yajl_gen, so that rooms other than spec/ never
 * touch the JSON library (it can be swapped here alone). */
#ifndef BERTH_SPEC_JSON_WRITE_H
#define BERTH_SPEC_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/err.h"

struct jw;

/* pretty: indent with 2 spaces like runc's `spec` output. */
struct jw *jw_new(bool pretty);
void jw_free(struct jw *w);
void jw_map_open(struct jw *w);
void jw_map_close(struct jw *w);
void jw_array_open(struct jw *w);
void jw_array_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Key and value in one call. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kuint(struct jw *w, const char *key, uint64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* Take the document (malloc'd, NUL-terminated).  Fails if any call above
 * was out of order. */
int jw_finish(struct jw *w, char **out, size_t *len, struct berr *err);

#endif
