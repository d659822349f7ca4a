#include "spec/base/record.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

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

static int add(struct record *kv, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	struct record_entry *grown;

	if (!eq)
		return 0; /* not a record line: ignored, files stay readable */
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

int record_load(const char *path, struct record *kv, struct berr *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int ret;

	kv->e = NULL;
	kv->n = 0;
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (add(kv, text + i, n) < 0) {
			record_free(kv);
			return berr_set(err, ENOMEM, "read %s", path);
		}
		i += n + 1;
	}
	return 0;
}

void record_free(struct record *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->e[i].key);
		free(kv->e[i].value);
	}
	free(kv->e);
	kv->e = NULL;
	kv->n = 0;
}

const char *record_get(const struct record *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->e[i].key, key) == 0)
			return kv->e[i].value;
	return NULL;
}

long long record_ll(const struct record *kv, const char *key, long long dflt)
{
	const char *v = record_get(kv, key);
	char *end;
	long long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end ? dflt : n;
}

char **record_list(const struct record *kv, const char *key, size_t *n)
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

int record_begin(struct record_writer *w, struct berr *err)
{
	w->buf = NULL;
	w->len = 0;
	w->f = open_memstream(&w->buf, &w->len);
	return w->f ? 0 : berr_sys(err, "record");
}

void record_put(struct record_writer *w, const char *key, const char *value)
{
	if (!value)
		return;
	fputs(key, w->f);
	fputc('=', w->f);
	for (const char *p = value; *p; p++) {
		if (*p == '\n')
			fputs("\\n", w->f);
		else if (*p == '\\')
			fputs("\\\\", w->f);
		else
			fputc(*p, w->f);
	}
	fputc('\n', w->f);
}

void record_putf(struct record_writer *w, const char *key, const char *fmt, ...)
{
	cleanup_free char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s = NULL;
		fputs("\x01", w->f); /* poison: commit fails on the unparsable line */
		return;
	}
	record_put(w, key, s);
}

void record_put_list(struct record_writer *w, const char *key, char *const *v,
			size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		record_put(w, key, v[i]);
}

int record_commit(struct record_writer *w, const char *path, struct berr *err)
{
	int ret;

	if (fclose(w->f) != 0 || memchr(w->buf, '\x01', w->len)) {
		free(w->buf);
		return berr_set(err, ENOMEM, "write %s", path);
	}
	ret = fsutil_write_atomic(path, w->buf, w->len, 0600, err);
	free(w->buf);
	w->buf = NULL;
	return ret;
}


void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **strv_dup(char *const *v, size_t n)
{
	char **out = calloc(n + 1, sizeof(*out));

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			strv_free(out);
			return NULL;
		}
	}
	return out;
}
