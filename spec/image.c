#include "spec/image.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

bool spec_image_digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
		return false;
	for (s += 7; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The keys of an object such as ExposedPorts: {"80/tcp": {}}. */
static int keys_of(struct jr *r, yajl_val obj, const char *key, const char ***out,
		   size_t *n)
{
	yajl_val v = jr_get(obj, key);
	size_t mark;

	if (!v)
		return 0;
	mark = jr_enter_key(r, key);
	if (!YAJL_IS_OBJECT(v))
		return jr_fail(r, "expected an object");
	*out = jr_alloc(r, v->u.object.len + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.object.len; i++) {
		(*out)[i] = arena_strdup(r->arena, v->u.object.keys[i]);
		if (!(*out)[i])
			return jr_fail(r, "out of memory");
	}
	*n = v->u.object.len;
	jr_leave(r, mark);
	return 1;
}

static int read_health(struct jr *r, yajl_val v, struct spec_image_run *run)
{
	yajl_val h = jr_get(v, "Healthcheck");
	size_t mark;

	if (!h || YAJL_IS_NULL(h))
		return 0;
	mark = jr_enter_key(r, "Healthcheck");
	JR_TRY(jr_val_object(r, h));
	JR_TRY(jr_str_array(r, h, "Test", &run->health_test, &run->n_health_test));
	JR_TRY(jr_i64(r, h, "Interval", &run->health_interval));
	JR_TRY(jr_i64(r, h, "Timeout", &run->health_timeout));
	JR_TRY(jr_i64(r, h, "StartPeriod", &run->health_start_period));
	JR_TRY(jr_i32(r, h, "Retries", &run->health_retries));
	jr_leave(r, mark);
	return 0;
}

static int read_run(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_image_run *run = elem;
	int ret;

	(void)ctx;
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_str(r, v, "User", &run->user));
	JR_TRY(jr_str(r, v, "WorkingDir", &run->working_dir));
	JR_TRY(jr_str(r, v, "StopSignal", &run->stop_signal));
	JR_TRY(jr_str_array(r, v, "Env", &run->env, &run->n_env));
	ret = jr_str_array(r, v, "Cmd", &run->cmd, &run->n_cmd);
	JR_TRY(ret);
	run->cmd_set = ret == 1;
	ret = jr_str_array(r, v, "Entrypoint", &run->entrypoint, &run->n_entrypoint);
	JR_TRY(ret);
	run->entrypoint_set = ret == 1;
	JR_TRY(jr_str_map(r, v, "Labels", &run->labels, &run->n_labels));
	JR_TRY(keys_of(r, v, "ExposedPorts", &run->exposed_ports, &run->n_exposed_ports));
	JR_TRY(keys_of(r, v, "Volumes", &run->volumes, &run->n_volumes));
	JR_TRY(jr_str_array(r, v, "OnBuild", &run->onbuild, &run->n_onbuild));
	return read_health(r, v, run);
}

static int read_rootfs(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_image_config *c = elem;
	const char *type = NULL;

	(void)ctx;
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_str(r, v, "type", &type));
	if (type && strcmp(type, "layers") != 0)
		return jr_fail_key(r, "type", "unsupported rootfs type \"%s\"", type);
	JR_TRY(jr_str_array(r, v, "diff_ids", &c->diff_ids, &c->n_diff_ids));
	for (size_t i = 0; i < c->n_diff_ids; i++)
		if (!spec_image_digest_valid(c->diff_ids[i]))
			return jr_fail_key(r, "diff_ids", "\"%s\" is not a sha256 digest",
					   c->diff_ids[i]);
	return 0;
}

int spec_image_config_parse(const char *json, size_t len, struct spec_image_config **out,
			    struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct spec_image_config *c;
	struct jr r;
	int ret;

	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return berr_set(err, ENOMEM, "image config");
	jr_init(&r, &c->arena, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_str(&r, doc, "architecture", &c->architecture);
	if (ret >= 0)
		ret = jr_str(&r, doc, "os", &c->os);
	if (ret >= 0)
		ret = jr_str(&r, doc, "created", &c->created);
	if (ret >= 0)
		ret = jr_str(&r, doc, "author", &c->author);
	if (ret >= 0)
		ret = jr_str(&r, doc, "comment", &c->comment);
	if (ret >= 0)
		ret = jr_section(&r, doc, "config", read_run, &c->run, NULL);
	if (ret >= 0)
		ret = jr_section(&r, doc, "rootfs", read_rootfs, c, NULL);
	if (ret >= 0 && !jr_get(doc, "rootfs"))
		ret = berr_fail(err, EINVAL, ".rootfs: required field is missing");
	if (ret < 0) {
		spec_image_config_free(c);
		return berr_wrap(err, ret, "image config");
	}
	*out = c;
	return 0;
}

void spec_image_config_free(struct spec_image_config *c)
{
	if (!c)
		return;
	arena_release(&c->arena);
	free(c);
}

static int read_archive_image(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_archive_image *img = elem;

	(void)ctx;
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "Config", &img->config));
	JR_TRY(jr_str_array(r, v, "RepoTags", &img->repo_tags, &img->n_repo_tags));
	JR_TRY(jr_str_array(r, v, "Layers", &img->layers, &img->n_layers));
	return 0;
}

int spec_archive_manifest_parse(const char *json, size_t len, struct arena *a,
				struct spec_archive_image **out, size_t *n,
				struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	yajl_val wrap;
	const char *keys[] = { "m", NULL };
	yajl_val vals[1];
	struct jr r;
	int ret;

	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	if (!YAJL_IS_ARRAY(doc))
		return berr_fail(err, EINVAL, "manifest.json: expected an array");
	/* jr_list reads arrays that are values of a key: wrap the document. */
	vals[0] = doc;
	struct yajl_val_s obj = { .type = yajl_t_object };
	obj.u.object.keys = keys;
	obj.u.object.values = vals;
	obj.u.object.len = 1;
	wrap = &obj;
	jr_init(&r, a, err);
	ret = jr_list(&r, wrap, "m", *out, n, read_archive_image, NULL);
	if (ret < 0)
		return berr_wrap(err, ret, "manifest.json");
	return 0;
}

static int read_descriptor(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_oci_descriptor *d = elem;
	yajl_val ann, plat;

	(void)ctx;
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_str(r, v, "mediaType", &d->media_type));
	JR_TRY(jr_req_str(r, v, "digest", &d->digest));
	if (!spec_image_digest_valid(d->digest))
		return jr_fail_key(r, "digest", "\"%s\" is not a sha256 digest", d->digest);
	JR_TRY(jr_i64(r, v, "size", &d->size));
	ann = jr_get(v, "annotations");
	if (ann && YAJL_IS_OBJECT(ann)) {
		size_t mark = jr_enter_key(r, "annotations");

		JR_TRY(jr_str(r, ann, "org.opencontainers.image.ref.name", &d->ref_name));
		JR_TRY(jr_str(r, ann, "io.containerd.image.name", &d->image_name));
		jr_leave(r, mark);
	}
	plat = jr_get(v, "platform");
	if (plat && YAJL_IS_OBJECT(plat)) {
		size_t mark = jr_enter_key(r, "platform");

		JR_TRY(jr_str(r, plat, "os", &d->os));
		JR_TRY(jr_str(r, plat, "architecture", &d->architecture));
		JR_TRY(jr_str(r, plat, "variant", &d->variant));
		jr_leave(r, mark);
	}
	return 0;
}

int spec_oci_index_parse(const char *json, size_t len, struct arena *a,
			 struct spec_oci_descriptor **out, size_t *n, struct berr *err)
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
		ret = jr_list(&r, doc, "manifests", *out, n, read_descriptor, NULL);
	return ret < 0 ? berr_wrap(err, ret, "image index") : 0;
}

int spec_oci_manifest_parse(const char *json, size_t len, struct arena *a,
			    struct spec_oci_manifest *out, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	jr_init(&r, a, err);
	ret = jr_val_object(&r, doc);
	if (ret == 0)
		ret = jr_section(&r, doc, "config", read_descriptor, &out->config, NULL);
	if (ret == 0)
		ret = berr_fail(err, EINVAL, ".config: required field is missing");
	if (ret > 0)
		ret = jr_list(&r, doc, "layers", out->layers, &out->n_layers, read_descriptor,
			      NULL);
	return ret < 0 ? berr_wrap(err, ret, "image manifest") : 0;
}
