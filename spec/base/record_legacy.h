/* berthd's record files as its versions before JSON records wrote them:
 * one "key=value" line per entry, keys repeated for lists, values escaped
 * (\\ for a backslash, \n for a newline).  berthd now writes its records
 * as JSON (spec/record.h); this reader is kept only to migrate the old
 * files it finds on start, and to read the exit file of a shim that an
 * older berthd started (shims outlive a restart of berthd). */
#ifndef BERTH_BASE_RECORD_LEGACY_H
#define BERTH_BASE_RECORD_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

struct record_legacy_entry {
	char *key;
	char *value;
};

struct record_legacy {
	struct record_legacy_entry *e;
	size_t n;
};

/* Is text in the old format?  A JSON record is an object, so it starts
 * with '{' (after blanks); an old record starts with a key. */
bool record_legacy_is(const char *text, size_t len);

/* Parse the text of an old record. */
int record_legacy_parse(const char *text, size_t len, struct record_legacy *kv,
			struct berr *err);
void record_legacy_free(struct record_legacy *kv);

/* The first value of key, or NULL. */
const char *record_legacy_get(const struct record_legacy *kv, const char *key);
long long record_legacy_ll(const struct record_legacy *kv, const char *key, long long dflt);
/* "1" is true, anything else or absent false, as the old writer wrote. */
bool record_legacy_bool(const struct record_legacy *kv, const char *key);
/* Every value of key, in file order: a malloc'd NULL-terminated array of
 * malloc'd strings (NULL when out of memory). */
char **record_legacy_list(const struct record_legacy *kv, const char *key, size_t *n);

#endif
