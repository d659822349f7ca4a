/* Reading a parsed JSON tree with the JSON path of every value at hand, so
 * that an error can say where it is (".process.rlimits[1].hard: expected an
 * unsigned integer").
 *
 * Only spec/ and berthd's API layer (cmd/berthd, which reads request
 * bodies with it) include this header: they are the two places that know
 * yajl, so that it can be swapped for another JSON library there alone.
 *
 * The getters that take an object and a key share one convention:
 *   < 0  error, already described in r->err
 *     0  the key is absent or null (the output is left untouched)
 *     1  the key is present and *out was set
 * so that `set` flags come for free: `ret = jr_u64(...); x_set = ret == 1`.
 * The jr_req_* variants turn "absent" into an error. */
#ifndef BERTH_SPEC_JSON_READ_H
#define BERTH_SPEC_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "spec/base/arena.h"
#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/names.h"

/* The path is kept as the keys and indexes entered, and spelled out only
 * when an error is reported: almost no parse needs it. */
#define JR_PATH_DEPTH 64

struct jr_seg {
	const char *key; /* NULL: an index */
	size_t index;
};

struct jr {
	struct arena *arena;
	struct berr *err;
	size_t depth; /* may exceed JR_PATH_DEPTH: the deeper ones are elided */
	struct jr_seg seg[JR_PATH_DEPTH];
	char path[1024]; /* spelled out on failure */
};

void jr_init(struct jr *r, struct arena *arena, struct berr *err);

/* yajl_tree builds and frees its tree recursively, so a hostile document of
 * nested brackets could exhaust the stack before any of our checks run. */
#define JR_MAX_DEPTH 256

/* Parse a whole document.  Errors read "invalid JSON: <what>"; the caller
 * adds the file name when there is one. */
int jr_parse(const char *json, size_t len, yajl_val *out, struct berr *err);

/* The same, but the tree holds only the values at paths (a NULL-terminated
 * list of object keys from the top, dot-separated: "process",
 * "linux.personality") and the objects on the way to them; the rest of the
 * document is checked as JSON and never built (json_keep.c).  An array on
 * the way to a path is kept whole.  paths NULL keeps everything. */
int jr_parse_keep(const char *json, size_t len, const char *const *paths, yajl_val *out,
		  struct berr *err);

/* The whole document, except the value at path (dot-separated object
 * keys, as above) when it is an object: that one is checked as JSON but
 * not built, and its bytes are json[span->off, span->off + span->len).
 * 1 when it was set aside; 0 when the tree is whole (no such value, one
 * that is not an object, or one whose key is repeated on the way to it:
 * the readers would take the last, so nothing is set aside then). */
int jr_parse_aside(const char *json, size_t len, const char *path, yajl_val *out,
		   struct spec_span *span, struct berr *err);

/* yajl's message as berth's error, for both parsers. */
int jr_syntax_error(struct berr *err, const char *yajl_msg);

static inline void jr_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define cleanup_tree __attribute__((cleanup(jr_tree_freep)))

/* Path tracking: enter a key or an index, then leave back to the mark.  A
 * key must stay valid while it is entered (a literal, or the tree's). */
size_t jr_enter_key(struct jr *r, const char *key);
size_t jr_enter_index(struct jr *r, size_t i);
void jr_leave(struct jr *r, size_t mark);

/* Fail with "<current path>: <message>". */
int jr_fail(struct jr *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fail with "<current path>.<key>: <message>". */
int jr_fail_key(struct jr *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Arena allocation of n zeroed elements, with the error filled in. */
void *jr_alloc(struct jr *r, size_t n, size_t size);

/* The value of key in obj, NULL when absent or null.  When a key is
 * repeated the last one wins, as in Go's encoding/json. */
yajl_val jr_get(yajl_val obj, const char *key);

/* Getters of the value itself, at the current path. */
int jr_val_object(struct jr *r, yajl_val v);
int jr_val_array(struct jr *r, yajl_val v);
int jr_val_str(struct jr *r, yajl_val v, const char **out);
int jr_val_bool(struct jr *r, yajl_val v, bool *out);
int jr_val_int(struct jr *r, yajl_val v, int bits, int64_t *out);
int jr_val_uint(struct jr *r, yajl_val v, int bits, uint64_t *out);
int jr_val_enum(struct jr *r, yajl_val v, const struct name_value *table,
		const char *what, long *out);

/* Getters of obj[key]; see the return convention above. */
int jr_array(struct jr *r, yajl_val obj, const char *key, yajl_val *out);
int jr_str(struct jr *r, yajl_val obj, const char *key, const char **out);
int jr_bool(struct jr *r, yajl_val obj, const char *key, bool *out);
int jr_i32(struct jr *r, yajl_val obj, const char *key, int32_t *out);
int jr_i64(struct jr *r, yajl_val obj, const char *key, int64_t *out);
int jr_u16(struct jr *r, yajl_val obj, const char *key, uint16_t *out);
int jr_u32(struct jr *r, yajl_val obj, const char *key, uint32_t *out);
int jr_u64(struct jr *r, yajl_val obj, const char *key, uint64_t *out);
int jr_enum(struct jr *r, yajl_val obj, const char *key,
	    const struct name_value *table, const char *what, long *out);
/* An array of names from table whose values are bits, OR'd into *mask. */
int jr_enum_flags(struct jr *r, yajl_val obj, const char *key,
		  const struct name_value *table, const char *what,
		  uint32_t *mask);
int jr_str_array(struct jr *r, yajl_val obj, const char *key,
		 const char ***out, size_t *n);
int jr_u32_array(struct jr *r, yajl_val obj, const char *key,
		 uint32_t **out, size_t *n);
int jr_str_map(struct jr *r, yajl_val obj, const char *key,
	       struct spec_kv **out, size_t *n);
/* The same map as "key=value" strings in a malloc'd NULL-terminated
 * vector (strv_free it), the form docker's labels and options keep:
 * 1 when present, 0 when absent (*out untouched). */
int jr_str_map_strv(struct jr *r, yajl_val obj, const char *key, char ***out);
int jr_opt_i64(struct jr *r, yajl_val obj, const char *key,
	       struct opt_i64 *out);
int jr_opt_u64(struct jr *r, yajl_val obj, const char *key,
	       struct opt_u64 *out);

/* obj[key] as an array whose every entry fn reads into an element of size
 * bytes; the elements are allocated together and fn runs with the entry's
 * path entered.  Use through jr_list(), which keeps the element type. */
typedef int (*jr_elem_fn)(struct jr *r, yajl_val v, void *elem, void *ctx);
int jr_array_of(struct jr *r, yajl_val obj, const char *key, size_t size,
		jr_elem_fn fn, void *ctx, void **out, size_t *n);
#define jr_list(r, obj, key, arr, n, fn, ctx)                               \
	({                                                                  \
		void *list_ = NULL;                                         \
		int ret_ = jr_array_of((r), (obj), (key), sizeof(*(arr)),   \
				       (fn), (ctx), &list_, (n));           \
		if (ret_ == 1)                                              \
			(arr) = list_;                                      \
		ret_;                                                       \
	})

/* obj[key] as an object whose every non-null entry fn reads into an
 * element, given the entry's key (copied into the arena). */
typedef int (*jr_entry_fn)(struct jr *r, const char *key, yajl_val v,
			   void *elem);
int jr_map_of(struct jr *r, yajl_val obj, const char *key, size_t size,
	      jr_entry_fn fn, void **out, size_t *n);
#define jr_map(r, obj, key, arr, n, fn)                                     \
	({                                                                  \
		void *map_ = NULL;                                          \
		int ret_ = jr_map_of((r), (obj), (key), sizeof(*(arr)),     \
				     (fn), &map_, (n));                     \
		if (ret_ == 1)                                              \
			(arr) = map_;                                       \
		ret_;                                                       \
	})

/* obj[key] as one value that fn reads into elem, with its path entered;
 * returns 1 when present, like the getters. */
int jr_section(struct jr *r, yajl_val obj, const char *key, jr_elem_fn fn,
	       void *elem, void *ctx);

/* Return from the calling function when a reader fails. */
#define JR_TRY(expr)                           \
	do {                                   \
		int try_ret_ = (expr);         \
		if (try_ret_ < 0)              \
			return try_ret_;       \
	} while (0)

/* The same, recording in flag whether the key was present. */
#define JR_TRY_SET(flag, expr)                 \
	do {                                   \
		int try_ret_ = (expr);         \
		if (try_ret_ < 0)              \
			return try_ret_;       \
		(flag) = try_ret_ > 0;         \
	} while (0)

/* Required: absent or null is "<path>.<key>: required field is missing". */
int jr_req(struct jr *r, int ret, const char *key);
#define jr_req_str(r, obj, key, out) jr_req((r), jr_str((r), (obj), (key), (out)), (key))
#define jr_req_bool(r, obj, key, out) jr_req((r), jr_bool((r), (obj), (key), (out)), (key))
#define jr_req_i64(r, obj, key, out) jr_req((r), jr_i64((r), (obj), (key), (out)), (key))
#define jr_req_u32(r, obj, key, out) jr_req((r), jr_u32((r), (obj), (key), (out)), (key))
#define jr_req_u64(r, obj, key, out) jr_req((r), jr_u64((r), (obj), (key), (out)), (key))
#define jr_req_enum(r, obj, key, t, what, out) \
	jr_req((r), jr_enum((r), (obj), (key), (t), (what), (out)), (key))

#endif
