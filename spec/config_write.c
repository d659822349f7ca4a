/* struct spec_config -> config.json: the document's top level and the
 * entry points; the larger sections live in config_write_process.c,
 * config_write_linux.c, config_write_resources.c and
 * config_write_seccomp.c, the small writers they share in
 * config_write_values.c. */
#include "spec/config_write.h"

#include "spec/config_write_parts.h"
#include "spec/state.h"

static void write_mount(struct cw *c, const struct spec_mount *m)
{
	jw_map_open(c->w);
	jw_kstr(c->w, "destination", m->destination);
	cw_kstr_opt(c, "type", m->type);
	cw_kstr_opt(c, "source", m->source);
	cw_str_list(c, "options", m->options, m->n_options);
	cw_id_mappings(c, "uidMappings", m->uid_mappings, m->n_uid_mappings);
	cw_id_mappings(c, "gidMappings", m->gid_mappings, m->n_gid_mappings);
	jw_map_close(c->w);
}

static void write_mounts(struct cw *c, const struct spec_config *cfg)
{
	if (!cfg->mounts)
		return;
	jw_key(c->w, "mounts");
	jw_array_open(c->w);
	for (size_t i = 0; i < cfg->n_mounts; i++)
		write_mount(c, &cfg->mounts[i]);
	jw_array_close(c->w);
}

static void write_hook(struct cw *c, const struct spec_hook *h)
{
	jw_map_open(c->w);
	jw_kstr(c->w, "path", h->path);
	cw_str_list(c, "args", h->args, h->n_args);
	cw_str_list(c, "env", h->env, h->n_env);
	if (h->timeout_set)
		jw_kint(c->w, "timeout", h->timeout);
	jw_map_close(c->w);
}

static void write_hooks(struct cw *c, const struct spec_hooks *h)
{
	bool any = false;

	for (int k = 0; k < HOOK_KINDS; k++)
		any |= h->n[k] > 0;
	if (!any)
		return;
	jw_key(c->w, "hooks");
	jw_map_open(c->w);
	for (const struct name_value *k = names_hooks; k->name; k++) {
		if (!h->n[k->value])
			continue;
		jw_key(c->w, k->name);
		jw_array_open(c->w);
		for (size_t i = 0; i < h->n[k->value]; i++)
			write_hook(c, &h->list[k->value][i]);
		jw_array_close(c->w);
	}
	jw_map_close(c->w);
}

static void write_config(struct cw *c, const struct spec_config *cfg)
{
	jw_map_open(c->w);
	jw_kstr(c->w, "ociVersion", cfg->oci_version ? cfg->oci_version : SPEC_OCI_VERSION);
	if (cfg->process_set) {
		jw_key(c->w, "process");
		cw_process(c, &cfg->process);
	}
	jw_key(c->w, "root");
	jw_map_open(c->w);
	jw_kstr(c->w, "path", cfg->root.path);
	jw_kbool(c->w, "readonly", cfg->root.readonly);
	jw_map_close(c->w);
	cw_kstr_opt(c, "hostname", cfg->hostname);
	cw_kstr_opt(c, "domainname", cfg->domainname);
	write_mounts(c, cfg);
	write_hooks(c, &cfg->hooks);
	cw_str_map(c, "annotations", cfg->annotations, cfg->n_annotations);
	jw_key(c->w, "linux");
	cw_linux(c, &cfg->linux);
	jw_map_close(c->w);
}

/* Take the document, unless a value had no name. */
static int finish(struct cw *c, const char *doc, char **out, size_t *len,
		  struct berr *err)
{
	if (c->unnamed)
		return berr_fail(err, EINVAL, "write %s: unknown %s %ld", doc, c->unnamed,
				c->unnamed_value);
	return jw_finish(c->w, out, len, err);
}

int spec_config_write(const struct spec_config *cfg, char **out, size_t *len,
		      struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);
	struct cw c = { .w = w };

	write_config(&c, cfg);
	return finish(&c, "config.json", out, len, err);
}

int spec_process_write(const struct spec_process *p, char **out, size_t *len,
		       struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct cw c = { .w = w };

	cw_process(&c, p);
	return finish(&c, "process.json", out, len, err);
}

int spec_seccomp_write(const struct spec_seccomp *s, char **out, size_t *len,
		       struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);
	struct cw c = { .w = w };

	cw_seccomp(&c, s);
	return finish(&c, "seccomp profile", out, len, err);
}
