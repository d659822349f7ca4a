#include "spec/image_history.h"

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

static int read_entry(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_image_history *h = elem;

	(void)ctx;
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_str(r, v, "created", &h->created));
	JR_TRY(jr_str(r, v, "created_by", &h->created_by));
	JR_TRY(jr_str(r, v, "author", &h->author));
	JR_TRY(jr_str(r, v, "comment", &h->comment));
	JR_TRY(jr_bool(r, v, "empty_layer", &h->empty_layer));
	return 0;
}

int spec_image_history_parse(const char *json, size_t len, struct arena *a,
			     struct spec_image_history **out, size_t *n, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	*out = NULL;
	*n = 0;
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	jr_init(&r, a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_list(&r, doc, "history", *out, n, read_entry, NULL);
	if (ret < 0)
		return berr_wrap(err, ret, "image config");
	return 0;
}
