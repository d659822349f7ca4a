#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
	for (const struct opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *o = opts; o->name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static bool takes_value(const struct opt *o)
{
	return o->kind != OPT_BOOL && o->kind != OPT_IGNORE;
}

static int set_value(const struct opt *o, const char *value, char *msg, size_t size)
{
	char *end;
	long v;

	switch (o->kind) {
	case OPT_BOOL:
		*(bool *)o->dest = !value || strcmp(value, "true") == 0;
		if (value && strcmp(value, "true") && strcmp(value, "false")) {
			snprintf(msg, size, "--%s: expected true or false, got \"%s\"", o->name, value);
			return -1;
		}
		return 0;
	case OPT_STRING:
		*(const char **)o->dest = value;
		return 0;
	case OPT_INT:
		v = strtol(value, &end, 10);
		if (!*value || *end || v < 0 || v > 1 << 20) {
			snprintf(msg, size, "--%s: expected a non-negative number, got \"%s\"",
				 o->name, value);
			return -1;
		}
		*(int *)o->dest = (int)v;
		return 0;
	case OPT_LIST: {
		struct opt_list *l = o->dest;

		if (l->n == sizeof(l->items) / sizeof(*l->items)) {
			snprintf(msg, size, "--%s: given too many times", o->name);
			return -1;
		}
		l->items[l->n++] = value;
		return 0;
	}
	case OPT_IGNORE:
	case OPT_IGNORE_VALUE:
		return 0;
	}
	return 0;
}

int opts_parse(const struct opt *opts, int argc, char **argv, int *i,
	       bool *help, char *msg, size_t size)
{
	while (*i < argc) {
		const char *arg = argv[*i];
		const struct opt *o;
		const char *value = NULL;

		if (strcmp(arg, "--") == 0) {
			(*i)++;
			return 0;
		}
		if (arg[0] != '-' || !arg[1])
			return 0;
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			*help = true;
			(*i)++;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');

			o = find_long(opts, name, eq ? (size_t)(eq - name) : strlen(name));
			if (eq)
				value = eq + 1;
		} else {
			/* Single-dash long names (-format) work too, as in urfave/cli. */
			o = arg[2] ? find_long(opts, arg + 1, strlen(arg + 1)) : find_short(opts, arg[1]);
		}
		if (!o) {
			snprintf(msg, size, "unknown option %s", arg);
			return -1;
		}
		if (takes_value(o) && !value) {
			if (*i + 1 >= argc) {
				snprintf(msg, size, "option %s needs a value", arg);
				return -1;
			}
			value = argv[++*i];
		}
		if (set_value(o, value, msg, size) < 0)
			return -1;
		(*i)++;
	}
	return 0;
}

void opts_usage(const struct cmd_usage *u, const struct opt *opts)
{
	printf("Usage: berth %s %s\n\n%s\n", u->name, u->args, u->summary);
	if (!opts || !opts->name)
		return;
	printf("\nOptions:\n");
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];

		if (!o->help)
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s", o->short_name ? "-" : "",
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : " ", o->name,
			 takes_value(o) ? " value" : "");
		printf("  %-32s %s\n", left, o->help);
	}
}
