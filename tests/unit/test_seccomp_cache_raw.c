/* runtime/seccomp_cache_raw: the index from a profile's text to its cached
 * program.  A hit gives the program and flags a compile gives; a miss,
 * different bytes (one of them), another compiler, a damaged, untrusted
 * or dangling entry, a listener, all give -1; entries are bounded. */
#include "tests/unit/seccomp_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/seccomp.h"
#include "runtime/seccomp_cache.h"
#include "runtime/seccomp_cache_raw.h"
#include "spec/config.h"

#define PROFILE                                                                      \
	"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"                     \
	"'flags':['SECCOMP_FILTER_FLAG_SPEC_ALLOW'],"                                \
	"'architectures':['SCMP_ARCH_X86_64'],'syscalls':["                          \
	"{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'}]}"

struct fixture {
	char dir[64];
	char cache[128];
	char *text; /* PROFILE in double quotes: the bytes the index keys */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/berth-unit-raw.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cache, sizeof(f->cache), "%s/seccomp", f->dir);
	f->text = squote_json(PROFILE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unit_rmtree(f->dir);
	free(f->text);
	free(f);
	return 0;
}

/* What create does on a miss: compile through the cache, then index the
 * program by the text.  The program, its entry's name in name. */
static void compile_and_index(struct fixture *f, const char *text,
			      struct seccomp_filter_prog *out, char name[SECCOMP_CACHE_NAME_SIZE])
{
	char *sq = strdup(text);
	struct spec_config *cfg;
	struct berr err = { 0 };

	/* profile() takes single quotes. */
	for (char *p = sq; *p; p++)
		if (*p == '"')
			*p = '\'';
	cfg = profile(sq);
	if (seccomp_cache_compile(f->cache, &cfg->linux.seccomp, out, name, NULL, NULL, &err) < 0)
		fail_msg("compile: %s", err.msg);
	seccomp_raw_store(f->cache, text, strlen(text), out, name);
	spec_config_free(cfg);
	free(sq);
}

/* The index's one entry (path and stat); how many there are. */
static int raw_entry(struct fixture *f, char path[512], struct stat *st)
{
	DIR *d = opendir(f->cache);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "raw-", 4) != 0)
			continue;
		snprintf(path, 512, "%s/%s", f->cache, de->d_name);
		n++;
	}
	closedir(d);
	if (n == 1)
		assert_int_equal(stat(path, st), 0);
	return n;
}

static int lookup(struct fixture *f, const char *text, struct seccomp_filter_prog *out,
		  char name[SECCOMP_CACHE_NAME_SIZE])
{
	memset(out, 0, sizeof(*out));
	return seccomp_raw_load(f->cache, text, strlen(text), out, name);
}

static void test_miss_then_hit(void **state)
{
	struct fixture *f = *state;
	struct seccomp_filter_prog compiled, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], got[SECCOMP_CACHE_NAME_SIZE], path[512];
	struct stat st, again;

	/* No directory, then an empty one: misses, and nothing is made. */
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_int_equal(access(f->cache, F_OK), -1);
	compile_and_index(f, f->text, &compiled, name);
	assert_int_equal(raw_entry(f, path, &st), 1);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	/* A hit: the compile's program, flags and entry, and nothing written. */
	assert_int_equal(lookup(f, f->text, &hit, got), 0);
	assert_string_equal(got, name);
	assert_int_equal(hit.len, compiled.len);
	assert_memory_equal(hit.insns, compiled.insns, compiled.len * sizeof(*compiled.insns));
	assert_int_equal(hit.flags, compiled.flags);
	assert_true(hit.flags != 0); /* SPEC_ALLOW */
	assert_false(hit.notify);
	assert_int_equal(raw_entry(f, path, &again), 1);
	assert_int_equal(again.st_ino, st.st_ino);
	seccomp_filter_release(&hit);
	seccomp_filter_release(&compiled);
	/* No cache: a miss. */
	assert_int_equal(seccomp_raw_load("", f->text, strlen(f->text), &hit, got), -1);
}

/* One byte more, less or other is another key, and a miss; the same
 * profile spelt otherwise gets its own entry for the same program. */
static void test_other_bytes(void **state)
{
	struct fixture *f = *state;
	struct seccomp_filter_prog compiled, other, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], name2[SECCOMP_CACHE_NAME_SIZE],
		got[SECCOMP_CACHE_NAME_SIZE];
	size_t len = strlen(f->text);
	char *spaced = NULL;
	uint8_t key[SECCOMP_CACHE_KEY_SIZE], k2[SECCOMP_CACHE_KEY_SIZE];
	struct seccomp_compiler c;

	compile_and_index(f, f->text, &compiled, name);
	seccomp_compiler_id(&c);
	seccomp_raw_key(f->text, len, &c, key);
	for (size_t i = 0; i < len; i++) {
		char *t = strdup(f->text);

		t[i] ^= 1;
		seccomp_raw_key(t, len, &c, k2);
		assert_memory_not_equal(key, k2, sizeof(key));
		assert_int_equal(lookup(f, t, &hit, got), -1);
		free(t);
	}
	seccomp_raw_key(f->text, len - 1, &c, k2);
	assert_memory_not_equal(key, k2, sizeof(key));
	/* Whatever else makes the program is in the key too. */
	for (int field = 0; field < 6; field++) {
		struct seccomp_compiler o = c;

		switch (field) {
		case 0: o.major++; break;
		case 1: o.minor++; break;
		case 2: o.micro++; break;
		case 3: o.api++; break;
		case 4: o.native_arch++; break;
		case 5: o.berth++; break;
		}
		seccomp_raw_key(f->text, len, &o, k2);
		assert_memory_not_equal(key, k2, sizeof(key));
	}
	assert_true(asprintf(&spaced, " %s", f->text) > 0);
	assert_int_equal(lookup(f, spaced, &hit, got), -1);
	compile_and_index(f, spaced, &other, name2);
	assert_string_equal(name2, name);
	assert_int_equal(lookup(f, spaced, &hit, got), 0);
	assert_string_equal(got, name);
	seccomp_filter_release(&hit);
	seccomp_filter_release(&other);
	seccomp_filter_release(&compiled);
	free(spaced);
}

/* Flip a byte of the index entry at offset, or cut it there: a miss. */
static void damaged(struct fixture *f, off_t offset, bool cut)
{
	struct seccomp_filter_prog compiled, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], got[SECCOMP_CACHE_NAME_SIZE], path[512];
	struct stat st;
	unsigned char c;
	int fd;

	compile_and_index(f, f->text, &compiled, name);
	assert_int_equal(raw_entry(f, path, &st), 1);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	if (cut) {
		assert_int_equal(ftruncate(fd, offset), 0);
	} else {
		assert_int_equal(pread(fd, &c, 1, offset), 1);
		c ^= 0x01;
		assert_int_equal(pwrite(fd, &c, 1, offset), 1);
	}
	close(fd);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_null(hit.insns);
	seccomp_filter_release(&compiled);
}

static void test_damaged(void **state)
{
	struct fixture *f = *state;

	damaged(f, 0, false);   /* magic */
	damaged(f, 8, false);   /* format */
	damaged(f, 12, false);  /* flags */
	damaged(f, 20, false);  /* key */
	damaged(f, 60, false);  /* the program's name */
	damaged(f, 143, false); /* checksum */
	damaged(f, 100, true);
	damaged(f, 0, true);
}

/* An entry someone else could have written, or that belongs to another,
 * an untrusted directory, a symlink: not read. */
static void test_untrusted(void **state)
{
	struct fixture *f = *state;
	struct seccomp_filter_prog compiled, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], got[SECCOMP_CACHE_NAME_SIZE], path[512],
		moved[600];
	struct stat st;

	compile_and_index(f, f->text, &compiled, name);
	assert_int_equal(raw_entry(f, path, &st), 1);
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), 0);
	seccomp_filter_release(&hit);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(lookup(f, f->text, &hit, got), -1);
		assert_int_equal(chown(path, 0, 0), 0);
	}
	/* A symlink to the entry is not followed. */
	snprintf(moved, sizeof(moved), "%s/elsewhere", f->dir);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(symlink(moved, path), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(moved, path), 0);
	assert_int_equal(chmod(f->cache, 0770), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_int_equal(chmod(f->cache, 0700), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), 0);
	seccomp_filter_release(&hit);
	seccomp_filter_release(&compiled);
}

/* An entry whose program is gone or damaged is a miss (create then
 * compiles, and both are written again). */
static void test_dangling(void **state)
{
	struct fixture *f = *state;
	struct seccomp_filter_prog compiled, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], got[SECCOMP_CACHE_NAME_SIZE], prog[512];

	compile_and_index(f, f->text, &compiled, name);
	snprintf(prog, sizeof(prog), "%s/%s", f->cache, name);
	assert_int_equal(truncate(prog, 90), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	assert_int_equal(unlink(prog), 0);
	assert_int_equal(lookup(f, f->text, &hit, got), -1);
	seccomp_filter_release(&compiled);
	compile_and_index(f, f->text, &compiled, name);
	assert_int_equal(lookup(f, f->text, &hit, got), 0);
	seccomp_filter_release(&hit);
	seccomp_filter_release(&compiled);
}

/* A program with a listener, or none in the cache: no entry. */
static void test_not_indexed(void **state)
{
	struct fixture *f = *state;
	const char *notify = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a\","
			     "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}";
	struct seccomp_filter_prog compiled, hit;
	char name[SECCOMP_CACHE_NAME_SIZE], got[SECCOMP_CACHE_NAME_SIZE], path[512];
	struct stat st;

	compile_and_index(f, notify, &compiled, name);
	assert_true(compiled.notify);
	assert_int_equal(raw_entry(f, path, &st), 0);
	assert_int_equal(lookup(f, notify, &hit, got), -1);
	seccomp_filter_release(&compiled);
	/* Not an entry's name. */
	compiled = (struct seccomp_filter_prog){ 0 };
	seccomp_raw_store(f->cache, f->text, strlen(f->text), &compiled, "");
	seccomp_raw_store(f->cache, f->text, strlen(f->text), &compiled, "abc");
	assert_int_equal(raw_entry(f, path, &st), 0);
}

/* The index keeps SECCOMP_CACHE_MAX entries, apart from the programs. */
static void test_bounded(void **state)
{
	struct fixture *f = *state;
	struct seccomp_filter_prog compiled;
	char name[SECCOMP_CACHE_NAME_SIZE], path[512];
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	int raws = 0, programs = 0;
	struct dirent *de;
	DIR *d;

	compile_and_index(f, f->text, &compiled, name);
	seccomp_filter_release(&compiled);
	for (int i = 0; i < SECCOMP_CACHE_MAX + 3; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/raw-old-%02d", f->cache, i);
		fd = open(path, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		old[0].tv_sec = old[1].tv_sec = 1000 + i;
		assert_int_equal(futimens(fd, old), 0);
		close(fd);
	}
	/* A new text: stored, and the oldest raw entries go, no program. */
	{
		char *t = NULL;

		assert_true(asprintf(&t, "%s ", f->text) > 0);
		compile_and_index(f, t, &compiled, name);
		seccomp_filter_release(&compiled);
		free(t);
	}
	d = opendir(f->cache);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strncmp(de->d_name, "raw-", 4) == 0)
			raws++;
		else
			programs++;
		if (strncmp(de->d_name, "raw-old-0", 9) == 0)
			assert_true(de->d_name[9] > '4');
	}
	closedir(d);
	assert_int_equal(raws, SECCOMP_CACHE_MAX);
	assert_int_equal(programs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_miss_then_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_indexed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
