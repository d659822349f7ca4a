/* berthd's record files (its containers, their states and exits, its
 * images): one JSON object a file, written atomically through the JSON
 * writer and read through the JSON reader, so that the JSON library stays
 * inside spec/ and the engine and the image store never see it.
 *
 * Fields are strings, integers, booleans and lists of strings.  A field
 * written as NULL is left out, so that "absent" reads back as absent (a
 * container with no Cmd of its own differs from one whose Cmd is []). */
#ifndef BERTH_SPEC_RECORD_H
#define BERTH_SPEC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

struct jw;

struct record {
	void *tree; /* the parsed object, in the JSON library's own type */
};

/* Read a record file: -ENOENT when there is none, -EINVAL when it is not
 * a JSON object (an old key=value record, say: spec/base/record_legacy.h). */
int record_load(const char *path, struct record *r, struct berr *err);
int record_parse(const char *text, size_t len, struct record *r, struct berr *err);
void record_free(struct record *r);

/* Getters: a field that is absent, null or of another type reads as
 * absent (NULL, dflt, false). */
bool record_has(const struct record *r, const char *key);
const char *record_str(const struct record *r, const char *key);
long long record_ll(const struct record *r, const char *key, long long dflt);
bool record_bool(const struct record *r, const char *key);
/* A list of strings, as a malloc'd NULL-terminated vector in *out: 1 when
 * present, 0 when absent (*out NULL), -ENOMEM.  Entries that are not
 * strings are skipped. */
int record_strv(const struct record *r, const char *key, char ***out, size_t *n);

/* Writing: fields go to a JSON writer, then to the file atomically. */
struct record_writer {
	struct jw *jw;
};

int record_begin(struct record_writer *w, struct berr *err);
void record_put(struct record_writer *w, const char *key, const char *value);
void record_put_int(struct record_writer *w, const char *key, int64_t value);
void record_put_bool(struct record_writer *w, const char *key, bool value);
void record_put_list(struct record_writer *w, const char *key, char *const *v, size_t n);
/* Write the file (mode 0600) and release the writer, even on failure. */
int record_commit(struct record_writer *w, const char *path, struct berr *err);
/* Release a writer that will not be committed. */
void record_abort(struct record_writer *w);

#endif
