#include "runtime/images/image_derive.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"
#include "spec/image.h"
#include "spec/image_history.h"
#include "spec/json_write.h"

static void history_entry(struct jw *w, const struct spec_image_history *h)
{
	jw_map_open(w);
	if (h->created)
		jw_kstr(w, "created", h->created);
	if (h->author)
		jw_kstr(w, "author", h->author);
	if (h->created_by)
		jw_kstr(w, "created_by", h->created_by);
	if (h->comment)
		jw_kstr(w, "comment", h->comment);
	if (h->empty_layer)
		jw_kbool(w, "empty_layer", true);
	jw_map_close(w);
}

static int derived_config(const struct spec_image_config *p,
			  const struct spec_image_history *hist, size_t n_hist,
			  const struct image_derive_in *in, char **out, size_t *len,
			  struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct spec_image_history mine = {
		.author = in->author && *in->author ? in->author : NULL,
		.created_by = in->created_by ? in->created_by : "",
		.empty_layer = true,
	};
	char now[48];

	timestamp_now(now, sizeof(now));
	mine.created = now;
	jw_map_open(w);
	jw_kstr(w, "architecture", p && p->architecture ? p->architecture : "amd64");
	if (mine.author)
		jw_kstr(w, "author", mine.author);
	jw_key(w, "config");
	jw_json(w, in->run_config, strlen(in->run_config));
	jw_kstr(w, "created", now);
	jw_key(w, "history");
	jw_array_open(w);
	for (size_t i = 0; i < n_hist; i++)
		history_entry(w, &hist[i]);
	history_entry(w, &mine);
	jw_array_close(w);
	jw_kstr(w, "os", p && p->os ? p->os : "linux");
	jw_key(w, "rootfs");
	jw_map_open(w);
	jw_kstr(w, "type", "layers");
	jw_key(w, "diff_ids");
	jw_array_open(w);
	for (size_t i = 0; p && i < p->n_diff_ids; i++)
		jw_str(w, p->diff_ids[i]);
	jw_array_close(w);
	jw_map_close(w);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}

int image_derive(const char *data_root, const struct image_derive_in *in,
		 char id[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_free char *pjson = NULL, *config = NULL;
	struct spec_image_config *parent = NULL;
	struct spec_image_history *hist = NULL;
	struct arena arena = { 0 };
	size_t plen = 0, clen = 0, n_hist = 0;
	char now[48];
	int lock, ret = 0;

	if (in->parent && *in->parent) {
		ret = image_store_config(data_root, in->parent, &pjson, &plen, err);
		if (ret == 0)
			ret = spec_image_config_parse(pjson, plen, &parent, err);
		if (ret == 0)
			ret = spec_image_history_parse(pjson, plen, &arena, &hist, &n_hist, err);
	}
	if (ret == 0)
		ret = derived_config(parent, hist, n_hist, in, &config, &clen, err);
	if (ret < 0)
		goto out;
	image_digest_buf(config, clen, id);
	lock = image_store_lock(data_root, true, err);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	timestamp_now(now, sizeof(now));
	ret = image_store_add_locked(data_root, id, config, clen,
				     parent ? (char *const *)parent->diff_ids : NULL,
				     parent ? parent->n_diff_ids : 0, now, NULL, 0, err);
	close(lock);
out:
	spec_image_config_free(parent);
	arena_release(&arena);
	return ret;
}
