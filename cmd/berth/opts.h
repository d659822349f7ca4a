/* Command-line options as runc takes them: --name value, --name=value,
 * -x value, boolean flags, repeated flags; options stop at "--" and, for
 * subcommands, at the first positional argument. */
#ifndef BERTH_CMD_OPTS_H
#define BERTH_CMD_OPTS_H

#include <stdbool.h>
#include <stddef.h>

enum opt_kind {
	OPT_BOOL,   /* bool * */
	OPT_STRING, /* const char ** */
	OPT_INT,    /* int * (non-negative) */
	OPT_LIST,   /* struct opt_list *: every occurrence */
	OPT_IGNORE, /* accepted for compatibility, takes no value */
	OPT_IGNORE_VALUE, /* accepted for compatibility, takes a value */
};

struct opt_list {
	const char *items[64];
	size_t n;
};

struct opt {
	const char *name; /* long name without dashes */
	char short_name;  /* 0 for none */
	enum opt_kind kind;
	void *dest;
	const char *help;
};

struct cmd_usage {
	const char *name;
	const char *args; /* "[options] <container-id>" */
	const char *summary;
};

/* Parse argv[*i..] against opts, advancing *i past the options.  "-h" and
 * "--help" set *help.  Returns 0, or -1 with a message in msg. */
int opts_parse(const struct opt *opts, int argc, char **argv, int *i,
	       bool *help, char *msg, size_t size);

/* Print usage and the options table to stdout. */
void opts_usage(const struct cmd_usage *u, const struct opt *opts);

#endif
