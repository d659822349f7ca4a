/* berthd's own formats: record files, the CRI log format, image
 * references, and the image documents it reads from archives. */
#include "tests/unit/helpers.h"

#include <unistd.h>

#include "spec/base/record.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "spec/image.h"

static void test_kv_round_trip(void **state)
{
	char dir[] = "/tmp/berth-unit-kv.XXXXXX", path[64];
	char *list[] = { "a", "line\nbreak", "back\\slash", "", NULL };
	struct record_writer w;
	struct record kv;
	struct berr err = { 0 };
	char **got;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rec", dir);
	assert_int_equal(record_begin(&w, &err), 0);
	record_put(&w, "name", "x=y");
	record_putf(&w, "num", "%d", -42);
	record_put_list(&w, "item", list, 4);
	record_put(&w, "absent", NULL);
	assert_int_equal(record_commit(&w, path, &err), 0);
	assert_int_equal(record_load(path, &kv, &err), 0);
	assert_string_equal(record_get(&kv, "name"), "x=y");
	assert_int_equal(record_ll(&kv, "num", 0), -42);
	assert_int_equal(record_ll(&kv, "name", 7), 7);
	assert_null(record_get(&kv, "absent"));
	got = record_list(&kv, "item", &n);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(got[i], list[i]);
	assert_null(got[4]);
	strv_free(got);
	record_free(&kv);
	unlink(path);
	assert_int_equal(record_load(path, &kv, &err), -ENOENT);
	rmdir(dir);
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

static void test_log_time(void **state)
{
	int64_t ns;

	(void)state;
	assert_int_equal(daemon_log_time("1970-01-01T00:00:01.5Z", &ns), 0);
	assert_int_equal(ns, 1500000000LL);
	assert_int_equal(daemon_log_time("1700000000", &ns), 0);
	assert_int_equal(ns, 1700000000LL * 1000000000LL);
	assert_int_equal(daemon_log_time("1700000000.000000002", &ns), 0);
	assert_int_equal(ns, 1700000000LL * 1000000000LL + 2);
	assert_int_equal(daemon_log_time("yesterday", &ns), -EINVAL);
	assert_int_equal(daemon_log_time("12abc", &ns), -EINVAL);
}

/* Times an int64 of nanoseconds cannot hold are refused (found by the
 * HTTP fuzz harness: `GET /events?until=19999999999999999` overflowed). */
static void test_log_time_range(void **state)
{
	int64_t ns = 7;

	(void)state;
	assert_int_equal(daemon_log_time("19999999999999999", &ns), -EINVAL);
	assert_int_equal(daemon_log_time("-19999999999999999", &ns), -EINVAL);
	assert_int_equal(daemon_log_time("9999-12-31T23:59:59Z", &ns), -EINVAL);
	assert_int_equal(ns, 7);
	assert_int_equal(daemon_log_time("9223372035.999999999", &ns), 0);
	assert_int_equal(ns, 9223372035999999999LL);
	assert_int_equal(daemon_log_time("2262-01-01T00:00:00Z", &ns), 0);
	assert_int_equal(ns, 9214646400LL * 1000000000LL);
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
		assert_null(out);
	}
	assert_int_equal(image_store_normalize(by_digest, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "references by digest are not supported by berthd yet"));
	image_store_normalize("bb@sha256:0123", &out, &err);
	assert_non_null(strstr(err.msg, "invalid reference format"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_round_trip),
		cmocka_unit_test(test_log_write_and_parse),
		cmocka_unit_test(test_log_time),
		cmocka_unit_test(test_log_time_range),
		cmocka_unit_test(test_image_references),
		cmocka_unit_test(test_image_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
