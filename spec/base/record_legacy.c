#include "spec/base/record_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"

bool record_legacy_is(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
			   text[i] == '\n'))
		i++;
	return i < len && text[i] != '{';
}

static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t j = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			out[j++] = s[i] == 'n' ? '\n' : s[i];
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

static int add(struct record_legacy *kv, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	struct record_legacy_entry *grown;

	if (!eq)
		return 0; /* not a record line: the old reader skipped it too */
	grown = realloc(kv->e, (kv->n + 1) * sizeof(*kv->e));
	if (!grown)
		return -ENOMEM;
	kv->e = grown;
	kv->e[kv->n].key = strndup(line, (size_t)(eq - line));
	kv->e[kv->n].value = unescape(eq + 1, len - (size_t)(eq - line) - 1);
	if (!kv->e[kv->n].key || !kv->e[kv->n].value) {
		free(kv->e[kv->n].key);
		free(kv->e[kv->n].value);
		return -ENOMEM;
	}
	kv->n++;
	return 0;
}

int record_legacy_parse(const char *text, size_t len, struct record_legacy *kv,
			struct berr *err)
{
	kv->e = NULL;
	kv->n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (add(kv, text + i, n) < 0) {
			record_legacy_free(kv);
			return berr_set(err, ENOMEM, "read an old record");
		}
		i += n + 1;
	}
	return 0;
}

void record_legacy_free(struct record_legacy *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->e[i].key);
		free(kv->e[i].value);
	}
	free(kv->e);
	kv->e = NULL;
	kv->n = 0;
}

const char *record_legacy_get(const struct record_legacy *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->e[i].key, key) == 0)
			return kv->e[i].value;
	return NULL;
}

long long record_legacy_ll(const struct record_legacy *kv, const char *key, long long dflt)
{
	const char *v = record_legacy_get(kv, key);
	char *end;
	long long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end ? dflt : n;
}

bool record_legacy_bool(const struct record_legacy *kv, const char *key)
{
	const char *v = record_legacy_get(kv, key);

	return v && strcmp(v, "1") == 0;
}

char **record_legacy_list(const struct record_legacy *kv, const char *key, size_t *n)
{
	char **v = calloc(kv->n + 1, sizeof(*v));
	size_t used = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->e[i].key, key) != 0)
			continue;
		v[used] = strdup(kv->e[i].value);
		if (!v[used]) {
			strv_free(v);
			return NULL;
		}
		used++;
	}
	if (n)
		*n = used;
	return v;
}
