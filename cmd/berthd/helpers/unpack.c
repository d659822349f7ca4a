/* berthd-unpack: brings images into berthd's store, writes them out, and
 * talks to registries.
 *
 *   berthd-unpack load   --data-root DIR --file TAR
 *   berthd-unpack import --data-root DIR --file TAR [--repo NAME:TAG] [--message M]
 *                 [--config RUNCONFIG]
 *   berthd-unpack save   --data-root DIR REF...
 *   berthd-unpack export --data-root DIR --upper DIR LAYER...
 *   berthd-unpack commit --data-root DIR --upper DIR --parent ID --file CONFIG
 *                 [--repo NAME:TAG] [--message M] [--author A] [--created-by C]
 *   berthd-unpack cp-stat|cp-out|cp-in --data-root DIR --rootfs DIR --path P
 *                 [--upper DIR --work DIR] [--file TAR] [--keep-owner]
 *                 [--no-replace-dir] LAYER...
 *   berthd-unpack build-context --data-root DIR --file TAR --path DIR
 *   berthd-unpack build-copy --data-root DIR --rootfs DIR --upper DIR --work DIR
 *                 --context DIR --path DEST [--chown U:G] [--extract] [--add] (
 *                 [--from-layer L... --from-upper DIR --from-work DIR]
 *                 --src SRC... | --mkdir) LAYER...
 *   berthd-unpack pull   --data-root DIR --ref REF [REGISTRY OPTIONS]
 *   berthd-unpack pull-all --data-root DIR --ref NAME [REGISTRY OPTIONS]
 *   berthd-unpack push   --data-root DIR --ref REF [REGISTRY OPTIONS]
 *   berthd-unpack login  --server HOST[:PORT] [REGISTRY OPTIONS]
 *
 * with REGISTRY OPTIONS --certs-dir DIR, --insecure-registry HOST[:PORT]
 * (repeated) and --auth-stdin: docker's AuthConfig JSON comes on stdin,
 * so that no credential is ever on a command line.
 *
 * berthd runs it for POST /images/load, /images/create, /images/NAME/push,
 * /auth and /commit, GET /images/get, GET /containers/{id}/export and the
 * archive endpoints of docker cp, so that the daemon links no archive
 * library, no HTTP client and no TLS for them, and never reads or writes
 * an archive itself.  load, import, pull, pull-all, push and commit print each
 * result as one line on stdout ("tag NAME", "id SHA", "imported SHA",
 * "layer ID STATUS...", "status TEXT", "digest SHA", "committed SHA"),
 * login the identity token a token server gave ("identitytoken TOKEN");
 * save, export and cp-out write the archive to stdout, cp-stat the path's
 * stat (JSON).  A failure is one line on stderr and exit status 10 + its
 * kind (spec/base/err.h), or 2 for a bad command line. */
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/build_copy.h"
#include "runtime/images/image_commit.h"
#include "runtime/images/image_load.h"
#include "runtime/images/image_save.h"
#include "runtime/images/layer_store.h"
#include "runtime/images/registry.h"
#include "runtime/images/tree_copy.h"
#include "runtime/images/tree_export.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"

#define AUTH_MAX (64 << 10)

static void report(void *arg, const char *kind, const char *value)
{
	(void)arg;
	printf("%s %s\n", kind, value);
	fflush(stdout);
}

static int cp(const char *mode, const char *data_root, const char *rootfs, const char *upper,
	      const char *work, char *const *layers, size_t n, const char *path,
	      const char *file, bool keep_owner, bool no_replace_dir, struct berr *err)
{
	char *json = NULL;
	int ret, in;

	ret = tree_copy_enter(data_root, rootfs, upper, work, layers, n, err);
	if (ret < 0)
		return ret;
	if (strcmp(mode, "cp-stat") == 0) {
		ret = tree_copy_stat(path, &json, err);
		if (ret == 0)
			printf("%s\n", json);
		free(json);
		return ret;
	}
	if (strcmp(mode, "cp-out") == 0)
		return tree_copy_out(path, 1, err);
	if (strcmp(mode, "cp-in") == 0) {
		/* The archive is opened before the chroot would hide it: by
		 * the caller, as stdin. */
		(void)file;
		in = 0;
		return tree_copy_in(path, in, keep_owner, no_replace_dir, err);
	}
	return berr_invalid(err, "unknown mode %s", mode);
}

static int commit(const char *data_root, const char *upper, const char *parent,
		  const char *config_file, const char *repo, const char *message,
		  const char *author, const char *created_by, struct berr *err)
{
	struct image_commit_in in = {
		.upper = upper, .parent = parent, .comment = message, .author = author,
		.created_by = created_by, .tag = repo,
	};
	char id[IMAGE_DIGEST_LEN + 1];
	char *config = NULL;
	size_t len;
	int ret = fsutil_read_file(config_file, &config, &len, err);

	if (ret < 0)
		return ret;
	in.run_config = config;
	ret = image_commit(data_root, &in, id, err);
	free(config);
	if (ret == 0)
		printf("committed %s\n", id);
	return ret;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(char *));

	if (!grown)
		return -1;
	*v = grown;
	grown[*n] = strdup(s);
	grown[++*n] = NULL;
	return grown[*n - 1] ? 0 : -1;
}

static int read_auth(struct spec_registry_auth *auth, struct berr *err)
{
	char *buf = malloc(AUTH_MAX + 1);
	size_t len = 0, n;
	int ret;

	if (!buf)
		return berr_set(err, ENOMEM, "credentials");
	while (len < AUTH_MAX && (n = fread(buf + len, 1, AUTH_MAX - len, stdin)) > 0)
		len += n;
	if (len == 0) {
		free(buf);
		return 0;
	}
	ret = spec_registry_auth_parse(buf, len, auth, err);
	explicit_bzero(buf, len);
	free(buf);
	return ret;
}

/* The identity token goes to berthd on the pipe, never anywhere else. */
static int login(const char *server, const struct registry_opts *o, struct berr *err)
{
	char *token = NULL;
	int ret = registry_login(server, o, &token, err);

	if (ret == 0 && token)
		printf("identitytoken %s\n", token);
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	fflush(stdout);
	return ret;
}

/* The command line, every mode's options together. */
struct args {
	const char *mode, *data_root, *file, *repo, *message;
	const char *upper, *work, *rootfs, *path, *parent, *author, *created_by;
	const char *ref, *server, *config, *context, *chown, *from_upper, *from_work;
	bool keep_owner, no_replace_dir, auth_stdin, extract, add, mkdir;
	char **insecure, **srcs, **from;
	size_t n_insecure, n_srcs, n_from;
	char *const *rest; /* the operands: REFs or LAYERs */
	size_t n_rest;
	struct registry_opts reg;
};

enum {
	OPT_REF = 256, OPT_SERVER, OPT_CERTS_DIR, OPT_INSECURE, OPT_AUTH_STDIN, OPT_CONFIG,
	OPT_CONTEXT, OPT_CHOWN, OPT_EXTRACT, OPT_ADD, OPT_SRC, OPT_FROM, OPT_FROM_UPPER,
	OPT_FROM_WORK, OPT_MKDIR,
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "data-root", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "repo", required_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "upper", required_argument, NULL, 'u' },
		{ "work", required_argument, NULL, 'w' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "path", required_argument, NULL, 'p' },
		{ "keep-owner", no_argument, NULL, 'k' },
		{ "parent", required_argument, NULL, 'P' },
		{ "author", required_argument, NULL, 'a' },
		{ "created-by", required_argument, NULL, 'c' },
		{ "no-replace-dir", no_argument, NULL, 'n' },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "certs-dir", required_argument, NULL, OPT_CERTS_DIR },
		{ "insecure-registry", required_argument, NULL, OPT_INSECURE },
		{ "auth-stdin", no_argument, NULL, OPT_AUTH_STDIN },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "chown", required_argument, NULL, OPT_CHOWN },
		{ "extract", no_argument, NULL, OPT_EXTRACT },
		{ "add", no_argument, NULL, OPT_ADD },
		{ "src", required_argument, NULL, OPT_SRC },
		{ "from-layer", required_argument, NULL, OPT_FROM },
		{ "from-upper", required_argument, NULL, OPT_FROM_UPPER },
		{ "from-work", required_argument, NULL, OPT_FROM_WORK },
		{ "mkdir", no_argument, NULL, OPT_MKDIR },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': a->data_root = optarg; break;
		case 'f': a->file = optarg; break;
		case 'r': a->repo = optarg; break;
		case 'm': a->message = optarg; break;
		case 'u': a->upper = optarg; break;
		case 'w': a->work = optarg; break;
		case 'R': a->rootfs = optarg; break;
		case 'p': a->path = optarg; break;
		case 'k': a->keep_owner = true; break;
		case 'P': a->parent = optarg; break;
		case 'a': a->author = optarg; break;
		case 'c': a->created_by = optarg; break;
		case 'n': a->no_replace_dir = true; break;
		case OPT_REF: a->ref = optarg; break;
		case OPT_SERVER: a->server = optarg; break;
		case OPT_CERTS_DIR: a->reg.certs_dir = optarg; break;
		case OPT_INSECURE:
			if (push_str(&a->insecure, &a->n_insecure, optarg) < 0)
				return -1;
			break;
		case OPT_AUTH_STDIN: a->auth_stdin = true; break;
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_CONTEXT: a->context = optarg; break;
		case OPT_CHOWN: a->chown = optarg; break;
		case OPT_EXTRACT: a->extract = true; break;
		case OPT_ADD: a->add = true; break;
		case OPT_FROM_UPPER: a->from_upper = optarg; break;
		case OPT_FROM_WORK: a->from_work = optarg; break;
		case OPT_MKDIR: a->mkdir = true; break;
		case OPT_FROM:
			if (push_str(&a->from, &a->n_from, optarg) < 0)
				return -1;
			break;
		case OPT_SRC:
			if (push_str(&a->srcs, &a->n_srcs, optarg) < 0)
				return -1;
			break;
		default: return -1;
		}
	}
	a->reg.insecure = a->insecure;
	a->rest = argv + optind;
	a->n_rest = (size_t)(argc - optind);
	return 0;
}

static int import(const struct args *a, struct berr *err)
{
	char *config = NULL;
	size_t len;
	int ret = a->config ? fsutil_read_file(a->config, &config, &len, err) : 0;

	if (ret == 0)
		ret = image_load_import(a->data_root, a->file, a->repo, a->message, config, report,
					NULL, err);
	free(config);
	return ret;
}

static int build_context(const char *file, const char *dir, struct berr *err)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(err, "open %s", file);
	return build_context_extract(dir, fd, err);
}

/* COPY or ADD of docker build: the context is opened before the chroot
 * hides it, then the step's root is entered. */
static int build_copy(const struct args *a, struct berr *err)
{
	struct build_copy c = {
		.srcs = a->srcs, .n_srcs = a->n_srcs, .dest = a->path, .chown = a->chown,
		.inst = a->add ? "ADD" : "COPY", .extract = a->extract, .mkdir = a->mkdir,
		.keep_owner = a->n_from > 0,
	};
	int ret;

	/* COPY --from: the other image's files, mounted where the context
	 * would be, in a mount namespace of this helper's own. */
	if (a->n_from) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return berr_sys(err, "a mount namespace for COPY --from");
		ret = layer_store_mount(a->data_root, a->from, a->n_from, a->from_upper,
					a->from_work, a->context, true, err);
		if (ret < 0)
			return ret;
	}
	c.ctx = open(a->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.ctx < 0)
		return berr_sys(err, "open the build context %s", a->context);
	/* FROM scratch: no layers to mount, the new layer is the root. */
	if (a->n_rest)
		ret = tree_copy_enter(a->data_root, a->rootfs, a->upper, a->work, a->rest,
				      a->n_rest, err);
	else
		ret = tree_copy_enter(a->data_root, a->upper, NULL, NULL, NULL, 0, err);
	if (ret == 0)
		ret = build_copy_run(&c, err);
	close(c.ctx);
	return ret;
}

/* Every mode but login; 1 for an unknown one or missing options. */
static int run_store_mode(const struct args *a, struct berr *err)
{
	const char *m = a->mode;

	if (strcmp(m, "save") == 0)
		return image_save(a->data_root, a->rest, a->n_rest, 1, err);
	if (strcmp(m, "export") == 0 && a->upper)
		return tree_export(a->data_root, a->upper, a->rest, a->n_rest, 1, err);
	if (strcmp(m, "commit") == 0 && a->upper && a->parent && a->file)
		return commit(a->data_root, a->upper, a->parent, a->file, a->repo, a->message,
			      a->author, a->created_by, err);
	if (strncmp(m, "cp-", 3) == 0 && a->rootfs && a->path && (!a->upper || a->work))
		return cp(m, a->data_root, a->rootfs, a->upper, a->work, a->rest, a->n_rest,
			  a->path, a->file, a->keep_owner, a->no_replace_dir, err);
	if (strcmp(m, "load") == 0 && a->file)
		return image_load_archive(a->data_root, a->file, report, NULL, err);
	if (strcmp(m, "import") == 0 && a->file)
		return import(a, err);
	if (strcmp(m, "build-context") == 0 && a->file && a->path)
		return build_context(a->file, a->path, err);
	if (strcmp(m, "build-copy") == 0 && a->rootfs && a->upper && a->work && a->context &&
	    a->path && (a->n_srcs || a->mkdir) && (!a->n_from || (a->from_upper && a->from_work)))
		return build_copy(a, err);
	if (strcmp(m, "pull") == 0 && a->ref)
		return registry_pull(a->data_root, a->ref, &a->reg, report, NULL, err);
	if (strcmp(m, "pull-all") == 0 && a->ref)
		return registry_pull_all_tags(a->data_root, a->ref, &a->reg, report, NULL, err);
	if (strcmp(m, "push") == 0 && a->ref)
		return registry_push(a->data_root, a->ref, &a->reg, report, NULL, err);
	return 1;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct spec_registry_auth auth = { 0 };
	struct berr err = { 0 };
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: berthd-unpack load|import|save|export|commit|cp-stat|"
				"cp-out|cp-in|pull|pull-all|push|login OPTIONS\n");
		return 2;
	}
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	if (a.auth_stdin) {
		a.reg.auth = &auth;
		ret = read_auth(&auth, &err);
	} else {
		ret = 0;
	}
	if (ret == 0 && strcmp(a.mode, "login") == 0)
		ret = a.server ? login(a.server, &a.reg, &err) : 1;
	else if (ret == 0)
		ret = a.data_root ? run_store_mode(&a, &err) : 1;
	if (ret == 1) {
		fprintf(stderr, "berthd-unpack: unknown mode %s, or its options are missing\n",
			a.mode);
		ret = 2;
	}
	spec_registry_auth_free(&auth);
	strv_free(a.insecure);
	strv_free(a.srcs);
	strv_free(a.from);
	if (ret == 2)
		return 2;
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 10 + (int)err.kind;
	}
	return 0;
}
