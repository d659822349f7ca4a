/* The builder's small shared pieces: its stream, its words, its
 * variables, its build args. */
#include "runtime/engine/build_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"

void build_say(struct builder *b, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		b->out(b->arg, text);
		free(text);
	}
}

char *build_join(char *const *v, const char *sep)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "%s%s", i ? sep : "", v[i]);
	fclose(f);
	return out;
}

void build_committed_line(void *arg, const char *text)
{
	char *id = arg;

	if (!strncmp(text, "committed ", 10))
		snprintf(id, 80, "%s", text + 10);
}

const char *build_lookup(void *arg, const char *name)
{
	struct bstage *st = arg;
	const char *v = bcfg_get_kv(st->cfg.env, name);

	return v ? v : bcfg_get_kv(st->args, name);
}

const char *build_arg(struct builder *b, const char *name)
{
	const char *v = NULL;
	size_t n = strlen(name);

	for (size_t i = 0; b->o->build_args && b->o->build_args[i]; i++) {
		const char *a = b->o->build_args[i];

		if (!strncmp(a, name, n) && (a[n] == '=' || !a[n])) {
			v = a[n] == '=' ? a + n + 1 : NULL;
			strv_push(&b->used_args, name);
		}
	}
	return v;
}


bool build_cancelled(const struct builder *b)
{
	return b->o->cancelled && b->o->cancelled(b->o->cancel_arg);
}
