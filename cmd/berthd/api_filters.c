#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"

void filters_free(struct filters *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->keys[i]);
		strv_free(f->values[i]);
	}
	free(f->keys);
	free(f->values);
	memset(f, 0, sizeof(*f));
}

int filters_parse(const char *json, struct filters *f, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	int ret;

	memset(f, 0, sizeof(*f));
	if (!json || !*json)
		return 0;
	ret = jr_parse(json, strlen(json), &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "filters");
	if (!YAJL_IS_OBJECT(doc))
		return berr_invalid(err, "filters: expected an object");
	f->keys = calloc(doc->u.object.len + 1, sizeof(char *));
	f->values = calloc(doc->u.object.len + 1, sizeof(char **));
	if (!f->keys || !f->values)
		return berr_set(err, ENOMEM, "filters");
	for (size_t i = 0; i < doc->u.object.len; i++) {
		yajl_val v = doc->u.object.values[i];
		size_t n = 0, len = YAJL_IS_ARRAY(v) ? v->u.array.len
					: YAJL_IS_OBJECT(v) ? v->u.object.len
							    : 0;
		char **vals = calloc(len + 1, sizeof(char *));

		if (!vals)
			return berr_set(err, ENOMEM, "filters");
		f->keys[f->n] = strdup(doc->u.object.keys[i]);
		f->values[f->n++] = vals;
		if (!YAJL_IS_ARRAY(v) && !YAJL_IS_OBJECT(v))
			return berr_invalid(err, "filters: \"%s\" must list its values",
					 doc->u.object.keys[i]);
		for (size_t j = 0; j < len; j++) {
			if (YAJL_IS_ARRAY(v)) {
				if (!YAJL_IS_STRING(v->u.array.values[j]))
					return berr_invalid(err,
							 "filters: values of \"%s\" must be strings",
							 f->keys[f->n - 1]);
				vals[n++] = strdup(v->u.array.values[j]->u.string);
			} else if (YAJL_IS_TRUE(v->u.object.values[j])) {
				vals[n++] = strdup(v->u.object.keys[j]);
			}
		}
	}
	return 0;
}

int filters_check(const struct filters *f, const char *const *allowed, struct berr *err)
{
	for (size_t i = 0; i < f->n; i++) {
		bool ok = false;

		for (size_t j = 0; allowed[j]; j++)
			ok |= strcmp(f->keys[i], allowed[j]) == 0;
		if (!ok)
			return berr_invalid(err, "invalid filter '%s'", f->keys[i]);
	}
	return 0;
}

int filters_query(struct req *r, const char *const *allowed, struct filters *f,
		  struct berr *err)
{
	int ret = filters_parse(http_query(r, "filters"), f, err);

	if (ret == 0)
		ret = filters_check(f, allowed, err);
	if (ret < 0)
		filters_free(f);
	return ret;
}

char **filters_values(const struct filters *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0)
			return f->values[i];
	return NULL;
}

bool filters_has(const struct filters *f, const char *key)
{
	return filters_values(f, key) != NULL;
}

bool filters_match(const struct filters *f, const char *key, const char *value)
{
	char **v = filters_values(f, key);

	if (!v)
		return true;
	for (size_t i = 0; v[i]; i++)
		if (value && strcmp(v[i], value) == 0)
			return true;
	return false;
}

static bool has_label(char *const *labels, const char *want)
{
	size_t len = strlen(want);
	bool by_key = !strchr(want, '=');

	for (size_t i = 0; labels && labels[i]; i++)
		if (by_key ? strcspn(labels[i], "=") == len && strncmp(labels[i], want, len) == 0
			   : strcmp(labels[i], want) == 0)
			return true;
	return false;
}

bool filters_labels(const struct filters *f, char *const *labels)
{
	char **want = filters_values(f, "label"), **not = filters_values(f, "label!");

	for (size_t i = 0; want && want[i]; i++)
		if (!has_label(labels, want[i]))
			return false;
	for (size_t i = 0; not && not[i]; i++)
		if (has_label(labels, not[i]))
			return false;
	return true;
}
