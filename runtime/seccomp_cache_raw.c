#include "runtime/seccomp_cache_raw.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/seccomp_cache_parts.h"
#include "spec/base/cleanup.h"
#include "version.h"

#define RAW_MAGIC "berthraw"
#define RAW_FORMAT 1
/* As the programs' entries: a hit refreshes the mtime at most this often. */
#define RAW_TOUCH_SECONDS 60

struct raw_entry {
	char magic[8];
	uint32_t format;
	uint32_t flags; /* seccomp(2)'s, from seccomp_filter_prepare */
	uint8_t key[SECCOMP_CACHE_KEY_SIZE];
	char name[SECCOMP_CACHE_NAME_SIZE - 1]; /* the program's entry, no NUL */
	uint8_t sum[SHA256_DIGEST_SIZE];        /* of everything above */
};

void seccomp_raw_key(const char *text, size_t len, const struct seccomp_compiler *c,
		     uint8_t key[SECCOMP_CACHE_KEY_SIZE])
{
	static const char tag[] = "berth seccomp profile text";
	static const char parser[] = BERTH_VERSION " " BERTH_COMMIT;
	struct sha256_ctx h;

	sha256_init(&h);
	seccomp_cache_put_u64(&h, sizeof(tag) - 1);
	sha256_update(&h, sizeof(tag) - 1, (const uint8_t *)tag);
	seccomp_cache_put_u64(&h, RAW_FORMAT);
	seccomp_cache_put_compiler(&h, c);
	seccomp_cache_put_u64(&h, sizeof(parser) - 1);
	sha256_update(&h, sizeof(parser) - 1, (const uint8_t *)parser);
	seccomp_cache_put_u64(&h, len);
	sha256_update(&h, len, (const uint8_t *)text);
	sha256_digest(&h, SECCOMP_CACHE_KEY_SIZE, key);
}

static void entry_sum(const struct raw_entry *e, uint8_t sum[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, offsetof(struct raw_entry, sum), (const uint8_t *)e);
	sha256_digest(&h, SHA256_DIGEST_SIZE, sum);
}

static void file_name(const uint8_t key[SECCOMP_CACHE_KEY_SIZE], char *file, size_t size)
{
	char hex[SECCOMP_CACHE_NAME_SIZE];

	seccomp_cache_name(key, hex);
	snprintf(file, size, SECCOMP_RAW_PREFIX "%s", hex);
}

/* The entry for key into *e: 0, or -1 when it is missing, damaged, not
 * trusted or another key's. */
static int read_entry(int dirfd, const char *file, const uint8_t key[SECCOMP_CACHE_KEY_SIZE],
		      struct raw_entry *e)
{
	cleanup_close int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	uint8_t sum[SHA256_DIGEST_SIZE];
	struct timespec now;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !seccomp_cache_trusted(&st) ||
	    st.st_size != (off_t)sizeof(*e))
		return -1;
	if (pread(fd, e, sizeof(*e), 0) != (ssize_t)sizeof(*e))
		return -1;
	entry_sum(e, sum);
	if (memcmp(e->magic, RAW_MAGIC, sizeof(e->magic)) || e->format != RAW_FORMAT ||
	    memcmp(e->key, key, sizeof(e->key)) || memcmp(e->sum, sum, sizeof(sum)))
		return -1;
	if (clock_gettime(CLOCK_REALTIME, &now) == 0 &&
	    now.tv_sec - st.st_mtime > RAW_TOUCH_SECONDS)
		futimens(fd, NULL);
	return 0;
}

int seccomp_raw_load(const char *dir, const char *text, size_t len,
		     struct seccomp_filter_prog *out, char name[SECCOMP_CACHE_NAME_SIZE])
{
	cleanup_close int dirfd = seccomp_cache_open(dir);
	uint8_t key[SECCOMP_CACHE_KEY_SIZE];
	char file[sizeof(SECCOMP_RAW_PREFIX) + SECCOMP_CACHE_NAME_SIZE];
	struct seccomp_filter_prog p = { 0 };
	struct seccomp_compiler c;
	struct raw_entry e;
	struct berr ignored;

	if (dirfd < 0)
		return -1;
	seccomp_compiler_id(&c);
	seccomp_raw_key(text, len, &c, key);
	file_name(key, file, sizeof(file));
	if (read_entry(dirfd, file, key, &e) < 0)
		return -1;
	memcpy(name, e.name, sizeof(e.name));
	name[SECCOMP_CACHE_NAME_SIZE - 1] = '\0';
	/* The kernel may have changed since: a refusal goes the long way,
	 * to seccomp_filter_prepare's error. */
	if (seccomp_check_flags(e.flags, &ignored) < 0)
		return -1;
	if (seccomp_cache_load_at(dirfd, name, &p) < 0)
		return -1;
	p.flags = e.flags;
	p.notify = false;
	*out = p;
	return 0;
}

void seccomp_raw_store(const char *dir, const char *text, size_t len,
		       const struct seccomp_filter_prog *p, const char *name)
{
	cleanup_close int dirfd = -1;
	struct seccomp_compiler c;
	struct raw_entry e;
	char file[sizeof(SECCOMP_RAW_PREFIX) + SECCOMP_CACHE_NAME_SIZE];
	char tmp[96];
	ssize_t n;
	int fd;

	if (p->notify || strlen(name) != sizeof(e.name))
		return;
	dirfd = seccomp_cache_open(dir);
	if (dirfd < 0)
		return;
	memset(&e, 0, sizeof(e));
	memcpy(e.magic, RAW_MAGIC, sizeof(e.magic));
	e.format = RAW_FORMAT;
	e.flags = p->flags;
	seccomp_compiler_id(&c);
	seccomp_raw_key(text, len, &c, e.key);
	memcpy(e.name, name, sizeof(e.name));
	entry_sum(&e, e.sum);
	file_name(e.key, file, sizeof(file));
	snprintf(tmp, sizeof(tmp), ".tmp-%d-%.20s", (int)getpid(), file);
	/* A leftover of a crashed process that had our pid goes first. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	n = write(fd, &e, sizeof(e));
	/* No fsync, as for the programs: a torn entry fails its checksum. */
	if (close(fd) < 0 || n != (ssize_t)sizeof(e) || renameat(dirfd, tmp, dirfd, file) < 0) {
		unlinkat(dirfd, tmp, 0);
		return;
	}
	seccomp_cache_evict(dirfd, true);
}
