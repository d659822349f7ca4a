#include "spec/record.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"
#include "spec/json_write.h"

int record_parse(const char *text, size_t len, struct record *r, struct berr *err)
{
	yajl_val v = NULL;
	int ret;

	r->tree = NULL;
	ret = jr_parse(text, len, &v, err);
	if (ret < 0)
		return ret;
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		return berr_fail(err, EINVAL, "a record is a JSON object");
	}
	r->tree = v;
	return 0;
}

int record_load(const char *path, struct record *r, struct berr *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int ret;

	r->tree = NULL;
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	ret = record_parse(text, len, r, err);
	return ret < 0 ? berr_wrap(err, -EINVAL, "%s", path) : 0;
}

void record_free(struct record *r)
{
	if (r->tree)
		yajl_tree_free(r->tree);
	r->tree = NULL;
}

bool record_has(const struct record *r, const char *key)
{
	return r->tree && jr_get(r->tree, key) != NULL;
}

const char *record_str(const struct record *r, const char *key)
{
	yajl_val v = r->tree ? jr_get(r->tree, key) : NULL;

	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

long long record_ll(const struct record *r, const char *key, long long dflt)
{
	yajl_val v = r->tree ? jr_get(r->tree, key) : NULL;

	return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

bool record_bool(const struct record *r, const char *key)
{
	yajl_val v = r->tree ? jr_get(r->tree, key) : NULL;

	return YAJL_IS_TRUE(v);
}

int record_strv(const struct record *r, const char *key, char ***out, size_t *n)
{
	yajl_val v = r->tree ? jr_get(r->tree, key) : NULL;
	size_t used = 0;
	char **list;

	*out = NULL;
	if (n)
		*n = 0;
	if (!YAJL_IS_ARRAY(v))
		return 0;
	list = calloc(v->u.array.len + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e))
			continue;
		list[used] = strdup(e->u.string);
		if (!list[used]) {
			strv_free(list);
			return -ENOMEM;
		}
		used++;
	}
	*out = list;
	if (n)
		*n = used;
	return 1;
}

int record_begin(struct record_writer *w, struct berr *err)
{
	/* Pretty, for the people who read them when something went wrong. */
	w->jw = jw_new(true);
	if (!w->jw)
		return berr_set(err, ENOMEM, "record");
	jw_map_open(w->jw);
	return 0;
}

void record_put(struct record_writer *w, const char *key, const char *value)
{
	if (value)
		jw_kstr(w->jw, key, value);
}

void record_put_int(struct record_writer *w, const char *key, int64_t value)
{
	jw_kint(w->jw, key, value);
}

void record_put_bool(struct record_writer *w, const char *key, bool value)
{
	jw_kbool(w->jw, key, value);
}

void record_put_list(struct record_writer *w, const char *key, char *const *v, size_t n)
{
	if (!v)
		return;
	jw_key(w->jw, key);
	jw_array_open(w->jw);
	for (size_t i = 0; i < n; i++)
		jw_str(w->jw, v[i]);
	jw_array_close(w->jw);
}

int record_commit(struct record_writer *w, const char *path, struct berr *err)
{
	cleanup_free char *json = NULL;
	size_t len;
	int ret;

	jw_map_close(w->jw);
	ret = jw_finish(w->jw, &json, &len, err);
	record_abort(w);
	if (ret < 0)
		return berr_wrap(err, ret, "write %s", path);
	json[len] = '\n'; /* the writer left room for its NUL */
	return fsutil_write_atomic(path, json, len + 1, 0600, err);
}

void record_abort(struct record_writer *w)
{
	jw_free(w->jw);
	w->jw = NULL;
}
