#include "spec/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"

static void inst_free(struct df_inst *i)
{
	free(i->cmd);
	free(i->text);
	strv_free(i->flags);
	free(i->args);
	strv_free(i->argv);
}

void dockerfile_free(struct dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++)
		inst_free(&df->v[i]);
	free(df->v);
	df->v = NULL;
	df->n = 0;
}

const char *dockerfile_flag(const struct df_inst *inst, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; inst->flags && inst->flags[i]; i++) {
		const char *f = inst->flags[i] + 2;

		if (!strncmp(f, name, n) && f[n] == '=')
			return f + n + 1;
		if (!strcmp(f, name))
			return "";
	}
	return NULL;
}

/* A parser directive ("# key=value") among the first lines: only escape
 * changes parsing; syntax names a BuildKit frontend, which the classic
 * builder ignores as dockerd's does. */
static bool directive(const char *line, size_t len, char *escape, bool *bad)
{
	char key[32], value[64];
	size_t i = 1, k = 0, v = 0;

	if (len < 1 || line[0] != '#')
		return false;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && (isalnum((unsigned char)line[i]) || line[i] == '_') && k < sizeof(key) - 1)
		key[k++] = (char)tolower((unsigned char)line[i++]);
	key[k] = '\0';
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (!k || i >= len || line[i] != '=')
		return false;
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && !isspace((unsigned char)line[i]) && v < sizeof(value) - 1)
		value[v++] = line[i++];
	value[v] = '\0';
	if (!strcmp(key, "escape")) {
		if (strcmp(value, "\\") && strcmp(value, "`"))
			*bad = true;
		else
			*escape = value[0];
		return true;
	}
	return !strcmp(key, "syntax") || !strcmp(key, "check");
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Does the line (without its newline) end with the escape character,
 * trailing blanks aside?  *cut is where the kept part ends. */
static bool continues(const char *s, size_t len, char escape, size_t *cut)
{
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*cut = len;
	if (len && s[len - 1] == escape) {
		*cut = len - 1;
		return true;
	}
	return false;
}

static int parse_json_args(struct df_inst *inst)
{
	cleanup_tree yajl_val doc = NULL;
	struct berr ignored = { 0 };

	if (inst->args[0] != '[')
		return 0;
	if (jr_parse(inst->args, strlen(inst->args), &doc, &ignored) < 0 || !YAJL_IS_ARRAY(doc))
		return 0; /* not JSON: the shell form, as docker takes it */
	for (size_t i = 0; i < doc->u.array.len; i++)
		if (!YAJL_IS_STRING(doc->u.array.values[i]))
			return 0;
	inst->argv = calloc(doc->u.array.len + 1, sizeof(char *));
	if (!inst->argv)
		return -ENOMEM;
	for (size_t i = 0; i < doc->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(doc->u.array.values[i]);

		if (!(inst->argv[i] = strdup(s ? s : "")))
			return -ENOMEM;
	}
	inst->json = true;
	return 0;
}

/* One logical line: the instruction, its flags, its arguments. */
static int parse_inst(const char *text, int line, struct df_inst *inst, struct berr *err)
{
	const char *p = text, *start;
	char name[32];
	size_t n = 0;

	while (*p && !isspace((unsigned char)*p)) {
		if (n < sizeof(name) - 1)
			name[n++] = (char)toupper((unsigned char)*p);
		p++;
	}
	name[n] = '\0';
	inst->line = line;
	if (!(inst->cmd = strdup(name)) || !(inst->text = strdup(text)))
		return berr_set(err, ENOMEM, "Dockerfile");
	inst->flags = calloc(1, sizeof(char *));
	if (!inst->flags)
		return berr_set(err, ENOMEM, "Dockerfile");
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "--", 2) != 0 || !isalpha((unsigned char)p[2]))
			break;
		start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (strv_push_owned(&inst->flags, strndup(start, (size_t)(p - start))) < 0)
			return berr_set(err, ENOMEM, "Dockerfile");
	}
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (!(inst->args = strndup(p, n)))
		return berr_set(err, ENOMEM, "Dockerfile");
	if (parse_json_args(inst) < 0)
		return berr_set(err, ENOMEM, "Dockerfile");
	return 0;
}

static int add_inst(struct dockerfile *df, const char *text, int line, struct berr *err)
{
	struct df_inst *grown = realloc(df->v, (df->n + 1) * sizeof(*grown));

	if (!grown)
		return berr_set(err, ENOMEM, "Dockerfile");
	df->v = grown;
	memset(&df->v[df->n], 0, sizeof(df->v[0]));
	df->n++;
	return parse_inst(text, line, &df->v[df->n - 1], err);
}

int dockerfile_parse(const char *text, size_t len, struct dockerfile *out, struct berr *err)
{
	struct dockerfile df = { .escape = '\\' };
	cleanup_free char *acc = NULL;
	size_t acc_len = 0, pos = 0;
	bool in_directives = true, pending = false;
	int lineno = 0, start_line = 0, ret = 0;

	acc = malloc(len + 1);
	if (!acc)
		return berr_set(err, ENOMEM, "Dockerfile");
	while (ret == 0 && pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - line) : len - pos, cut, lead = 0;
		bool bad = false;

		pos += l + (nl ? 1 : 0);
		lineno++;
		if (l && line[l - 1] == '\r')
			l--;
		if (in_directives && directive(line, l, &df.escape, &bad)) {
			if (bad)
				ret = berr_invalid(err, "Dockerfile line %d: invalid escape token "
							"(only \\ and ` are)", lineno);
			continue;
		}
		in_directives = false;
		while (lead < l && isspace((unsigned char)line[lead]))
			lead++;
		/* Comments and blank lines, also between continued lines. */
		if (lead == l || line[lead] == '#')
			continue;
		if (!pending) {
			start_line = lineno;
			acc_len = 0;
		}
		pending = continues(line + lead, l - lead, df.escape, &cut);
		memcpy(acc + acc_len, line + lead, cut);
		acc_len += cut;
		acc[acc_len] = '\0';
		if (!pending && !blank(acc, acc_len))
			ret = add_inst(&df, acc, start_line, err);
	}
	if (ret == 0 && pending && !blank(acc, acc_len))
		ret = add_inst(&df, acc, start_line, err);
	if (ret == 0 && df.n == 0)
		ret = berr_invalid(err, "the Dockerfile has no instructions");
	if (ret < 0) {
		dockerfile_free(&df);
		return ret;
	}
	*out = df;
	return 0;
}
