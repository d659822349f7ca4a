/* The steps of a build that make an image: RUN (a container), COPY and
 * ADD (the unpack helper's build-copy), and the metadata instructions
 * (a new config on the same layers).  Each looks in the cache first. */
#include "runtime/engine/build_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/internal.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_derive.h"
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

static void done(struct builder *b, struct bstage *st, const char *id)
{
	snprintf(st->image, sizeof(st->image), "%s", id);
	build_say(b, " ---> %.12s\n", strncmp(id, "sha256:", 7) ? id : id + 7);
}

static bool cached(struct builder *b, struct bstage *st, const char *config,
		   const char *created_by, const char *sum)
{
	char id[80];

	if (b->o->no_cache || !build_cache_find(b, st->image, config, created_by, sum, id))
		return false;
	build_say(b, " ---> Using cache\n");
	done(b, st, id);
	return true;
}

/* The new layer in upper as the step's image, through the helper. */
static int commit_upper(struct builder *b, struct bstage *st, const char *upper,
			const char *config, const char *created_by, char id[80],
			struct berr *err)
{
	cleanup_free char *file = NULL;
	const char *argv[16];
	size_t k = 0;
	int ret;

	if (asprintf(&file, "%s/config-%d.json", b->work, ++b->seq) < 0) {
		file = NULL;
		return berr_set(err, ENOMEM, "build");
	}
	ret = fsutil_write_atomic(file, config, strlen(config), 0600, err);
	if (ret < 0)
		return ret;
	argv[k++] = "berthd-unpack";
	argv[k++] = "commit";
	argv[k++] = "--data-root";
	argv[k++] = b->d->o.data_root;
	argv[k++] = "--upper";
	argv[k++] = upper;
	argv[k++] = "--parent";
	argv[k++] = st->image;
	argv[k++] = "--file";
	argv[k++] = file;
	argv[k++] = "--created-by";
	argv[k++] = created_by;
	if (st->author) {
		argv[k++] = "--author";
		argv[k++] = st->author;
	}
	argv[k] = NULL;
	id[0] = '\0';
	ret = daemon_helper_run(b->d, argv, build_committed_line, id, err);
	if (ret == 0 && !id[0])
		ret = berr_fail(err, EIO, "build: the helper named no image");
	return ret;
}

int build_meta(struct builder *b, struct bstage *st, const char *created_by,
	       struct berr *err)
{
	cleanup_free char *config = NULL;
	struct image_derive_in in = { .parent = st->image, .author = st->author };
	char id[IMAGE_DIGEST_LEN + 1];
	int ret = bcfg_json(&st->cfg, &config, err);

	if (ret < 0 || cached(b, st, config, created_by, NULL))
		return ret;
	in.run_config = config;
	in.created_by = created_by;
	ret = image_derive(b->d->o.data_root, &in, id, err);
	if (ret < 0)
		return ret;
	ret = build_cache_keep(b, st->image, config, created_by, NULL, id, err);
	if (ret < 0)
		return ret;
	done(b, st, id);
	return 0;
}

/* ----- RUN ----- */

/* What RUN's process gets besides the image's env: the ARGs with a
 * value (not kept in the image), and "|N NAME=value ..." for history,
 * as dockerd writes it. */
static int run_env(struct bstage *st, char ***env, char **prefix)
{
	char **args = calloc(1, sizeof(char *));
	char *p = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	*env = strv_dup(st->cfg.env, strv_len(st->cfg.env));
	if (!*env || !args) {
		strv_free(args);
		return -ENOMEM;
	}
	for (size_t i = 0; st->args && st->args[i]; i++)
		if (strchr(st->args[i], '=') && strv_push(&args, st->args[i]) < 0) {
			strv_free(args);
			return -ENOMEM;
		}
	f = open_memstream(&p, &len);
	if (!f) {
		strv_free(args);
		return -ENOMEM;
	}
	n = strv_len(args);
	if (n)
		fprintf(f, "|%zu ", n);
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');

		fprintf(f, "%s ", args[i]);
		*eq = '\0';
		/* The image's ENV wins over an ARG of the same name. */
		if (!bcfg_get_kv(*env, args[i]) && bcfg_set_kv(env, args[i], eq + 1) < 0) {
			fclose(f);
			free(p);
			strv_free(args);
			return -ENOMEM;
		}
	}
	fclose(f);
	strv_free(args);
	*prefix = p;
	for (size_t i = 0; st->predef && st->predef[i]; i++) {
		cleanup_free char *name = strndup(st->predef[i], strcspn(st->predef[i], "="));

		if (!name)
			return -ENOMEM;
		if (!bcfg_get_kv(*env, name) &&
		    bcfg_set_kv(env, name, st->predef[i] + strlen(name) + 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Stream the new records of the log at path from *off. */
static void tail_log(struct builder *b, const char *path, off_t *off)
{
	enum { SIZE = 256 * 1024 }; /* more than a record: the shim's reads are smaller */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = malloc(SIZE);
	ssize_t n;

	if (fd < 0 || !buf)
		return;
	while ((n = pread(fd, buf, SIZE, *off)) > 0) {
		char *line = buf, *nl;

		while ((nl = memchr(line, '\n', (size_t)(buf + n - line)))) {
			struct daemon_log_record r;

			if (daemon_log_parse(line, (size_t)(nl - line), &r) == 0)
				build_say(b, "%.*s%s", (int)r.len, r.content, r.partial ? "" : "\n");
			*off += nl - line + 1;
			line = nl + 1;
		}
		/* A record longer than the buffer is skipped (not looped on);
		 * a shorter one without its newline is read again later. */
		if (line == buf) {
			if (n == SIZE)
				*off += n;
			break;
		}
	}
}

static int run_container(struct builder *b, struct bstage *st, char **argv, char **env,
			 char ctr[65], int *code, struct berr *err)
{
	struct daemon_spec s = { 0 };
	struct daemon_container *c = NULL;
	cleanup_free char *log = NULL;
	const char *none[] = { "NONE", NULL };
	off_t off = 0;
	bool cancelled = false;
	int ret;

	s.image = strdup(st->image);
	s.cmd = strv_dup(argv, strv_len(argv));
	s.entrypoint = calloc(1, sizeof(char *));
	s.env = strv_dup(env, strv_len(env));
	s.user = strdup(st->cfg.user ? st->cfg.user : "");
	s.workdir = strdup(st->cfg.workdir ? st->cfg.workdir : "");
	s.health_test = strv_dup((char *const *)none, 1);
	s.stop_timeout = -1;
	s.network_mode = b->o->network_mode ? strdup(b->o->network_mode) : NULL;
	if (!s.image || !s.cmd || !s.entrypoint || !s.env || !s.user || !s.workdir ||
	    !s.health_test) {
		daemon_spec_free(&s);
		return berr_set(err, ENOMEM, "build");
	}
	ret = daemon_create(b->d, &s, NULL, ctr, err);
	daemon_spec_free(&s);
	if (ret < 0)
		return ret;
	build_say(b, " ---> Running in %.12s\n", ctr);
	ret = daemon_start(b->d, ctr, err);
	if (ret < 0)
		return ret;
	log = daemon_log_path(b->d, ctr);
	ret = daemon_get(b->d, ctr, &c, err);
	if (ret < 0)
		return ret;
	for (;;) {
		bool running;

		if (log)
			tail_log(b, log, &off);
		daemon_lock(b->d);
		running = c->status == DS_RUNNING || c->status == DS_PAUSED || c->busy;
		daemon_unlock(b->d);
		if (!running)
			break;
		if (!cancelled && build_cancelled(b)) {
			struct berr ignored;

			cancelled = true;
			daemon_kill(b->d, ctr, "KILL", &ignored);
		}
		daemon_wait_change(b->d, 200);
	}
	ret = daemon_wait(b->d, c, WAIT_NOT_RUNNING, NULL, NULL, code, err);
	if (log)
		tail_log(b, log, &off);
	daemon_put(b->d, c);
	if (ret == 0 && cancelled)
		ret = berr_fail(err, ECANCELED, "the build was cancelled: its client went away");
	return ret;
}

int build_run(struct builder *b, struct bstage *st, const struct df_inst *in,
	      struct berr *err)
{
	const char *sh[] = { "/bin/sh", "-c", NULL };
	cleanup_strv char **argv = NULL, **env = NULL;
	cleanup_free char *prefix = NULL, *cmdline = NULL, *created_by = NULL, *config = NULL,
			  *upper = NULL;
	struct berr ignored;
	char ctr[65] = "", id[80];
	int code = 0, ret;

	if (in->flags && in->flags[0])
		return berr_unsupported(err, "Dockerfile line %d: RUN %s is BuildKit's, not "
					     "supported by the classic builder",
					in->line, in->flags[0]);
	if (!st->image[0])
		return berr_invalid(err, "Dockerfile line %d: RUN in a stage FROM scratch has "
					 "nothing to run", in->line);
	if (in->json) {
		argv = strv_dup(in->argv, strv_len(in->argv));
	} else {
		argv = st->cfg.shell ? strv_dup(st->cfg.shell, strv_len(st->cfg.shell))
				     : strv_dup((char *const *)sh, 2);
		if (argv && strv_push(&argv, in->args) < 0) {
			strv_free(argv);
			argv = NULL;
		}
	}
	if (!argv || run_env(st, &env, &prefix) < 0 || !(cmdline = build_join(argv, " ")) ||
	    asprintf(&created_by, "%s%s", prefix ? prefix : "", cmdline) < 0)
		return berr_set(err, ENOMEM, "build");
	if (!argv[0])
		return berr_invalid(err, "Dockerfile line %d: RUN has no command", in->line);
	ret = bcfg_json(&st->cfg, &config, err);
	if (ret < 0 || cached(b, st, config, created_by, NULL))
		return ret;
	ret = run_container(b, st, argv, env, ctr, &code, err);
	if (ret == 0 && code != 0)
		ret = berr_invalid(err, "The command '%s' returned a non-zero code: %d", cmdline,
				   code);
	if (ret == 0) {
		upper = daemon_dir(b->d, ctr, "upper");
		ret = upper ? commit_upper(b, st, upper, config, created_by, id, err)
			    : berr_set(err, ENOMEM, "build");
	}
	/* A failed step's container goes whatever rm says: a failed build
	 * leaves nothing behind. */
	if (ctr[0] && (ret < 0 || b->o->rm)) {
		if (ret == 0)
			build_say(b, "Removing intermediate container %.12s\n", ctr);
		daemon_remove(b->d, ctr, true, true, &ignored);
	}
	if (ret < 0)
		return ret;
	ret = build_cache_keep(b, st->image, config, created_by, NULL, id, err);
	if (ret < 0)
		return ret;
	done(b, st, id);
	return 0;
}
