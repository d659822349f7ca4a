/* config.json -> struct spec_config: the document's top level and the entry
 * points; the larger sections live in config_process.c, config_linux.c,
 * config_resources.c and config_seccomp.c. */
#include "spec/config_parts.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

/* Far above any real config (podman's, with its seccomp profile, is 14 kB),
 * low enough that a wrong path to a huge file fails fast. */

/* Sections for other platforms: accepting them quietly would run the
 * container without what they ask for. */
static const struct {
	const char *key;
	const char *why;
} foreign_sections[] = {
	{ "windows", CONFIG_NOT_LINUX },
	{ "solaris", CONFIG_NOT_LINUX },
	{ "zos", CONFIG_NOT_LINUX },
	{ "vm", "unsupported: berth does not run virtual machines" },
};

static int refuse_foreign(struct jr *r, yajl_val v)
{
	for (size_t i = 0; i < sizeof(foreign_sections) / sizeof(foreign_sections[0]); i++)
		if (jr_get(v, foreign_sections[i].key))
			return jr_fail_key(r, foreign_sections[i].key, "%s",
					   foreign_sections[i].why);
	return 0;
}

/* Only a different major version changes the meaning of fields. */
static int check_version(struct jr *r, const char *version)
{
	if (version[0] == '1' && (version[1] == '.' || version[1] == '\0'))
		return 0;
	return jr_fail_key(r, "ociVersion", "unsupported version \"%s\"", version);
}

static int read_root(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_root *root = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "path", &root->path));
	JR_TRY(jr_bool(r, v, "readonly", &root->readonly));
	return 0;
}

static int read_process(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	return config_process_read(r, v, elem);
}

static int read_linux(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	return config_linux_read(r, v, elem);
}

static int read_mount(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_mount *m = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "destination", &m->destination));
	JR_TRY(jr_str(r, v, "type", &m->type));
	JR_TRY(jr_str(r, v, "source", &m->source));
	JR_TRY(jr_str_array(r, v, "options", &m->options, &m->n_options));
	JR_TRY(config_linux_id_mappings(r, v, "uidMappings", &m->uid_mappings,
					&m->n_uid_mappings));
	JR_TRY(config_linux_id_mappings(r, v, "gidMappings", &m->gid_mappings,
					&m->n_gid_mappings));
	return 0;
}

static int read_hook(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_hook *h = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "path", &h->path));
	JR_TRY(jr_str_array(r, v, "args", &h->args, &h->n_args));
	JR_TRY(jr_str_array(r, v, "env", &h->env, &h->n_env));
	JR_TRY_SET(h->timeout_set, jr_i32(r, v, "timeout", &h->timeout));
	if (h->timeout_set && h->timeout <= 0)
		return jr_fail_key(r, "timeout", "must be greater than zero");
	return 0;
}

static int read_hooks(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_hooks *h = elem;

	JR_TRY(jr_val_object(r, v));
	for (const struct name_value *k = names_hooks; k->name; k++)
		JR_TRY(jr_list(r, v, k->name, h->list[k->value], &h->n[k->value],
			       read_hook, NULL));
	return 0;
}

static int read_config(struct jr *r, yajl_val v, struct spec_config *cfg)
{
	JR_TRY(jr_val_object(r, v));
	JR_TRY(refuse_foreign(r, v));
	JR_TRY(jr_req_str(r, v, "ociVersion", &cfg->oci_version));
	JR_TRY(check_version(r, cfg->oci_version));
	JR_TRY(jr_req(r, jr_section(r, v, "root", read_root, &cfg->root, NULL),
		      "root"));
	JR_TRY_SET(cfg->process_set,
		   jr_section(r, v, "process", read_process, &cfg->process,
			      NULL));
	JR_TRY(jr_str(r, v, "hostname", &cfg->hostname));
	JR_TRY(jr_str(r, v, "domainname", &cfg->domainname));
	JR_TRY(jr_list(r, v, "mounts", cfg->mounts, &cfg->n_mounts, read_mount,
		       NULL));
	JR_TRY(jr_section(r, v, "hooks", read_hooks, &cfg->hooks, NULL));
	JR_TRY(jr_str_map(r, v, "annotations", &cfg->annotations,
			  &cfg->n_annotations));
	JR_TRY(jr_section(r, v, "linux", read_linux, &cfg->linux, NULL));
	return 0;
}

static int read_hooks_only(struct jr *r, yajl_val v, struct spec_config *cfg)
{
	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_section(r, v, "hooks", read_hooks, &cfg->hooks, NULL));
	return 0;
}

/* Parse json (only the values at keep, when not NULL; jr_parse_keep for
 * the whole document too: see json_keep.c) into a new config with read
 * (the whole document, or a part). */
static int parse_with(const char *json, size_t len, const char *const *keep,
		      int (*read)(struct jr *r, yajl_val v, struct spec_config *cfg),
		      struct spec_config **out, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	cleanup_config struct spec_config *cfg = NULL;
	struct jr r;
	int ret;

	ret = jr_parse_keep(json, len, keep, &doc, err);
	if (ret < 0)
		return ret;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return berr_set(err, ENOMEM, "parse config");
	jr_init(&r, &cfg->arena, err);
	ret = read(&r, doc, cfg);
	if (ret < 0)
		return ret;
	*out = steal_ptr(cfg);
	return 0;
}

int spec_config_parse(const char *json, size_t len, struct spec_config **out,
		      struct berr *err)
{
	return parse_with(json, len, NULL, read_config, out, err);
}

/* Errors: a document whose rest fails to read is parsed again whole, so
 * that the error is the one spec_config_parse gives (the profile is read
 * in the middle of .linux, before fields that could also be wrong).  A
 * rest that reads cleanly leaves the profile's first error as the whole
 * parse's first: spec_config_parse_seccomp reads it the same way. */
int spec_config_parse_aside(const char *json, size_t len, struct spec_config **out,
			    struct spec_span *profile, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	cleanup_config struct spec_config *cfg = NULL;
	struct jr r;
	int ret, aside;

	*out = NULL;
	aside = jr_parse_aside(json, len, "linux.seccomp", &doc, profile, err);
	if (aside < 0)
		return aside;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return berr_set(err, ENOMEM, "parse config");
	jr_init(&r, &cfg->arena, err);
	ret = read_config(&r, doc, cfg);
	if (ret < 0)
		return aside ? spec_config_parse(json, len, out, err) : ret;
	if (aside)
		cfg->linux.seccomp.set = true;
	*out = steal_ptr(cfg);
	return aside;
}

int spec_config_parse_seccomp(const char *json, const struct spec_span *profile,
			      struct spec_config *cfg, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	ret = jr_parse_keep(json + profile->off, profile->len, NULL, &doc, err);
	if (ret < 0)
		return ret;
	memset(&cfg->linux.seccomp, 0, sizeof(cfg->linux.seccomp));
	jr_init(&r, &cfg->arena, err);
	jr_enter_key(&r, "linux");
	jr_enter_key(&r, "seccomp");
	return config_seccomp_read(&r, doc, &cfg->linux.seccomp);
}

int spec_config_parse_hooks(const char *json, size_t len, struct spec_config **out,
			    struct berr *err)
{
	static const char *const keep[] = { "hooks", NULL };

	return parse_with(json, len, keep, read_hooks_only, out, err);
}

/* What read_config requires of every document. */
#define ONLY_ALWAYS 2
#define ONLY_MAX 16

int spec_config_parse_only(const char *json, size_t len, const char *const *paths,
			   struct spec_config **out, struct berr *err)
{
	const char *keep[ONLY_ALWAYS + ONLY_MAX + 1] = { "ociVersion", "root" };
	size_t n = ONLY_ALWAYS;

	for (; *paths; paths++) {
		if (n == ONLY_ALWAYS + ONLY_MAX)
			return berr_fail(err, EINVAL, "parse config: more than %d sections asked for",
					 ONLY_MAX);
		keep[n++] = *paths;
	}
	keep[n] = NULL;
	return parse_with(json, len, keep, read_config, out, err);
}

void spec_config_free(struct spec_config *cfg)
{
	if (!cfg)
		return;
	arena_release(&cfg->arena);
	free(cfg);
}

int spec_process_parse(const char *json, size_t len, struct arena *arena,
		       struct spec_process *p, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	jr_init(&r, arena, err);
	return config_process_read(&r, doc, p);
}

int spec_resources_parse(const char *json, size_t len, struct arena *arena,
			 struct spec_resources *res, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	jr_init(&r, arena, err);
	return config_resources_read(&r, doc, res);
}

const struct spec_namespace *spec_namespace_find(const struct spec_config *cfg,
						 enum spec_ns_type type)
{
	for (size_t i = 0; i < cfg->linux.n_namespaces; i++)
		if (cfg->linux.namespaces[i].type == type)
			return &cfg->linux.namespaces[i];
	return NULL;
}
