/* The request-body readers the API handlers share: a JSON body opened as
 * an object, docker's string and string-list fields copied out of it, and
 * the reply to a body that could not be read. */
#ifndef BERTHD_BODY_H
#define BERTHD_BODY_H

#include "http.h"
#include "spec/base/arena.h"
#include "spec/json_read.h"

/* Parse the body, which must be a JSON object, into *doc (the caller frees
 * it) and set up r over it.  what names the body for the client when there
 * is none ("a container config"). */
int body_open(struct jr *r, const char *body, size_t len, const char *what, yajl_val *doc,
	      struct arena *a, struct berr *err);

/* Copies (malloc'd) of key's string, or of key's string list, where docker
 * also accepts one string ("Cmd": "ls") for a one-element list.  They keep
 * the getters' convention: 0 absent or null, 1 set, < 0 error. */
int body_str(struct jr *r, yajl_val obj, const char *key, char **out);
int body_strv(struct jr *r, yajl_val obj, const char *key, char ***out);

/* What reading a body found, with the status of its kind (400 for a
 * malformed value, 501 for a field berthd does not support): ret is what
 * reading the body returned, what names the call for an allocation
 * failure ("create"), which the getters report without a message. */
enum MHD_Result body_reply_error(struct req *r, int ret, struct berr *err, const char *what);

#endif
