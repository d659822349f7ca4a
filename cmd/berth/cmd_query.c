/* state, list, ps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec/arena.h"

static int print_json(const struct cli *cli, int ret, char *json, struct berr *err)
{
	if (ret < 0)
		return cli_fail(cli, err);
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_state(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "state", "<container-id>",
					    "Print the OCI state of a container." };
	struct arena a = { 0 };
	struct spec_state s;
	struct berr err = { 0 };
	char *json = NULL;
	size_t len;
	int status, i, ret;

	i = cli_parse(cli, &u, NULL, argc, argv, 1, 1, &status);
	if (i < 0)
		return status;
	ret = rt_state(&cli->rt, argv[i], &a, &s, &err);
	if (ret == 0)
		ret = spec_state_oci_json(&s, &json, &len, &err);
	status = print_json(cli, ret, json, &err);
	arena_release(&a);
	return status;
}

static void print_table(const struct spec_state *s, size_t n)
{
	int w = 2;

	for (size_t k = 0; k < n; k++)
		if ((int)strlen(s[k].id) > w)
			w = (int)strlen(s[k].id);
	printf("%-*s   %-8s %-10s %-40s %-30s %s\n", w, "ID", "PID", "STATUS", "BUNDLE",
	       "CREATED", "OWNER");
	for (size_t k = 0; k < n; k++)
		printf("%-*s   %-8d %-10s %-40s %-30s %s\n", w, s[k].id, (int)s[k].pid,
		       s[k].status, s[k].bundle ? s[k].bundle : "",
		       s[k].created ? s[k].created : "", s[k].owner ? s[k].owner : "");
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "list", "[options]", "List containers." };
	const char *format = "table";
	bool quiet = false;
	const struct opt opts[] = {
		{ "format", 'f', OPT_STRING, &format, "table or json" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "print only the ids" },
		{ 0 },
	};
	struct arena a = { 0 };
	struct spec_state *s = NULL;
	struct berr err = { 0 };
	char *json = NULL;
	size_t n = 0, len;
	int status, i;

	i = cli_parse(cli, &u, opts, argc, argv, 0, 0, &status);
	if (i < 0)
		return status;
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_failf(cli, "list: --format must be table or json, not \"%s\"", format);
	if (rt_list(&cli->rt, &a, &s, &n, &err) < 0) {
		arena_release(&a);
		return cli_fail(cli, &err);
	}
	status = 0;
	if (quiet)
		for (size_t k = 0; k < n; k++)
			printf("%s\n", s[k].id);
	else if (strcmp(format, "json") == 0) {
		int ret = spec_state_list_json(s, n, &json, &len, &err);

		status = print_json(cli, ret, json, &err);
	}
	else
		print_table(s, n);
	arena_release(&a);
	return status;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = { "ps", "[options] <container-id> [ps options]",
					    "List the processes of a container." };
	const char *format = "table";
	const struct opt opts[] = {
		{ "format", 'f', OPT_STRING, &format, "table or json" },
		{ 0 },
	};
	struct berr err = { 0 };
	pid_t *pids = NULL;
	size_t n = 0;
	int status, i;

	i = cli_parse(cli, &u, opts, argc, argv, 1, -1, &status);
	if (i < 0)
		return status;
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_failf(cli, "ps: --format must be table or json, not \"%s\"", format);
	if (rt_pids(&cli->rt, argv[i], &pids, &n, &err) < 0)
		return cli_fail(cli, &err);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", (int)pids[k]);
		printf("]\n");
	} else {
		printf("PID\n");
		for (size_t k = 0; k < n; k++)
			printf("%d\n", (int)pids[k]);
	}
	free(pids);
	return 0;
}
