/* berthd's record files: one "key=value" line per entry, keys repeated for
 * lists, values escaped so that any byte string fits on one line (\\ for a
 * backslash, \n for a newline).  They are small, written atomically, and
 * need no JSON library in runtime/. */
#ifndef BERTH_RUNTIME_DAEMON_KV_H
#define BERTH_RUNTIME_DAEMON_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec/err.h"

struct daemon_kv_entry {
	char *key;
	char *value;
};

struct daemon_kv {
	struct daemon_kv_entry *e;
	size_t n;
};

/* Read and parse a record file.  -ENOENT when it does not exist. */
int daemon_kv_load(const char *path, struct daemon_kv *kv, struct berr *err);
void daemon_kv_free(struct daemon_kv *kv);

/* The first value of key, or NULL. */
const char *daemon_kv_get(const struct daemon_kv *kv, const char *key);
long long daemon_kv_ll(const struct daemon_kv *kv, const char *key, long long dflt);
/* Every value of key, in file order: a malloc'd NULL-terminated array of
 * malloc'd strings (NULL when out of memory). */
char **daemon_kv_list(const struct daemon_kv *kv, const char *key, size_t *n);

/* Writing: entries go to a memory stream, then to the file atomically. */
struct daemon_kv_writer {
	FILE *f;
	char *buf;
	size_t len;
};

int daemon_kv_begin(struct daemon_kv_writer *w, struct berr *err);
void daemon_kv_put(struct daemon_kv_writer *w, const char *key, const char *value);
void daemon_kv_putf(struct daemon_kv_writer *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void daemon_kv_put_list(struct daemon_kv_writer *w, const char *key, char *const *v,
			size_t n);
/* Write the file (mode 0600) and release the writer. */
int daemon_kv_commit(struct daemon_kv_writer *w, const char *path, struct berr *err);
void daemon_kv_abort(struct daemon_kv_writer *w);

/* NULL-terminated string vectors, used throughout berthd's model. */
void daemon_strv_free(char **v);
char **daemon_strv_dup(char *const *v, size_t n);
size_t daemon_strv_len(char *const *v);

#endif
