/* Volumes: create, list, inspect, remove, prune; and system df, which
 * counts them with the images and containers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "body.h"
#include "runtime/engine/volume.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static void volume_json(struct jw *w, const struct daemon_volume *v, bool usage)
{
	jw_map_open(w);
	jw_kstr(w, "CreatedAt", v->created);
	jw_kstr(w, "Driver", "local");
	jw_kv_map(w, "Labels", v->labels);
	jw_kstr(w, "Mountpoint", v->mountpoint);
	jw_kstr(w, "Name", v->name);
	jw_kv_map(w, "Options", v->options);
	jw_kstr(w, "Scope", "local");
	if (usage) {
		jw_key(w, "UsageData");
		jw_map_open(w);
		jw_kint(w, "RefCount", v->users);
		jw_kint(w, "Size", (int64_t)daemon_volume_size(v));
		jw_map_close(w);
	}
	jw_map_close(w);
}

enum MHD_Result api_volume_create(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_tree yajl_val doc = NULL;
	struct daemon_volume v = { 0 };
	struct arena a = { 0 };
	struct berr err = { 0 };
	char **labels = NULL, **opts = NULL;
	const char *name = NULL, *driver = NULL;
	struct jr jr;
	int ret;

	ret = body_open(&jr, r->body, r->body_len, "a volume config", &doc, &a, &err);
	if (ret == 0)
		ret = jr_str(&jr, doc, "Name", &name);
	if (ret >= 0)
		ret = jr_str(&jr, doc, "Driver", &driver);
	if (ret >= 0)
		ret = jr_str_map_strv(&jr, doc, "Labels", &labels);
	if (ret >= 0)
		ret = jr_str_map_strv(&jr, doc, "DriverOpts", &opts);
	if (ret >= 0 && jr_get(doc, "ClusterVolumeSpec") &&
	    !YAJL_IS_NULL(jr_get(doc, "ClusterVolumeSpec")))
		ret = berr_unsupported(&err, "cluster volumes are not supported by berthd");
	if (ret >= 0)
		ret = daemon_volume_create(r->srv->d, name, driver, labels, opts, &v, &err);
	strv_free(labels);
	strv_free(opts);
	arena_release(&a);
	if (ret < 0)
		return body_reply_error(r, ret, &err, "create volume");
	volume_json(w, &v, false);
	daemon_volume_free(&v);
	return http_reply_json(r, 201, w);
}

static bool list_match(const struct filters *f, const struct daemon_volume *v)
{
	char **names = filters_values(f, "name");
	bool ok = !names;

	for (size_t i = 0; names && names[i]; i++)
		ok |= strstr(v->name, names[i]) != NULL;
	return ok && filters_match(f, "driver", "local") &&
	       filters_match(f, "dangling", v->users ? "false" : "true") &&
	       filters_labels(f, v->labels);
}

static int volume_filters(struct req *r, const char *const *allowed, struct filters *f,
			  struct berr *err)
{
	int ret = filters_query(r, allowed, f, err);

	/* docker's dangling also takes 1 and 0. */
	for (char **v = filters_values(f, "dangling"); ret == 0 && v && *v; v++) {
		if (!strcmp(*v, "1") || !strcmp(*v, "0")) {
			char *t = strdup(**v == '1' ? "true" : "false");

			if (!t)
				return berr_set(err, ENOMEM, "filters");
			free(*v);
			*v = t;
		} else if (strcmp(*v, "true") && strcmp(*v, "false")) {
			ret = berr_invalid(err, "invalid filter 'dangling=%s'", *v);
		}
	}
	return ret;
}

enum MHD_Result api_volume_list(struct req *r)
{
	static const char *const allowed[] = { "name", "driver", "label", "label!", "dangling",
					       NULL };
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_volume *vs = NULL;
	struct filters f;
	struct berr err;
	size_t n = 0;
	int ret = volume_filters(r, allowed, &f, &err);

	if (ret == 0)
		ret = daemon_volume_list(r->srv->d, &vs, &n, &err);
	if (ret < 0) {
		filters_free(&f);
		return http_reply_berr(r, &err);
	}
	jw_map_open(w);
	jw_key(w, "Volumes");
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		if (list_match(&f, &vs[i]))
			volume_json(w, &vs[i], false);
	jw_array_close(w);
	jw_key(w, "Warnings");
	jw_array_open(w);
	jw_array_close(w);
	jw_map_close(w);
	daemon_volumes_free(vs, n);
	filters_free(&f);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_volume_inspect(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_volume v;
	struct berr err;
	int ret = daemon_volume_inspect(r->srv->d, r->params[0], &v, &err);

	if (ret < 0)
		return http_reply_berr(r, &err);
	volume_json(w, &v, false);
	daemon_volume_free(&v);
	return http_reply_json(r, 200, w);
}

enum MHD_Result api_volume_remove(struct req *r)
{
	struct berr err = { 0 };
	int ret = daemon_volume_remove(r->srv->d, r->params[0], http_query_bool(r, "force"), &err);

	return http_reply_done(r, ret, &err, 204);
}

static bool prune_keep(const struct daemon_volume *v, void *arg)
{
	return !list_match(arg, v);
}

enum MHD_Result api_volume_prune(struct req *r)
{
	static const char *const allowed[] = { "label", "label!", "all", NULL };
	cleanup_jw struct jw *w = jw_new(false);
	char **removed = NULL;
	struct filters f;
	struct berr err;
	uint64_t space = 0;
	bool all;
	int ret = volume_filters(r, allowed, &f, &err);

	if (ret < 0) {
		filters_free(&f);
		return http_reply_berr(r, &err);
	}
	all = filters_match(&f, "all", "true") && filters_has(&f, "all");
	if (filters_has(&f, "all") && !all && !filters_match(&f, "all", "false")) {
		filters_free(&f);
		return http_reply_error(r, 400, "invalid filter 'all': true or false");
	}
	ret = daemon_volume_prune(r->srv->d, all, prune_keep, &f, &removed, &space, &err);
	filters_free(&f);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_key(w, "VolumesDeleted");
	jw_array_open(w);
	for (size_t i = 0; removed[i]; i++)
		jw_str(w, removed[i]);
	jw_array_close(w);
	jw_kint(w, "SpaceReclaimed", (int64_t)space);
	jw_map_close(w);
	strv_free(removed);
	return http_reply_json(r, 200, w);
}

/* --- system df ---------------------------------------------------------------- */

static void df_images(struct jw *w, struct req *r, int64_t *layers)
{
	struct image_rec *imgs = NULL;
	struct berr err;
	size_t n = 0;

	*layers = 0;
	jw_key(w, "Images");
	jw_array_open(w);
	if (image_store_list(r->srv->data_root, &imgs, &n, &err) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		jw_map_open(w);
		jw_kstr(w, "Id", imgs[i].id);
		jw_key(w, "RepoTags");
		jw_array_open(w);
		for (size_t j = 0; j < imgs[i].n_tags; j++)
			jw_str(w, imgs[i].tags[j]);
		jw_array_close(w);
		jw_kint(w, "Size", imgs[i].size);
		jw_kint(w, "SharedSize", -1);
		jw_kint(w, "Containers", daemon_image_in_use(imgs[i].id, r->srv->d) ? 1 : 0);
		jw_map_close(w);
		*layers += imgs[i].size;
	}
	jw_array_close(w);
	image_recs_free(imgs, n);
}

static void df_containers(struct jw *w, struct req *r)
{
	jw_key(w, "Containers");
	jw_array_open(w);
	daemon_lock(r->srv->d);
	for (struct daemon_container *c = r->srv->d->containers; c; c = c->next) {
		jw_map_open(w);
		api_container_heading(w, c);
		jw_kstr(w, "State", daemon_status_name(c->status));
		jw_map_close(w);
	}
	daemon_unlock(r->srv->d);
	jw_array_close(w);
}

enum MHD_Result api_system_df(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_volume *vs = NULL;
	struct berr err;
	int64_t layers;
	size_t n = 0;

	if (daemon_volume_list(r->srv->d, &vs, &n, &err) < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	df_images(w, r, &layers);
	jw_kint(w, "LayersSize", layers);
	df_containers(w, r);
	jw_key(w, "Volumes");
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		volume_json(w, &vs[i], true);
	jw_array_close(w);
	api_build_cache_df(w, r);
	jw_map_close(w);
	daemon_volumes_free(vs, n);
	return http_reply_json(r, 200, w);
}
