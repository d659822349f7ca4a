/* spec/events: runc's event JSON for stats and OOMs, and the stats
 * helpers the cgroup code fills it with. */
#include "helpers.h"

#include "spec/events.h"

static void oom_event(void **state)
{
	struct berr err = { 0 };
	char *json = NULL;
	size_t len;

	(void)state;
	assert_int_equal(spec_event_json("oom", "c1", NULL, &json, &len, &err), 0);
	assert_string_equal(json, "{\"type\":\"oom\",\"id\":\"c1\"}");
	free(json);
}

static void stats_event(void **state)
{
	struct spec_stats st = { 0 };
	struct spec_blkio_entry e = { 8, 0, "Read", 4096 };
	struct spec_hugetlb_stats h = { "2MB", 0, 4194304, 0 };
	struct berr err = { 0 };
	char *json = NULL;
	size_t len;

	(void)state;
	st.cpu.total = 1500;
	st.cpu.user = 1000;
	st.cpu.kernel = 500;
	assert_int_equal(spec_stats_add_percpu(&st, 700), 0);
	assert_int_equal(spec_stats_add_percpu(&st, 800), 0);
	st.memory.usage = (struct spec_mem_entry){ 67108864, 1024, 2048, 0 };
	st.memory.ev_oom = 2;
	assert_int_equal(spec_stats_add_raw(&st, "anon", 10), 0);
	assert_int_equal(spec_stats_add_raw(&st, "file", 20), 0);
	st.pids.current = 3;
	assert_int_equal(spec_stats_add_blkio(&st.blkio.service_bytes, &st.blkio.n_service_bytes,
					      &e),
			 0);
	assert_int_equal(spec_stats_add_hugetlb(&st, &h), 0);
	assert_int_equal(spec_stats_parse_list("0-2,5\n", &st.cpuset.cpus, &st.cpuset.n_cpus), 0);
	assert_int_equal(spec_event_json("stats", "c1", &st, &json, &len, &err), 0);
	/* runc's shapes: omitempty numbers vanish, objects stay. */
	assert_non_null(strstr(json, "\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":"
				     "{\"usage\":{\"total\":1500,\"percpu\":[700,800],"
				     "\"kernel\":500,\"user\":1000},\"throttling\":{}}"));
	assert_non_null(strstr(json, "\"cpuset\":{\"cpus\":[0,1,2,5],\"cpu_exclusive\":0"));
	assert_non_null(strstr(json, "\"usage\":{\"limit\":67108864,\"usage\":1024,"
				     "\"max\":2048,\"failcnt\":0}"));
	assert_non_null(strstr(json, "\"swap\":{\"limit\":0,\"failcnt\":0}"));
	assert_non_null(strstr(json, "\"raw\":{\"anon\":10,\"file\":20}"));
	assert_non_null(strstr(json, "\"event_count\":{\"oom\":2}"));
	assert_non_null(strstr(json, "\"pids\":{\"current\":3}"));
	assert_non_null(strstr(json, "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,"
				     "\"op\":\"Read\",\"value\":4096}]}"));
	assert_non_null(strstr(json, "\"hugetlb\":{\"2MB\":{\"max\":4194304,\"failcnt\":0}}"));
	assert_non_null(strstr(json, "\"intel_rdt\":{},\"network_interfaces\":null}}"));
	free(json);
	spec_stats_release(&st);
	assert_null(st.memory.raw);
}

static void many_raw_values(void **state)
{
	struct spec_stats st = { 0 };
	char key[16];

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(spec_stats_add_raw(&st, key, (uint64_t)i), 0);
	}
	assert_int_equal(st.memory.n_raw, 100);
	assert_string_equal(st.memory.raw[99].key, "k99");
	assert_int_equal(st.memory.raw[42].value, 42);
	spec_stats_release(&st);
}

static void cpu_lists(void **state)
{
	uint16_t *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(spec_stats_parse_list("", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(spec_stats_parse_list("3", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0], 3);
	free(v);
	assert_int_equal(spec_stats_parse_list("0-1,4-5", &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3], 5);
	free(v);
	assert_int_equal(spec_stats_parse_list("5-1", &v, &n), -EINVAL);
	free(v);
	assert_int_equal(spec_stats_parse_list("x", &v, &n), -EINVAL);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oom_event),
		cmocka_unit_test(stats_event),
		cmocka_unit_test(many_raw_values),
		cmocka_unit_test(cpu_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
