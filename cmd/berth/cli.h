/* What every subcommand of the berth CLI shares. */
#ifndef BERTH_CMD_CLI_H
#define BERTH_CMD_CLI_H

#include <stdbool.h>

#include "opts.h"
#include "runtime/runtime.h"
#include "spec/base/err.h"

struct cli {
	struct rt_ctx rt;
	const char *log_path;
	const char *log_format; /* "text" or "json" */
	bool debug;
};

/* A subcommand: returns the process exit status. */
struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	/* It makes a container or a process in one: berth first runs itself
	 * from a read-only view of its binary (rt_seal_self). */
	bool seal;
};

/* Report an error (stderr, and the --log file); returns 1. */
int cli_fail(const struct cli *cli, const struct berr *err);
/* Same, from a format. */
int cli_failf(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A warning (rt_ctx.warn): stderr and the --log file; arg is the cli. */
void cli_warn(void *arg, const struct berr *w);
/* With --debug only: a debug line to the --log file, or to stderr
 * without one, in --log-format's form.  cli_debug_line is rt_ctx.debug
 * (arg is the cli). */
void cli_debug(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_debug_line(void *arg, const char *msg);

/* systemd socket activation: how many fds from 3 were passed to berth
 * itself (LISTEN_FDS, when LISTEN_PID is berth's pid), else 0.  Returns
 * 0, or cli_fail's status for a LISTEN_FDS that is not a number. */
int cli_listen_fds(const struct cli *cli, int *n);

/* Parse a subcommand's options; prints help (returns 0 via *done) or an
 * error (returns 1 via *done).  Returns the index of the first positional
 * argument, or -1 when the command is done. */
int cli_parse(const struct cli *cli, const struct cmd_usage *u,
	      const struct opt *opts, int argc, char **argv, int min_args,
	      int max_args, int *status);

int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_state(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_spec(struct cli *cli, int argc, char **argv);
int cmd_features(struct cli *cli, int argc, char **argv);
int cmd_seccomp_profile(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_resume(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);

#endif
