/* Errors: built once where something failed, carried up unchanged.
 *
 * Every fallible function in berth returns 0 (or a non-negative value) on
 * success and a negative errno-style value on failure, after filling a
 * struct berr with a message that says what was being done.  Only cmd/
 * prints the message.  spec/ is the bottom room, so the error type lives
 * here and every other room includes it.
 *
 * An error also carries a kind, chosen where it is made by the code that
 * knows what went wrong: berthd's HTTP layer answers with the status of
 * the kind, never of the errno (an ENOENT from some open() deep inside is
 * not a missing container).  berr_set and berr_fail make internal errors;
 * berr_failk, and the macros over it, the others. */
#ifndef BERTH_BASE_ERR_H
#define BERTH_BASE_ERR_H

#include <errno.h>
#include <stdarg.h>

enum berr_kind {
	BERR_INTERNAL,    /* the default: nothing the caller did wrong (500) */
	BERR_NOT_FOUND,   /* what the caller named does not exist (404) */
	BERR_CONFLICT,    /* it exists, but its state or name forbids this (409) */
	BERR_INVALID,     /* the caller's input is malformed or out of range (400) */
	BERR_UNSUPPORTED, /* well formed, but not something berth does (501) */
};

struct berr {
	int errnum; /* the errno behind the failure, 0 when it is not a syscall */
	enum berr_kind kind;
	char msg[1024];
};

/* Set the error.  With errnum != 0 the message ends in ": <strerror>".
 * Returns -errnum, or -EINVAL when errnum is 0. */
int berr_set(struct berr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A failure whose message already says what went wrong: errnum only
 * chooses the return value (-errnum), no strerror is appended. */
int berr_fail(struct berr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* berr_fail of a given kind. */
int berr_failk(struct berr *e, enum berr_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define berr_not_found(e, ...) berr_failk((e), BERR_NOT_FOUND, ENOENT, __VA_ARGS__)
#define berr_invalid(e, ...) berr_failk((e), BERR_INVALID, EINVAL, __VA_ARGS__)
#define berr_unsupported(e, ...) berr_failk((e), BERR_UNSUPPORTED, EOPNOTSUPP, __VA_ARGS__)
/* errnum says which conflict (EEXIST, EBUSY, ESRCH) to callers that care. */
#define berr_conflict(e, errnum, ...) berr_failk((e), BERR_CONFLICT, (errnum), __VA_ARGS__)

/* Give an error already made its kind, where the caller knows better
 * than the code below it what the failure means; returns ret. */
int berr_as(struct berr *e, int ret, enum berr_kind kind);

/* berr_set with the current errno. */
#define berr_sys(e, ...) berr_set((e), errno, __VA_ARGS__)

/* Put context in front of an error already set: "context: old message".
 * Returns ret unchanged so callers can write `return berr_wrap(e, ret, ..)`. */
int berr_wrap(struct berr *e, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear an error so the struct can be reused. */
void berr_clear(struct berr *e);

#endif
