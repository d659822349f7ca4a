#include "runtime/seccomp_cache.h"
#include "runtime/seccomp_cache_parts.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "spec/base/cleanup.h"

#define CACHE_MAGIC "berthbpf"
#define CACHE_FORMAT 1
/* A hit refreshes the entry's mtime (the eviction order) at most this
 * often, so that a busy host does not write an inode per container. */
#define CACHE_TOUCH_SECONDS 60

_Static_assert(SECCOMP_CACHE_KEY_SIZE == SHA256_DIGEST_SIZE, "the key is a SHA-256");

/* An entry: this header, then n_insns struct sock_filter. */
struct cache_header {
	char magic[8];
	uint32_t format;
	uint32_t n_insns;
	uint8_t key[SECCOMP_CACHE_KEY_SIZE];
	uint8_t sum[SHA256_DIGEST_SIZE]; /* of the instructions */
};

/* --- the key --------------------------------------------------------- */

/* Every value goes in with a fixed width and every string or list with
 * its length first, so that the bytes hashed decode to one profile only. */
static void put_u64(struct sha256_ctx *h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha256_update(h, sizeof(b), b);
}

static void put_str(struct sha256_ctx *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	/* NULL and "" differ. */
	put_u64(h, s ? n : UINT64_MAX);
	sha256_update(h, n, (const uint8_t *)(s ? s : ""));
}

static void put_rule(struct sha256_ctx *h, const struct spec_seccomp_rule *r)
{
	put_u64(h, r->n_names);
	for (size_t i = 0; i < r->n_names; i++)
		put_str(h, r->names[i]);
	put_u64(h, (uint64_t)r->action);
	put_u64(h, r->errno_ret_set);
	put_u64(h, r->errno_ret);
	put_u64(h, r->n_args);
	for (size_t i = 0; i < r->n_args; i++) {
		const struct spec_seccomp_arg *a = &r->args[i];

		put_u64(h, a->index);
		put_u64(h, a->value);
		put_u64(h, a->value_two);
		put_u64(h, (uint64_t)a->op);
	}
}

void seccomp_cache_put_u64(struct sha256_ctx *h, uint64_t v)
{
	put_u64(h, v);
}

void seccomp_cache_put_compiler(struct sha256_ctx *h, const struct seccomp_compiler *c)
{
	put_u64(h, CACHE_FORMAT);
	put_u64(h, c->major);
	put_u64(h, c->minor);
	put_u64(h, c->micro);
	put_u64(h, c->api);
	put_u64(h, c->native_arch);
	put_u64(h, c->berth);
}

/* listenerPath and listenerMetadata are left out: they are not in the
 * program (seccomp_filter_prepare checks them on every use). */
void seccomp_cache_key(const struct spec_seccomp *s, const struct seccomp_compiler *c,
		       uint8_t key[SECCOMP_CACHE_KEY_SIZE])
{
	struct sha256_ctx h;

	sha256_init(&h);
	put_str(&h, "berth seccomp program");
	seccomp_cache_put_compiler(&h, c);
	put_u64(&h, (uint64_t)s->default_action);
	put_u64(&h, s->default_errno_ret_set);
	put_u64(&h, s->default_errno_ret);
	put_u64(&h, s->n_architectures);
	for (size_t i = 0; i < s->n_architectures; i++)
		put_str(&h, s->architectures[i]);
	put_u64(&h, s->flags);
	put_u64(&h, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++)
		put_rule(&h, &s->syscalls[i]);
	sha256_digest(&h, SECCOMP_CACHE_KEY_SIZE, key);
}

static void insns_sum(const struct sock_filter *insns, size_t n,
		      uint8_t sum[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, n * sizeof(*insns), (const uint8_t *)insns);
	sha256_digest(&h, SHA256_DIGEST_SIZE, sum);
}

/* --- the directory --------------------------------------------------- */

bool seccomp_cache_trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static void mkdir_parents(const char *dir)
{
	cleanup_free char *copy = strdup(dir);

	if (!copy)
		return;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, 0700);
		*p = '/';
	}
	mkdir(copy, 0700);
}

static void warn_untrusted(const char *dir, const struct stat *st,
			   void (*warn)(void *, const struct berr *), void *arg)
{
	struct berr w = { 0 };

	if (!warn)
		return;
	berr_fail(&w, EPERM,
		  "seccomp cache %s not used: it belongs to uid %u with mode %04o (expected "
		  "uid %u, writable by nobody else)",
		  dir, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777),
		  (unsigned)geteuid());
	warn(arg, &w);
}

/* The directory's fd, or -1 when the cache cannot be used. */
static int open_dir(const char *dir, void (*warn)(void *, const struct berr *), void *arg)
{
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		mkdir_parents(dir);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (!seccomp_cache_trusted(&st)) {
		warn_untrusted(dir, &st, warn, arg);
		close(fd);
		return -1;
	}
	return fd;
}

void seccomp_cache_name(const uint8_t key[SECCOMP_CACHE_KEY_SIZE], char name[SECCOMP_CACHE_NAME_SIZE])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SECCOMP_CACHE_KEY_SIZE; i++) {
		name[2 * i] = hex[key[i] >> 4];
		name[2 * i + 1] = hex[key[i] & 15];
	}
	name[64] = '\0';
}

/* The key a name spells, or -1 when it is not 64 lowercase hex digits. */
static int name_key(const char *name, uint8_t key[SECCOMP_CACHE_KEY_SIZE])
{
	for (int i = 0; i < 2 * SECCOMP_CACHE_KEY_SIZE; i++) {
		char c = name[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		if (i % 2 == 0)
			key[i / 2] = (uint8_t)(v << 4);
		else
			key[i / 2] |= (uint8_t)v;
	}
	return name[2 * SECCOMP_CACHE_KEY_SIZE] == '\0' ? 0 : -1;
}

/* --- entries --------------------------------------------------------- */

/* 0 and the program in out->insns on a valid entry for key; -1 for a
 * miss, whatever the reason. */
static int load(int dirfd, const char *name, const uint8_t key[SECCOMP_CACHE_KEY_SIZE],
		struct seccomp_filter_prog *out)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_free struct sock_filter *insns = NULL;
	uint8_t sum[SHA256_DIGEST_SIZE];
	struct cache_header h;
	struct timespec now;
	struct stat st;
	size_t size;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !seccomp_cache_trusted(&st))
		return -1;
	if (st.st_size < (off_t)sizeof(h) ||
	    st.st_size > (off_t)(sizeof(h) + BPF_MAXINSNS * sizeof(*insns)))
		return -1;
	size = (size_t)st.st_size - sizeof(h);
	if (size == 0 || size % sizeof(*insns))
		return -1;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) || h.format != CACHE_FORMAT ||
	    h.n_insns != size / sizeof(*insns) || memcmp(h.key, key, sizeof(h.key)))
		return -1;
	insns = malloc(size);
	if (!insns || pread(fd, insns, size, sizeof(h)) != (ssize_t)size)
		return -1;
	insns_sum(insns, h.n_insns, sum);
	if (memcmp(sum, h.sum, sizeof(sum)))
		return -1;
	if (clock_gettime(CLOCK_REALTIME, &now) == 0 &&
	    now.tv_sec - st.st_mtime > CACHE_TOUCH_SECONDS)
		futimens(fd, NULL);
	out->insns = steal_ptr(insns);
	out->len = h.n_insns;
	return 0;
}

struct entry {
	char *name;
	struct timespec mtime;
};

static int older_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return 0;
}

/* Keep the SECCOMP_CACHE_MAX most recently used programs, or raw index
 * entries (temporary files that a crash left count as programs, and age
 * out with them). */
void seccomp_cache_evict(int dirfd, bool raw)
{
	cleanup_closedir DIR *d = NULL;
	struct entry *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = dup(dirfd);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Programs and the raw index are bounded apart. */
		if (raw != (strncmp(de->d_name, SECCOMP_RAW_PREFIX, strlen(SECCOMP_RAW_PREFIX)) == 0))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			struct entry *grown = realloc(list, (cap ? cap * 2 : 32) * sizeof(*list));

			if (!grown)
				break;
			list = grown;
			cap = cap ? cap * 2 : 32;
		}
		list[n].name = strdup(de->d_name);
		if (!list[n].name)
			break;
		list[n++].mtime = st.st_mtim;
	}
	if (n > SECCOMP_CACHE_MAX) {
		qsort(list, n, sizeof(*list), older_first);
		for (size_t i = 0; i < n - SECCOMP_CACHE_MAX; i++)
			unlinkat(dirfd, list[i].name, 0);
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/* 0 once the entry is in place, -1 when not. */
static int store(int dirfd, const char *name, const uint8_t key[SECCOMP_CACHE_KEY_SIZE],
		 const struct seccomp_filter_prog *p)
{
	struct cache_header h;
	char tmp[96];
	struct iovec iov[2];
	size_t size = p->len * sizeof(*p->insns);
	ssize_t n;
	int fd;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	h.format = CACHE_FORMAT;
	h.n_insns = (uint32_t)p->len;
	memcpy(h.key, key, sizeof(h.key));
	insns_sum(p->insns, p->len, h.sum);
	snprintf(tmp, sizeof(tmp), ".tmp-%d-%.16s", (int)getpid(), name);
	/* A leftover of a crashed process that had our pid goes first. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	iov[0] = (struct iovec){ &h, sizeof(h) };
	iov[1] = (struct iovec){ p->insns, size };
	n = writev(fd, iov, 2);
	/* No fsync: a torn entry after a crash fails its checksum and is
	 * compiled again. */
	if (close(fd) < 0 || n != (ssize_t)(sizeof(h) + size) ||
	    renameat(dirfd, tmp, dirfd, name) < 0) {
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	seccomp_cache_evict(dirfd, false);
	return 0;
}

int seccomp_cache_compile(const char *dir, const struct spec_seccomp *s,
			  struct seccomp_filter_prog *out, char *name_out,
			  void (*warn)(void *arg, const struct berr *w), void *warn_arg,
			  struct berr *err)
{
	cleanup_close int dirfd = -1;
	uint8_t key[SECCOMP_CACHE_KEY_SIZE];
	struct seccomp_compiler c;
	char name[SECCOMP_CACHE_NAME_SIZE];
	int ret;

	if (name_out)
		name_out[0] = '\0';
	/* The checks and the flags, on every use. */
	ret = seccomp_filter_prepare(s, out, err);
	if (ret < 0)
		return ret;
	if (dir && *dir)
		dirfd = open_dir(dir, warn, warn_arg);
	if (dirfd >= 0) {
		seccomp_compiler_id(&c);
		seccomp_cache_key(s, &c, key);
		seccomp_cache_name(key, name);
		if (load(dirfd, name, key, out) == 0) {
			if (name_out)
				memcpy(name_out, name, sizeof(name));
			return 0;
		}
	}
	ret = seccomp_filter_build(s, out, err);
	if (ret < 0) {
		seccomp_filter_release(out);
		return ret;
	}
	if (dirfd >= 0 && store(dirfd, name, key, out) == 0 && name_out)
		memcpy(name_out, name, sizeof(name));
	return 0;
}

int seccomp_cache_open(const char *dir)
{
	struct stat st;
	int fd;

	if (!dir || !*dir)
		return -1;
	/* Not made when missing: a missing directory has no entry. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !seccomp_cache_trusted(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

int seccomp_cache_load_at(int dirfd, const char *name, struct seccomp_filter_prog *out)
{
	uint8_t key[SECCOMP_CACHE_KEY_SIZE];

	if (name_key(name, key) < 0)
		return -1;
	return load(dirfd, name, key, out);
}

int seccomp_cache_load(const char *dir, const char *name, struct seccomp_filter_prog *out)
{
	cleanup_close int dirfd = seccomp_cache_open(dir);

	if (dirfd < 0)
		return -1;
	return seccomp_cache_load_at(dirfd, name, out);
}
