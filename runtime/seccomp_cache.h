/* Compiled seccomp programs, kept across containers.
 *
 * libseccomp's compiler is most of what `run` costs with a real profile
 * (tens of milliseconds for a three-architecture profile), and most
 * containers of a host share a handful of profiles.  The program is kept
 * in a file named after a SHA-256 of everything it is made from: the
 * parsed profile (in a canonical, length-prefixed form, so that no two
 * profiles hash the same bytes), libseccomp's version and API level, the
 * native architecture and the way berth drives the compiler.  A
 * cryptographic hash, because a profile is chosen by whoever writes the
 * config: one crafted to collide with another's key would be handed the
 * other's filter.
 *
 * The directory and its files must belong to the caller's euid and be
 * writable by nobody else, or the cache is not used.  Entries are written
 * to a temporary name and renamed into place, and each carries its key
 * and a SHA-256 of its instructions, checked on every read (a torn or
 * damaged file is a miss).  The directory keeps the most recently used
 * SECCOMP_CACHE_MAX programs, and as many entries of the index that finds
 * them from a profile's text without parsing it (seccomp_cache_raw.h).
 * Any trouble with the cache falls back to compiling: it never fails a
 * container. */
#ifndef BERTH_RUNTIME_SECCOMP_CACHE_H
#define BERTH_RUNTIME_SECCOMP_CACHE_H

#include <stdint.h>

#include "isolation/seccomp.h"
#include "spec/config.h"
#include "spec/base/err.h"

#define SECCOMP_CACHE_DEFAULT "/var/cache/berth/seccomp"
#define SECCOMP_CACHE_MAX 64
#define SECCOMP_CACHE_KEY_SIZE 32
/* An entry's name: its key in hex, and a NUL. */
#define SECCOMP_CACHE_NAME_SIZE (2 * SECCOMP_CACHE_KEY_SIZE + 1)

/* What seccomp_filter_compile() gives, through the cache in dir (created,
 * with its missing parents, mode 0700).  Errors are the profile's (or out
 * of memory), never the cache's: an unusable cache is reported through
 * warn when it is not to be trusted (NULL: not at all) and then skipped.
 * name (NULL: not wanted) receives the entry's name when the program is
 * in the cache afterwards, "" when not. */
int seccomp_cache_compile(const char *dir, const struct spec_seccomp *s,
			  struct seccomp_filter_prog *out, char *name,
			  void (*warn)(void *arg, const struct berr *w), void *warn_arg,
			  struct berr *err);

/* The program of the entry name (as seccomp_cache_compile gave it) into
 * out->insns and out->len, without the profile; the caller sets the rest
 * of *out.  -1 when the entry is gone, damaged, not trusted or not an
 * entry's name: the caller compiles the profile then. */
int seccomp_cache_load(const char *dir, const char *name, struct seccomp_filter_prog *out);

/* The key of a profile (exposed for the tests). */
void seccomp_cache_key(const struct spec_seccomp *s, const struct seccomp_compiler *c,
		       uint8_t key[SECCOMP_CACHE_KEY_SIZE]);

#endif
