/* The container state: the OCI state document (`berth state`), the entries
 * of `berth list`, and the record berth keeps in its state directory. */
#ifndef BERTH_SPEC_STATE_H
#define BERTH_SPEC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/arena.h"
#include "spec/config.h"
#include "spec/base/err.h"

#define SPEC_OCI_VERSION "1.2.0"

struct spec_state {
	const char *oci_version; /* SPEC_OCI_VERSION when NULL */
	const char *id;
	const char *status; /* creating | created | running | paused | stopped */
	pid_t pid;          /* 0: none (omitted from the OCI document) */
	const char *bundle;
	const char *rootfs;
	const char *created; /* RFC 3339 with nanoseconds, UTC */
	const char *owner;   /* "" for root, as runc */
	struct spec_kv *annotations;
	size_t n_annotations;
	/* berth's own bookkeeping, stored under "berth" in the state file and
	 * never shown in the OCI document. */
	struct spec_kv *extra;
	size_t n_extra;
};

/* The OCI state document, as `berth state` prints it and hooks read it
 * (pretty-printed like runc's; no trailing newline, as with every
 * document spec/ writes). */
int spec_state_oci_json(const struct spec_state *s, char **out, size_t *len,
			struct berr *err);

/* `berth state`: runc's document, the OCI fields plus rootfs, created
 * and owner (pid 0 once stopped), pretty-printed. */
int spec_state_runc_json(const struct spec_state *s, char **out, size_t *len,
			 struct berr *err);

/* The state file: the OCI fields plus "berth": {extra...}.  Parsing it
 * back fails with the JSON path of a corrupt value (".pid: expected a
 * 32-bit integer"); the caller adds the file name. */
int spec_state_file_json(const struct spec_state *s, char **out, size_t *len,
			 struct berr *err);
int spec_state_file_parse(const char *json, size_t len, struct arena *a,
			  struct spec_state *s, struct berr *err);

/* `berth list --format json`: runc's array of {ociVersion, id, pid, status,
 * bundle, rootfs, created, owner}. */
int spec_state_list_json(const struct spec_state *states, size_t n,
			 char **out, size_t *len, struct berr *err);

/* Value of a "berth" bookkeeping key, or NULL. */
const char *spec_state_extra(const struct spec_state *s, const char *key);

#endif
