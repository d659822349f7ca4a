/* spec and features: what berth writes and what it supports. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/info.h"
#include "spec/base/cleanup.h"
#include "spec/config_default.h"

int cmd_spec(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "spec", "[options]",
					    "Write a default config.json into the bundle "
					    "directory." };
	const char *bundle = ".";
	bool rootless = false;
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STRING, &bundle, "bundle directory (default: .)" },
		{ "rootless", 0, OPT_BOOL, &rootless, "a config for an unprivileged user" },
		{ 0 },
	};
	struct berr err = { 0 };
	cleanup_free char *json = NULL;
	cleanup_free char *path = NULL;
	size_t len;
	int status, i, fd;

	i = cli_parse(cli, &u, opts, argc, argv, 0, 0, &status);
	if (i < 0)
		return status;
	if (rt_default_config(rootless, &json, &len, &err) < 0)
		return cli_fail(cli, &err);
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return cli_failf(cli, "spec: out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_failf(cli, "spec: create %s: %s%s", path, strerror(errno),
				 errno == EEXIST ? " (remove it first)" : "");
	if (write(fd, json, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		close(fd);
		return cli_failf(cli, "spec: write %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* A command without arguments that prints a JSON document runtime/ makes. */
static int print_document(struct cli *cli, const struct cmd_usage *u, int argc, char **argv,
			  int (*make)(char **json, size_t *len, struct berr *err))
{
	struct berr err = { 0 };
	cleanup_free char *json = NULL;
	size_t len;
	int status;

	if (cli_parse(cli, u, NULL, argc, argv, 0, 0, &status) < 0)
		return status;
	if (make(&json, &len, &err) < 0)
		return cli_fail(cli, &err);
	printf("%s\n", json);
	return 0;
}

int cmd_features(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "features", "",
					    "Print the OCI features document: what this "
					    "runtime supports on this host." };

	return print_document(cli, &u, argc, argv, rt_features);
}

/* Not in the help: prints the default seccomp profile, from which the
 * Makefile writes contrib/seccomp.json, so the two cannot drift. */
int cmd_seccomp_profile(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "seccomp-profile", "",
					    "Print berth's default seccomp profile." };

	return print_document(cli, &u, argc, argv, rt_default_seccomp);
}
