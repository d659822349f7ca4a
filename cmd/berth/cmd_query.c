/* state, list, ps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "spec/base/arena.h"

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
					    "Print the state of a container: the OCI "
					    "state with runc's rootfs, created and owner." };
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
		ret = spec_state_runc_json(&s, &json, &len, &err);
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

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t k = 0; k < n; k++)
		if (pids[k] == pid)
			return true;
	return false;
}

/* Column index of "PID" in a ps header, or -1. */
static int pid_column(const char *header)
{
	char copy[1024], *save = NULL, *tok;
	int col = 0;

	snprintf(copy, sizeof(copy), "%s", header);
	for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++)
		if (strcmp(tok, "PID") == 0)
			return col;
	return -1;
}

static long field(const char *line, int col)
{
	char copy[4096], *save = NULL, *tok;

	snprintf(copy, sizeof(copy), "%s", line);
	tok = strtok_r(copy, " \t\n", &save);
	while (tok && col-- > 0)
		tok = strtok_r(NULL, " \t\n", &save);
	return tok ? strtol(tok, NULL, 10) : -1;
}

/* runc's table: ps(1) with the caller's options (default -ef), its
 * header and the lines of the container's processes. */
static int ps_table(const struct cli *cli, char **opts, int n_opts, const pid_t *pids,
		    size_t n)
{
	char *argv[64] = { "ps" };
	char *line = NULL;
	size_t cap = 0;
	int fds[2], col = -1, status;
	FILE *f;
	pid_t child;

	if (n_opts > 60)
		return cli_failf(cli, "ps: too many ps options");
	for (int k = 0; k < n_opts; k++)
		argv[k + 1] = opts[k];
	if (!n_opts)
		argv[1] = "-ef";
	fflush(stdout);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_failf(cli, "ps: pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		return cli_failf(cli, "ps: fork: %s", strerror(errno));
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		if (col < 0) {
			col = pid_column(line);
			if (col >= 0)
				fputs(line, stdout);
		} else if (has_pid(pids, n, field(line, col))) {
			fputs(line, stdout);
		}
	}
	free(line);
	if (f)
		fclose(f);
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_failf(cli, "ps: ps %s failed (status %d)", argv[1],
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (col < 0)
		return cli_failf(cli, "ps: the output of ps has no PID column");
	return 0;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	static const struct cmd_usage u = {
		"ps", "[options] <container-id> [ps options]",
		"List the processes of a container: ps(1)'s table (with the ps options "
		"given, -ef by default) or a JSON array of pids."
	};
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
	if (strcmp(format, "json") == 0 && i + 1 < argc)
		return cli_failf(cli, "ps: ps options apply to the table format only");
	if (rt_pids(&cli->rt, argv[i], &pids, &n, &err) < 0)
		return cli_fail(cli, &err);
	status = 0;
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", (int)pids[k]);
		printf("]\n");
	} else {
		status = ps_table(cli, argv + i + 1, argc - i - 1, pids, n);
	}
	free(pids);
	return status;
}
