/* berthd-unpack: brings an image tarball into berthd's store, or writes
 * images out as one.
 *
 *   berthd-unpack load   --data-root DIR --file TAR
 *   berthd-unpack import --data-root DIR --file TAR [--repo NAME:TAG] [--message M]
 *   berthd-unpack save   --data-root DIR REF...
 *   berthd-unpack export --data-root DIR --upper DIR LAYER...
 *   berthd-unpack commit --data-root DIR --upper DIR --parent ID --file CONFIG
 *                 [--repo NAME:TAG] [--message M] [--author A] [--created-by C]
 *   berthd-unpack cp-stat|cp-out|cp-in --data-root DIR --rootfs DIR --path P
 *                 [--upper DIR --work DIR] [--file TAR] [--keep-owner]
 *                 [--no-replace-dir] LAYER...
 *
 * berthd runs it for POST /images/load, POST /images/create?fromSrc=- and
 * GET /images/get, GET /containers/{id}/export, POST /commit and the
 * archive endpoints of docker cp, so that the daemon links no archive library and never
 * reads or writes an archive itself.  load and import print each result as
 * one line on stdout ("tag NAME", "id SHA", "imported SHA"; commit
 * "committed SHA"); save,
 * export and cp-out write the archive to stdout, cp-stat the path's stat
 * (JSON).  A failure is one line on stderr and exit status 1; for the cp
 * modes 10 + the error's kind (spec/base/err.h), which berthd answers
 * with. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_commit.h"
#include "runtime/images/image_load.h"
#include "runtime/images/image_save.h"
#include "runtime/images/tree_copy.h"
#include "runtime/images/tree_export.h"
#include "spec/base/fsutil.h"

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

int main(int argc, char **argv)
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
		{ NULL, 0, NULL, 0 },
	};
	const char *data_root = NULL, *file = NULL, *repo = NULL, *message = NULL;
	const char *upper = NULL, *work = NULL, *rootfs = NULL, *path = NULL;
	const char *parent = NULL, *author = NULL, *created_by = NULL;
	bool keep_owner = false, no_replace_dir = false;
	struct berr err = { 0 };
	const char *mode;
	int c, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: berthd-unpack load|import --data-root DIR --file TAR, "
				"save --data-root DIR REF..., or export --data-root DIR --upper DIR LAYER...\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': data_root = optarg; break;
		case 'f': file = optarg; break;
		case 'r': repo = optarg; break;
		case 'm': message = optarg; break;
		case 'u': upper = optarg; break;
		case 'w': work = optarg; break;
		case 'R': rootfs = optarg; break;
		case 'p': path = optarg; break;
		case 'k': keep_owner = true; break;
		case 'P': parent = optarg; break;
		case 'a': author = optarg; break;
		case 'c': created_by = optarg; break;
		case 'n': no_replace_dir = true; break;
		default: return 2;
		}
	}
	if (strcmp(mode, "save") == 0 && data_root) {
		ret = image_save(data_root, argv + optind, (size_t)(argc - optind), 1, &err);
		if (ret < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		return 0;
	}
	if (strcmp(mode, "commit") == 0) {
		if (!data_root || !upper || !parent || !file) {
			fprintf(stderr, "berthd-unpack: commit needs --data-root, --upper, --parent "
					"and --file\n");
			return 2;
		}
		ret = commit(data_root, upper, parent, file, repo, message, author, created_by,
			     &err);
		if (ret < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 10 + (int)err.kind;
		}
		return 0;
	}
	if (strncmp(mode, "cp-", 3) == 0) {
		if (!data_root || !rootfs || !path || (upper && !work)) {
			fprintf(stderr, "berthd-unpack: %s needs --data-root, --rootfs and --path\n",
				mode);
			return 2;
		}
		ret = cp(mode, data_root, rootfs, upper, work, argv + optind,
			 (size_t)(argc - optind), path, file, keep_owner, no_replace_dir, &err);
		if (ret < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 10 + (int)err.kind;
		}
		return 0;
	}
	if (strcmp(mode, "export") == 0 && data_root && upper) {
		ret = tree_export(data_root, upper, argv + optind, (size_t)(argc - optind), 1,
				  &err);
		if (ret < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		return 0;
	}
	if (!data_root || !file) {
		fprintf(stderr, "berthd-unpack: --data-root and --file are required\n");
		return 2;
	}
	if (strcmp(mode, "load") == 0)
		ret = image_load_archive(data_root, file, report, NULL, &err);
	else if (strcmp(mode, "import") == 0)
		ret = image_load_import(data_root, file, repo, message, report, NULL, &err);
	else {
		fprintf(stderr, "berthd-unpack: unknown mode %s\n", mode);
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}
