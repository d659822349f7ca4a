/* COPY and ADD: the sources (from the context, or --from a stage or an
 * image) copied by the unpack helper into a fresh upper directory over
 * the step's image, which it then commits. */
#include "runtime/engine/build_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/engine/internal.h"
#include "runtime/images/image_store.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"

static void strv_freep(char ***v)
{
	strv_free(*v);
}

#define cleanup_strv __attribute__((cleanup(strv_freep)))

/* The source of --from: a stage by name or index, or an image. */
static int from_image(struct builder *b, const char *from, struct bstage *st, char id[80],
		      struct berr *err)
{
	struct image_rec rec = { 0 };
	char *end;
	long idx = strtol(from, &end, 10);
	int ret;

	for (size_t i = 0; i < b->n_stages; i++)
		if ((b->stages[i].name && !strcasecmp(b->stages[i].name, from)) ||
		    (*from && !*end && idx >= 0 && (size_t)idx == i)) {
			if (&b->stages[i] == st)
				return berr_invalid(err, "COPY --from=%s: a stage cannot copy "
							 "from itself", from);
			snprintf(id, 80, "%s", b->stages[i].image);
			return 0;
		}
	ret = image_store_find(b->d->o.data_root, from, &rec, err);
	if (ret < 0)
		return berr_wrap(err, ret, "COPY --from=%s: no such stage, nor an image here", from);
	snprintf(id, 80, "%s", rec.id);
	image_rec_free(&rec);
	return 0;
}

static int layers_of(struct builder *b, const char *id, struct image_rec *rec,
		     struct berr *err)
{
	memset(rec, 0, sizeof(*rec));
	return *id ? image_store_find(b->d->o.data_root, id, rec, err) : 0;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) ||
	       !strncmp(s, "git@", 4) || !strncmp(s, "git://", 6);
}

/* The destination, absolute: a relative one is under WORKDIR; "." or a
 * trailing / is a directory. */
static char *destination(const struct bstage *st, const char *dest)
{
	const char *wd = st->cfg.workdir && *st->cfg.workdir ? st->cfg.workdir : "/";
	size_t n = strlen(dest);
	bool dir = n && (dest[n - 1] == '/' || !strcmp(dest, ".") ||
			 (n >= 2 && !strcmp(dest + n - 2, "/.")));
	char *out = NULL;

	if (dest[0] == '/') {
		if (asprintf(&out, "%s%s", dest, dir && dest[n - 1] != '/' ? "/" : "") < 0)
			return NULL;
	} else if (!strcmp(dest, ".") || !strcmp(dest, "./")) {
		if (asprintf(&out, "%s%s", wd, wd[strlen(wd) - 1] == '/' ? "" : "/") < 0)
			return NULL;
	} else if (asprintf(&out, "%s%s%s%s", wd, wd[strlen(wd) - 1] == '/' ? "" : "/", dest,
			    dir && dest[n - 1] != '/' ? "/" : "") < 0) {
		return NULL;
	}
	return out;
}

static int check_flags(const struct df_inst *in, struct berr *err)
{
	for (size_t i = 0; in->flags && in->flags[i]; i++) {
		const char *f = in->flags[i] + 2;

		if (strncmp(f, "from=", 5) && strncmp(f, "chown=", 6))
			return berr_unsupported(err, "Dockerfile line %d: %s %s is not supported "
						     "by the classic builder",
						in->line, in->cmd, in->flags[i]);
	}
	return 0;
}

static int mkdirs(const char *work, int seq, const char *const *names, char **paths,
		  size_t n, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&paths[i], "%s/step-%d-%s", work, seq, names[i]) < 0) {
			paths[i] = NULL;
			return berr_set(err, ENOMEM, "build");
		}
		if (mkdir(paths[i], 0700) < 0)
			return berr_sys(err, "create %s", paths[i]);
	}
	return 0;
}

struct copy_job {
	char **srcs;
	const char *dest, *chown, *from_id;
	bool add, mkdir;
};

static void no_line(void *arg, const char *text)
{
	(void)arg;
	(void)text;
}

static int run_copy(struct builder *b, struct bstage *st, const struct copy_job *j,
		    const char *config, const char *created_by, char id[80], struct berr *err)
{
	static const char *names[] = { "upper", "work", "rootfs", "from", "fupper", "fwork" };
	char *dirs[6] = { 0 };
	struct image_rec base = { 0 }, from = { 0 };
	const char **argv = NULL;
	size_t k = 0, cap;
	struct berr ignored;
	int seq = ++b->seq, ret;

	ret = layers_of(b, st->image, &base, err);
	/* WORKDIR reads no context: the work directory stands for it. */
	if (ret == 0 && !j->from_id && !j->mkdir)
		ret = build_context(b, err);
	if (ret == 0 && j->from_id)
		ret = layers_of(b, j->from_id, &from, err);
	if (ret == 0 && j->from_id && !from.n_layers)
		ret = berr_invalid(err, "%s --from: the source has no files (FROM scratch)",
				   j->add ? "ADD" : "COPY");
	if (ret == 0)
		ret = mkdirs(b->work, seq, names, dirs, j->from_id ? 6 : 3, err);
	cap = 24 + 2 * (j->srcs ? strv_len(j->srcs) : 0) + 2 * from.n_layers + base.n_layers;
	argv = ret == 0 ? calloc(cap, sizeof(char *)) : NULL;
	if (ret == 0 && !argv)
		ret = berr_set(err, ENOMEM, "build");
	if (ret == 0) {
		argv[k++] = "berthd-unpack";
		argv[k++] = "build-copy";
		argv[k++] = "--data-root";
		argv[k++] = b->d->o.data_root;
		argv[k++] = "--rootfs";
		argv[k++] = dirs[2];
		argv[k++] = "--upper";
		argv[k++] = dirs[0];
		argv[k++] = "--work";
		argv[k++] = dirs[1];
		argv[k++] = "--context";
		argv[k++] = j->from_id ? dirs[3] : j->mkdir ? b->work : b->ctx;
		argv[k++] = "--path";
		argv[k++] = j->dest;
		if (j->chown) {
			argv[k++] = "--chown";
			argv[k++] = j->chown;
		}
		if (j->add) {
			argv[k++] = "--add";
			argv[k++] = "--extract";
		}
		if (j->mkdir)
			argv[k++] = "--mkdir";
		if (j->from_id) {
			argv[k++] = "--from-upper";
			argv[k++] = dirs[4];
			argv[k++] = "--from-work";
			argv[k++] = dirs[5];
			for (size_t i = 0; i < from.n_layers; i++) {
				argv[k++] = "--from-layer";
				argv[k++] = from.layers[i];
			}
		}
		for (size_t i = 0; j->srcs && j->srcs[i]; i++) {
			argv[k++] = "--src";
			argv[k++] = j->srcs[i];
		}
		for (size_t i = 0; i < base.n_layers; i++)
			argv[k++] = base.layers[i];
		argv[k] = NULL;
		ret = daemon_helper_run(b->d, argv, no_line, NULL, err);
	}
	if (ret == 0) {
		const char *cargv[16];
		cleanup_free char *file = NULL;
		size_t n = 0;

		if (asprintf(&file, "%s/step-%d-config.json", b->work, seq) < 0) {
			file = NULL;
			ret = berr_set(err, ENOMEM, "build");
		}
		if (ret == 0)
			ret = fsutil_write_atomic(file, config, strlen(config), 0600, err);
		cargv[n++] = "berthd-unpack";
		cargv[n++] = "commit";
		cargv[n++] = "--data-root";
		cargv[n++] = b->d->o.data_root;
		cargv[n++] = "--upper";
		cargv[n++] = dirs[0];
		cargv[n++] = "--parent";
		cargv[n++] = st->image;
		cargv[n++] = "--file";
		cargv[n++] = file;
		cargv[n++] = "--created-by";
		cargv[n++] = created_by;
		if (st->author) {
			cargv[n++] = "--author";
			cargv[n++] = st->author;
		}
		cargv[n] = NULL;
		id[0] = '\0';
		if (ret == 0)
			ret = daemon_helper_run(b->d, cargv, build_committed_line, id, err);
		if (ret == 0 && !id[0])
			ret = berr_fail(err, EIO, "build: the helper named no image");
	}
	for (size_t i = 0; i < 6; i++) {
		if (dirs[i])
			layer_store_rmtree(dirs[i], &ignored);
		free(dirs[i]);
	}
	free(argv);
	image_rec_free(&base);
	image_rec_free(&from);
	return ret;
}

int build_copy(struct builder *b, struct bstage *st, const struct df_inst *in, bool add,
	       struct berr *err)
{
	cleanup_strv char **words = NULL;
	cleanup_free char *dest = NULL, *created_by = NULL, *config = NULL, *srcs = NULL,
			  *chown = NULL, *sum = NULL;
	const char *from = dockerfile_flag(in, "from"), *chown_flag = dockerfile_flag(in, "chown");
	char from_id[80] = "", id[80];
	struct copy_job j = { .add = add };
	size_t n;
	int ret = check_flags(in, err);

	if (ret < 0)
		return ret;
	if (in->json)
		words = strv_dup(in->argv, strv_len(in->argv));
	else
		ret = dockerfile_words(in->args, b->escape, build_lookup, st, &words, err);
	if (ret < 0)
		return ret;
	if (!words)
		return berr_set(err, ENOMEM, "build");
	n = strv_len(words);
	if (n < 2)
		return berr_invalid(err, "Dockerfile line %d: %s requires at least two arguments",
				    in->line, in->cmd);
	for (size_t i = 0; i + 1 < n; i++)
		if (is_url(words[i]))
			return berr_unsupported(err, "Dockerfile line %d: %s of a URL (%s) is not "
						     "supported by berthd: builds have no network "
						     "access to fetch it",
						in->line, in->cmd, words[i]);
	if (from && add)
		return berr_invalid(err, "Dockerfile line %d: ADD has no --from (COPY has)",
				    in->line);
	if (chown_flag && dockerfile_expand(chown_flag, b->escape, build_lookup, st, &chown,
					    err) < 0)
		return -EINVAL;
	if (from) {
		ret = from_image(b, from, st, from_id, err);
		if (ret < 0)
			return ret;
	}
	dest = destination(st, words[n - 1]);
	free(words[n - 1]);
	words[n - 1] = NULL;
	srcs = build_join(words, " ");
	if (!dest || !srcs ||
	    asprintf(&created_by, "/bin/sh -c #(nop) %s %s%s%s%s%s%s%s in %s ", in->cmd,
		     from ? "--from=" : "", from ? from : "", from ? " " : "",
		     chown ? "--chown=" : "", chown ? chown : "", chown ? " " : "", srcs,
		     dest) < 0) {
		created_by = NULL;
		return berr_set(err, ENOMEM, "build");
	}
	ret = bcfg_json(&st->cfg, &config, err);
	if (ret == 0)
		ret = build_sum(b, from ? from_id : NULL, words, &sum, err);
	if (ret < 0)
		return ret;
	if (!b->o->no_cache && build_cache_find(b, st->image, config, created_by, sum, id)) {
		build_say(b, " ---> Using cache\n");
		snprintf(st->image, sizeof(st->image), "%s", id);
		build_say(b, " ---> %.12s\n", id + 7);
		return 0;
	}
	j.srcs = words;
	j.dest = dest;
	j.chown = chown;
	j.from_id = from ? from_id : NULL;
	ret = run_copy(b, st, &j, config, created_by, id, err);
	if (ret < 0)
		return ret;
	ret = build_cache_keep(b, st->image, config, created_by, sum, id, err);
	if (ret < 0)
		return ret;
	snprintf(st->image, sizeof(st->image), "%s", id);
	build_say(b, " ---> %.12s\n", id + 7);
	return 0;
}

int build_workdir(struct builder *b, struct bstage *st, const char *created_by,
		  struct berr *err)
{
	cleanup_free char *config = NULL;
	struct copy_job j = { .dest = st->cfg.workdir, .mkdir = true };
	char id[80];
	int ret = bcfg_json(&st->cfg, &config, err);

	if (ret < 0)
		return ret;
	if (!b->o->no_cache && build_cache_find(b, st->image, config, created_by, NULL, id)) {
		build_say(b, " ---> Using cache\n");
	} else {
		ret = run_copy(b, st, &j, config, created_by, id, err);
		if (ret < 0)
			return ret;
		ret = build_cache_keep(b, st->image, config, created_by, NULL, id, err);
		if (ret < 0)
			return ret;
	}
	snprintf(st->image, sizeof(st->image), "%s", id);
	build_say(b, " ---> %.12s\n", id + 7);
	return 0;
}
