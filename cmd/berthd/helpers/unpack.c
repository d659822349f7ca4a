/* berthd-unpack: brings an image tarball into berthd's store, or writes
 * images out as one.
 *
 *   berthd-unpack load   --data-root DIR --file TAR
 *   berthd-unpack import --data-root DIR --file TAR [--repo NAME:TAG] [--message M]
 *   berthd-unpack save   --data-root DIR REF...
 *   berthd-unpack export --data-root DIR --upper DIR LAYER...
 *
 * berthd runs it for POST /images/load, POST /images/create?fromSrc=- and
 * GET /images/get and GET /containers/{id}/export, so that the daemon links no archive library and never
 * reads or writes an archive itself.  load and import print each result as
 * one line on stdout ("tag NAME", "id SHA", "imported SHA"); save and
 * export write the archive to stdout.  A failure is one line on stderr and exit status
 * 1. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_load.h"
#include "runtime/images/image_save.h"
#include "runtime/images/tree_export.h"

static void report(void *arg, const char *kind, const char *value)
{
	(void)arg;
	printf("%s %s\n", kind, value);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data-root", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "repo", required_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "upper", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data_root = NULL, *file = NULL, *repo = NULL, *message = NULL;
	const char *upper = NULL;
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
