/* The state documents: exact OCI and list output, and the state file's
 * round trip and corruption errors. */
#include "tests/unit/helpers.h"

#include "spec/state.h"

static struct spec_kv annotations[] = {
	{ "org.example.a", "1" },
	{ "b", "two words" },
};

static struct spec_kv extra[] = {
	{ "init_start_time", "123456" },
	{ "cgroup_path", "/sys/fs/cgroup/berth/c1" },
	{ "empty", "" },
};

static const struct spec_state running = {
	.id = "c1",
	.status = "running",
	.pid = 4242,
	.bundle = "/srv/bundles/c1",
	.rootfs = "/srv/bundles/c1/rootfs",
	.created = "2024-05-01T10:20:30.123456789Z",
	.owner = "",
	.annotations = annotations,
	.n_annotations = 2,
	.extra = extra,
	.n_extra = 3,
};

static void test_oci_document(void **state)
{
	struct berr err = { 0 };
	char *doc = NULL;
	size_t len = 0;

	assert_int_equal(spec_state_oci_json(&running, &doc, &len, &err), 0);
	assert_string_equal(doc, "{\n"
				 "  \"ociVersion\": \"1.2.0\",\n"
				 "  \"id\": \"c1\",\n"
				 "  \"status\": \"running\",\n"
				 "  \"pid\": 4242,\n"
				 "  \"bundle\": \"/srv/bundles/c1\",\n"
				 "  \"annotations\": {\n"
				 "    \"org.example.a\": \"1\",\n"
				 "    \"b\": \"two words\"\n"
				 "  }\n"
				 "}");
	assert_int_equal(len, strlen(doc));
	free(doc);
}

static void test_oci_document_stopped(void **state)
{
	struct spec_state s = {
		.oci_version = "1.0.2",
		.id = "c2",
		.status = "stopped",
		.pid = 0,
		.bundle = "/b",
	};
	struct berr err = { 0 };
	char *doc = NULL;

	/* No process: no pid.  No annotations: no empty map. */
	assert_int_equal(spec_state_oci_json(&s, &doc, NULL, &err), 0);
	assert_string_equal(doc, "{\n"
				 "  \"ociVersion\": \"1.0.2\",\n"
				 "  \"id\": \"c2\",\n"
				 "  \"status\": \"stopped\",\n"
				 "  \"bundle\": \"/b\"\n"
				 "}");
	free(doc);
}

static void test_list(void **state)
{
	struct spec_state states[2] = { running, {
		.id = "c2",
		.status = "created",
		.pid = 7,
		.bundle = "/b2",
	} };
	struct berr err = { 0 };
	char *doc = NULL;

	assert_int_equal(spec_state_list_json(states, 2, &doc, NULL, &err), 0);
	assert_string_equal(doc,
		"[{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"pid\":4242,\"status\":\"running\","
		"\"bundle\":\"/srv/bundles/c1\",\"rootfs\":\"/srv/bundles/c1/rootfs\","
		"\"created\":\"2024-05-01T10:20:30.123456789Z\","
		"\"annotations\":{\"org.example.a\":\"1\",\"b\":\"two words\"},\"owner\":\"\"},"
		"{\"ociVersion\":\"1.2.0\",\"id\":\"c2\",\"pid\":7,\"status\":\"created\","
		"\"bundle\":\"/b2\",\"rootfs\":\"\",\"owner\":\"\"}]");
	free(doc);

	assert_int_equal(spec_state_list_json(NULL, 0, &doc, NULL, &err), 0);
	assert_string_equal(doc, "[]");
	free(doc);
}

/* berth state prints runc's document: what containerd and podman parse
 * (compare runc's output in the clients' fixtures). */
static void test_runc_state(void **state)
{
	struct spec_state stopped = { .id = "c3", .status = "stopped", .bundle = "/b3",
				      .rootfs = "/b3/rootfs", .owner = "" };
	struct berr err = { 0 };
	char *doc = NULL;

	assert_int_equal(spec_state_runc_json(&running, &doc, NULL, &err), 0);
	assert_string_equal(doc, "{\n"
				 "  \"ociVersion\": \"1.2.0\",\n"
				 "  \"id\": \"c1\",\n"
				 "  \"pid\": 4242,\n"
				 "  \"status\": \"running\",\n"
				 "  \"bundle\": \"/srv/bundles/c1\",\n"
				 "  \"rootfs\": \"/srv/bundles/c1/rootfs\",\n"
				 "  \"created\": \"2024-05-01T10:20:30.123456789Z\",\n"
				 "  \"annotations\": {\n"
				 "    \"org.example.a\": \"1\",\n"
				 "    \"b\": \"two words\"\n"
				 "  },\n"
				 "  \"owner\": \"\"\n"
				 "}");
	free(doc);

	/* Stopped: pid 0, as runc prints it. */
	assert_int_equal(spec_state_runc_json(&stopped, &doc, NULL, &err), 0);
	assert_non_null(strstr(doc, "\"pid\": 0,"));
	assert_non_null(strstr(doc, "\"rootfs\": \"/b3/rootfs\""));
	free(doc);
}

static void assert_kv_equal(const struct spec_kv *a, size_t na,
			    const struct spec_kv *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].key, b[i].key);
		assert_string_equal(a[i].value, b[i].value);
	}
}

static void test_file_round_trip(void **state)
{
	struct arena arena = { 0 };
	struct spec_state back;
	struct berr err = { 0 };
	char *doc = NULL;
	size_t len = 0;

	assert_int_equal(spec_state_file_json(&running, &doc, &len, &err), 0);
	assert_int_equal(spec_state_file_parse(doc, len, &arena, &back, &err), 0);
	assert_string_equal(back.oci_version, SPEC_OCI_VERSION);
	assert_string_equal(back.id, running.id);
	assert_string_equal(back.status, running.status);
	assert_int_equal(back.pid, running.pid);
	assert_string_equal(back.bundle, running.bundle);
	assert_string_equal(back.rootfs, running.rootfs);
	assert_string_equal(back.created, running.created);
	assert_string_equal(back.owner, running.owner);
	assert_kv_equal(back.annotations, back.n_annotations, annotations, 2);
	assert_kv_equal(back.extra, back.n_extra, extra, 3);
	assert_string_equal(spec_state_extra(&back, "cgroup_path"), "/sys/fs/cgroup/berth/c1");
	assert_string_equal(spec_state_extra(&back, "empty"), "");
	assert_null(spec_state_extra(&back, "missing"));
	free(doc);
	arena_release(&arena);
}

static void test_file_round_trip_sparse(void **state)
{
	struct spec_state s = { .id = "x", .status = "creating", .bundle = "/b" };
	struct arena arena = { 0 };
	struct spec_state back;
	struct berr err = { 0 };
	char *doc = NULL;
	size_t len = 0;

	assert_int_equal(spec_state_file_json(&s, &doc, &len, &err), 0);
	assert_string_equal(doc, "{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"creating\","
				 "\"pid\":0,\"bundle\":\"/b\",\"rootfs\":null,\"created\":null,"
				 "\"owner\":null,\"annotations\":{},\"berth\":{}}");
	assert_int_equal(spec_state_file_parse(doc, len, &arena, &back, &err), 0);
	assert_int_equal(back.pid, 0);
	assert_null(back.rootfs);
	assert_null(back.created);
	assert_null(back.owner);
	assert_int_equal(back.n_annotations, 0);
	assert_int_equal(back.n_extra, 0);
	free(doc);
	arena_release(&arena);
}

static const struct {
	const char *json; /* single-quoted */
	const char *msg;
} corrupt[] = {
	{ "{'ociVersion':'1.2.0','id':'c','status':'running','pid':'12','bundle':'/b'}",
	  ".pid: expected an integer" },
	{ "{'ociVersion':'1.2.0','id':'c','status':'running','pid':4294967296,'bundle':'/b'}",
	  ".pid: expected a 32-bit integer" },
	{ "{'ociVersion':'1.2.0','id':'c','status':'running','pid':-5,'bundle':'/b'}",
	  ".pid: negative pid -5" },
	{ "{'ociVersion':'1.2.0','status':'running','bundle':'/b'}",
	  ".id: required field is missing" },
	{ "{'ociVersion':'1.2.0','id':'c','status':'zombie','bundle':'/b'}",
	  ".status: unknown status \"zombie\"" },
	{ "{'ociVersion':'1.2.0','id':'c','status':'running','bundle':'/b','berth':{'k':1}}",
	  ".berth.k: expected a string" },
	{ "{'ociVersion':'1.2.0','id':'c','status':'running','bundle':'/b','berth':[]}",
	  ".berth: expected an object" },
	{ "{'ociVersion':'1.2.0','id':'c','sta", "invalid JSON: parse error: premature EOF" },
	{ "[]", ".: expected an object" },
};

static void test_file_corrupt(void **state)
{
	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		char *json = squote_json(corrupt[i].json);
		struct arena arena = { 0 };
		struct spec_state s;
		struct berr err = { 0 };

		assert_int_equal(spec_state_file_parse(json, strlen(json), &arena, &s, &err), -EINVAL);
		assert_string_equal(err.msg, corrupt[i].msg);
		free(json);
		arena_release(&arena);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_document),
		cmocka_unit_test(test_oci_document_stopped),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_runc_state),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_round_trip_sparse),
		cmocka_unit_test(test_file_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
