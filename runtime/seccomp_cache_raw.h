/* The seccomp cache's second index: a profile's program found from the
 * profile's JSON text, so that a hit never builds or reads the profile.
 *
 * The cache's own key (seccomp_cache.h) is a hash of the parsed profile,
 * so even a hit needs the parse, most of what a `run` with a real profile
 * costs in user space.  This index's key is a SHA-256 of a tag of its
 * own, the same compiler context the program's key hashes, berth's
 * version and commit (the parser that read the text) and the text's bytes
 * exactly as config.json has them (linux.seccomp's value,
 * spec_config_parse_aside).  An entry names the program's entry and keeps
 * the seccomp(2) flags that seccomp_filter_prepare gave.
 *
 * Why a hit may skip the parse and the checks: identical bytes, read by
 * the same parser, give an identical profile (its reading depends on
 * nothing outside its bytes: JSON strings and comments cannot cross a
 * value's bounds), and an entry is written only after that profile was
 * read without error, passed seccomp_filter_prepare and had its program
 * cached; so the errors a parse would find cannot exist.  What depends on
 * the host is looked at again: the flags are checked against this kernel
 * (a refusal is a miss, and the parse then gives today's error), and the
 * program's entry is read with its own checks.  A profile with
 * SCMP_ACT_NOTIFY rules gets no entry: its listenerPath is needed.
 *
 * Entries live in the cache's directory (SECCOMP_RAW_PREFIX and the key
 * in hex), trusted as the programs are (the caller's, writable by nobody
 * else), written to a temporary name and renamed, with a SHA-256 of their
 * contents checked on every read; they are bounded apart from the
 * programs (SECCOMP_CACHE_MAX each).  Any trouble is a miss. */
#ifndef BERTH_RUNTIME_SECCOMP_CACHE_RAW_H
#define BERTH_RUNTIME_SECCOMP_CACHE_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "isolation/seccomp.h"
#include "runtime/seccomp_cache.h"

/* The program made of the profile text[0, len) in dir's cache, with its
 * flags (notify false), and its entry's name in name: 0 on a hit, -1 on a
 * miss of any kind (out untouched then). */
int seccomp_raw_load(const char *dir, const char *text, size_t len,
		     struct seccomp_filter_prog *out, char name[SECCOMP_CACHE_NAME_SIZE]);

/* After a compile of that text's profile put p in the cache as name: the
 * index entry that finds it from the text.  Nothing for a program with a
 * listener, or when the entry cannot be written. */
void seccomp_raw_store(const char *dir, const char *text, size_t len,
		       const struct seccomp_filter_prog *p, const char *name);

/* The key of a text (exposed for the tests). */
void seccomp_raw_key(const char *text, size_t len, const struct seccomp_compiler *c,
		     uint8_t key[SECCOMP_CACHE_KEY_SIZE]);

#endif
