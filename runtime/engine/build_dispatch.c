/* The Dockerfile's instructions, each read into the stage's config (the
 * metadata ones, then a new image on the same layers) or handed to its
 * step (RUN, COPY, ADD). */
#include "runtime/engine/build_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static void strv_freep(char ***v)
{
	strv_free(*v);
}

#define cleanup_strv __attribute__((cleanup(strv_freep)))

static int oom(struct berr *err)
{
	return berr_set(err, ENOMEM, "build");
}

static int words(struct builder *b, struct bstage *st, const struct df_inst *in, char ***out,
		 struct berr *err)
{
	if (in->json) {
		*out = strv_dup(in->argv, strv_len(in->argv));
		return *out ? 0 : oom(err);
	}
	return dockerfile_words(in->args, b->escape, build_lookup, st, out, err);
}

static int need_args(const struct df_inst *in, char *const *w, struct berr *err)
{
	if (!w || !w[0])
		return berr_invalid(err, "Dockerfile line %d: %s requires at least one argument",
				    in->line, in->cmd);
	return 0;
}

static int no_flags(const struct df_inst *in, struct berr *err)
{
	if (in->flags && in->flags[0])
		return berr_invalid(err, "Dockerfile line %d: unknown flag %s for %s", in->line,
				    in->flags[0], in->cmd);
	return 0;
}

static int push_unique(char ***v, const char *s)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	return strv_push(v, s);
}

/* "created_by" of a metadata step: dockerd's "#(nop) " form. */
static int meta(struct builder *b, struct bstage *st, const struct df_inst *in,
		const char *shown, struct berr *err)
{
	cleanup_free char *by = NULL;

	if (asprintf(&by, "/bin/sh -c #(nop) %s %s", in->cmd, shown) < 0) {
		by = NULL;
		return oom(err);
	}
	return build_meta(b, st, by, err);
}

/* ENV and LABEL: key=value words; ENV also "key value". */
static int pairs(struct builder *b, struct bstage *st, const struct df_inst *in,
		 char ***into, struct berr *err)
{
	cleanup_strv char **w = NULL;
	cleanup_free char *shown = NULL, *value = NULL;
	int ret = no_flags(in, err);

	if (ret == 0)
		ret = dockerfile_words(in->args, b->escape, build_lookup, st, &w, err);
	if (ret == 0)
		ret = need_args(in, w, err);
	if (ret < 0)
		return ret;
	if (!strchr(w[0], '=') && !strcmp(in->cmd, "ENV")) {
		const char *rest = in->args + strcspn(in->args, " \t");

		while (isspace((unsigned char)*rest))
			rest++;
		if (!*rest)
			return berr_invalid(err, "Dockerfile line %d: ENV names %s without a value",
					    in->line, w[0]);
		ret = dockerfile_expand(rest, b->escape, build_lookup, st, &value, err);
		if (ret < 0)
			return ret;
		if (bcfg_set_kv(into, w[0], value) < 0 || asprintf(&shown, "%s=%s", w[0], value) < 0)
			return oom(err);
		return meta(b, st, in, shown, err);
	}
	for (size_t i = 0; w[i]; i++) {
		char *eq = strchr(w[i], '=');

		if (!eq || eq == w[i])
			return berr_invalid(err, "Dockerfile line %d: %s names \"%s\", not key=value",
					    in->line, in->cmd, w[i]);
		*eq = '\0';
		if (bcfg_set_kv(into, w[i], eq + 1) < 0)
			return oom(err);
		*eq = '=';
	}
	shown = build_join(w, " ");
	return shown ? meta(b, st, in, shown, err) : oom(err);
}

static int arg(struct builder *b, struct bstage *st, const struct df_inst *in,
	       struct berr *err)
{
	cleanup_strv char **w = NULL;
	int ret = no_flags(in, err);

	if (ret == 0)
		ret = dockerfile_words(in->args, b->escape, build_lookup, st, &w, err);
	if (ret == 0)
		ret = need_args(in, w, err);
	for (size_t i = 0; ret == 0 && w[i]; i++) {
		char *eq = strchr(w[i], '=');
		const char *given, *global;

		if (eq)
			*eq = '\0';
		given = build_arg(b, w[i]);
		global = bcfg_get_kv(b->global_args, w[i]);
		if (given || eq || global)
			ret = bcfg_set_kv(&st->args, w[i], given ? given : eq ? eq + 1 : global);
		else
			ret = push_unique(&st->args, w[i]);
		if (ret < 0)
			return oom(err);
		if (eq)
			*eq = '=';
	}
	if (ret < 0)
		return ret;
	{
		cleanup_free char *shown = build_join(w, " ");

		return shown ? meta(b, st, in, shown, err) : oom(err);
	}
}

/* A single expanded word (USER, WORKDIR, STOPSIGNAL). */
static int one(struct builder *b, struct bstage *st, const struct df_inst *in, char **out,
	       struct berr *err)
{
	int ret = no_flags(in, err);

	if (ret == 0 && !*in->args)
		ret = berr_invalid(err, "Dockerfile line %d: %s requires exactly one argument",
				   in->line, in->cmd);
	if (ret == 0)
		ret = dockerfile_expand(in->args, b->escape, build_lookup, st, out, err);
	return ret;
}

static char *clean_path(const char *p)
{
	char *out = malloc(strlen(p) + 2), *o = out;

	if (!out)
		return NULL;
	*o++ = '/';
	while (*p) {
		const char *seg = p;
		size_t n;

		while (*seg == '/')
			seg++;
		n = strcspn(seg, "/");
		if (n == 0)
			break;
		if (n == 1 && seg[0] == '.') {
			/* nothing */
		} else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o > out + 1) {
				o--;
				while (o > out + 1 && o[-1] != '/')
					o--;
			}
		} else {
			memcpy(o, seg, n);
			o += n;
			*o++ = '/';
		}
		p = seg + n;
	}
	if (o > out + 1)
		o--;
	*o = '\0';
	return out;
}

static int workdir(struct builder *b, struct bstage *st, const struct df_inst *in,
		   struct berr *err)
{
	cleanup_free char *v = NULL, *joined = NULL;
	char *clean;
	int ret = one(b, st, in, &v, err);

	if (ret < 0)
		return ret;
	if (asprintf(&joined, "%s/%s", v[0] == '/' || !st->cfg.workdir ? "" : st->cfg.workdir,
		     v) < 0) {
		joined = NULL;
		return oom(err);
	}
	if (!(clean = clean_path(joined)))
		return oom(err);
	free(st->cfg.workdir);
	st->cfg.workdir = clean;
	{
		cleanup_free char *by = NULL;

		if (asprintf(&by, "/bin/sh -c #(nop) WORKDIR %s", clean) < 0) {
			by = NULL;
			return oom(err);
		}
		return build_workdir(b, st, by, err);
	}
}

static int set_word(struct builder *b, struct bstage *st, const struct df_inst *in,
		    char **field, struct berr *err)
{
	char *v = NULL;
	int ret = one(b, st, in, &v, err);

	if (ret < 0)
		return ret;
	free(*field);
	*field = v;
	return meta(b, st, in, v, err);
}

static int expose(struct builder *b, struct bstage *st, const struct df_inst *in,
		  struct berr *err)
{
	cleanup_strv char **w = NULL;
	cleanup_free char *shown = NULL;
	int ret = no_flags(in, err);

	if (ret == 0)
		ret = dockerfile_words(in->args, b->escape, build_lookup, st, &w, err);
	if (ret == 0)
		ret = need_args(in, w, err);
	for (size_t i = 0; ret == 0 && w[i]; i++) {
		char port[64], *end;
		long n = strtol(w[i], &end, 10);

		if (end == w[i] || n < 1 || n > 65535 ||
		    (*end && strcasecmp(end, "/tcp") && strcasecmp(end, "/udp") &&
		     strcasecmp(end, "/sctp")))
			return berr_invalid(err, "Dockerfile line %d: invalid port \"%s\"", in->line,
					    w[i]);
		snprintf(port, sizeof(port), "%ld%s", n, *end ? end : "/tcp");
		for (char *p = port; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (push_unique(&st->cfg.ports, port) < 0)
			return oom(err);
	}
	if (ret < 0)
		return ret;
	shown = build_join(w, " ");
	return shown ? meta(b, st, in, shown, err) : oom(err);
}

static int volume(struct builder *b, struct bstage *st, const struct df_inst *in,
		  struct berr *err)
{
	cleanup_strv char **w = NULL;
	cleanup_free char *shown = NULL;
	int ret = no_flags(in, err);

	if (ret == 0)
		ret = words(b, st, in, &w, err);
	if (ret == 0)
		ret = need_args(in, w, err);
	for (size_t i = 0; ret == 0 && w[i]; i++) {
		if (!*w[i])
			return berr_invalid(err, "Dockerfile line %d: VOLUME specified can not be "
						 "an empty string", in->line);
		if (push_unique(&st->cfg.volumes, w[i]) < 0)
			return oom(err);
	}
	if (ret < 0)
		return ret;
	shown = build_join(w, " ");
	return shown ? meta(b, st, in, shown, err) : oom(err);
}

/* CMD and ENTRYPOINT: the exec form as given, the shell form through
 * the stage's SHELL. */
static int command(struct bstage *st, const struct df_inst *in, char ***field,
		   struct berr *err)
{
	const char *sh[] = { "/bin/sh", "-c", NULL };
	char **v;

	if (in->json) {
		v = strv_dup(in->argv, strv_len(in->argv));
	} else {
		v = st->cfg.shell ? strv_dup(st->cfg.shell, strv_len(st->cfg.shell))
				  : strv_dup((char *const *)sh, 2);
		if (v && strv_push(&v, in->args) < 0) {
			strv_free(v);
			v = NULL;
		}
	}
	if (!v)
		return oom(err);
	strv_free(*field);
	*field = v;
	return 0;
}

static int cmd_or_entrypoint(struct builder *b, struct bstage *st, const struct df_inst *in,
			     struct berr *err)
{
	bool entry = !strcmp(in->cmd, "ENTRYPOINT");
	cleanup_free char *shown = NULL;
	int ret = no_flags(in, err);

	if (ret == 0)
		ret = command(st, in, entry ? &st->cfg.entrypoint : &st->cfg.cmd, err);
	if (ret < 0)
		return ret;
	if (entry && !st->cmd_set) {
		/* As dockerd: a new entrypoint drops the inherited command. */
		strv_free(st->cfg.cmd);
		st->cfg.cmd = NULL;
	}
	if (!entry)
		st->cmd_set = true;
	if (in->json) {
		shown = build_join(entry ? st->cfg.entrypoint : st->cfg.cmd, "\" \"");
		if (shown) {
			char *q = NULL;

			if (asprintf(&q, "[\"%s\"]", shown) < 0)
				q = NULL;
			free(shown);
			shown = q;
		}
	} else {
		shown = strdup(in->args);
	}
	return shown ? meta(b, st, in, shown, err) : oom(err);
}

static int shell(struct builder *b, struct bstage *st, const struct df_inst *in,
		 struct berr *err)
{
	int ret = no_flags(in, err);

	if (ret == 0 && (!in->json || !in->argv[0]))
		ret = berr_invalid(err, "Dockerfile line %d: SHELL requires the arguments to be "
					"in JSON form", in->line);
	if (ret < 0)
		return ret;
	strv_free(st->cfg.shell);
	st->cfg.shell = strv_dup(in->argv, strv_len(in->argv));
	return st->cfg.shell ? meta(b, st, in, in->args, err) : oom(err);
}

/* Go's time.ParseDuration for what HEALTHCHECK takes: 30s, 1m30s,
 * 500ms, 1h. */
static int duration(const char *s, int64_t *ns)
{
	int64_t total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		int64_t unit;

		if (end == s)
			return -EINVAL;
		if (!strncmp(end, "ns", 2))
			unit = 1, end += 2;
		else if (!strncmp(end, "us", 2))
			unit = 1000, end += 2;
		else if (!strncmp(end, "ms", 2))
			unit = 1000000, end += 2;
		else if (*end == 's')
			unit = 1000000000LL, end++;
		else if (*end == 'm')
			unit = 60000000000LL, end++;
		else if (*end == 'h')
			unit = 3600000000000LL, end++;
		else
			return -EINVAL;
		total += (int64_t)(v * (double)unit);
		s = end;
	}
	*ns = total;
	return 0;
}

/* HEALTHCHECK CMD's command: the exec form as ["CMD", ...], the shell
 * form as ["CMD-SHELL", "..."], as dockerd stores them. */
static int health_test(const char *cmd, char ***out, struct berr *err)
{
	struct dockerfile df = { 0 };
	cleanup_free char *line = NULL;
	char **test = calloc(1, sizeof(char *));
	int ret = 0;

	while (isspace((unsigned char)*cmd))
		cmd++;
	/* The JSON form is read as an instruction's. */
	if (!test || asprintf(&line, "CMD %s", cmd) < 0) {
		free(test);
		line = NULL;
		return oom(err);
	}
	ret = dockerfile_parse(line, strlen(line), &df, err);
	if (ret == 0 && strv_push(&test, df.v[0].json ? "CMD" : "CMD-SHELL") < 0)
		ret = oom(err);
	for (size_t i = 0; ret == 0 && df.v[0].json && df.v[0].argv[i]; i++)
		if (strv_push(&test, df.v[0].argv[i]) < 0)
			ret = oom(err);
	if (ret == 0 && !df.v[0].json && strv_push(&test, cmd) < 0)
		ret = oom(err);
	dockerfile_free(&df);
	if (ret < 0) {
		strv_free(test);
		return ret;
	}
	*out = test;
	return 0;
}

static int healthcheck(struct builder *b, struct bstage *st, const struct df_inst *in,
		       struct berr *err)
{
	static const char *const names[] = { "interval", "timeout", "start-period", "retries" };
	struct bcfg *c = &st->cfg;
	int64_t vals[4] = { 0 };
	const char *rest = in->args;
	char **test = NULL;
	int ret;

	for (size_t i = 0; in->flags && in->flags[i]; i++) {
		const char *f = in->flags[i] + 2, *eq = strchr(f, '=');
		size_t k;

		for (k = 0; k < 4; k++)
			if (eq && (size_t)(eq - f) == strlen(names[k]) &&
			    !strncmp(f, names[k], strlen(names[k])))
				break;
		if (k == 4)
			return berr_invalid(err, "Dockerfile line %d: unknown flag %s for "
						 "HEALTHCHECK", in->line, in->flags[i]);
		if (k == 3) {
			char *end;

			vals[3] = strtol(eq + 1, &end, 10);
			if (*end || vals[3] < 0)
				return berr_invalid(err, "Dockerfile line %d: --retries must be a "
							 "number, not %s", in->line, eq + 1);
		} else if (duration(eq + 1, &vals[k]) < 0 || vals[k] < 0) {
			return berr_invalid(err, "Dockerfile line %d: --%s: invalid duration %s",
					    in->line, names[k], eq + 1);
		}
	}
	if (!strcasecmp(rest, "NONE")) {
		const char *none[] = { "NONE", NULL };

		if (in->flags && in->flags[0])
			return berr_invalid(err, "Dockerfile line %d: HEALTHCHECK NONE takes no "
						 "options", in->line);
		test = strv_dup((char *const *)none, 1);
		memset(vals, 0, sizeof(vals));
	} else if (!strncasecmp(rest, "CMD", 3) && isspace((unsigned char)rest[3])) {
		ret = health_test(rest + 4, &test, err);
		if (ret < 0)
			return ret;
	} else {
		return berr_invalid(err, "Dockerfile line %d: HEALTHCHECK takes NONE or "
					 "CMD command", in->line);
	}
	if (!test)
		return oom(err);
	strv_free(c->health_test);
	c->health_test = test;
	c->health_interval = vals[0];
	c->health_timeout = vals[1];
	c->health_start_period = vals[2];
	c->health_retries = (int)vals[3];
	return meta(b, st, in, rest, err);
}

static int onbuild(struct builder *b, struct bstage *st, const struct df_inst *in,
		   struct berr *err)
{
	cleanup_free char *trigger = NULL;
	const char *p = in->text;
	size_t n;

	p += strcspn(p, " \t");
	while (isspace((unsigned char)*p))
		p++;
	n = strcspn(p, " \t");
	if (!*p)
		return berr_invalid(err, "Dockerfile line %d: ONBUILD requires an instruction",
				    in->line);
	if ((n == 7 && !strncasecmp(p, "ONBUILD", 7)) || (n == 4 && !strncasecmp(p, "FROM", 4)) ||
	    (n == 10 && !strncasecmp(p, "MAINTAINER", 10)))
		return berr_invalid(err, "Dockerfile line %d: %.*s isn't allowed as an ONBUILD "
					 "trigger", in->line, (int)n, p);
	if (!(trigger = strdup(p)))
		return oom(err);
	for (size_t i = 0; i < n; i++)
		trigger[i] = (char)toupper((unsigned char)trigger[i]);
	if (strv_push(&st->cfg.onbuild, trigger) < 0)
		return oom(err);
	return meta(b, st, in, trigger, err);
}

int build_inst(struct builder *b, struct bstage *st, const struct df_inst *in,
	       struct berr *err)
{
	const char *c = in->cmd;

	if (!strcmp(c, "RUN"))
		return build_run(b, st, in, err);
	if (!strcmp(c, "COPY") || !strcmp(c, "ADD"))
		return build_copy(b, st, in, !strcmp(c, "ADD"), err);
	if (!strcmp(c, "ENV"))
		return pairs(b, st, in, &st->cfg.env, err);
	if (!strcmp(c, "LABEL"))
		return pairs(b, st, in, &st->cfg.labels, err);
	if (!strcmp(c, "ARG"))
		return arg(b, st, in, err);
	if (!strcmp(c, "WORKDIR"))
		return workdir(b, st, in, err);
	if (!strcmp(c, "USER"))
		return set_word(b, st, in, &st->cfg.user, err);
	if (!strcmp(c, "STOPSIGNAL"))
		return set_word(b, st, in, &st->cfg.stop_signal, err);
	if (!strcmp(c, "EXPOSE"))
		return expose(b, st, in, err);
	if (!strcmp(c, "VOLUME"))
		return volume(b, st, in, err);
	if (!strcmp(c, "CMD") || !strcmp(c, "ENTRYPOINT"))
		return cmd_or_entrypoint(b, st, in, err);
	if (!strcmp(c, "SHELL"))
		return shell(b, st, in, err);
	if (!strcmp(c, "HEALTHCHECK"))
		return healthcheck(b, st, in, err);
	if (!strcmp(c, "ONBUILD"))
		return onbuild(b, st, in, err);
	if (!strcmp(c, "MAINTAINER")) {
		free(st->author);
		st->author = strdup(in->args);
		return st->author ? meta(b, st, in, in->args, err) : oom(err);
	}
	return berr_invalid(err, "Dockerfile parse error line %d: unknown instruction: %s",
			    in->line, c);
}
