/* berthd's record files: one "key=value" line per entry, keys repeated for
 * lists, values escaped so that any byte string fits on one line (\\ for a
 * backslash, \n for a newline).  They are small and written atomically.
 * Here in the base because berthd's engine and its image store both keep
 * records; they are to become JSON through spec/'s JSON layer. */
#ifndef BERTH_BASE_RECORD_H
#define BERTH_BASE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec/base/err.h"

struct record_entry {
	char *key;
	char *value;
};

struct record {
	struct record_entry *e;
	size_t n;
};

/* Read and parse a record file.  -ENOENT when it does not exist. */
int record_load(const char *path, struct record *kv, struct berr *err);
void record_free(struct record *kv);

/* The first value of key, or NULL. */
const char *record_get(const struct record *kv, const char *key);
long long record_ll(const struct record *kv, const char *key, long long dflt);
/* Every value of key, in file order: a malloc'd NULL-terminated array of
 * malloc'd strings (NULL when out of memory). */
char **record_list(const struct record *kv, const char *key, size_t *n);

/* Writing: entries go to a memory stream, then to the file atomically. */
struct record_writer {
	FILE *f;
	char *buf;
	size_t len;
};

int record_begin(struct record_writer *w, struct berr *err);
void record_put(struct record_writer *w, const char *key, const char *value);
void record_putf(struct record_writer *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void record_put_list(struct record_writer *w, const char *key, char *const *v,
			size_t n);
/* Write the file (mode 0600) and release the writer. */
int record_commit(struct record_writer *w, const char *path, struct berr *err);

/* NULL-terminated string vectors, used throughout berthd's model. */
void strv_free(char **v);
char **strv_dup(char *const *v, size_t n);
size_t strv_len(char *const *v);

#endif
