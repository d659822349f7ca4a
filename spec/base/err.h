/* Errors: built once where something failed, carried up unchanged.
 *
 * Every fallible function in berth returns 0 (or a non-negative value) on
 * success and a negative errno-style value on failure, after filling a
 * struct berr with a message that says what was being done.  Only cmd/
 * prints the message.  spec/ is the bottom room, so the error type lives
 * here and every other room includes it. */
#ifndef BERTH_BASE_ERR_H
#define BERTH_BASE_ERR_H

#include <errno.h>
#include <stdarg.h>

struct berr {
	int errnum; /* the errno behind the failure, 0 when it is not a syscall */
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

/* berr_set with the current errno. */
#define berr_sys(e, ...) berr_set((e), errno, __VA_ARGS__)

/* Put context in front of an error already set: "context: old message".
 * Returns ret unchanged so callers can write `return berr_wrap(e, ret, ..)`. */
int berr_wrap(struct berr *e, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear an error so the struct can be reused. */
void berr_clear(struct berr *e);

#endif
