/* Reading the JSON bodies of API requests. */
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "spec/base/strv.h"

int body_open(struct jr *r, const char *body, size_t len, const char *what, yajl_val *doc,
	      struct arena *a, struct berr *err)
{
	int ret;

	if (!body || !len)
		return berr_invalid(err, "the request has no body (%s)", what);
	ret = jr_parse(body, len, doc, err);
	if (ret < 0)
		return ret;
	jr_init(r, a, err);
	return jr_val_object(r, *doc);
}

int body_str(struct jr *r, yajl_val obj, const char *key, char **out)
{
	const char *s = NULL;
	int ret = jr_str(r, obj, key, &s);

	if (ret == 1 && !(*out = strdup(s)))
		return -ENOMEM;
	return ret;
}

int body_strv(struct jr *r, yajl_val obj, const char *key, char ***out)
{
	yajl_val v = jr_get(obj, key);
	const char **arr = NULL;
	size_t n = 0;
	int ret;

	if (!v)
		return 0;
	if (YAJL_IS_STRING(v)) {
		char *one[1] = { v->u.string };

		*out = strv_dup(one, 1);
		return *out ? 1 : -ENOMEM;
	}
	ret = jr_str_array(r, obj, key, &arr, &n);
	if (ret <= 0)
		return ret;
	*out = strv_dup((char *const *)arr, n);
	return *out ? 1 : -ENOMEM;
}

enum MHD_Result body_reply_error(struct req *r, int ret, struct berr *err, const char *what)
{
	if (ret == -ENOMEM)
		berr_set(err, ENOMEM, "%s", what);
	return http_reply_berr(r, err);
}
