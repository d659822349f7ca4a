/* berthd's own formats: record files (JSON, and the old key=value form
 * migrated on start), exit files, the CRI log format, image
 * references, and the image documents it reads from archives. */
#include "tests/unit/helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/exit.h"
#include "runtime/engine/internal.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "spec/base/record_legacy.h"
#include "spec/base/strv.h"
#include "spec/image.h"
#include "spec/record.h"

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) > 0);
	fclose(f);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_record_round_trip(void **state)
{
	char dir[] = "/tmp/berth-unit-rec.XXXXXX", path[64];
	char *list[] = { "a", "line\nbreak", "back\\slash", "", "quote\"d", NULL };
	struct record_writer w;
	struct record r;
	struct berr err = { 0 };
	struct stat st;
	char **got, *text;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rec", dir);
	assert_int_equal(record_begin(&w, &err), 0);
	record_put(&w, "name", "x=y\nz");
	record_put_int(&w, "num", -42);
	record_put_int(&w, "big", 9007199254740993LL);
	record_put_bool(&w, "yes", true);
	record_put_bool(&w, "no", false);
	record_put_list(&w, "items", list, 5);
	record_put_list(&w, "none", list, 0);
	record_put_list(&w, "unset", NULL, 0);
	record_put(&w, "absent", NULL);
	assert_int_equal(record_commit(&w, path, &err), 0);
	assert_null(w.jw);

	/* The file is JSON, one object, private to root. */
	text = read_all(path);
	assert_int_equal(text[0], '{');
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_non_null(strstr(text, "\"name\": \"x=y\\nz\""));
	assert_non_null(strstr(text, "\"yes\": true"));
	assert_null(strstr(text, "absent"));
	assert_null(strstr(text, "unset"));
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(record_load(path, &r, &err), 0);
	assert_string_equal(record_str(&r, "name"), "x=y\nz");
	assert_int_equal(record_ll(&r, "num", 0), -42);
	assert_true(record_ll(&r, "big", 0) == 9007199254740993LL);
	assert_true(record_bool(&r, "yes"));
	assert_false(record_bool(&r, "no"));
	assert_true(record_has(&r, "no"));
	/* Another type reads as absent. */
	assert_int_equal(record_ll(&r, "name", 7), 7);
	assert_null(record_str(&r, "num"));
	assert_false(record_bool(&r, "num"));
	assert_null(record_str(&r, "absent"));
	assert_false(record_has(&r, "absent"));
	assert_int_equal(record_strv(&r, "items", &got, &n), 1);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(got[i], list[i]);
	assert_null(got[5]);
	strv_free(got);
	/* An empty list is not a list that was not given. */
	assert_int_equal(record_strv(&r, "none", &got, &n), 1);
	assert_int_equal(n, 0);
	assert_non_null(got);
	assert_null(got[0]);
	strv_free(got);
	assert_int_equal(record_strv(&r, "unset", &got, &n), 0);
	assert_null(got);
	record_free(&r);

	unlink(path);
	assert_int_equal(record_load(path, &r, &err), -ENOENT);
	/* An old record is not JSON: the error names the file. */
	write_text(path, "id=x\nname=y\n");
	assert_int_equal(record_load(path, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "invalid JSON"));
	write_text(path, "[1]");
	assert_int_equal(record_load(path, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "a record is a JSON object"));
	unlink(path);
	rmdir(dir);
}

/* As berthd's earlier versions wrote them: escapes, repeated keys. */
static void test_record_legacy(void **state)
{
	const char *text = "name=x=y\nitem=a\nitem=line\\nbreak\nitem=back\\\\slash\n"
			   "item=\nnum=-42\nbad=12x\nflag=1\noff=0\nnot a record line\n";
	struct record_legacy kv;
	struct berr err = { 0 };
	char **got;
	size_t n;

	(void)state;
	assert_true(record_legacy_is(text, strlen(text)));
	assert_false(record_legacy_is("{}", 2));
	assert_false(record_legacy_is("\n  {\"a\":1}", 10));
	assert_false(record_legacy_is("", 0));
	assert_false(record_legacy_is(" \n", 2));

	assert_int_equal(record_legacy_parse(text, strlen(text), &kv, &err), 0);
	assert_string_equal(record_legacy_get(&kv, "name"), "x=y");
	assert_int_equal(record_legacy_ll(&kv, "num", 0), -42);
	assert_int_equal(record_legacy_ll(&kv, "bad", 7), 7);
	assert_int_equal(record_legacy_ll(&kv, "missing", 7), 7);
	assert_true(record_legacy_bool(&kv, "flag"));
	assert_false(record_legacy_bool(&kv, "off"));
	assert_false(record_legacy_bool(&kv, "missing"));
	got = record_legacy_list(&kv, "item", &n);
	assert_int_equal(n, 4);
	assert_string_equal(got[0], "a");
	assert_string_equal(got[1], "line\nbreak");
	assert_string_equal(got[2], "back\\slash");
	assert_string_equal(got[3], "");
	assert_null(got[4]);
	strv_free(got);
	record_legacy_free(&kv);
}

static void test_exit_file(void **state)
{
	char dir[] = "/tmp/berth-unit-exit.XXXXXX", path[64];
	struct daemon_exit x = { .code = 137, .signal = 9, .finished = "2026-01-02T03:04:05Z",
				 .oom_kills = 2 };
	struct daemon_exit got;
	struct berr err = { 0 };
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/exit", dir);
	assert_int_equal(daemon_exit_read(path, &got, &err), -ENOENT);
	assert_int_equal(daemon_exit_write(path, &x, &err), 0);
	text = read_all(path);
	assert_int_equal(text[0], '{');
	free(text);
	assert_int_equal(daemon_exit_read(path, &got, &err), 0);
	assert_int_equal(got.code, 137);
	assert_int_equal(got.signal, 9);
	assert_string_equal(got.finished, "2026-01-02T03:04:05Z");
	assert_int_equal(got.oom_kills, 2);

	/* A shim of the previous berthd, still running, writes the old form. */
	write_text(path, "code=143\nfinished=2026-01-02T03:04:06Z\noom_kill=0\nsignal=15\n");
	assert_int_equal(daemon_exit_read(path, &got, &err), 0);
	assert_int_equal(got.code, 143);
	assert_int_equal(got.signal, 15);
	assert_string_equal(got.finished, "2026-01-02T03:04:06Z");
	assert_int_equal(got.oom_kills, 0);
	write_text(path, "code=3\n");
	assert_int_equal(daemon_exit_read(path, &got, &err), 0);
	assert_int_equal(got.code, 3);
	assert_string_equal(got.finished, "");

	write_text(path, "{\"finished\": \"x\"}\n");
	assert_int_equal(daemon_exit_read(path, &got, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no exit code"));
	assert_int_equal(got.code, 255);
	unlink(path);
	rmdir(dir);
}

#define OLD_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A container's config and state in the old form, rewritten as JSON with
 * every field kept; a second pass changes nothing. */
static void test_migrate_container(void **state)
{
	char root[] = "/tmp/berth-unit-mig.XXXXXX", path[256];
	struct daemon d = { 0 };
	struct berr err = { 0 };
	struct record r;
	struct stat st1, st2;
	char **v, *text;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(root));
	d.o.data_root = root;
	snprintf(path, sizeof(path), "%s/containers", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/containers/" OLD_ID, root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/containers/" OLD_ID "/config", root);
	write_text(path, "id=" OLD_ID "\nname=web\ncreated=2026-01-02T03:04:05.000000006Z\n"
			 "image=busybox:latest\nimage_id=sha256:" OLD_ID "\nhostname=h\n"
			 "workdir=/srv\ncmd_set=1\ncmd=sh\ncmd=-c\ncmd=echo a\\nb \\\\\n"
			 "entrypoint_set=0\nenv=A=1\nenv=B=two=2\nlabel=k=v\ntty=1\nopen_stdin=0\n"
			 "stdin_once=0\nattach_stdin=0\nattach_stdout=1\nattach_stderr=1\n"
			 "stop_timeout=-1\nbind=/a:/b:ro\ncap_drop=NET_RAW\nmemory=67108864\n"
			 "memory_swap=0\nnano_cpus=0\ncpu_shares=0\npids_limit=50\ncpu_quota=0\n"
			 "cpu_period=0\nreadonly_rootfs=1\nprivileged=0\nauto_remove=0\n"
			 "restart_name=on-failure\nrestart_max=3\nnetwork_mode=none\n");
	snprintf(path, sizeof(path), "%s/containers/" OLD_ID "/state", root);
	write_text(path, "status=exited\npid=0\nexit_code=3\noom_killed=0\n"
			 "started_at=2026-01-02T03:04:06Z\nfinished_at=2026-01-02T03:04:07Z\n"
			 "restart_count=2\nmanual_stop=1\nhas_run=1\nshim_pid=0\nshim_start=0\n");

	assert_int_equal(daemon_migrate_container(&d, OLD_ID, &err), 0);

	snprintf(path, sizeof(path), "%s/containers/" OLD_ID "/config", root);
	text = read_all(path);
	assert_int_equal(text[0], '{');
	free(text);
	assert_int_equal(record_load(path, &r, &err), 0);
	assert_string_equal(record_str(&r, "id"), OLD_ID);
	assert_string_equal(record_str(&r, "name"), "web");
	assert_string_equal(record_str(&r, "created"), "2026-01-02T03:04:05.000000006Z");
	assert_string_equal(record_str(&r, "image"), "busybox:latest");
	assert_string_equal(record_str(&r, "workdir"), "/srv");
	assert_int_equal(record_strv(&r, "cmd", &v, &n), 1);
	assert_int_equal(n, 3);
	assert_string_equal(v[2], "echo a\nb \\");
	strv_free(v);
	assert_int_equal(record_strv(&r, "entrypoint", &v, &n), 0);
	assert_int_equal(record_strv(&r, "env", &v, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "B=two=2");
	strv_free(v);
	assert_int_equal(record_strv(&r, "labels", &v, &n), 1);
	assert_string_equal(v[0], "k=v");
	strv_free(v);
	assert_int_equal(record_strv(&r, "binds", &v, &n), 1);
	assert_string_equal(v[0], "/a:/b:ro");
	strv_free(v);
	assert_int_equal(record_strv(&r, "cap_add", &v, &n), 1);
	assert_int_equal(n, 0);
	strv_free(v);
	assert_true(record_bool(&r, "tty"));
	assert_false(record_bool(&r, "open_stdin"));
	assert_true(record_bool(&r, "readonly_rootfs"));
	assert_int_equal(record_ll(&r, "memory", 0), 67108864);
	assert_int_equal(record_ll(&r, "pids_limit", 0), 50);
	assert_int_equal(record_ll(&r, "stop_timeout", 0), -1);
	assert_string_equal(record_str(&r, "restart_name"), "on-failure");
	assert_int_equal(record_ll(&r, "restart_max", 0), 3);
	assert_string_equal(record_str(&r, "network_mode"), "none");
	assert_null(record_str(&r, "user"));
	record_free(&r);

	snprintf(path, sizeof(path), "%s/containers/" OLD_ID "/state", root);
	assert_int_equal(record_load(path, &r, &err), 0);
	assert_string_equal(record_str(&r, "status"), "exited");
	assert_int_equal(record_ll(&r, "exit_code", 0), 3);
	assert_int_equal(record_ll(&r, "restart_count", 0), 2);
	assert_true(record_bool(&r, "manual_stop"));
	assert_true(record_bool(&r, "has_run"));
	assert_string_equal(record_str(&r, "finished_at"), "2026-01-02T03:04:07Z");
	record_free(&r);

	/* JSON already: left alone. */
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(daemon_migrate_container(&d, OLD_ID, &err), 0);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);

	unit_rmtree(root);
}

static void test_migrate_image(void **state)
{
	char root[] = "/tmp/berth-unit-img.XXXXXX", path[256];
	struct berr err = { 0 };
	struct image_rec *recs;
	size_t n;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(image_store_init(root, &err), 0);
	snprintf(path, sizeof(path), "%s/images/" OLD_ID, root);
	write_text(path, "id=sha256:" OLD_ID "\ncreated=2026-01-02T03:04:05Z\nsize=1234\n"
			 "added=1700000000\nlayer=sha256:aa\nlayer=sha256:bb\ntag=busybox:latest\n"
			 "tag=bb:1\n");
	/* Not JSON: not listed until migrated. */
	assert_int_equal(image_store_list(root, &recs, &n, &err), 0);
	assert_int_equal(n, 0);
	image_recs_free(recs, n);
	assert_int_equal(image_store_migrate(root, &err), 0);
	text = read_all(path);
	assert_int_equal(text[0], '{');
	free(text);
	assert_int_equal(image_store_list(root, &recs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0].id, "sha256:" OLD_ID);
	assert_string_equal(recs[0].created, "2026-01-02T03:04:05Z");
	assert_int_equal(recs[0].size, 1234);
	assert_int_equal(recs[0].added, 1700000000);
	assert_int_equal(recs[0].n_layers, 2);
	assert_string_equal(recs[0].layers[1], "sha256:bb");
	assert_int_equal(recs[0].n_tags, 2);
	assert_string_equal(recs[0].tags[1], "bb:1");
	image_recs_free(recs, n);
	unit_rmtree(root);
}

static void test_log_write_and_parse(void **state)
{
	FILE *f = tmpfile();
	char line[256];
	struct daemon_log_record r;
	int n = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(daemon_log_write(fileno(f), LOG_STDOUT, "one\ntwo\npart", 12), 0);
	assert_int_equal(daemon_log_write(fileno(f), LOG_STDERR, "ial\n", 4), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line) - 1;

		assert_int_equal(line[len], '\n');
		assert_int_equal(daemon_log_parse(line, len, &r), 0);
		assert_true(r.time_nano > 1600000000LL * 1000000000LL);
		switch (n++) {
		case 0:
			assert_int_equal(r.stream, LOG_STDOUT);
			assert_false(r.partial);
			assert_memory_equal(r.content, "one", 3);
			assert_int_equal(r.len, 3);
			break;
		case 1:
			assert_memory_equal(r.content, "two", 3);
			break;
		case 2:
			assert_true(r.partial);
			assert_int_equal(r.len, 4);
			assert_memory_equal(r.content, "part", 4);
			break;
		case 3:
			assert_int_equal(r.stream, LOG_STDERR);
			assert_false(r.partial);
			assert_memory_equal(r.content, "ial", 3);
			break;
		}
	}
	assert_int_equal(n, 4);
	fclose(f);
	/* An empty line is a record with no content. */
	assert_int_equal(daemon_log_parse("2024-01-01T00:00:00.5Z stdout F ", 32, &r), 0);
	assert_int_equal(r.len, 0);
	assert_int_equal(daemon_log_parse("2024-01-01T00:00:00Z stdout F", 29, &r), 0);
	assert_int_equal(daemon_log_parse("garbage", 7, &r), -EINVAL);
	assert_int_equal(daemon_log_parse("2024-01-01T00:00:00Z stdin F x", 30, &r), -EINVAL);
}

/* Times as docker's since and until take them, and what an int64 of
 * nanoseconds cannot hold refused (found by the HTTP fuzz harness:
 * `GET /events?until=19999999999999999` overflowed); a refused time
 * leaves the result as it was. */
static void test_log_time(void **state)
{
	static const struct {
		const char *in;
		int ret;
		int64_t ns;
	} cases[] = {
		{ "1970-01-01T00:00:01.5Z", 0, 1500000000LL },
		{ "1700000000", 0, 1700000000LL * 1000000000LL },
		{ "1700000000.000000002", 0, 1700000000LL * 1000000000LL + 2 },
		{ "yesterday", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 },
		{ "19999999999999999", -EINVAL, 0 },
		{ "-19999999999999999", -EINVAL, 0 },
		{ "9999-12-31T23:59:59Z", -EINVAL, 0 },
		{ "9223372035.999999999", 0, 9223372035999999999LL },
		{ "2262-01-01T00:00:00Z", 0, 9214646400LL * 1000000000LL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = 7;

		assert_int_equal(daemon_log_time(cases[i].in, &ns), cases[i].ret);
		assert_int_equal(ns, cases[i].ret == 0 ? cases[i].ns : 7);
	}
}

static void test_image_references(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "busybox", "busybox:latest" },
		{ "busybox:1.36", "busybox:1.36" },
		{ "docker.io/library/busybox:1", "busybox:1" },
		{ "docker.io/me/app", "me/app:latest" },
		{ "library/busybox", "busybox:latest" },
		{ "localhost/bb:1", "localhost/bb:1" },
		{ "localhost:5000/team/app:v2", "localhost:5000/team/app:v2" },
		{ "Registry.Example.com/app:1", "Registry.Example.com/app:1" },
	};
	static const char *const bad[] = {
		"", "UPPER:1", "bb:", "bb:-x", "a//b", "/abs", "bb@sha256:0123", "bad name",
		"../../../etc/x:1", "a/../b", "a..b",
	};
	static const char *const by_digest =
		"bb@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct berr err = { 0 };
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(image_store_normalize(ok[i].in, &out, &err), 0);
		assert_string_equal(out, ok[i].out);
		free(out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(image_store_normalize(bad[i], &out, &err), -EINVAL);
		assert_int_equal(err.kind, BERR_INVALID);
		assert_null(out);
	}
	/* Well formed, but no tag. */
	assert_int_equal(image_store_normalize(by_digest, &out, &err), -EOPNOTSUPP);
	assert_int_equal(err.kind, BERR_UNSUPPORTED);
	assert_null(out);
	assert_non_null(strstr(err.msg, "refusing to create a tag with a digest reference"));
	image_store_normalize("bb@sha256:0123", &out, &err);
	assert_int_equal(err.kind, BERR_INVALID);
	assert_non_null(strstr(err.msg, "invalid reference format"));
}

/* One image of a test's store: its id, config text and tags. */
struct test_img {
	const char *id, *config;
	char **tags;
	size_t n_tags;
};

/* A new image store in root (a mkdtemp template) holding imgs, without
 * layers. */
static void store_with(char *root, const struct test_img *imgs, size_t n)
{
	char *layers[] = { NULL };
	struct berr err = { 0 };
	int lock;

	assert_non_null(mkdtemp(root));
	assert_int_equal(image_store_init(root, &err), 0);
	lock = image_store_lock(root, true, &err);
	assert_true(lock >= 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(image_store_add_locked(root, imgs[i].id, imgs[i].config,
							strlen(imgs[i].config), layers, 0, "",
							imgs[i].tags, imgs[i].n_tags, &err),
				 0);
	close(lock);
}

/* Repo digests: recorded one per repository, found by name@digest (the
 * tag of such a reference dropped), removed with the repository's last
 * tag, moved from an image that had the same one. */
static void test_repo_digests(void **state)
{
	char root[] = "/tmp/berth-unit-dig.XXXXXX";
	const char *d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	const char *d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
	char *tags[] = { "reg:5000/a/b:1", "other:1" };
	const struct test_img imgs[] = { { d1, "{}", tags, 2 }, { d2, "[]", NULL, 0 } };
	char **untagged = NULL, **deleted = NULL, *ref;
	struct image_rec r;
	struct berr err = { 0 };
	int lock;

	(void)state;
	store_with(root, imgs, 2);
	lock = image_store_lock(root, true, &err);
	assert_true(lock >= 0);
	assert_int_equal(asprintf(&ref, "reg:5000/a/b@%s", d2), (int)strlen(d2) + 13);
	assert_int_equal(image_store_add_digest_locked(root, d2, ref, &err), 0);
	/* The same repository's newer digest replaces it; d2's goes to d1. */
	assert_int_equal(image_store_add_digest_locked(root, d1, ref, &err), 0);
	free(ref);
	close(lock);
	assert_int_equal(asprintf(&ref, "reg:5000/a/b:9@%s", d2), (int)strlen(d2) + 15);
	assert_int_equal(image_store_find(root, ref, &r, &err), 0);
	assert_string_equal(r.id, d1);
	assert_int_equal(r.n_digests, 1);
	image_rec_free(&r);
	free(ref);
	assert_int_equal(image_store_find(root, d2, &r, &err), 0);
	assert_int_equal(r.n_digests, 0);
	image_rec_free(&r);
	assert_int_equal(image_store_find(root, "reg:5000/a/b@sha256:3333333333333333333333333333333333333333333333333333333333333333", &r, &err), -ENOENT);
	/* The repository's last tag takes its digest along; the image stays. */
	assert_int_equal(image_store_remove(root, "reg:5000/a/b:1", false, NULL, NULL, &untagged,
					    &deleted, &err), 0);
	assert_non_null(untagged);
	assert_string_equal(untagged[0], "reg:5000/a/b:1");
	assert_non_null(untagged[1]);
	assert_non_null(strstr(untagged[1], "reg:5000/a/b@sha256:2222"));
	assert_null(deleted);
	for (size_t i = 0; untagged[i]; i++)
		free(untagged[i]);
	free(untagged);
	assert_int_equal(image_store_find(root, "other:1", &r, &err), 0);
	assert_int_equal(r.n_digests, 0);
	assert_int_equal(r.n_tags, 1);
	image_rec_free(&r);
	unit_rmtree(root);
}

static size_t strv_count_free(char **v)
{
	size_t n = 0;

	for (; v && v[n]; n++)
		free(v[n]);
	free(v);
	return n;
}

/* Parents as docker build records them: an image with a child is refused
 * by id and only untagged by its last tag; a removal takes the untagged
 * parents nothing else needs, and stops at a tagged one. */
static void test_image_parents(void **state)
{
	char root[] = "/tmp/berth-unit-par.XXXXXX";
	const char *d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	const char *d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
	const char *d3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
	const char *d4 = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
	char *base[] = { "base:1" }, *top[] = { "top:1" };
	const struct test_img imgs[] = { { d1, "{}", base, 1 }, { d2, "[]", NULL, 0 },
					 { d3, "{ }", top, 1 }, { d4, "[ ]", NULL, 0 } };
	char **untagged = NULL, **deleted = NULL;
	struct image_rec r;
	struct berr err = { 0 };

	(void)state;
	store_with(root, imgs, 4);
	assert_int_equal(image_store_set_parent(root, d2, d1, &err), 0);
	assert_int_equal(image_store_set_parent(root, d3, d2, &err), 0);
	assert_int_equal(image_store_set_parent(root, d4, d2, &err), 0);
	assert_int_equal(image_store_set_parent(root, d4, d4, &err), -EINVAL);
	assert_int_equal(image_store_find(root, "top:1", &r, &err), 0);
	assert_string_equal(r.parent, d2);
	image_rec_free(&r);
	/* d2 has children: refused by id, even forced. */
	assert_int_equal(image_store_remove(root, d2, true, NULL, NULL, &untagged, &deleted, &err),
			 -ENOTEMPTY);
	assert_int_equal(err.kind, BERR_CONFLICT);
	assert_non_null(strstr(err.msg, "image has dependent child images"));
	assert_null(deleted);
	/* top:1 goes alone: its parent d2 still has the child d4. */
	assert_int_equal(image_store_remove(root, "top:1", false, NULL, NULL, &untagged,
					    &deleted, &err), 0);
	assert_int_equal(strv_count_free(untagged), 1);
	assert_string_equal(deleted[0], d3);
	assert_int_equal(strv_count_free(deleted), 1);
	untagged = deleted = NULL;
	/* base:1 has a child: its last tag goes, the image stays. */
	assert_int_equal(image_store_remove(root, "base:1", false, NULL, NULL, &untagged,
					    &deleted, &err), 0);
	assert_string_equal(untagged[0], "base:1");
	assert_int_equal(strv_count_free(untagged), 1);
	assert_null(deleted);
	untagged = NULL;
	assert_int_equal(image_store_find(root, d1, &r, &err), 0);
	image_rec_free(&r);
	/* d4 takes d2 and the now untagged d1 along. */
	assert_int_equal(image_store_remove(root, d4, false, NULL, NULL, &untagged, &deleted,
					    &err), 0);
	assert_string_equal(deleted[0], d4);
	assert_string_equal(deleted[1], d2);
	assert_string_equal(deleted[2], d1);
	assert_int_equal(strv_count_free(deleted), 3);
	strv_count_free(untagged);
	assert_int_equal(image_store_find(root, d1, &r, &err), -ENOENT);
	unit_rmtree(root);
}

static void test_image_documents(void **state)
{
	char *cfg_json = squote_json(
		"{'architecture':'amd64','os':'linux','config':{'Cmd':['sh'],'Env':['A=1'],"
		"'ExposedPorts':{'80/tcp':{}},'Labels':{'k':'v'}},'rootfs':{'type':'layers',"
		"'diff_ids':['sha256:0000000000000000000000000000000000000000000000000000000000000000']},"
		"'vendor-field':[1,2]}");
	char *bad_cfg = squote_json("{'rootfs':{'type':'layers','diff_ids':['md5:00']}}");
	char *no_rootfs = squote_json("{'config':{}}");
	char *manifest = squote_json(
		"[{'Config':'c.json','RepoTags':['a:1','b:2'],'Layers':['l1/layer.tar']}]");
	char *index = squote_json(
		"{'manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json',"
		"'digest':'sha256:1111111111111111111111111111111111111111111111111111111111111111',"
		"'size':12,'annotations':{'io.containerd.image.name':'x/y:1'},"
		"'platform':{'os':'linux','architecture':'arm64'}}]}");
	struct spec_image_config *cfg = NULL;
	struct spec_archive_image *imgs = NULL;
	struct spec_oci_descriptor *ds = NULL;
	struct arena a = { 0 };
	struct berr err = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(spec_image_config_parse(cfg_json, strlen(cfg_json), &cfg, &err), 0);
	assert_true(cfg->run.cmd_set);
	assert_false(cfg->run.entrypoint_set);
	assert_string_equal(cfg->run.cmd[0], "sh");
	assert_string_equal(cfg->run.exposed_ports[0], "80/tcp");
	assert_string_equal(cfg->run.labels[0].value, "v");
	assert_int_equal(cfg->n_diff_ids, 1);
	spec_image_config_free(cfg);
	assert_int_equal(spec_image_config_parse(bad_cfg, strlen(bad_cfg), &cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ".rootfs.diff_ids: \"md5:00\" is not a sha256 digest"));
	assert_int_equal(spec_image_config_parse(no_rootfs, strlen(no_rootfs), &cfg, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, ".rootfs: required field is missing"));
	assert_int_equal(spec_archive_manifest_parse(manifest, strlen(manifest), &a, &imgs, &n,
						     &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(imgs[0].repo_tags[1], "b:2");
	assert_string_equal(imgs[0].layers[0], "l1/layer.tar");
	assert_int_equal(spec_oci_index_parse(index, strlen(index), &a, &ds, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ds[0].image_name, "x/y:1");
	assert_string_equal(ds[0].architecture, "arm64");
	assert_int_equal(ds[0].size, 12);
	assert_int_equal(spec_archive_manifest_parse("{}", 2, &a, &imgs, &n, &err), -EINVAL);
	arena_release(&a);
	free(cfg_json);
	free(bad_cfg);
	free(no_rootfs);
	free(manifest);
	free(index);
}

/* A container's health goes into its state record and back, for the run
 * it is about only. */
static void test_health_record(void **state)
{
	char dir[] = "/tmp/berth-unit-health.XXXXXX", path[64];
	struct daemon_container c = { 0 }, back = { 0 };
	struct daemon_health *h = calloc(1, sizeof(*h));
	struct record_writer w;
	struct record r;
	struct berr err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(c.started_at, sizeof(c.started_at), "2026-01-02T03:04:05.000000001Z");
	snprintf(h->started_at, sizeof(h->started_at), "%s", c.started_at);
	snprintf(h->status, sizeof(h->status), "unhealthy");
	h->failing_streak = 3;
	h->start_wall_ms = 1234567;
	for (int i = 0; i < 2; i++) {
		snprintf(h->log[i].start, sizeof(h->log[i].start), "2026-01-02T03:04:0%dZ", i + 6);
		snprintf(h->log[i].end, sizeof(h->log[i].end), "2026-01-02T03:04:0%dZ", i + 7);
		h->log[i].exit_code = i ? -1 : 1;
		h->log[i].output = strdup(i ? "" : "probe said \"no\"\n");
	}
	h->n_log = 2;
	c.health = h;
	assert_int_equal(record_begin(&w, &err), 0);
	daemon_health_put(&w, &c);
	assert_int_equal(record_commit(&w, path, &err), 0);

	/* Another run: nothing of the old one. */
	snprintf(back.started_at, sizeof(back.started_at), "2026-01-02T03:05:00Z");
	assert_int_equal(record_load(path, &r, &err), 0);
	assert_int_equal(daemon_health_read(&r, &back), 0);
	assert_null(back.health);
	/* The same run: all of it. */
	snprintf(back.started_at, sizeof(back.started_at), "%s", c.started_at);
	assert_int_equal(daemon_health_read(&r, &back), 0);
	record_free(&r);
	assert_non_null(back.health);
	assert_string_equal(back.health->status, "unhealthy");
	assert_int_equal(back.health->failing_streak, 3);
	assert_int_equal(back.health->start_wall_ms, 1234567);
	assert_int_equal(back.health->next_ms, 0);
	assert_int_equal(back.health->n_log, 2);
	assert_string_equal(back.health->log[0].output, "probe said \"no\"\n");
	assert_int_equal(back.health->log[0].exit_code, 1);
	assert_string_equal(back.health->log[1].start, "2026-01-02T03:04:07Z");
	assert_string_equal(back.health->log[1].end, "2026-01-02T03:04:08Z");
	assert_int_equal(back.health->log[1].exit_code, -1);
	daemon_health_free(back.health);

	/* A health of an older run is not written. */
	snprintf(c.started_at, sizeof(c.started_at), "2026-01-02T03:05:00Z");
	assert_int_equal(record_begin(&w, &err), 0);
	daemon_health_put(&w, &c);
	assert_int_equal(record_commit(&w, path, &err), 0);
	assert_int_equal(record_load(path, &r, &err), 0);
	assert_false(record_has(&r, "health_status"));
	record_free(&r);
	daemon_health_free(h);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_legacy),
		cmocka_unit_test(test_exit_file),
		cmocka_unit_test(test_health_record),
		cmocka_unit_test(test_migrate_container),
		cmocka_unit_test(test_migrate_image),
		cmocka_unit_test(test_log_write_and_parse),
		cmocka_unit_test(test_log_time),
		cmocka_unit_test(test_image_references),
		cmocka_unit_test(test_repo_digests),
		cmocka_unit_test(test_image_parents),
		cmocka_unit_test(test_image_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
