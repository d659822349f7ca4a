/* runtime/seccomp_cache: a hit gives the compiler's program, a damaged or
 * untrusted entry is compiled again, an untrusted directory is not used,
 * every field of the profile is in the key, and the directory stays
 * bounded. */
#include "tests/unit/seccomp_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/seccomp.h"
#include "runtime/seccomp_cache.h"
#include "spec/config.h"

#define PROFILE                                                                      \
	"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"                     \
	"'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':["          \
	"{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},"         \
	"{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["                       \
	"{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}"

struct fixture {
	char dir[64];   /* the test's own directory */
	char cache[128]; /* the cache inside it (made by the cache) */
	int warnings;
	char last_warning[1024];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/berth-unit-cache.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cache, sizeof(f->cache), "%s/a/seccomp", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static void on_warn(void *arg, const struct berr *w)
{
	struct fixture *f = arg;

	f->warnings++;
	memcpy(f->last_warning, w->msg, sizeof(f->last_warning));
}

static void key_of(const char *seccomp, const struct seccomp_compiler *c,
		   uint8_t key[SECCOMP_CACHE_KEY_SIZE])
{
	struct spec_config *cfg = profile(seccomp);

	seccomp_cache_key(&cfg->linux.seccomp, c, key);
	spec_config_free(cfg);
}

/* Through the cache, checked against the compiler's own program. */
static void cached_ok(struct fixture *f, const char *seccomp)
{
	struct spec_config *cfg = profile(seccomp);
	struct seccomp_filter_prog direct, cached;
	struct berr err = { 0 };

	if (seccomp_filter_compile(&cfg->linux.seccomp, &direct, &err) < 0)
		fail_msg("compile: %s", err.msg);
	if (seccomp_cache_compile(f->cache, &cfg->linux.seccomp, &cached, NULL, on_warn, f, &err) < 0)
		fail_msg("cached compile: %s", err.msg);
	assert_int_equal(cached.len, direct.len);
	assert_memory_equal(cached.insns, direct.insns, direct.len * sizeof(*direct.insns));
	assert_int_equal(cached.flags, direct.flags);
	assert_int_equal(cached.notify, direct.notify);
	seccomp_filter_release(&direct);
	seccomp_filter_release(&cached);
	spec_config_free(cfg);
}

/* The one entry of the cache directory: its path and stat. */
static int entry(struct fixture *f, char path[512], size_t size, struct stat *st)
{
	DIR *d = opendir(f->cache);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, size, "%s/%s", f->cache, de->d_name);
		n++;
	}
	closedir(d);
	if (n == 1)
		assert_int_equal(stat(path, st), 0);
	return n;
}

static void test_miss_then_hit(void **state)
{
	struct fixture *f = *state;
	struct stat st, dir_st, again;
	char path[512];

	cached_ok(f, PROFILE);
	/* The directory and its parent are made root-only; the entry too. */
	assert_int_equal(stat(f->cache, &dir_st), 0);
	assert_int_equal(dir_st.st_mode & 07777, 0700);
	assert_int_equal(entry(f, path, sizeof(path), &st), 1);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal((st.st_size - 80) % 8, 0);
	/* A hit reads the entry and writes nothing (a miss renames a new
	 * file into place: another inode). */
	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &again), 1);
	assert_int_equal(again.st_ino, st.st_ino);
	assert_int_equal(f->warnings, 0);
}

/* Flip one byte at offset in the entry (negative: from its end), or cut
 * it there; the next use must compile again (a new inode) and still give
 * the compiler's program. */
static void damage_and_check(struct fixture *f, off_t offset, bool truncate_it)
{
	struct stat st, again;
	char path[512];
	unsigned char c;
	int fd;

	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &st), 1);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	if (offset < 0)
		offset += st.st_size;
	if (truncate_it) {
		assert_int_equal(ftruncate(fd, offset), 0);
	} else {
		assert_int_equal(pread(fd, &c, 1, offset), 1);
		c ^= 0x40;
		assert_int_equal(pwrite(fd, &c, 1, offset), 1);
	}
	close(fd);
	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &again), 1);
	assert_int_not_equal(again.st_ino, st.st_ino);
	assert_int_equal(again.st_size, st.st_size);
}

static void test_damaged_instruction(void **state)
{
	/* The last instruction's k: only the checksum can tell. */
	damage_and_check(*state, -1, false);
}

static void test_damaged_header(void **state)
{
	struct fixture *f = *state;

	damage_and_check(f, 0, false);  /* magic */
	damage_and_check(f, 20, false); /* key */
	damage_and_check(f, 50, false); /* checksum */
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;

	damage_and_check(f, 80 + 8 * 3, true);
	damage_and_check(f, 81, true);
	damage_and_check(f, 10, true);
}

/* An entry someone else could have written is never read. */
static void test_writable_entry_ignored(void **state)
{
	struct fixture *f = *state;
	struct stat st, again;
	char path[512];

	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &st), 1);
	assert_int_equal(chmod(path, 0620), 0);
	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &again), 1);
	assert_int_not_equal(again.st_ino, st.st_ino);
	assert_int_equal(again.st_mode & 07777, 0600);
}

static void test_untrusted_dir(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char path[512];

	cached_ok(f, PROFILE);
	assert_int_equal(entry(f, path, sizeof(path), &st), 1);
	assert_int_equal(unlink(path), 0);
	/* Group-writable: not used, not written, and said so. */
	assert_int_equal(chmod(f->cache, 0770), 0);
	cached_ok(f, PROFILE);
	assert_int_equal(f->warnings, 1);
	assert_non_null(strstr(f->last_warning, "not used"));
	assert_non_null(strstr(f->last_warning, "0770"));
	assert_int_equal(entry(f, path, sizeof(path), &st), 0);
	/* Another owner. */
	if (geteuid() == 0) {
		assert_int_equal(chmod(f->cache, 0700), 0);
		assert_int_equal(chown(f->cache, 65534, 65534), 0);
		cached_ok(f, PROFILE);
		assert_int_equal(f->warnings, 2);
		assert_non_null(strstr(f->last_warning, "uid 65534"));
		assert_int_equal(entry(f, path, sizeof(path), &st), 0);
	}
}

/* A symlink in place of the directory is not followed. */
static void test_symlinked_dir(void **state)
{
	struct fixture *f = *state;
	char real[512];
	struct stat st;

	snprintf(real, sizeof(real), "%s/real", f->dir);
	assert_int_equal(mkdir(real, 0700), 0);
	snprintf(f->cache, sizeof(f->cache), "%s/link", f->dir);
	assert_int_equal(symlink(real, f->cache), 0);
	cached_ok(f, PROFILE);
	memcpy(f->cache, real, sizeof(f->cache));
	assert_int_equal(entry(f, real, sizeof(real), &st), 0);
}

/* No directory ("" or NULL): the compiler every time. */
static void test_no_cache(void **state)
{
	struct fixture *f = *state;
	struct spec_config *cfg = profile(PROFILE);
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };

	assert_int_equal(seccomp_cache_compile("", &cfg->linux.seccomp, &prog, NULL, on_warn, f, &err), 0);
	assert_true(prog.len > 0);
	seccomp_filter_release(&prog);
	assert_int_equal(seccomp_cache_compile(NULL, &cfg->linux.seccomp, &prog, NULL, on_warn, f, &err),
			 0);
	assert_true(prog.len > 0);
	seccomp_filter_release(&prog);
	spec_config_free(cfg);
	assert_int_equal(access(f->cache, F_OK), -1);
}

/* The profile's errors come first, cached or not, and nothing is kept. */
static void test_refused_profile(void **state)
{
	struct fixture *f = *state;
	struct spec_config *cfg = profile("{'defaultAction':'SCMP_ACT_NOTIFY'}");
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };
	struct stat st;
	char path[512];

	assert_true(seccomp_cache_compile(f->cache, &cfg->linux.seccomp, &prog, NULL, on_warn, f,
					  &err) < 0);
	assert_non_null(strstr(err.msg, "SCMP_ACT_NOTIFY cannot be the default"));
	assert_null(prog.insns);
	spec_config_free(cfg);
	if (access(f->cache, F_OK) == 0)
		assert_int_equal(entry(f, path, sizeof(path), &st), 0);
}

/* Flags and notify come from the profile on a hit too. */
static void test_hit_keeps_flags(void **state)
{
	struct fixture *f = *state;
	const char *p = "{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG'],"
			"'listenerPath':'/run/agent.sock','syscalls':["
			"{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}";

	cached_ok(f, p);
	cached_ok(f, p);
}

static void test_key_covers_every_field(void **state)
{
	static const char *const variants[] = {
		PROFILE,
		/* default action, errno */
		"{'defaultAction':'SCMP_ACT_KILL','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':2,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* architectures: fewer, other order */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86','SCMP_ARCH_X86_64'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* flags */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'flags':['SECCOMP_FILTER_FLAG_LOG'],'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* names: one moved across the boundary of two, one more */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['readwrite','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},{'names':['exit_group','kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group','close'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* action, errnoRet of a rule */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_LOG'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ERRNO','errnoRet':5},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ERRNO','errnoRet':6},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* args: index, value, valueTwo, op, one more */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':2,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':9,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'valueTwo':1,'op':'SCMP_CMP_EQ'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_NE'}]}]}",
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'},{'index':2,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
		/* rules: split in two */
		"{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'},{'names':['write','exit_group'],'action':'SCMP_ACT_ALLOW'},{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	};
	enum { N = sizeof(variants) / sizeof(*variants) };
	uint8_t keys[N][SECCOMP_CACHE_KEY_SIZE], again[SECCOMP_CACHE_KEY_SIZE];
	struct seccomp_compiler c, other;

	(void)state;
	seccomp_compiler_id(&c);
	for (size_t i = 0; i < N; i++)
		key_of(variants[i], &c, keys[i]);
	for (size_t i = 0; i < N; i++)
		for (size_t j = i + 1; j < N; j++)
			if (memcmp(keys[i], keys[j], sizeof(keys[i])) == 0)
				fail_msg("variants %zu and %zu have the same key", i, j);
	/* The same profile parsed again: the same key. */
	key_of(PROFILE, &c, again);
	assert_memory_equal(again, keys[0], sizeof(again));
	/* Listener fields are not in the program, nor in the key. */
	key_of("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'listenerPath':'/a',"
	       "'listenerMetadata':'m','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
	       "'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},"
	       "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,"
	       "'op':'SCMP_CMP_EQ'}]}]}",
	       &c, again);
	assert_memory_equal(again, keys[0], sizeof(again));
	/* Whatever else makes the program: library, API level, arch, berth. */
	for (int field = 0; field < 6; field++) {
		other = c;
		switch (field) {
		case 0: other.major++; break;
		case 1: other.minor++; break;
		case 2: other.micro++; break;
		case 3: other.api++; break;
		case 4: other.native_arch++; break;
		case 5: other.berth++; break;
		}
		key_of(PROFILE, &other, again);
		assert_memory_not_equal(again, keys[0], sizeof(again));
	}
}

/* The directory keeps the SECCOMP_CACHE_MAX most recently used. */
static void test_bounded(void **state)
{
	struct fixture *f = *state;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0, olds = 0;

	cached_ok(f, PROFILE);
	for (int i = 0; i < SECCOMP_CACHE_MAX + 5; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/old-%02d", f->cache, i);
		fd = open(path, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		old[0].tv_sec = old[1].tv_sec = 1000 + i;
		assert_int_equal(futimens(fd, old), 0);
		close(fd);
	}
	/* A new profile is a miss: stored, and the oldest go. */
	cached_ok(f, "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		     "{'names':['mkdir'],'action':'SCMP_ACT_ERRNO'}]}");
	d = opendir(f->cache);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		if (strncmp(de->d_name, "old-", 4) == 0)
			olds++;
		/* The seven oldest went. */
		if (strncmp(de->d_name, "old-0", 5) == 0)
			assert_true(de->d_name[5] > '6');
	}
	closedir(d);
	assert_int_equal(n, SECCOMP_CACHE_MAX);
	assert_int_equal(olds, SECCOMP_CACHE_MAX - 2);
}

/* The entry's name from a compile loads the same program without the
 * profile (exec's way); a name that is not an entry's, a gone or damaged
 * entry, or an untrusted directory is a miss. */
static void test_load_by_name(void **state)
{
	struct fixture *f = *state;
	struct spec_config *cfg = profile(PROFILE);
	struct seccomp_filter_prog compiled, loaded = { 0 };
	char name[SECCOMP_CACHE_NAME_SIZE] = "unset", path[512], upper[SECCOMP_CACHE_NAME_SIZE];
	struct berr err = { 0 };
	struct stat st;

	/* No cache, no name. */
	assert_int_equal(seccomp_cache_compile("", &cfg->linux.seccomp, &compiled, name, on_warn,
					       f, &err), 0);
	assert_string_equal(name, "");
	seccomp_filter_release(&compiled);
	/* A miss stores the entry and names it; a hit names it too. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(seccomp_cache_compile(f->cache, &cfg->linux.seccomp, &compiled,
						       name, on_warn, f, &err), 0);
		assert_int_equal(entry(f, path, sizeof(path), &st), 1);
		assert_string_equal(strrchr(path, '/') + 1, name);
		assert_int_equal(seccomp_cache_load(f->cache, name, &loaded), 0);
		assert_int_equal(loaded.len, compiled.len);
		assert_memory_equal(loaded.insns, compiled.insns, compiled.len * sizeof(*compiled.insns));
		seccomp_filter_release(&loaded);
		seccomp_filter_release(&compiled);
	}
	assert_int_equal(strlen(name), 64);
	/* Names that are not an entry's. */
	assert_int_equal(seccomp_cache_load(f->cache, "", &loaded), -1);
	assert_int_equal(seccomp_cache_load(f->cache, "../seccomp", &loaded), -1);
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'f' ? name[i] - 32 : name[i]);
	if (strcmp(upper, name) != 0)
		assert_int_equal(seccomp_cache_load(f->cache, upper, &loaded), -1);
	assert_int_equal(seccomp_cache_load("", name, &loaded), -1);
	assert_null(loaded.insns);
	/* A damaged entry (its last byte) fails its checksum. */
	{
		int fd = open(path, O_WRONLY);
		char b = 0x7f;

		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, &b, 1, st.st_size - 1), 1);
		close(fd);
	}
	assert_int_equal(seccomp_cache_load(f->cache, name, &loaded), -1);
	/* A gone one. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(seccomp_cache_load(f->cache, name, &loaded), -1);
	/* An untrusted directory. */
	assert_int_equal(seccomp_cache_compile(f->cache, &cfg->linux.seccomp, &compiled, name,
					       on_warn, f, &err), 0);
	seccomp_filter_release(&compiled);
	assert_int_equal(seccomp_cache_load(f->cache, name, &loaded), 0);
	seccomp_filter_release(&loaded);
	assert_int_equal(chmod(f->cache, 0777), 0);
	assert_int_equal(seccomp_cache_load(f->cache, name, &loaded), -1);
	assert_null(loaded.insns);
	spec_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_miss_then_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_instruction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_entry_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hit_keeps_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_by_name, setup, teardown),
		cmocka_unit_test(test_key_covers_every_field),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
