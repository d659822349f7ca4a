/* Where the harnesses that write files do it: a tmpfs mounted nodev,
 * nosuid and noexec, attached nowhere and reachable only through its
 * descriptor, so that nothing an input makes lasts past the harness or
 * reaches the host's devices.  Beside what the
 * harness works in lies a canary file that nothing may touch. */
#ifndef BERTH_FUZZ_SANDBOX_H
#define BERTH_FUZZ_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* Set it up (aborts on failure); returns the tmpfs's path
 * ("/proc/self/fd/N"). */
const char *sandbox_init(const char *name);

/* Keep the input being run in $TMPDIR/berth-fuzz-NAME-input.PID, removed
 * when the harness exits normally: an input that crashes the harness
 * while it is chrooted (its artifact then goes to the chroot) survives. */
void sandbox_keep_input(const uint8_t *data, size_t size);

/* Abort unless the tmpfs holds only the canary, intact, and the names
 * given (NULL-terminated). */
void sandbox_check(const char *const *allowed);

/* Remove a tree (aborts on failure); a missing one is fine. */
void sandbox_rmtree(const char *path);

/* Is the directory empty (or missing)? */
int sandbox_empty(const char *path);

#endif
