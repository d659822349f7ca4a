/* Words and variables of a Dockerfile's arguments, as the builder's
 * shell lexer reads them (not a shell: no globbing, no commands). */
#include "spec/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 64) + n;
		char *g = realloc(b->s, cap);

		if (!g) {
			b->oom = true;
			return;
		}
		b->s = g;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

struct lex {
	const char *p;
	char escape;
	dockerfile_lookup_fn lookup;
	void *arg;
	struct berr *err;
};

static int expand_word(struct lex *x, const char *word, size_t n, struct buf *out);

/* At '$': the variable, its value appended to out. */
static int variable(struct lex *x, struct buf *out)
{
	const char *p = x->p + 1;
	char name[256];
	size_t n = 0;
	const char *val;

	if (*p == '{') {
		const char *end, *op;
		int depth = 1;

		p++;
		for (end = p; *end && depth; end++)
			if (*end == '{')
				depth++;
			else if (*end == '}')
				depth--;
		if (depth)
			return berr_invalid(x->err, "missing '}' in %s", x->p);
		end--; /* at the closing brace */
		op = p;
		while (op < end && (isalnum((unsigned char)*op) || *op == '_'))
			op++;
		if (op == p || (size_t)(op - p) >= sizeof(name))
			return berr_invalid(x->err, "bad substitution in %s", x->p);
		memcpy(name, p, (size_t)(op - p));
		name[op - p] = '\0';
		val = x->lookup(x->arg, name);
		if (op == end) {
			if (val)
				put(out, val, strlen(val));
		} else if (end - op >= 2 && op[0] == ':' && (op[1] == '-' || op[1] == '+')) {
			bool use_word = op[1] == '-' ? !val || !*val : val && *val;

			if (use_word) {
				int ret = expand_word(x, op + 2, (size_t)(end - op - 2), out);

				if (ret < 0)
					return ret;
			} else if (val && op[1] == '-') {
				put(out, val, strlen(val));
			}
		} else {
			return berr_invalid(x->err, "unsupported modifier in ${%.*s}",
					    (int)(end - p), p);
		}
		x->p = end + 1;
		return 0;
	}
	while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof(name) - 1) {
		name[n] = p[n];
		n++;
	}
	if (n == 0) {
		put(out, "$", 1); /* a lone $ stays */
		x->p++;
		return 0;
	}
	name[n] = '\0';
	val = x->lookup(x->arg, name);
	if (val)
		put(out, val, strlen(val));
	x->p = p + n;
	return 0;
}

/* The word of a ${NAME:-word}: expanded, quotes kept as they are. */
static int expand_word(struct lex *x, const char *word, size_t n, struct buf *out)
{
	cleanup_free char *copy = strndup(word, n);
	struct lex sub = *x;

	if (!copy)
		return berr_set(x->err, ENOMEM, "Dockerfile");
	sub.p = copy;
	while (*sub.p) {
		if (*sub.p == '$') {
			int ret = variable(&sub, out);

			if (ret < 0)
				return ret;
			continue;
		}
		put(out, sub.p++, 1);
	}
	return 0;
}

/* The words of s; split false: one word, blanks kept. */
static int lex(const char *s, char escape, dockerfile_lookup_fn lookup, void *arg, bool split,
	       char ***out, struct berr *err)
{
	struct lex x = { .p = s, .escape = escape, .lookup = lookup, .arg = arg, .err = err };
	struct buf w = { 0 };
	char **words = calloc(1, sizeof(char *));
	bool in_word = false;
	int ret = 0;

	if (!words)
		return berr_set(err, ENOMEM, "Dockerfile");
	while (ret == 0 && *x.p) {
		char c = *x.p;

		if (split && isspace((unsigned char)c)) {
			if (in_word && strv_push(&words, w.s ? w.s : "") < 0)
				ret = berr_set(err, ENOMEM, "Dockerfile");
			w.len = 0;
			if (w.s)
				w.s[0] = '\0';
			in_word = false;
			x.p++;
			continue;
		}
		in_word = true;
		if (c == escape && x.p[1]) {
			put(&w, x.p + 1, 1);
			x.p += 2;
		} else if (c == '\'') {
			const char *end = strchr(x.p + 1, '\'');

			if (!end) {
				ret = berr_invalid(err, "unexpected end of statement while looking "
							"for matching single-quote in %s", s);
				break;
			}
			put(&w, x.p + 1, (size_t)(end - x.p - 1));
			x.p = end + 1;
		} else if (c == '"') {
			x.p++;
			while (ret == 0 && *x.p && *x.p != '"') {
				if (*x.p == escape && (x.p[1] == '"' || x.p[1] == '$' ||
						       x.p[1] == escape)) {
					put(&w, x.p + 1, 1);
					x.p += 2;
				} else if (*x.p == '$') {
					ret = variable(&x, &w);
				} else {
					put(&w, x.p++, 1);
				}
			}
			if (ret == 0 && *x.p != '"')
				ret = berr_invalid(err, "unexpected end of statement while looking "
							"for matching double-quote in %s", s);
			if (ret == 0)
				x.p++;
		} else if (c == '$') {
			ret = variable(&x, &w);
		} else {
			put(&w, x.p++, 1);
		}
	}
	if (ret == 0 && (in_word || !split) && strv_push(&words, w.s ? w.s : "") < 0)
		ret = berr_set(err, ENOMEM, "Dockerfile");
	if (ret == 0 && w.oom)
		ret = berr_set(err, ENOMEM, "Dockerfile");
	free(w.s);
	if (ret < 0) {
		strv_free(words);
		return ret;
	}
	*out = words;
	return 0;
}

int dockerfile_words(const char *s, char escape, dockerfile_lookup_fn lookup, void *arg,
		     char ***out, struct berr *err)
{
	return lex(s, escape, lookup, arg, true, out, err);
}

int dockerfile_expand(const char *s, char escape, dockerfile_lookup_fn lookup, void *arg,
		      char **out, struct berr *err)
{
	char **w = NULL;
	int ret = lex(s, escape, lookup, arg, false, &w, err);

	if (ret < 0)
		return ret;
	*out = w[0];
	w[0] = NULL;
	strv_free(w);
	return 0;
}
