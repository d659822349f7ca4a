/* berth: an OCI runtime with runc's command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "version.h"
#include "cli.h"
#include "spec/state.h"

static const struct command commands[] = {
	{ "create", cmd_create, true },
	{ "start", cmd_start, false },
	{ "run", cmd_run, true },
	{ "exec", cmd_exec, true },
	{ "kill", cmd_kill, false },
	{ "delete", cmd_delete, false },
	{ "state", cmd_state, false },
	{ "list", cmd_list, false },
	{ "ps", cmd_ps, false },
	{ "pause", cmd_pause, false },
	{ "resume", cmd_resume, false },
	{ "update", cmd_update, false },
	{ "events", cmd_events, false },
	{ "spec", cmd_spec, false },
	{ "features", cmd_features, false },
	{ "seccomp-profile", cmd_seccomp_profile, false }, /* hidden: for contrib/ */
	{ NULL, NULL, false },
};

static void usage(void)
{
	printf("Usage: berth [global options] <command> [options] [arguments]\n\n"
	       "An OCI container runtime, command-line compatible with runc.\n\n"
	       "Commands:\n"
	       "  create    create a container (it waits for start)\n"
	       "  start     run the user process of a created container\n"
	       "  run       create and start a container\n"
	       "  exec      run a process in a running container\n"
	       "  kill      send a signal to a container\n"
	       "  delete    delete a container and everything it used\n"
	       "  state     print the OCI state of a container\n"
	       "  list      list containers\n"
	       "  ps        list the processes of a container\n"
	       "  pause     freeze every process of a container\n"
	       "  resume    thaw a paused container\n"
	       "  update    change the resource limits of a container\n"
	       "  events    print statistics and OOM events of a container\n"
	       "  spec      write a default config.json\n"
	       "  features  print what this runtime supports (OCI features)\n\n"
	       "Global options:\n"
	       "  --root DIR            state directory (default /run/berth; unprivileged:\n"
	       "                        $XDG_RUNTIME_DIR/berth, else /tmp/berth-UID)\n"
	       "  --log FILE            also write messages to FILE\n"
	       "  --log-format FORMAT   text or json\n"
	       "  --debug               write debug messages\n"
	       "  --systemd-cgroup      use systemd to manage cgroups\n"
	       "  --version, -v         print the version\n"
	       "  --help, -h            print this help\n\n"
	       "Run 'berth <command> --help' for the options of a command.\n");
}

static void version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("berth version %s\ncommit: %s\nspec: %s\n", BERTH_VERSION, BERTH_COMMIT,
	       SPEC_OCI_VERSION);
	if (v)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

int main(int argc, char **argv)
{
	struct cli cli = { .rt = { .root = NULL }, .log_format = "text" };
	char default_root[4200], default_cache[4200];
	bool help = false, show_version = false;
	const struct opt global[] = {
		{ "root", 0, OPT_STRING, &cli.rt.root, NULL },
		{ "log", 0, OPT_STRING, &cli.log_path, NULL },
		{ "log-format", 0, OPT_STRING, &cli.log_format, NULL },
		{ "debug", 0, OPT_BOOL, &cli.debug, NULL },
		{ "systemd-cgroup", 0, OPT_BOOL, &cli.rt.systemd_cgroup, NULL },
		{ "version", 'v', OPT_BOOL, &show_version, NULL },
		/* runc's flags that mean nothing to berth. */
		{ "criu", 0, OPT_IGNORE_VALUE, NULL, NULL },
		{ "rootless", 0, OPT_IGNORE, NULL, NULL },
		{ NULL, 0, OPT_BOOL, NULL, NULL },
	};
	char msg[256];
	int i = 1;

	cli.rt.warn = cli_warn;
	cli.rt.warn_arg = &cli;
	/* Another directory for compiled seccomp programs ("" for none). */
	cli.rt.seccomp_cache = getenv("BERTH_SECCOMP_CACHE");

	if (opts_parse(global, argc, argv, &i, &help, msg, sizeof(msg)) < 0)
		return cli_failf(&cli, "%s", msg);
	if (strcmp(cli.log_format, "text") != 0 && strcmp(cli.log_format, "json") != 0)
		return cli_failf(&cli, "--log-format: expected text or json, got \"%s\"",
				 cli.log_format);
	if (cli.debug) {
		cli.rt.debug = cli_debug_line;
		cli.rt.debug_arg = &cli;
	}
	if (show_version) {
		version();
		return 0;
	}
	if (help || i >= argc) {
		usage();
		return help ? 0 : 1;
	}
	if (!cli.rt.root) {
		struct berr err = { 0 };

		if (rt_default_root(default_root, sizeof(default_root), &err) < 0)
			return cli_fail(&cli, &err);
		cli.rt.root = default_root;
	}
	if (!cli.rt.seccomp_cache)
		cli.rt.seccomp_cache = rt_default_seccomp_cache(default_cache, sizeof(default_cache));
	for (const struct command *c = commands; c->name; c++) {
		struct berr err = { 0 };

		if (strcmp(c->name, argv[i]) != 0)
			continue;
		if (c->seal && rt_seal_self(argv, environ, &err) < 0)
			return cli_fail(&cli, &err);
		return c->run(&cli, argc - i, argv + i);
	}
	return cli_failf(&cli, "unknown command \"%s\" (see berth --help)", argv[i]);
}
