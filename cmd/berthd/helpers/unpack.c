/* berthd-unpack: brings an image tarball into berthd's store.
 *
 *   berthd-unpack load   --data-root DIR --file TAR
 *   berthd-unpack import --data-root DIR --file TAR [--repo NAME:TAG] [--message M]
 *
 * berthd runs it for POST /images/load and POST /images/create?fromSrc=-,
 * so that the daemon links no archive library and never unpacks an
 * archive itself.  Each result is one line on stdout ("tag NAME",
 * "id SHA", "imported SHA"); a failure is one line on stderr and exit
 * status 1. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_load.h"

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
		{ NULL, 0, NULL, 0 },
	};
	const char *data_root = NULL, *file = NULL, *repo = NULL, *message = NULL;
	struct berr err = { 0 };
	const char *mode;
	int c, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: berthd-unpack load|import --data-root DIR --file TAR\n");
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
		default: return 2;
		}
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
