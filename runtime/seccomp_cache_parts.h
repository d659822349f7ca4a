/* What the cache's two files share (seccomp_cache.c: the programs;
 * seccomp_cache_raw.c: their index by the profile's text); not part of
 * the cache's API. */
#ifndef BERTH_RUNTIME_SECCOMP_CACHE_PARTS_H
#define BERTH_RUNTIME_SECCOMP_CACHE_PARTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#include "runtime/seccomp_cache.h"

/* The raw index's entries are named this and the key in hex. */
#define SECCOMP_RAW_PREFIX "raw-"

/* A value of fixed width, little-endian, into a key's hash. */
void seccomp_cache_put_u64(struct sha256_ctx *h, uint64_t v);

/* Everything besides the profile that decides the program (the compiler
 * and how berth drives it), into a key's hash: both keys hash the same. */
void seccomp_cache_put_compiler(struct sha256_ctx *h, const struct seccomp_compiler *c);

/* Owned by the caller's euid and writable by nobody else. */
bool seccomp_cache_trusted(const struct stat *st);

/* A key's name: its hex. */
void seccomp_cache_name(const uint8_t key[SECCOMP_CACHE_KEY_SIZE],
			char name[SECCOMP_CACHE_NAME_SIZE]);

/* The directory's fd when it exists and is trusted, or -1. */
int seccomp_cache_open(const char *dir);

/* seccomp_cache_load in an open directory. */
int seccomp_cache_load_at(int dirfd, const char *name, struct seccomp_filter_prog *out);

/* Keep the SECCOMP_CACHE_MAX most recently used programs, or raw index
 * entries (raw): each kind is bounded on its own. */
void seccomp_cache_evict(int dirfd, bool raw);

#endif
