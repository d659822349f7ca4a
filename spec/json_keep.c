/* A parse that builds only part of the tree: what a reader of one section
 * of a large document (exec's process in a config.json whose seccomp
 * profile is most of its bytes) would otherwise pay for in allocations,
 * page faults and frees of values it never looks at.  The whole text is
 * still checked as JSON; the values off the kept paths are dropped as
 * yajl reports them.  The tree has yajl_tree's layout and allocator, so
 * that yajl_tree_free (cleanup_tree) frees it.  It bounds the nesting as
 * it goes, where jr_parse scans the text for it first and copies it to
 * give yajl_tree_parse a C string: config.json goes through here whole
 * too. */
#include "spec/json_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "spec/base/cleanup.h"

enum keep_mode {
	KEEP_SKIP, /* not built */
	KEEP_PART, /* an object on the way to a kept path: its keys filtered */
	KEEP_ALL,  /* a kept value and everything in it */
	KEEP_ASIDE, /* the value at the aside path: an object is not built */
};

struct keep_frame {
	yajl_val v;
	enum keep_mode mode;
	char *key;               /* the pending key of an object */
	enum keep_mode key_mode; /* what the pending key's value gets */
	size_t path_len;         /* the path's length below this frame */
};

struct keep {
	const char *const *paths;
	/* jr_parse_aside: the path whose object is left out, how many keys
	 * on the way to it (or it) the document has, how many objects were
	 * set aside, and the last one's bytes. */
	const char *aside;
	size_t aside_keys;
	size_t aside_sets;
	bool aside_open;
	size_t aside_off, aside_end;
	yajl_handle h;
	struct keep_frame stack[JR_MAX_DEPTH + 1];
	size_t depth;
	size_t skip; /* nesting inside a value being dropped */
	yajl_val root;
	bool oom;
	bool too_deep;
	char path[512]; /* of the innermost KEEP_PART object */
	size_t path_len;
};

/* What the value at path (n bytes, no NUL) gets. */
static enum keep_mode mode_of(struct keep *k, const char *path, size_t n)
{
	enum keep_mode m = KEEP_SKIP;

	if (k->aside && strncmp(k->aside, path, n) == 0 &&
	    (k->aside[n] == '\0' || k->aside[n] == '.')) {
		k->aside_keys++;
		return k->aside[n] ? KEEP_PART : KEEP_ASIDE;
	}
	if (!k->paths)
		return KEEP_ALL;
	for (const char *const *p = k->paths; *p; p++) {
		if (strncmp(*p, path, n) != 0)
			continue;
		if ((*p)[n] == '\0')
			return KEEP_ALL;
		if ((*p)[n] == '.')
			m = KEEP_PART;
	}
	return m;
}

static int fail_oom(struct keep *k)
{
	k->oom = true;
	return 0;
}

/* Put v where the parser is: the root, an array's next entry or the
 * pending key's value. */
static int attach(struct keep *k, yajl_val v)
{
	struct keep_frame *f;

	if (k->depth == 0) {
		k->root = v;
		return 1;
	}
	f = &k->stack[k->depth - 1];
	if (f->v->type == yajl_t_array) {
		yajl_val *grown = realloc(f->v->u.array.values,
					  (f->v->u.array.len + 1) * sizeof(*grown));

		if (!grown)
			return fail_oom(k);
		grown[f->v->u.array.len++] = v;
		f->v->u.array.values = grown;
		return 1;
	}
	{
		const char **keys = realloc(f->v->u.object.keys,
					    (f->v->u.object.len + 1) * sizeof(*keys));
		yajl_val *values;

		if (!keys)
			return fail_oom(k);
		f->v->u.object.keys = keys;
		values = realloc(f->v->u.object.values, (f->v->u.object.len + 1) * sizeof(*values));
		if (!values)
			return fail_oom(k);
		f->v->u.object.values = values;
		keys[f->v->u.object.len] = f->key;
		values[f->v->u.object.len++] = v;
		f->key = NULL;
	}
	return 1;
}

/* The mode of the value about to come, from its parent. */
static enum keep_mode next_mode(const struct keep *k)
{
	const struct keep_frame *f;

	if (k->depth == 0)
		return k->paths || k->aside ? KEEP_PART : KEEP_ALL;
	f = &k->stack[k->depth - 1];
	if (f->mode == KEEP_ALL)
		return KEEP_ALL;
	/* Paths name object keys only: an array on the way is kept whole,
	 * for the reader to refuse as it would in the whole tree. */
	return f->v->type == yajl_t_array ? KEEP_ALL : f->key_mode;
}

/* A scalar: built and attached, or dropped.  v is freed when dropped. */
static int scalar(struct keep *k, yajl_val v)
{
	if (!v)
		return fail_oom(k);
	if (k->skip || next_mode(k) == KEEP_SKIP) {
		yajl_tree_free(v);
		return 1;
	}
	if (!attach(k, v)) {
		yajl_tree_free(v);
		return 0;
	}
	return 1;
}

static yajl_val new_val(yajl_type t)
{
	yajl_val v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static int on_null(void *ctx)
{
	return scalar(ctx, new_val(yajl_t_null));
}

static int on_bool(void *ctx, int b)
{
	return scalar(ctx, new_val(b ? yajl_t_true : yajl_t_false));
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct keep *k = ctx;
	yajl_val v;
	char *end;

	if (k->skip || next_mode(k) == KEEP_SKIP)
		return 1;
	v = new_val(yajl_t_number);
	if (!v || !(v->u.number.r = strndup(s, len))) {
		free(v);
		return fail_oom(k);
	}
	/* The flags as yajl_tree sets them: an integer when the whole text
	 * is one that fits, a double when strtod takes it all. */
	errno = 0;
	v->u.number.i = strtoll(v->u.number.r, &end, 10);
	if (errno == 0 && end != v->u.number.r && *end == '\0')
		v->u.number.flags |= YAJL_NUMBER_INT_VALID;
	errno = 0;
	v->u.number.d = strtod(v->u.number.r, &end);
	if (errno == 0 && *end == '\0')
		v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
	return scalar(k, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct keep *k = ctx;
	yajl_val v;

	if (k->skip || next_mode(k) == KEEP_SKIP)
		return 1;
	v = new_val(yajl_t_string);
	if (!v || !(v->u.string = strndup((const char *)s, len))) {
		free(v);
		return fail_oom(k);
	}
	return scalar(k, v);
}

static int open_container(struct keep *k, yajl_type t)
{
	enum keep_mode m;
	struct keep_frame *f;
	yajl_val v;

	/* yajl's parser keeps its nesting in a buffer of its own, but
	 * yajl_tree_free and the readers recurse: a hostile document of
	 * nested brackets stops here, skipped parts included. */
	if (k->depth + k->skip >= JR_MAX_DEPTH) {
		k->too_deep = true;
		return 0;
	}
	if (k->skip) {
		k->skip++;
		return 1;
	}
	m = next_mode(k);
	if (m == KEEP_SKIP) {
		k->skip = 1;
		return 1;
	}
	if (m == KEEP_ASIDE && t == yajl_t_object) {
		/* yajl reports a token once it has read it: the '{' is the
		 * byte before. */
		k->aside_off = yajl_get_bytes_consumed(k->h) - 1;
		k->aside_open = true;
		k->aside_sets++;
		k->skip = 1;
		return 1;
	}
	/* Anything else there is built, for the reader to take or refuse. */
	if (m == KEEP_ASIDE)
		m = KEEP_ALL;
	v = new_val(t);
	if (!v)
		return fail_oom(k);
	if (!attach(k, v)) {
		free(v);
		return 0;
	}
	f = &k->stack[k->depth];
	/* The key this object is under extends the path of a KEEP_PART
	 * object (the root's is ""). */
	f->path_len = k->path_len;
	if (m == KEEP_PART && k->depth > 0) {
		const char *key = k->stack[k->depth - 1].v->u.object.keys
					  [k->stack[k->depth - 1].v->u.object.len - 1];
		size_t n = strlen(key);

		if (k->path_len + n + 2 > sizeof(k->path))
			m = KEEP_ALL;
		else {
			if (k->path_len)
				k->path[k->path_len++] = '.';
			memcpy(k->path + k->path_len, key, n + 1);
			k->path_len += n;
		}
	}
	f->v = v;
	f->mode = m;
	f->key = NULL;
	f->key_mode = KEEP_SKIP;
	k->depth++;
	return 1;
}

static int close_container(struct keep *k)
{
	struct keep_frame *f;

	if (k->skip) {
		if (--k->skip == 0 && k->aside_open) {
			k->aside_end = yajl_get_bytes_consumed(k->h);
			k->aside_open = false;
		}
		return 1;
	}
	f = &k->stack[--k->depth];
	free(f->key);
	f->key = NULL;
	k->path_len = f->path_len;
	k->path[k->path_len] = '\0';
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, yajl_t_object);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, yajl_t_array);
}

static int on_end(void *ctx)
{
	return close_container(ctx);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct keep *k = ctx;
	struct keep_frame *f;
	char child[sizeof(k->path)];
	size_t n;

	if (k->skip)
		return 1;
	/* The key as the tree holds it (a C string) and the readers match
	 * it: "a\u0000b" is "a". */
	len = strnlen((const char *)s, len);
	f = &k->stack[k->depth - 1];
	free(f->key);
	f->key = NULL;
	if (f->mode == KEEP_PART) {
		if (k->path_len + len + 2 > sizeof(child)) {
			f->key_mode = KEEP_SKIP;
			return 1;
		}
		n = k->path_len;
		memcpy(child, k->path, n);
		if (n)
			child[n++] = '.';
		memcpy(child + n, s, len);
		f->key_mode = mode_of(k, child, n + len);
		if (f->key_mode == KEEP_SKIP)
			return 1;
	}
	f->key = strndup((const char *)s, len);
	return f->key ? 1 : fail_oom(k);
}

static const yajl_callbacks keep_callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

static void keep_release(struct keep *k)
{
	while (k->depth > 0)
		free(k->stack[--k->depth].key);
	if (k->root)
		yajl_tree_free(k->root);
	k->root = NULL;
}

static int parse(const char *json, size_t len, struct keep *k, yajl_val *out, struct berr *err);

int jr_parse_keep(const char *json, size_t len, const char *const *paths, yajl_val *out,
		  struct berr *err)
{
	struct keep *k = calloc(1, sizeof(*k));
	int ret;

	*out = NULL;
	if (!k)
		return berr_set(err, ENOMEM, "parse JSON");
	k->paths = paths;
	ret = parse(json, len, k, out, err);
	free(k);
	return ret;
}

/* The object set aside stands for the value at the path only when
 * nothing else could: no key on the way to it, nor it, repeated (the
 * readers take the last of a repeated key, which may not be the one set
 * aside), one key per component of the path. */
static bool aside_alone(const struct keep *k, const char *path)
{
	size_t parts = 1;

	for (const char *p = path; *p; p++)
		parts += *p == '.';
	return k->aside_sets == 1 && k->aside_keys == parts;
}

int jr_parse_aside(const char *json, size_t len, const char *path, yajl_val *out,
		   struct spec_span *span, struct berr *err)
{
	struct keep *k = calloc(1, sizeof(*k));
	int ret;

	*out = NULL;
	span->off = span->len = 0;
	if (!k)
		return berr_set(err, ENOMEM, "parse JSON");
	k->aside = path;
	ret = parse(json, len, k, out, err);
	if (ret == 0 && k->aside_sets) {
		if (aside_alone(k, path) && k->aside_end > k->aside_off &&
		    k->aside_end <= len && json[k->aside_off] == '{' &&
		    json[k->aside_end - 1] == '}') {
			span->off = k->aside_off;
			span->len = k->aside_end - k->aside_off;
			ret = 1;
		} else {
			/* Unusual: built whole, as jr_parse_keep would. */
			yajl_tree_free(*out);
			*out = NULL;
			memset(k, 0, sizeof(*k));
			ret = parse(json, len, k, out, err);
		}
	}
	free(k);
	return ret;
}

static int parse(const char *json, size_t len, struct keep *k, yajl_val *out, struct berr *err)
{
	yajl_handle h;
	yajl_status st;
	int ret = 0;

	/* As jr_parse, which hands yajl_tree_parse a C string. */
	if (memchr(json, '\0', len))
		return berr_failk(err, BERR_INVALID, 0, "invalid JSON: NUL byte in the document");
	h = yajl_alloc(&keep_callbacks, NULL, k);
	if (!h)
		return berr_set(err, ENOMEM, "parse JSON");
	k->h = h;
	yajl_config(h, yajl_allow_comments, 1);
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (k->too_deep) {
		ret = berr_failk(err, BERR_INVALID, 0, "invalid JSON: nested deeper than %d levels",
				 JR_MAX_DEPTH);
	} else if (k->oom) {
		ret = berr_set(err, ENOMEM, "parse JSON");
	} else if (st != yajl_status_ok) {
		unsigned char *msg = yajl_get_error(h, 1, (const unsigned char *)json, len);

		ret = jr_syntax_error(err, msg ? (const char *)msg : "");
		yajl_free_error(h, msg);
	} else {
		*out = k->root;
		k->root = NULL;
	}
	yajl_free(h);
	keep_release(k);
	return ret;
}
