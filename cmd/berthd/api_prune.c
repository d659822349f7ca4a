/* docker container, image and network prune (POST /containers/prune,
 * /images/prune, /networks/prune), with their filters: until and label
 * (label!=) for all three, dangling for images (false: every image no
 * container uses). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "runtime/engine/log.h"
#include "runtime/engine/prune.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/image.h"

/* until: a timestamp (RFC 3339 or unix seconds) or a duration back from
 * now ("10m", "1h30m", as Go writes them). */
static int until_secs(const char *v, int64_t *out)
{
	int64_t ns, total = 0;
	const char *p = v;
	char *end;

	if (daemon_log_time(v, &ns) == 0) {
		*out = ns / 1000000000LL;
		return 0;
	}
	if (isdigit((unsigned char)*v)) {
		double secs = strtod(v, &end);

		if (*end == '\0') {
			*out = (int64_t)secs;
			return 0;
		}
	}
	while (*p) {
		long long n = strtoll(p, &end, 10);
		int64_t unit;

		if (end == p || n < 0)
			return -1;
		switch (*end) {
		case 'h': unit = 3600; break;
		case 'm': unit = 60; break;
		case 's': unit = 1; break;
		default: return -1;
		}
		total += n * unit;
		p = end + 1;
	}
	if (p == v)
		return -1;
	*out = (int64_t)time(NULL) - total;
	return 0;
}

struct prune_filters {
	struct filters f;
	bool has_until;
	int64_t until;
};

static bool created_pass(const struct prune_filters *p, const char *created)
{
	int64_t ns;

	if (!p->has_until)
		return true;
	return created && daemon_log_time(created, &ns) == 0 && ns / 1000000000LL < p->until;
}

static int parse_filters(struct req *r, const char *const *allowed, struct prune_filters *p,
			 struct berr *err)
{
	char **until;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = filters_query(r, allowed, &p->f, err);
	if (ret < 0)
		return ret;
	until = filters_values(&p->f, "until");
	if (until && until[0]) {
		if (until[1] || until_secs(until[0], &p->until) < 0)
			return berr_invalid(err, "invalid filter 'until=%s'", until[0]);
		p->has_until = true;
	}
	return 0;
}

static bool container_wanted(const struct daemon_container *c, void *arg)
{
	const struct prune_filters *p = arg;

	return filters_labels(&p->f, c->spec.labels) && created_pass(p, c->created);
}

enum MHD_Result api_container_prune(struct req *r)
{
	static const char *const allowed[] = { "until", "label", "label!", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct prune_filters p;
	char **deleted = NULL;
	uint64_t reclaimed = 0;
	struct berr err = { 0 };
	int ret;

	ret = parse_filters(r, allowed, &p, &err);
	if (ret == 0)
		ret = daemon_prune_containers(r->srv->d, container_wanted, &p, &deleted,
					      &reclaimed, &err);
	filters_free(&p.f);
	if (ret < 0) {
		strv_free(deleted);
		return http_reply_berr(r, &err);
	}
	jw_map_open(w);
	jw_key(w, "ContainersDeleted");
	jw_array_open(w);
	for (size_t i = 0; deleted && deleted[i]; i++)
		jw_str(w, deleted[i]);
	jw_array_close(w);
	jw_kint(w, "SpaceReclaimed", (int64_t)reclaimed);
	jw_map_close(w);
	strv_free(deleted);
	return http_reply_json(r, 200, w);
}

/* The image's labels as "key=value" (NULL when it has none). */
static char **image_labels(struct req *r, const char *id)
{
	cleanup_free char *json = NULL;
	struct spec_image_config *cfg = NULL;
	struct berr err;
	char **out;
	size_t len;

	if (image_store_config(r->srv->data_root, id, &json, &len, &err) < 0 ||
	    spec_image_config_parse(json, len, &cfg, &err) < 0)
		return NULL;
	out = calloc(cfg->run.n_labels + 1, sizeof(char *));
	for (size_t i = 0; out && i < cfg->run.n_labels; i++)
		if (asprintf(&out[i], "%s=%s", cfg->run.labels[i].key,
			     cfg->run.labels[i].value) < 0)
			out[i] = NULL;
	spec_image_config_free(cfg);
	return out;
}

static bool image_wanted(struct req *r, const struct prune_filters *p,
			 const struct image_rec *img, bool dangling_only)
{
	char **labels;
	bool ok;

	if (dangling_only && img->n_tags)
		return false;
	if (daemon_image_in_use(img->id, r->srv->d) || !created_pass(p, img->created))
		return false;
	if (!filters_has(&p->f, "label") && !filters_has(&p->f, "label!"))
		return true;
	labels = image_labels(r, img->id);
	ok = filters_labels(&p->f, labels);
	strv_free(labels);
	return ok;
}

static void list_json(struct jw *w, const char *key, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		jw_map_open(w);
		jw_kstr(w, key, v[i]);
		jw_map_close(w);
	}
}

enum MHD_Result api_image_prune(struct req *r)
{
	static const char *const allowed[] = { "dangling", "until", "label", "label!", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct prune_filters p;
	struct image_rec *imgs = NULL;
	char **untagged = NULL, **deleted = NULL;
	bool dangling_only = true, progress;
	int64_t reclaimed = 0;
	struct berr err = { 0 };
	size_t n = 0;
	int ret;

	ret = parse_filters(r, allowed, &p, &err);
	if (ret == 0 && filters_has(&p.f, "dangling")) {
		char **v = filters_values(&p.f, "dangling");

		if (v[1] || (strcmp(v[0], "true") && strcmp(v[0], "1") && strcmp(v[0], "false") &&
			     strcmp(v[0], "0")))
			ret = berr_invalid(&err, "invalid filter 'dangling=%s'", v[0]);
		else
			dangling_only = !strcmp(v[0], "true") || !strcmp(v[0], "1");
	}
	/* An image is pruned when it has no child (an intermediate image
	 * goes with the last image above it, in image_store_remove); with
	 * dangling=false a parent a pass left is a head in the next. */
again:
	if (ret == 0)
		ret = image_store_list(r->srv->data_root, &imgs, &n, &err);
	progress = false;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		size_t from = strv_len(deleted);
		cleanup_free long long *sizes = NULL;

		if (!image_wanted(r, &p, &imgs[i], dangling_only) ||
		    image_store_has_child(imgs, n, imgs[i].id))
			continue;
		/* The sizes of its layers, read while they are there. */
		sizes = calloc(imgs[i].n_layers + 1, sizeof(*sizes));
		for (size_t l = 0; sizes && l < imgs[i].n_layers; l++)
			sizes[l] = layer_store_size(r->srv->data_root, imgs[i].layers[l]);
		/* A container made meanwhile keeps its image (a conflict,
		 * skipped); any other failure ends the prune. */
		ret = image_store_remove(r->srv->data_root, imgs[i].id, false, daemon_image_in_use,
					 r->srv->d, &untagged, &deleted, &err);
		/* Gone with an image before it, or a child made meanwhile. */
		if (ret == -EBUSY || ret == -ENOENT || ret == -ENOTEMPTY) {
			ret = 0;
			continue;
		}
		progress |= ret == 0;
		for (size_t d = from; ret == 0 && sizes && deleted && deleted[d]; d++)
			for (size_t l = 0; l < imgs[i].n_layers; l++)
				if (strcmp(deleted[d], imgs[i].layers[l]) == 0 && sizes[l] > 0)
					reclaimed += sizes[l];
	}
	image_recs_free(imgs, n);
	imgs = NULL;
	n = 0;
	if (ret == 0 && progress && !dangling_only)
		goto again;
	filters_free(&p.f);
	if (ret < 0) {
		strv_free(untagged);
		strv_free(deleted);
		return http_reply_berr(r, &err);
	}
	jw_map_open(w);
	jw_key(w, "ImagesDeleted");
	jw_array_open(w);
	list_json(w, "Untagged", untagged);
	list_json(w, "Deleted", deleted);
	jw_array_close(w);
	jw_kint(w, "SpaceReclaimed", reclaimed);
	jw_map_close(w);
	strv_free(untagged);
	strv_free(deleted);
	return http_reply_json(r, 200, w);
}

static bool network_wanted(const struct daemon_network *nw, void *arg)
{
	const struct prune_filters *p = arg;

	return filters_labels(&p->f, nw->labels) && created_pass(p, nw->created);
}

enum MHD_Result api_network_prune(struct req *r)
{
	static const char *const allowed[] = { "until", "label", "label!", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct prune_filters p;
	struct berr err = { 0 };
	char **names = NULL;
	int ret;

	ret = parse_filters(r, allowed, &p, &err);
	if (ret == 0)
		ret = daemon_network_prune(r->srv->d, network_wanted, &p, &names, &err);
	filters_free(&p.f);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_kstrv(w, "NetworksDeleted", names); /* never NULL after a prune: [] when none */
	jw_map_close(w);
	strv_free(names);
	return http_reply_json(r, 200, w);
}
