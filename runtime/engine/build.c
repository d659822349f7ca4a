/* docker build's flow: the context's tar digested (and extracted by the
 * unpack helper only when a step needs its files), the Dockerfile read
 * and parsed, its stages run in order up to the target, the result
 * tagged; the work directory removed whatever happened. */
#include "runtime/engine/build_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/engine/commit.h"
#include "runtime/engine/internal.h"
#include "runtime/images/image_digest.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"

/* What the classic builder knows; anything else fails before step 1. */
static const char *const known[] = {
	"FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "WORKDIR", "USER", "EXPOSE",
	"VOLUME", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "STOPSIGNAL", "ONBUILD",
	"MAINTAINER", NULL,
};

/* Build args the builder knows without an ARG, as dockerd's. */
static const char *const predefined[] = {
	"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
	"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", NULL,
};

static bool is_predefined(const char *name, size_t n)
{
	for (size_t i = 0; predefined[i]; i++)
		if (strlen(predefined[i]) == n && !strncmp(predefined[i], name, n))
			return true;
	return false;
}

static void stage_free(struct bstage *st)
{
	free(st->name);
	bcfg_free(&st->cfg);
	strv_free(st->args);
	strv_free(st->predef);
	free(st->author);
}

static void builder_free(struct builder *b)
{
	struct berr ignored;

	for (size_t i = 0; i < b->n_stages; i++)
		stage_free(&b->stages[i]);
	free(b->stages);
	strv_free(b->global_args);
	strv_free(b->used_args);
	if (b->work)
		layer_store_rmtree(b->work, &ignored);
	free(b->work);
	free(b->ctx);
}

static int make_work(struct builder *b, struct berr *err)
{
	int ret;

	if (asprintf(&b->work, "%s/tmp/build-XXXXXX", b->d->o.data_root) < 0) {
		b->work = NULL;
		return berr_set(err, ENOMEM, "build");
	}
	if (!mkdtemp(b->work)) {
		free(b->work);
		b->work = NULL;
		return berr_sys(err, "build: a work directory");
	}
	/* Reading the tar's bytes writes nothing and interprets nothing of
	 * them: the untrusted archive is parsed only by the helper. */
	ret = image_digest_file(b->o->context, b->ctx_digest, err);
	return berr_wrap(err, ret, "the build context");
}

/* The Dockerfile, read inside the context (a symlink there stays there). */
static int read_dockerfile_in(struct builder *b, const char *name, char **text, size_t *len,
			      struct berr *err)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	cleanup_close int root = open(b->ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;

	if (root >= 0)
		fd = (int)syscall(SYS_openat2, root, name, &how, sizeof(how));
	if (fd < 0)
		return berr_invalid(err, "Cannot locate specified Dockerfile: %s", name);
	do {
		if (n + 4096 + 1 > cap) {
			char *g;

			cap = cap * 2 + 8192;
			if (cap > (16u << 20)) {
				free(buf);
				return berr_invalid(err, "the Dockerfile %s is too large", name);
			}
			g = realloc(buf, cap);
			if (!g) {
				free(buf);
				return berr_set(err, ENOMEM, "build");
			}
			buf = g;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r > 0)
			n += (size_t)r;
	} while (r > 0);
	if (r < 0) {
		free(buf);
		return berr_sys(err, "read the Dockerfile");
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* The Dockerfile as an earlier build of the same context read it, or
 * read from the context (extracted for it). */
static int read_dockerfile(struct builder *b, char **text, size_t *len, struct berr *err)
{
	const char *name = b->o->dockerfile && *b->o->dockerfile ? b->o->dockerfile : "Dockerfile";
	int ret;

	while (*name == '/')
		name++;
	if (build_memo_get(b, "dockerfile", name, text) == 0) {
		*len = strlen(*text);
		return 0;
	}
	ret = build_context(b, err);
	if (ret == 0)
		ret = read_dockerfile_in(b, name, text, len, err);
	/* One with a NUL in it is read again each time, not kept cut short. */
	if (ret == 0 && strlen(*text) == *len)
		build_memo_put(b, "dockerfile", name, *text, *len);
	return ret;
}

static bool known_inst(const char *c)
{
	for (size_t i = 0; known[i]; i++)
		if (!strcmp(known[i], c))
			return true;
	return false;
}

/* FROM [--platform=P] IMAGE [AS NAME] */
static int from(struct builder *b, const struct df_inst *in, struct berr *err)
{
	struct bstage global = { .args = b->global_args };
	struct bstage *grown, *st;
	char **w = NULL;
	const char *platform = dockerfile_flag(in, "platform");
	struct image_rec rec = { 0 };
	int ret;

	for (size_t i = 0; in->flags && in->flags[i]; i++)
		if (strncmp(in->flags[i], "--platform=", 11))
			return berr_invalid(err, "Dockerfile line %d: unknown flag %s for FROM",
					    in->line, in->flags[i]);
	if (platform && strcmp(platform, "linux/amd64") && strcmp(platform, "linux"))
		return berr_unsupported(err, "Dockerfile line %d: FROM --platform=%s: berthd "
					     "builds only linux/amd64",
					in->line, platform);
	ret = dockerfile_words(in->args, b->escape, build_lookup, &global, &w, err);
	if (ret < 0)
		return ret;
	if (!w[0] || (w[1] && (!w[2] || strcasecmp(w[1], "AS") || w[3]))) {
		strv_free(w);
		return berr_invalid(err, "Dockerfile line %d: FROM requires either one or three "
					 "arguments (IMAGE [AS NAME])",
				    in->line);
	}
	grown = realloc(b->stages, (b->n_stages + 1) * sizeof(*grown));
	if (!grown) {
		strv_free(w);
		return berr_set(err, ENOMEM, "build");
	}
	b->stages = grown;
	st = &b->stages[b->n_stages++];
	memset(st, 0, sizeof(*st));
	if (w[1]) {
		st->name = strdup(w[2]);
		for (char *p = st->name; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	for (size_t i = 0; b->o->build_args && b->o->build_args[i]; i++) {
		const char *a = b->o->build_args[i];
		size_t n = strcspn(a, "=");

		if (a[n] == '=' && is_predefined(a, n)) {
			cleanup_free char *name = strndup(a, n);

			strv_push(&st->predef, a);
			if (name)
				strv_push(&b->used_args, name);
		}
	}
	/* A stage named earlier, scratch, or an image in the store. */
	for (size_t i = 0; i + 1 < b->n_stages && !st->image[0]; i++)
		if (b->stages[i].name && !strcasecmp(b->stages[i].name, w[0]))
			snprintf(st->image, sizeof(st->image), "%s", b->stages[i].image);
	if (!st->image[0] && strcmp(w[0], "scratch")) {
		ret = image_store_find(b->d->o.data_root, w[0], &rec, err);
		if (ret < 0) {
			strv_free(w);
			return berr_wrap(err, ret, "Dockerfile line %d: FROM %s (berthd's builder "
						   "does not pull: docker pull it first)",
					 in->line, in->args);
		}
		snprintf(st->image, sizeof(st->image), "%s", rec.id);
		image_rec_free(&rec);
	}
	strv_free(w);
	ret = bcfg_load(b->d->o.data_root, st->image, &st->cfg, err);
	if (ret < 0)
		return ret;
	/* As dockerd: a stage whose image sets no PATH gets the default. */
	if (!bcfg_get_kv(st->cfg.env, "PATH") &&
	    bcfg_set_kv(&st->cfg.env, "PATH",
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		return berr_set(err, ENOMEM, "build");
	if (st->image[0])
		build_say(b, " ---> %.12s\n", st->image + 7);
	return 0;
}

/* The FROM image's ONBUILD triggers, run as this stage's first steps;
 * the stage's own image keeps none of them, as dockerd's. */
static int triggers(struct builder *b, struct bstage *st, struct berr *err)
{
	char **t = st->cfg.onbuild;
	size_t n = strv_len(t);
	int ret = 0;

	if (!n)
		return 0;
	st->cfg.onbuild = NULL;
	build_say(b, "# Executing %zu build trigger%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		struct dockerfile df = { 0 };

		ret = dockerfile_parse(t[i], strlen(t[i]), &df, err);
		for (size_t k = 0; ret == 0 && k < df.n; k++) {
			if (!known_inst(df.v[k].cmd))
				ret = berr_invalid(err, "ONBUILD trigger: unknown instruction: %s",
						   df.v[k].cmd);
			else
				ret = build_inst(b, st, &df.v[k], err);
		}
		dockerfile_free(&df);
	}
	strv_free(t);
	return ret;
}

/* Where the build stops: the end of the target stage, or of the file. */
static int last_index(const struct builder *b, const struct dockerfile *df, size_t *end,
		      struct berr *err)
{
	bool found = !b->o->target || !*b->o->target;

	*end = df->n;
	for (size_t i = 0; i < df->n; i++) {
		const struct df_inst *in = &df->v[i];

		if (strcmp(in->cmd, "FROM"))
			continue;
		if (found) {
			if (b->o->target && *b->o->target) {
				*end = i;
				return 0;
			}
			continue;
		}
		{
			const char *as = in->args + strlen(in->args);

			while (as > in->args && !isspace((unsigned char)as[-1]))
				as--;
			if (as > in->args && !strcasecmp(as, b->o->target) &&
			    strcasestr(in->args, " as "))
				found = true;
		}
	}
	if (!found)
		return berr_invalid(err, "failed to reach build target %s in Dockerfile",
				    b->o->target);
	return 0;
}

/* --label: one more LABEL at the end, as dockerd adds it. */
static int label_inst(const struct builder *b, struct df_inst *in)
{
	char *text = NULL, *args = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&args, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; b->o->labels[i]; i++) {
		const char *eq = strchr(b->o->labels[i], '=');

		fprintf(f, "%s\"", i ? " " : "");
		for (const char *p = b->o->labels[i]; *p; p++) {
			if (p == eq) {
				fputs("\"=\"", f);
				continue;
			}
			if (*p == '"' || *p == '\\' || *p == '$')
				fputc('\\', f);
			fputc(*p, f);
		}
		fprintf(f, "%s\"", eq ? "" : "\"=\"");
	}
	fclose(f);
	if (!args || asprintf(&text, "LABEL %s", args) < 0) {
		free(args);
		return -ENOMEM;
	}
	memset(in, 0, sizeof(*in));
	in->cmd = strdup("LABEL");
	in->text = text;
	in->args = args;
	in->flags = calloc(1, sizeof(char *));
	return in->cmd && in->flags ? 0 : -ENOMEM;
}

static void warn_unused(struct builder *b)
{
	cleanup_free char *list = NULL;
	char **unused = calloc(1, sizeof(char *));

	for (size_t i = 0; unused && b->o->build_args && b->o->build_args[i]; i++) {
		cleanup_free char *name = strndup(b->o->build_args[i],
						  strcspn(b->o->build_args[i], "="));
		bool used = false;

		for (size_t k = 0; name && b->used_args && b->used_args[k]; k++)
			used |= !strcmp(b->used_args[k], name);
		if (name && !used)
			strv_push(&unused, name);
	}
	if (unused && unused[0] && (list = build_join(unused, " ")))
		build_say(b, "[Warning] One or more build-args [%s] were not consumed\n", list);
	strv_free(unused);
}

static int run_all(struct builder *b, struct dockerfile *df, char id[80], struct berr *err)
{
	struct df_inst extra = { 0 };
	size_t end;
	bool labels = b->o->labels && b->o->labels[0];
	int ret = last_index(b, df, &end, err);

	for (size_t i = 0; ret == 0 && i < end; i++)
		if (!known_inst(df->v[i].cmd))
			ret = berr_invalid(err, "Dockerfile parse error line %d: unknown "
						"instruction: %s",
					   df->v[i].line, df->v[i].cmd);
	if (ret < 0)
		return ret;
	if (labels && label_inst(b, &extra) < 0)
		return berr_set(err, ENOMEM, "build");
	b->n_steps = (int)end + (labels ? 1 : 0);
	for (size_t i = 0; ret == 0 && i < end + (labels ? 1 : 0); i++) {
		const struct df_inst *in = i < end ? &df->v[i] : &extra;
		struct bstage *st = b->n_stages ? &b->stages[b->n_stages - 1] : NULL;

		if (build_cancelled(b)) {
			ret = berr_fail(err, ECANCELED,
					"the build was cancelled: its client went away");
			break;
		}
		build_say(b, "Step %d/%d : %s\n", ++b->step, b->n_steps, in->text);
		if (!strcmp(in->cmd, "FROM")) {
			ret = from(b, in, err);
			if (ret == 0)
				ret = triggers(b, &b->stages[b->n_stages - 1], err);
		} else if (!st && !strcmp(in->cmd, "ARG")) {
			struct bstage global = { .args = b->global_args };
			char **w = NULL;

			ret = dockerfile_words(in->args, b->escape, build_lookup, &global, &w, err);
			for (size_t k = 0; ret == 0 && w[k]; k++) {
				char *eq = strchr(w[k], '=');
				const char *given;

				if (eq)
					*eq = '\0';
				given = build_arg(b, w[k]);
				if ((given || eq) &&
				    bcfg_set_kv(&b->global_args, w[k], given ? given : eq + 1) < 0)
					ret = berr_set(err, ENOMEM, "build");
			}
			strv_free(w);
		} else if (!st) {
			ret = berr_invalid(err, "Dockerfile line %d: %s before FROM (only ARG may "
						"come first)",
					   in->line, in->cmd);
		} else {
			ret = build_inst(b, st, in, err);
		}
	}
	if (labels) {
		free(extra.cmd);
		free(extra.text);
		free(extra.args);
		strv_free(extra.flags);
	}
	if (ret < 0)
		return ret;
	if (!b->n_stages || !b->stages[b->n_stages - 1].image[0])
		return berr_invalid(err, "No image was generated. Is your Dockerfile empty?");
	snprintf(id, 80, "%s", b->stages[b->n_stages - 1].image);
	return 0;
}

int daemon_build(struct daemon *d, const struct daemon_build_opts *o,
		 void (*out)(void *arg, const char *text), void *arg, char id[80],
		 struct berr *err)
{
	struct builder b = { .d = d, .o = o, .out = out, .arg = arg };
	struct dockerfile df = { 0 };
	cleanup_free char *text = NULL;
	size_t len = 0;
	int ret;

	ret = make_work(&b, err);
	if (ret == 0)
		ret = read_dockerfile(&b, &text, &len, err);
	if (ret == 0)
		ret = dockerfile_parse(text, len, &df, err);
	if (ret == 0) {
		b.escape = df.escape;
		ret = run_all(&b, &df, id, err);
	}
	if (ret == 0)
		warn_unused(&b);
	for (size_t i = 0; ret == 0 && o->tags && o->tags[i]; i++)
		ret = image_store_tag(d->o.data_root, id, o->tags[i], err);
	dockerfile_free(&df);
	builder_free(&b);
	return ret;
}

/* ----- docker import --change ----- */

int daemon_image_import(struct daemon *d, const char *file, const char *repo,
			const char *message, char *const *changes,
			void (*line)(void *arg, const char *text), void *arg,
			struct berr *err)
{
	struct daemon_spec empty = { 0 };
	cleanup_free char *run = NULL, *cfg = NULL;
	const char *argv[14];
	size_t k = 0;
	int ret = 0;

	if (changes && changes[0]) {
		ret = daemon_commit_config(&empty, NULL, changes, &run, err);
		if (ret == 0 && asprintf(&cfg, "%s/tmp/import-config-XXXXXX", d->o.data_root) < 0) {
			cfg = NULL;
			ret = berr_set(err, ENOMEM, "import");
		}
		if (ret == 0) {
			int fd = mkstemp(cfg);

			if (fd < 0) {
				ret = berr_sys(err, "import: create %s", cfg);
				free(cfg);
				cfg = NULL;
			} else {
				close(fd);
				ret = fsutil_write_atomic(cfg, run, strlen(run), 0600, err);
			}
		}
	}
	if (ret < 0)
		goto out;
	argv[k++] = "berthd-unpack";
	argv[k++] = "import";
	argv[k++] = "--data-root";
	argv[k++] = d->o.data_root;
	argv[k++] = "--file";
	argv[k++] = file;
	if (repo) {
		argv[k++] = "--repo";
		argv[k++] = repo;
	}
	if (message) {
		argv[k++] = "--message";
		argv[k++] = message;
	}
	if (cfg) {
		argv[k++] = "--config";
		argv[k++] = cfg;
	}
	argv[k] = NULL;
	ret = daemon_helper_run(d, argv, line, arg, err);
out:
	if (cfg)
		unlink(cfg);
	return ret;
}
