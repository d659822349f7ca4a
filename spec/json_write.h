/* A small JSON writer over yajl_gen, so that rooms other than spec/ never
 * touch the JSON library (it can be swapped here alone). */
#ifndef BERTH_SPEC_JSON_WRITE_H
#define BERTH_SPEC_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

struct jw;

/* pretty: indent with 2 spaces like runc's `spec` output.  NULL when out
 * of memory; the calls below accept NULL and jw_finish reports it. */
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
/* key, then a NULL-terminated list of strings as an array; a NULL list
 * is null (docker's "unset", where [] is "set to nothing"). */
void jw_kstrv(struct jw *w, const char *key, char *const *v);
/* key, then "name=value" strings (docker's labels and options) as a map
 * of them; a string without '=' is a name with an empty value. */
void jw_kv_map(struct jw *w, const char *key, char *const *kv);
/* key, then a set as docker writes one (ExposedPorts, Volumes): each
 * name mapped to {}; an empty or NULL set is null. */
void jw_kset(struct jw *w, const char *key, char *const *v);
/* A complete JSON value given as text (a seccomp profile, say), written in
 * place of a value; text that does not parse fails in jw_finish. */
void jw_json(struct jw *w, const char *json, size_t len);
/* The same for a value already parsed (spec/json_read.h's yajl_val);
 * numbers keep their text. */
struct yajl_val_s;
void jw_tree(struct jw *w, struct yajl_val_s *v);
/* Take the document (malloc'd, NUL-terminated, without a trailing
 * newline; len may be NULL).  Fails if any call above was out of order,
 * if the document is incomplete, or if w is NULL (jw_new failed).  The
 * writer still needs jw_free. */
int jw_finish(struct jw *w, char **out, size_t *len, struct berr *err);

static inline void jw_freep(struct jw **w)
{
	jw_free(*w);
}
#define cleanup_jw __attribute__((cleanup(jw_freep)))

#endif
