/* The run config a build carries from step to step: read from the FROM
 * image's config, written into each step's image. */
#include "runtime/engine/build_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/image.h"
#include "spec/json_read.h"
#include "spec/json_write.h"

void bcfg_free(struct bcfg *c)
{
	free(c->user);
	free(c->workdir);
	free(c->stop_signal);
	strv_free(c->env);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	strv_free(c->labels);
	strv_free(c->ports);
	strv_free(c->volumes);
	strv_free(c->onbuild);
	strv_free(c->shell);
	strv_free(c->health_test);
	memset(c, 0, sizeof(*c));
}

const char *bcfg_get_kv(char *const *v, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; v && v[i]; i++)
		if (!strncmp(v[i], key, n) && v[i][n] == '=')
			return v[i] + n + 1;
	return NULL;
}

int bcfg_set_kv(char ***v, const char *key, const char *value)
{
	size_t n = strlen(key);
	char *kv = NULL;

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -ENOMEM;
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (!strncmp((*v)[i], key, n) && ((*v)[i][n] == '=' || !(*v)[i][n])) {
			free((*v)[i]);
			(*v)[i] = kv;
			return 0;
		}
	return strv_push_owned(v, kv);
}

static char **list(const char *const *v, size_t n, bool set)
{
	if (!set && !n)
		return NULL;
	return strv_dup((char *const *)v, n);
}

/* Shell is docker's own field, which spec/image.h does not read. */
static int load_shell(const char *json, size_t len, struct bcfg *c, struct berr *err)
{
	static const char *path[] = { "config", "Shell", NULL };
	cleanup_tree yajl_val doc = NULL;
	yajl_val v;
	int ret = jr_parse(json, len, &doc, err);

	if (ret < 0)
		return ret;
	v = yajl_tree_get(doc, path, yajl_t_array);
	for (size_t i = 0; v && i < v->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(v->u.array.values[i]);

		if (s && strv_push(&c->shell, s) < 0)
			return berr_set(err, ENOMEM, "build");
	}
	return 0;
}

int bcfg_load(const char *data_root, const char *id, struct bcfg *c, struct berr *err)
{
	cleanup_free char *json = NULL;
	struct spec_image_config *img = NULL;
	const struct spec_image_run *r;
	size_t len;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!*id)
		return 0;
	ret = image_store_config(data_root, id, &json, &len, err);
	if (ret == 0)
		ret = spec_image_config_parse(json, len, &img, err);
	if (ret < 0)
		return ret;
	r = &img->run;
	c->user = r->user && *r->user ? strdup(r->user) : NULL;
	c->workdir = r->working_dir && *r->working_dir ? strdup(r->working_dir) : NULL;
	c->stop_signal = r->stop_signal ? strdup(r->stop_signal) : NULL;
	c->env = list(r->env, r->n_env, false);
	c->cmd = list(r->cmd, r->n_cmd, r->cmd_set);
	c->entrypoint = list(r->entrypoint, r->n_entrypoint, r->entrypoint_set);
	c->ports = list(r->exposed_ports, r->n_exposed_ports, false);
	c->volumes = list(r->volumes, r->n_volumes, false);
	c->onbuild = list(r->onbuild, r->n_onbuild, false);
	c->health_test = list(r->health_test, r->n_health_test, false);
	c->health_interval = r->health_interval;
	c->health_timeout = r->health_timeout;
	c->health_start_period = r->health_start_period;
	c->health_retries = r->health_retries;
	for (size_t i = 0; ret == 0 && i < r->n_labels; i++)
		if (bcfg_set_kv(&c->labels, r->labels[i].key, r->labels[i].value) < 0)
			ret = berr_set(err, ENOMEM, "build");
	if (ret == 0)
		ret = load_shell(json, len, c, err);
	spec_image_config_free(img);
	return ret;
}

static void healthcheck(struct jw *w, const struct bcfg *c)
{
	if (!c->health_test)
		return;
	jw_key(w, "Healthcheck");
	jw_map_open(w);
	jw_kstrv(w, "Test", c->health_test);
	if (c->health_interval)
		jw_kint(w, "Interval", c->health_interval);
	if (c->health_timeout)
		jw_kint(w, "Timeout", c->health_timeout);
	if (c->health_start_period)
		jw_kint(w, "StartPeriod", c->health_start_period);
	if (c->health_retries)
		jw_kint(w, "Retries", c->health_retries);
	jw_map_close(w);
}

int bcfg_json(const struct bcfg *c, char **out, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	size_t len;

	jw_map_open(w);
	jw_kstr(w, "User", c->user ? c->user : "");
	jw_kset(w, "ExposedPorts", c->ports);
	jw_kstrv(w, "Env", c->env);
	jw_kstrv(w, "Cmd", c->cmd);
	healthcheck(w, c);
	jw_kset(w, "Volumes", c->volumes);
	jw_kstr(w, "WorkingDir", c->workdir ? c->workdir : "");
	jw_kstrv(w, "Entrypoint", c->entrypoint);
	jw_kstrv(w, "OnBuild", c->onbuild && c->onbuild[0] ? c->onbuild : NULL);
	if (c->labels && c->labels[0]) {
		jw_kv_map(w, "Labels", c->labels);
	} else {
		jw_key(w, "Labels");
		jw_null(w);
	}
	if (c->stop_signal && *c->stop_signal)
		jw_kstr(w, "StopSignal", c->stop_signal);
	if (c->shell)
		jw_kstrv(w, "Shell", c->shell);
	jw_map_close(w);
	return jw_finish(w, out, &len, err);
}
