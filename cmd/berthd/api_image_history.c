/* docker history: GET /images/{name}/history, from the image config's
 * history, newest step first, with the size of the layer each step made;
 * as dockerd, the newest step is the image's own, and each next one its
 * parent's (the image the build's step before made), for as long as the
 * chain of parents is in the store: "<missing>" after. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/image_history.h"

static int64_t secs(const char *created)
{
	int64_t ns;

	if (!created || !*created || daemon_log_time(created, &ns) < 0)
		return 0;
	return ns / 1000000000LL;
}

static void entry(struct jw *w, const struct image_rec *img, const char *created,
		  const char *created_by, const char *comment, long long size)
{
	jw_map_open(w);
	jw_kstr(w, "Id", img ? img->id : "<missing>");
	jw_kint(w, "Created", secs(created));
	jw_kstr(w, "CreatedBy", created_by ? created_by : "");
	jw_key(w, "Tags");
	if (img && img->n_tags) {
		jw_array_open(w);
		for (size_t i = 0; i < img->n_tags; i++)
			jw_str(w, img->tags[i]);
		jw_array_close(w);
	} else {
		jw_null(w);
	}
	jw_kint(w, "Size", size < 0 ? 0 : size);
	jw_kstr(w, "Comment", comment ? comment : "");
	jw_map_close(w);
}

/* The image whose step comes next, older: cur's parent, or none. */
static void older(struct srv *s, struct image_rec *cur, bool *have)
{
	char parent[IMAGE_DIGEST_LEN + 1];
	struct berr ignored;

	if (!*have)
		return;
	snprintf(parent, sizeof(parent), "%s", cur->parent);
	image_rec_free(cur);
	*have = parent[0] && image_store_find(s->data_root, parent, cur, &ignored) == 0;
}

enum MHD_Result api_image_history(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *json = NULL;
	struct spec_image_history *h = NULL;
	struct arena arena = { 0 };
	struct image_rec img, cur;
	struct berr err = { 0 };
	bool have;
	size_t len, n = 0, layer;
	int ret;

	ret = image_store_find(r->srv->data_root, r->params[0], &img, &err);
	if (ret < 0)
		return http_reply_berr(r, &err);
	ret = image_store_config(r->srv->data_root, img.id, &json, &len, &err);
	if (ret == 0)
		ret = spec_image_history_parse(json, len, &arena, &h, &n, &err);
	if (ret < 0) {
		arena_release(&arena);
		image_rec_free(&img);
		return http_reply_berr(r, &err);
	}
	jw_array_open(w);
	/* cur: the image of the step written next, while have. */
	have = image_store_find(r->srv->data_root, img.id, &cur, &err) == 0;
	if (n == 0) {
		/* No history: a step per layer, as dockerd shows such images. */
		for (size_t i = img.n_layers; i-- > 0; older(r->srv, &cur, &have))
			entry(w, have ? &cur : NULL, img.created, "", "",
			      layer_store_size(r->srv->data_root, img.layers[i]));
	} else {
		/* The layers belong to the steps that made one, in order. */
		layer = 0;
		for (size_t i = 0; i < n; i++)
			if (!h[i].empty_layer)
				layer++;
		for (size_t i = n; i-- > 0; older(r->srv, &cur, &have)) {
			long long size = 0;

			if (!h[i].empty_layer && layer-- > 0 && layer < img.n_layers)
				size = layer_store_size(r->srv->data_root, img.layers[layer]);
			entry(w, have ? &cur : NULL, h[i].created, h[i].created_by, h[i].comment,
			      size);
		}
	}
	jw_array_close(w);
	arena_release(&arena);
	if (have)
		image_rec_free(&cur);
	image_rec_free(&img);
	return http_reply_json(r, 200, w);
}
