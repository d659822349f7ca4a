#include "spec/json_read.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"


void jr_init(struct jr *r, struct arena *arena, struct berr *err)
{
	r->arena = arena;
	r->err = err;
	r->depth = 0;
	r->path[0] = '\0';
}

static int check_depth(const char *json, size_t len, struct berr *err)
{
	bool in_str = false;
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = json[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JR_MAX_DEPTH)
				return berr_failk(err, BERR_INVALID, 0,
						  "invalid JSON: nested deeper than %d levels",
						  JR_MAX_DEPTH);
		} else if (c == '}' || c == ']') {
			if (depth)
				depth--;
		}
	}
	return 0;
}

/* yajl's message has the offending text and a caret on further lines; the
 * first line is the one that reads well inside a longer message. */
int jr_syntax_error(struct berr *err, const char *yajl_msg)
{
	size_t n = strcspn(yajl_msg, "\n");

	while (n && (yajl_msg[n - 1] == '.' || isspace((unsigned char)yajl_msg[n - 1])))
		n--;
	if (!n)
		return berr_failk(err, BERR_INVALID, 0, "invalid JSON");
	return berr_failk(err, BERR_INVALID, 0, "invalid JSON: %.*s", (int)n, yajl_msg);
}

int jr_parse(const char *json, size_t len, yajl_val *out, struct berr *err)
{
	cleanup_free char *text = NULL;
	char msg[1024] = "";
	int ret;

	/* yajl_tree_parse stops at the first NUL. */
	if (memchr(json, '\0', len))
		return berr_failk(err, BERR_INVALID, 0, "invalid JSON: NUL byte in the document");
	ret = check_depth(json, len, err);
	if (ret < 0)
		return ret;
	text = malloc(len + 1);
	if (!text)
		return berr_set(err, ENOMEM, "parse JSON");
	memcpy(text, json, len);
	text[len] = '\0';
	*out = yajl_tree_parse(text, msg, sizeof(msg));
	if (!*out)
		return jr_syntax_error(err, msg);
	return 0;
}

/* --- the path ------------------------------------------------------- */

static bool is_ident(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static size_t enter(struct jr *r, const char *key, size_t index)
{
	size_t mark = r->depth;

	if (r->depth < JR_PATH_DEPTH)
		r->seg[r->depth] = (struct jr_seg){ key, index };
	r->depth++;
	return mark;
}

size_t jr_enter_key(struct jr *r, const char *key)
{
	return enter(r, key, 0);
}

size_t jr_enter_index(struct jr *r, size_t i)
{
	return enter(r, NULL, i);
}

void jr_leave(struct jr *r, size_t mark)
{
	r->depth = mark;
}

static void path_put(struct jr *r, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void path_put(struct jr *r, size_t *len, const char *fmt, ...)
{
	size_t room = sizeof(r->path) - *len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->path + *len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < room ? (size_t)n : room - 1;
}

/* The path entered, spelled out in r->path; the document itself is ".",
 * as in jq. */
static const char *cur_path(struct jr *r)
{
	size_t len = 0;

	r->path[0] = '\0';
	for (size_t i = 0; i < r->depth; i++) {
		const struct jr_seg *s;

		if (i == JR_PATH_DEPTH) {
			path_put(r, &len, "...");
			break;
		}
		s = &r->seg[i];
		if (!s->key) {
			path_put(r, &len, "[%zu]", s->index);
		} else if (is_ident(s->key)) {
			path_put(r, &len, ".%s", s->key);
		} else {
			/* Keys such as "net.ipv4.ip_forward" would be ambiguous
			 * after a dot. */
			path_put(r, &len, "[\"");
			for (const char *k = s->key; *k; k++)
				path_put(r, &len, (*k == '"' || *k == '\\') ? "\\%c" : "%c", *k);
			path_put(r, &len, "\"]");
		}
	}
	return len ? r->path : ".";
}

static int no_memory(struct jr *r)
{
	return berr_set(r->err, ENOMEM, "%s", cur_path(r));
}

static int vfail(struct jr *r, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int vfail(struct jr *r, const char *fmt, va_list ap)
{
	char what[768];

	vsnprintf(what, sizeof(what), fmt, ap);
	/* What a document holds is its writer's input: a wrong value in it
	 * is invalid input wherever the document came from. */
	return berr_failk(r->err, BERR_INVALID, 0, "%s: %s", cur_path(r), what);
}

int jr_fail(struct jr *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(r, fmt, ap);
	va_end(ap);
	return ret;
}

int jr_fail_key(struct jr *r, const char *key, const char *fmt, ...)
{
	size_t mark = jr_enter_key(r, key);
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(r, fmt, ap);
	va_end(ap);
	jr_leave(r, mark);
	return ret;
}

void *jr_alloc(struct jr *r, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		no_memory(r);
		return NULL;
	}
	p = arena_alloc(r->arena, n * size);
	if (!p)
		no_memory(r);
	return p;
}

/* --- values --------------------------------------------------------- */

yajl_val jr_get(yajl_val obj, const char *key)
{
	yajl_val found = NULL;

	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			found = obj->u.object.values[i];
	if (YAJL_IS_NULL(found))
		return NULL;
	return found;
}

int jr_val_object(struct jr *r, yajl_val v)
{
	return YAJL_IS_OBJECT(v) ? 0 : jr_fail(r, "expected an object");
}

int jr_val_array(struct jr *r, yajl_val v)
{
	return YAJL_IS_ARRAY(v) ? 0 : jr_fail(r, "expected an array");
}

int jr_val_str(struct jr *r, yajl_val v, const char **out)
{
	if (!YAJL_IS_STRING(v))
		return jr_fail(r, "expected a string");
	*out = arena_strdup(r->arena, v->u.string);
	if (!*out)
		return no_memory(r);
	return 0;
}

int jr_val_bool(struct jr *r, yajl_val v, bool *out)
{
	if (YAJL_IS_TRUE(v))
		*out = true;
	else if (YAJL_IS_FALSE(v))
		*out = false;
	else
		return jr_fail(r, "expected a boolean");
	return 0;
}

/* The raw text of an integer in JSON syntax, or NULL: "1.0" and "1e3" are
 * numbers but not integers, and Go's decoder refuses them too. */
static const char *int_text(yajl_val v)
{
	const char *s;

	if (!YAJL_IS_NUMBER(v) || !v->u.number.r)
		return NULL;
	s = v->u.number.r;
	if (s[0] == '-')
		s++;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return NULL;
	return v->u.number.r;
}

int jr_val_int(struct jr *r, yajl_val v, int bits, int64_t *out)
{
	const char *s = int_text(v);
	int64_t max = bits >= 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
	long long n;

	if (!s)
		return jr_fail(r, "expected an integer");
	errno = 0;
	n = strtoll(s, NULL, 10);
	if (errno == ERANGE || n > max || n < -max - 1)
		return jr_fail(r, "expected a %d-bit integer", bits);
	*out = n;
	return 0;
}

int jr_val_uint(struct jr *r, yajl_val v, int bits, uint64_t *out)
{
	const char *s = int_text(v);
	uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	unsigned long long n;

	if (!s || s[0] == '-')
		return jr_fail(r, "expected an unsigned integer");
	errno = 0;
	n = strtoull(s, NULL, 10);
	if (errno == ERANGE || n > max)
		return jr_fail(r, "expected an unsigned %d-bit integer", bits);
	*out = n;
	return 0;
}

int jr_val_enum(struct jr *r, yajl_val v, const struct name_value *table,
		const char *what, long *out)
{
	if (!YAJL_IS_STRING(v))
		return jr_fail(r, "expected a string");
	if (names_lookup(table, v->u.string, out) < 0)
		return jr_fail(r, "unknown %s \"%s\"", what, v->u.string);
	return 0;
}

/* --- obj[key] ------------------------------------------------------- */

/* Every keyed getter is the value getter run inside the key's path. */
#define KEYED(r, obj, key, call)                          \
	do {                                              \
		yajl_val v = jr_get((obj), (key));        \
		size_t mark;                              \
		int ret;                                  \
		if (!v)                                   \
			return 0;                         \
		mark = jr_enter_key((r), (key));          \
		ret = (call);                             \
		if (ret < 0)                              \
			return ret;                       \
		jr_leave((r), mark);                      \
		return 1;                                 \
	} while (0)

int jr_array(struct jr *r, yajl_val obj, const char *key, yajl_val *out)
{
	KEYED(r, obj, key, (*out = v, jr_val_array(r, v)));
}

int jr_str(struct jr *r, yajl_val obj, const char *key, const char **out)
{
	KEYED(r, obj, key, jr_val_str(r, v, out));
}

int jr_bool(struct jr *r, yajl_val obj, const char *key, bool *out)
{
	KEYED(r, obj, key, jr_val_bool(r, v, out));
}

int jr_enum(struct jr *r, yajl_val obj, const char *key,
	    const struct name_value *table, const char *what, long *out)
{
	KEYED(r, obj, key, jr_val_enum(r, v, table, what, out));
}

static int keyed_int(struct jr *r, yajl_val obj, const char *key, int bits,
		     int64_t *out)
{
	KEYED(r, obj, key, jr_val_int(r, v, bits, out));
}

static int keyed_uint(struct jr *r, yajl_val obj, const char *key, int bits,
		      uint64_t *out)
{
	KEYED(r, obj, key, jr_val_uint(r, v, bits, out));
}

int jr_i32(struct jr *r, yajl_val obj, const char *key, int32_t *out)
{
	int64_t n;
	int ret = keyed_int(r, obj, key, 32, &n);

	if (ret == 1)
		*out = (int32_t)n;
	return ret;
}

int jr_i64(struct jr *r, yajl_val obj, const char *key, int64_t *out)
{
	return keyed_int(r, obj, key, 64, out);
}

int jr_u16(struct jr *r, yajl_val obj, const char *key, uint16_t *out)
{
	uint64_t n;
	int ret = keyed_uint(r, obj, key, 16, &n);

	if (ret == 1)
		*out = (uint16_t)n;
	return ret;
}

int jr_u32(struct jr *r, yajl_val obj, const char *key, uint32_t *out)
{
	uint64_t n;
	int ret = keyed_uint(r, obj, key, 32, &n);

	if (ret == 1)
		*out = (uint32_t)n;
	return ret;
}

int jr_u64(struct jr *r, yajl_val obj, const char *key, uint64_t *out)
{
	return keyed_uint(r, obj, key, 64, out);
}

int jr_opt_i64(struct jr *r, yajl_val obj, const char *key, struct opt_i64 *out)
{
	int ret = jr_i64(r, obj, key, &out->v);

	if (ret == 1)
		out->set = true;
	return ret;
}

int jr_opt_u64(struct jr *r, yajl_val obj, const char *key, struct opt_u64 *out)
{
	int ret = jr_u64(r, obj, key, &out->v);

	if (ret == 1)
		out->set = true;
	return ret;
}

static int val_enum_flags(struct jr *r, yajl_val v,
			  const struct name_value *table, const char *what,
			  uint32_t *mask)
{
	JR_TRY(jr_val_array(r, v));
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = jr_enter_index(r, i);
		long bit;

		JR_TRY(jr_val_enum(r, v->u.array.values[i], table, what, &bit));
		*mask |= (uint32_t)bit;
		jr_leave(r, mark);
	}
	return 0;
}

int jr_enum_flags(struct jr *r, yajl_val obj, const char *key,
		  const struct name_value *table, const char *what,
		  uint32_t *mask)
{
	KEYED(r, obj, key, val_enum_flags(r, v, table, what, mask));
}

static int val_str_array(struct jr *r, yajl_val v, const char ***out, size_t *n)
{
	const char **list;
	int ret;

	ret = jr_val_array(r, v);
	if (ret < 0)
		return ret;
	list = jr_alloc(r, v->u.array.len + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = jr_enter_index(r, i);

		ret = jr_val_str(r, v->u.array.values[i], &list[i]);
		if (ret < 0)
			return ret;
		jr_leave(r, mark);
	}
	*out = list;
	*n = v->u.array.len;
	return 0;
}

int jr_str_array(struct jr *r, yajl_val obj, const char *key,
		 const char ***out, size_t *n)
{
	KEYED(r, obj, key, val_str_array(r, v, out, n));
}

static int val_u32_array(struct jr *r, yajl_val v, uint32_t **out, size_t *n)
{
	uint32_t *list;
	int ret;

	ret = jr_val_array(r, v);
	if (ret < 0)
		return ret;
	list = jr_alloc(r, v->u.array.len, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = jr_enter_index(r, i);
		uint64_t x;

		ret = jr_val_uint(r, v->u.array.values[i], 32, &x);
		if (ret < 0)
			return ret;
		list[i] = (uint32_t)x;
		jr_leave(r, mark);
	}
	*out = list;
	*n = v->u.array.len;
	return 0;
}

int jr_u32_array(struct jr *r, yajl_val obj, const char *key, uint32_t **out,
		 size_t *n)
{
	KEYED(r, obj, key, val_u32_array(r, v, out, n));
}

static int val_str_map(struct jr *r, yajl_val v, struct spec_kv **out, size_t *n)
{
	struct spec_kv *kv;
	size_t m = 0;
	int ret;

	ret = jr_val_object(r, v);
	if (ret < 0)
		return ret;
	kv = jr_alloc(r, v->u.object.len, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		size_t mark = jr_enter_key(r, key);
		size_t j = 0;

		/* A repeated key replaces the earlier value, as jr_get does. */
		while (j < m && strcmp(kv[j].key, key) != 0)
			j++;
		ret = jr_val_str(r, v->u.object.values[i], &kv[j].value);
		if (ret < 0)
			return ret;
		if (j == m) {
			kv[j].key = arena_strdup(r->arena, key);
			if (!kv[j].key)
				return no_memory(r);
			m++;
		}
		jr_leave(r, mark);
	}
	*out = kv;
	*n = m;
	return 0;
}

int jr_str_map(struct jr *r, yajl_val obj, const char *key,
	       struct spec_kv **out, size_t *n)
{
	KEYED(r, obj, key, val_str_map(r, v, out, n));
}

int jr_str_map_strv(struct jr *r, yajl_val obj, const char *key, char ***out)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	char **v;
	int ret = jr_str_map(r, obj, key, &kv, &n);

	if (ret <= 0)
		return ret;
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (asprintf(&v[i], "%s=%s", kv[i].key, kv[i].value) < 0) {
			v[i] = NULL;
			strv_free(v);
			return -ENOMEM;
		}
	*out = v;
	return 1;
}

static int val_array_of(struct jr *r, yajl_val v, size_t size, jr_elem_fn fn,
			void *ctx, void **out, size_t *n)
{
	char *list;
	int ret;

	ret = jr_val_array(r, v);
	if (ret < 0)
		return ret;
	list = jr_alloc(r, v->u.array.len, size);
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = jr_enter_index(r, i);

		ret = fn(r, v->u.array.values[i], list + i * size, ctx);
		if (ret < 0)
			return ret;
		jr_leave(r, mark);
	}
	*out = list;
	*n = v->u.array.len;
	return 0;
}

int jr_array_of(struct jr *r, yajl_val obj, const char *key, size_t size,
		jr_elem_fn fn, void *ctx, void **out, size_t *n)
{
	KEYED(r, obj, key, val_array_of(r, v, size, fn, ctx, out, n));
}

static int val_map_of(struct jr *r, yajl_val v, size_t size, jr_entry_fn fn,
		      void **out, size_t *n)
{
	size_t count = 0;
	char *list;

	JR_TRY(jr_val_object(r, v));
	list = jr_alloc(r, v->u.object.len, size);
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		yajl_val entry = v->u.object.values[i];
		const char *copy;
		size_t mark;

		if (YAJL_IS_NULL(entry))
			continue;
		copy = arena_strdup(r->arena, key);
		if (!copy)
			return no_memory(r);
		mark = jr_enter_key(r, key);
		JR_TRY(fn(r, copy, entry, list + count * size));
		jr_leave(r, mark);
		count++;
	}
	*out = list;
	*n = count;
	return 0;
}

int jr_map_of(struct jr *r, yajl_val obj, const char *key, size_t size,
	      jr_entry_fn fn, void **out, size_t *n)
{
	KEYED(r, obj, key, val_map_of(r, v, size, fn, out, n));
}

int jr_section(struct jr *r, yajl_val obj, const char *key, jr_elem_fn fn,
	       void *elem, void *ctx)
{
	KEYED(r, obj, key, fn(r, v, elem, ctx));
}

int jr_req(struct jr *r, int ret, const char *key)
{
	if (ret == 0)
		return jr_fail_key(r, key, "required field is missing");
	return ret;
}
