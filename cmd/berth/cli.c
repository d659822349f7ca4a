/* Shared option handling of the subcommands. */
#include <stdio.h>

#include "cli.h"

int cli_parse(const struct cli *cli, const struct cmd_usage *u,
	      const struct opt *opts, int argc, char **argv, int min_args,
	      int max_args, int *status)
{
	static const struct opt none[] = { { 0 } };
	char msg[256];
	bool help = false;
	int i = 1;

	if (opts_parse(opts ? opts : none, argc, argv, &i, &help, msg, sizeof(msg)) < 0) {
		*status = cli_failf(cli, "%s: %s", u->name, msg);
		return -1;
	}
	if (help) {
		opts_usage(u, opts);
		*status = 0;
		return -1;
	}
	if (argc - i < min_args || (max_args >= 0 && argc - i > max_args)) {
		*status = cli_failf(cli, "%s: expected %s (see berth %s --help)", u->name,
				    u->args[0] ? u->args : "no arguments", u->name);
		return -1;
	}
	return i;
}
