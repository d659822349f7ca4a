/* Dockerfiles as the classic builder reads them: parser directives
 * (escape, syntax), comments, line continuations, one instruction per
 * logical line with its leading --flags and its arguments, the JSON
 * (exec) form recognised.  Word splitting and variable expansion of the
 * arguments are dockerfile_words.c's, done per instruction by the
 * builder, which knows the variables in scope. */
#ifndef BERTH_SPEC_DOCKERFILE_H
#define BERTH_SPEC_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

struct df_inst {
	int line;     /* where it starts, 1-based */
	char *cmd;    /* upper case: RUN, COPY, ... */
	char *text;   /* the instruction as written, continuations joined */
	char **flags; /* "--name=value" (or "--name"), NULL-terminated */
	char *args;   /* after the flags, trimmed */
	bool json;    /* args is a JSON array of strings: argv holds it */
	char **argv;
};

struct dockerfile {
	char escape;
	struct df_inst *v;
	size_t n;
};

/* -EINVAL (invalid) with "Dockerfile line N: ..." for a malformed one.
 * Instruction names are not checked here: the builder knows them. */
int dockerfile_parse(const char *text, size_t len, struct dockerfile *out, struct berr *err);
void dockerfile_free(struct dockerfile *df);

/* The value of the flag --name of inst ("" for a bare --name), NULL when
 * not given. */
const char *dockerfile_flag(const struct df_inst *inst, const char *name);

/* Expand $NAME, ${NAME}, ${NAME:-word} and ${NAME:+word} against
 * lookup and split s into words as the builder does: quotes group and are
 * dropped, the escape character quotes the next one, single quotes keep
 * $ as it is.  lookup returns NULL for an unset name. */
typedef const char *(*dockerfile_lookup_fn)(void *arg, const char *name);
int dockerfile_words(const char *s, char escape, dockerfile_lookup_fn lookup, void *arg,
		     char ***out, struct berr *err);
/* The same, without splitting: one word (spaces kept). */
int dockerfile_expand(const char *s, char escape, dockerfile_lookup_fn lookup, void *arg,
		      char **out, struct berr *err);

#endif
