/* berthd-unpack: brings images into berthd's store, and to registries.
 *
 *   berthd-unpack load   --data-root DIR --file TAR
 *   berthd-unpack import --data-root DIR --file TAR [--repo NAME:TAG] [--message M]
 *   berthd-unpack pull   --data-root DIR --ref REF [REGISTRY OPTIONS]
 *   berthd-unpack push   --data-root DIR --ref REF [REGISTRY OPTIONS]
 *   berthd-unpack login  --server HOST[:PORT] [REGISTRY OPTIONS]
 *
 * with REGISTRY OPTIONS --certs-dir DIR, --insecure-registry HOST[:PORT]
 * (repeated) and --auth-stdin: docker's AuthConfig JSON comes on stdin,
 * so that no credential is ever on a command line.
 *
 * berthd runs it for POST /images/load, /images/create, /images/NAME/push
 * and /auth, so that the daemon links no archive library, no HTTP client
 * and no TLS for them, and never unpacks an archive itself.  Each result
 * is one line on stdout ("tag NAME", "id SHA", "imported SHA", "layer ID
 * STATUS...", "status TEXT", "digest SHA"); a failure is one line on
 * stderr and exit status 10 + its kind (spec/base/err.h), or 2 for a bad
 * command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/image_load.h"
#include "runtime/images/registry.h"
#include "spec/base/strv.h"

#define AUTH_MAX (64 << 10)

static void report(void *arg, const char *kind, const char *value)
{
	(void)arg;
	printf("%s %s\n", kind, value);
	fflush(stdout);
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data-root", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "repo", required_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "ref", required_argument, NULL, 'R' },
		{ "server", required_argument, NULL, 's' },
		{ "certs-dir", required_argument, NULL, 'c' },
		{ "insecure-registry", required_argument, NULL, 'i' },
		{ "auth-stdin", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data_root = NULL, *file = NULL, *repo = NULL, *message = NULL;
	const char *ref = NULL, *server = NULL;
	struct spec_registry_auth auth = { 0 };
	struct registry_opts o = { 0 };
	char **insecure = NULL;
	size_t n_insecure = 0;
	bool auth_stdin = false;
	struct berr err = { 0 };
	const char *mode;
	int c, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: berthd-unpack load|import|pull|push|login OPTIONS\n");
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
		case 'R': ref = optarg; break;
		case 's': server = optarg; break;
		case 'c': o.certs_dir = optarg; break;
		case 'i':
			if (push_str(&insecure, &n_insecure, optarg) < 0)
				return 1;
			break;
		case 'a': auth_stdin = true; break;
		default: return 2;
		}
	}
	o.insecure = insecure;
	if (auth_stdin) {
		ret = read_auth(&auth, &err);
		if (ret < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 10 + err.kind;
		}
		o.auth = &auth;
	}
	if (strcmp(mode, "login") == 0) {
		if (!server) {
			fprintf(stderr, "berthd-unpack: --server is required\n");
			return 2;
		}
		ret = registry_login(server, &o, &err);
	} else if (!data_root || (!file && !ref)) {
		fprintf(stderr, "berthd-unpack: --data-root and --file or --ref are required\n");
		return 2;
	} else if (strcmp(mode, "load") == 0 && file) {
		ret = image_load_archive(data_root, file, report, NULL, &err);
	} else if (strcmp(mode, "import") == 0 && file) {
		ret = image_load_import(data_root, file, repo, message, report, NULL, &err);
	} else if (strcmp(mode, "pull") == 0 && ref) {
		ret = registry_pull(data_root, ref, &o, report, NULL, &err);
	} else if (strcmp(mode, "push") == 0 && ref) {
		ret = registry_push(data_root, ref, &o, report, NULL, &err);
	} else {
		fprintf(stderr, "berthd-unpack: unknown mode %s, or its options are missing\n",
			mode);
		return 2;
	}
	spec_registry_auth_free(&auth);
	strv_free(insecure);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 10 + err.kind;
	}
	return 0;
}
