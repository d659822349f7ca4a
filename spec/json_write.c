#include "spec/json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

/* yajl_gen's own limit. */
#define JW_MAX_DEPTH 128

/* What the innermost open container expects next.  yajl_gen alone would
 * take a string where a key belongs as the key, and would not notice a map
 * closed by jw_array_close, so the writer keeps its own account. */
enum jw_slot {
	JW_KEY,   /* in a map, before a key */
	JW_VALUE, /* in a map, after a key */
	JW_ITEM,  /* in an array */
};

struct jw {
	yajl_gen g;
	int depth;
	enum jw_slot stack[JW_MAX_DEPTH];
	bool done; /* the top-level value is complete */
	bool failed;
	bool pretty;
	struct berr err; /* the first failure */
};

struct jw *jw_new(bool pretty)
{
	struct jw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->g = yajl_gen_alloc(NULL);
	if (!w->g) {
		free(w);
		return NULL;
	}
	w->pretty = pretty;
	if (pretty) {
		yajl_gen_config(w->g, yajl_gen_beautify, 1);
		yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
	}
	return w;
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	yajl_gen_free(w->g);
	free(w);
}

static void fail(struct jw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct jw *w, const char *fmt, ...)
{
	char what[sizeof(w->err.msg) - 16];
	va_list ap;

	if (w->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	berr_set(&w->err, 0, "write JSON: %s", what);
	w->failed = true;
}

static const char *gen_status_text(yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_keys_must_be_strings:
		return "a map key must be a string";
	case yajl_max_depth_exceeded:
		return "nested too deeply";
	case yajl_gen_generation_complete:
		return "a value after the end of the document";
	case yajl_gen_invalid_number:
		return "an invalid number";
	case yajl_gen_invalid_string:
		return "a string that is not UTF-8";
	case yajl_gen_no_buf:
	case yajl_gen_in_error_state:
	default:
		return "the generator failed";
	}
}

static void check(struct jw *w, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok)
		fail(w, "%s", gen_status_text(st));
}

/* May a value go here?  Called before every value. */
static bool value_ok(struct jw *w, const char *what)
{
	if (!w || w->failed)
		return false;
	if (w->depth == 0 && w->done) {
		fail(w, "%s after the end of the document", what);
		return false;
	}
	if (w->depth > 0 && w->stack[w->depth - 1] == JW_KEY) {
		fail(w, "%s where a map key belongs", what);
		return false;
	}
	return true;
}

/* A value is complete: the enclosing map wants a key again. */
static void value_done(struct jw *w)
{
	if (w->depth == 0)
		w->done = true;
	else if (w->stack[w->depth - 1] == JW_VALUE)
		w->stack[w->depth - 1] = JW_KEY;
}

static void push(struct jw *w, enum jw_slot slot)
{
	if (w->depth == JW_MAX_DEPTH) {
		fail(w, "nested too deeply");
		return;
	}
	w->stack[w->depth++] = slot;
}

void jw_map_open(struct jw *w)
{
	if (!value_ok(w, "a map"))
		return;
	push(w, JW_KEY);
	check(w, yajl_gen_map_open(w->g));
}

void jw_map_close(struct jw *w)
{
	if (!w || w->failed)
		return;
	if (w->depth == 0 || w->stack[w->depth - 1] != JW_KEY) {
		fail(w, "a map closed where none is open or a value is due");
		return;
	}
	w->depth--;
	check(w, yajl_gen_map_close(w->g));
	value_done(w);
}

void jw_array_open(struct jw *w)
{
	if (!value_ok(w, "an array"))
		return;
	push(w, JW_ITEM);
	check(w, yajl_gen_array_open(w->g));
}

void jw_array_close(struct jw *w)
{
	if (!w || w->failed)
		return;
	if (w->depth == 0 || w->stack[w->depth - 1] != JW_ITEM) {
		fail(w, "an array closed where none is open");
		return;
	}
	w->depth--;
	check(w, yajl_gen_array_close(w->g));
	value_done(w);
}

static void key_n(struct jw *w, const char *key, size_t len)
{
	if (!w || w->failed)
		return;
	if (w->depth == 0 || w->stack[w->depth - 1] != JW_KEY) {
		fail(w, "key \"%.*s\" outside a map or where a value is due", (int)len, key);
		return;
	}
	w->stack[w->depth - 1] = JW_VALUE;
	check(w, yajl_gen_string(w->g, (const unsigned char *)key, len));
}

void jw_key(struct jw *w, const char *key)
{
	key_n(w, key, strlen(key));
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	if (!value_ok(w, "a string"))
		return;
	check(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
	value_done(w);
}

void jw_int(struct jw *w, int64_t v)
{
	if (!value_ok(w, "a number"))
		return;
	check(w, yajl_gen_integer(w->g, (long long)v));
	value_done(w);
}

void jw_uint(struct jw *w, uint64_t v)
{
	char text[24];
	int n;

	if (!value_ok(w, "a number"))
		return;
	/* yajl_gen_integer is signed; the text form keeps all 64 bits. */
	n = snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	check(w, yajl_gen_number(w->g, text, (size_t)n));
	value_done(w);
}

void jw_bool(struct jw *w, bool v)
{
	if (!value_ok(w, "a boolean"))
		return;
	check(w, yajl_gen_bool(w->g, v));
	value_done(w);
}

void jw_null(struct jw *w)
{
	if (!value_ok(w, "null"))
		return;
	check(w, yajl_gen_null(w->g));
	value_done(w);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kstrv(struct jw *w, const char *key, char *const *v)
{
	jw_key(w, key);
	if (!v) {
		jw_null(w);
		return;
	}
	jw_array_open(w);
	for (size_t i = 0; v[i]; i++)
		jw_str(w, v[i]);
	jw_array_close(w);
}

void jw_kv_map(struct jw *w, const char *key, char *const *kv)
{
	jw_key(w, key);
	jw_map_open(w);
	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');

		key_n(w, kv[i], eq ? (size_t)(eq - kv[i]) : strlen(kv[i]));
		jw_str(w, eq ? eq + 1 : "");
	}
	jw_map_close(w);
}

void jw_kset(struct jw *w, const char *key, char *const *v)
{
	jw_key(w, key);
	if (!v || !v[0]) {
		jw_null(w);
		return;
	}
	jw_map_open(w);
	for (size_t i = 0; v[i]; i++) {
		jw_key(w, v[i]);
		jw_map_open(w);
		jw_map_close(w);
	}
	jw_map_close(w);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kuint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_tree(struct jw *w, yajl_val v)
{
	if (YAJL_IS_OBJECT(v)) {
		jw_map_open(w);
		for (size_t i = 0; i < v->u.object.len; i++) {
			jw_key(w, v->u.object.keys[i]);
			jw_tree(w, v->u.object.values[i]);
		}
		jw_map_close(w);
	} else if (YAJL_IS_ARRAY(v)) {
		jw_array_open(w);
		for (size_t i = 0; i < v->u.array.len; i++)
			jw_tree(w, v->u.array.values[i]);
		jw_array_close(w);
	} else if (YAJL_IS_STRING(v)) {
		jw_str(w, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		/* The number's own text, so nothing is rounded on the way. */
		if (!value_ok(w, "a number"))
			return;
		check(w, yajl_gen_number(w->g, v->u.number.r,
					 strlen(v->u.number.r)));
		value_done(w);
	} else if (YAJL_IS_TRUE(v)) {
		jw_bool(w, true);
	} else if (YAJL_IS_FALSE(v)) {
		jw_bool(w, false);
	} else {
		jw_null(w);
	}
}

void jw_json(struct jw *w, const char *json, size_t len)
{
	cleanup_tree yajl_val doc = NULL;
	struct berr err;

	if (!w || w->failed)
		return;
	if (jr_parse(json, len, &doc, &err) < 0) {
		fail(w, "embedded value: %s", err.msg);
		return;
	}
	jw_tree(w, doc);
}

/* yajl's beautifier writes an empty map as "{", newline, indent, "}";
 * fold those back to "{}" and "[]" as runc and jq print them. */
static size_t fold_empty(char *s, size_t len)
{
	bool in_str = false;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		s[o++] = c;
		if (in_str) {
			if (c == '\\' && i + 1 < len)
				s[o++] = s[++i];
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			char close = c == '{' ? '}' : ']';
			size_t j = i + 1;

			while (j < len && strchr(" \t\n", s[j]))
				j++;
			if (j < len && s[j] == close) {
				s[o++] = close;
				i = j;
			}
		}
	}
	return o;
}

int jw_finish(struct jw *w, char **out, size_t *len, struct berr *err)
{
	const unsigned char *buf;
	size_t n;
	char *doc;

	/* Every call above is a no-op on NULL, so jw_new's failure surfaces
	 * here, once. */
	if (!w)
		return berr_set(err, ENOMEM, "write JSON");
	if (w->failed) {
		*err = w->err;
		return -EINVAL;
	}
	if (!w->done)
		return berr_set(err, 0, "write JSON: the document is incomplete");
	if (yajl_gen_get_buf(w->g, &buf, &n) != yajl_gen_status_ok)
		return berr_set(err, 0, "write JSON: the generator failed");
	doc = malloc(n + 1);
	if (!doc)
		return berr_set(err, ENOMEM, "write JSON");
	memcpy(doc, buf, n);
	/* Only the beautifier splits an empty map or array (a long API
	 * answer, docker ps's, spent a sixth of its time in this walk). */
	if (w->pretty)
		n = fold_empty(doc, n);
	/* The beautifier ends with a newline, the compact form does not;
	 * give both the same shape and let the caller add one to files. */
	while (n && doc[n - 1] == '\n')
		n--;
	doc[n] = '\0';
	*out = doc;
	if (len)
		*len = n;
	return 0;
}
