/* isolation/cgroup_res: value conversions, which controller each field
 * needs, unified key validation; and the state text of a cgroup. */
#include "helpers.h"

#include "isolation/cgroup.h"
#include "isolation/cgroup_res.h"
#include "spec/config.h"

static void shares_to_weight(void **state)
{
	(void)state;
	assert_int_equal(cgroup_res_shares_to_weight(0), 0);
	assert_int_equal(cgroup_res_shares_to_weight(2), 1);
	assert_int_equal(cgroup_res_shares_to_weight(1024), 39);
	assert_int_equal(cgroup_res_shares_to_weight(512), 20);
	assert_int_equal(cgroup_res_shares_to_weight(262144), 10000);
	/* Out of range is clamped, never wraps. */
	assert_int_equal(cgroup_res_shares_to_weight(1), 1);
	assert_int_equal(cgroup_res_shares_to_weight(1000000), 10000);
}

static void blkio_to_io_weight(void **state)
{
	(void)state;
	assert_int_equal(cgroup_res_blkio_to_io_weight(0), 0);
	assert_int_equal(cgroup_res_blkio_to_io_weight(10), 1);
	assert_int_equal(cgroup_res_blkio_to_io_weight(500), 4950);
	assert_int_equal(cgroup_res_blkio_to_io_weight(1000), 10000);
	assert_int_equal(cgroup_res_blkio_to_io_weight(5), 1);
}

static void swap(int64_t limit, int64_t sw, const char *want)
{
	struct berr err = { 0 };
	char out[32];

	assert_int_equal(cgroup_res_swap_v2(limit, sw, out, sizeof(out), &err), 0);
	assert_string_equal(out, want);
}

static void swap_bad(int64_t limit, int64_t sw, const char *msg)
{
	struct berr err = { 0 };
	char out[32];

	assert_int_equal(cgroup_res_swap_v2(limit, sw, out, sizeof(out), &err), -EINVAL);
	assert_non_null(strstr(err.msg, msg));
}

static void swap_v2(void **state)
{
	(void)state;
	swap(64 << 20, 128 << 20, "67108864");
	swap(64 << 20, 64 << 20, "0"); /* same as the limit: no swap at all */
	swap(64 << 20, -1, "max");
	swap(64 << 20, 0, "");        /* unset: leave it */
	swap(-1, 0, "max");           /* unlimited memory, swap unsaid */
	swap(0, 0, "");
	swap_bad(128 << 20, 64 << 20, "below the memory limit");
	swap_bad(0, 64 << 20, "needs a memory limit");
	swap_bad(-1, 64 << 20, "needs a memory limit");
}

static void unified_ok(const char *key, unsigned want_ctl)
{
	struct berr err = { 0 };
	unsigned ctl = 99;

	assert_int_equal(cgroup_res_unified_key(key, &ctl, &err), 0);
	assert_int_equal(ctl, want_ctl);
}

static void unified_bad(const char *key, const char *msg)
{
	struct berr err = { 0 };
	unsigned ctl;

	assert_true(cgroup_res_unified_key(key, &ctl, &err) < 0);
	assert_non_null(strstr(err.msg, msg));
	assert_non_null(strstr(err.msg, "linux.resources.unified"));
}

static void unified_keys(void **state)
{
	(void)state;
	unified_ok("memory.high", CGROUP_CTL_MEMORY);
	unified_ok("io.max", CGROUP_CTL_BLKIO);
	unified_ok("hugetlb.2MB.max", CGROUP_CTL_HUGETLB);
	unified_ok("pids.max", CGROUP_CTL_PIDS);
	unified_ok("cgroup.max.depth", 0);
	unified_bad("../escape", "not a cgroup file name");
	unified_bad("memory.max/x", "not a cgroup file name");
	unified_bad("memory.max\n", "not a cgroup file name");
	unified_bad("memory", "of the form");
	unified_bad(".max", "of the form");
	unified_bad("memory.", "of the form");
	unified_bad("memory..max", "of the form");
	unified_bad("cgroup.procs", "managed by the runtime");
	unified_bad("cgroup.kill", "managed by the runtime");
	unified_bad("cgroup.freeze", "managed by the runtime");
	unified_bad("blkio.weight", "not a cgroup v2 controller");
	unified_bad("devices.allow", "not a cgroup v2 controller");
	unified_bad("cpuacct.usage", "not a cgroup v2 controller");
	unified_bad("nosuch.thing", "not a cgroup v2 controller");
}

static struct cgroup_res_need *needs_of(const char *json, size_t *n, struct arena *a)
{
	struct spec_resources r = { 0 };
	struct cgroup_res_need *out = NULL;
	struct berr err = { 0 };
	char *doc = squote_json(json);

	assert_int_equal(spec_resources_parse(doc, strlen(doc), a, &r, &err), 0);
	free(doc);
	assert_int_equal(cgroup_res_needs(&r, &out, n, &err), 0);
	return out;
}

static bool has_need(const struct cgroup_res_need *v, size_t n, const char *field, unsigned ctl)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].field, field) == 0 && v[i].ctl == ctl)
			return true;
	return false;
}

static void needs(void **state)
{
	struct arena a = { 0 };
	struct cgroup_res_need *v;
	size_t n;

	(void)state;
	/* docker's zeros ask for nothing; disableOOMKiller false neither. */
	v = needs_of("{'memory':{'disableOOMKiller':false},'cpu':{'shares':0},"
		     "'blockIO':{'weight':0},'pids':{'limit':0}}", &n, &a);
	assert_int_equal(n, 0);
	free(v);
	v = needs_of("{'memory':{'limit':1,'swappiness':0},'cpu':{'cpus':'0','quota':5},"
		     "'pids':{'limit':-1},'blockIO':{'throttleReadBpsDevice':"
		     "[{'major':8,'minor':0,'rate':1}]},'hugepageLimits':[{'pageSize':'2MB',"
		     "'limit':0}],'network':{'classID':3},'rdma':{'x':{'hcaHandles':1}},"
		     "'unified':{'memory.high':'1'}}", &n, &a);
	assert_true(has_need(v, n, "memory.limit", CGROUP_CTL_MEMORY));
	assert_true(has_need(v, n, "memory.swappiness", CGROUP_CTL_MEMORY));
	assert_true(has_need(v, n, "cpu.cpus", CGROUP_CTL_CPUSET));
	assert_true(has_need(v, n, "cpu.quota", CGROUP_CTL_CPU));
	assert_true(has_need(v, n, "pids.limit", CGROUP_CTL_PIDS));
	assert_true(has_need(v, n, "blockIO.throttleReadBpsDevice", CGROUP_CTL_BLKIO));
	assert_true(has_need(v, n, "hugepageLimits", CGROUP_CTL_HUGETLB));
	assert_true(has_need(v, n, "network.classID", CGROUP_CTL_NET_CLS));
	assert_true(has_need(v, n, "rdma", CGROUP_CTL_RDMA));
	assert_true(has_need(v, n, "unified", CGROUP_CTL_MEMORY));
	assert_int_equal(n, 10);
	free(v);
	arena_release(&a);
}

static void needs_bad_unified_key(void **state)
{
	struct spec_resources r = { 0 };
	struct cgroup_res_need *out = NULL;
	struct spec_kv kv = { "cgroup.procs", "1" };
	struct berr err = { 0 };
	size_t n;

	(void)state;
	r.unified = &kv;
	r.n_unified = 1;
	assert_true(cgroup_res_needs(&r, &out, &n, &err) < 0);
	assert_null(out);
	assert_non_null(strstr(err.msg, "cgroup.procs"));
}

static void names(void **state)
{
	(void)state;
	assert_int_equal(cgroup_res_ctl_bit("io"), CGROUP_CTL_BLKIO);
	assert_int_equal(cgroup_res_ctl_bit("blkio"), CGROUP_CTL_BLKIO);
	assert_int_equal(cgroup_res_ctl_bit("nosuch"), 0);
	assert_string_equal(cgroup_res_ctl_name(CGROUP_CTL_BLKIO, true), "io");
	assert_string_equal(cgroup_res_ctl_name(CGROUP_CTL_BLKIO, false), "blkio");
	assert_string_equal(cgroup_res_ctl_name(CGROUP_CTL_NET_CLS, true), "net_cls");
	assert_false(cgroup_res_ctl_in_v2(CGROUP_CTL_NET_CLS));
	assert_false(cgroup_res_ctl_in_v2(CGROUP_CTL_DEVICES));
	assert_true(cgroup_res_ctl_in_v2(CGROUP_CTL_BLKIO));
	assert_true(cgroup_res_page_size_ok("2MB"));
	assert_true(cgroup_res_page_size_ok("1GB"));
	assert_true(cgroup_res_page_size_ok("64KB"));
	assert_false(cgroup_res_page_size_ok("2M"));
	assert_false(cgroup_res_page_size_ok("MB"));
	assert_false(cgroup_res_page_size_ok("2MB/../x"));
}

static void spec_paths(void **state)
{
	struct berr err = { 0 };
	char *p = NULL;

	(void)state;
	assert_int_equal(cgroup_spec_path(NULL, "c1", &p, &err), 0);
	assert_string_equal(p, "/berth/c1");
	free(p);
	assert_int_equal(cgroup_spec_path("/docker/abc", "c1", &p, &err), 0);
	assert_string_equal(p, "/docker/abc");
	free(p);
	assert_true(cgroup_spec_path("a/../../b", "c1", &p, &err) < 0);
	assert_non_null(strstr(err.msg, ".."));
	assert_true(cgroup_spec_path("a\nb", "c1", &p, &err) < 0);
	assert_non_null(strstr(err.msg, "control characters"));
	/* ".." inside a name is a name. */
	assert_int_equal(cgroup_spec_path("a..b/c", "c1", &p, &err), 0);
	free(p);
}

static void state_round_trip(void **state)
{
	struct cgroup_v1_dir dirs[2] = {
		{ CGROUP_CTL_CPU | CGROUP_CTL_CPUACCT, "cpu,cpuacct", "/sys/fs/cgroup/cpu/x/c",
		  "/sys/fs/cgroup/cpu/x", NULL },
		{ CGROUP_CTL_MEMORY, "memory", "/sys/fs/cgroup/memory/own/x=y/c", NULL, NULL },
	};
	struct cgroup cg = { CGROUP_HYBRID, "x/c", "/sys/fs/cgroup/unified/x/c",
			     "/sys/fs/cgroup/unified/x", dirs, 2, false };
	struct cgroup back;
	struct berr err = { 0 };
	char *text;

	(void)state;
	text = cgroup_serialize(&cg);
	assert_non_null(text);
	assert_int_equal(cgroup_deserialize(&back, text, &err), 0);
	assert_int_equal(back.layout, CGROUP_HYBRID);
	assert_string_equal(back.spec_path, "x/c");
	assert_string_equal(back.v2_dir, cg.v2_dir);
	assert_string_equal(back.v2_created, cg.v2_created);
	assert_int_equal(back.n_v1, 2);
	assert_int_equal(back.v1[0].mask, CGROUP_CTL_CPU | CGROUP_CTL_CPUACCT);
	assert_string_equal(back.v1[0].dir, dirs[0].dir);
	assert_string_equal(back.v1[0].created, dirs[0].created);
	assert_string_equal(back.v1[1].dir, dirs[1].dir);
	assert_null(back.v1[1].created);
	cgroup_release(&back);
	free(text);
	/* A state from before v1 support reads as v2 only. */
	assert_int_equal(cgroup_deserialize(&back, "layout=0\nspec_path=/a\nv2_dir=/s/a\n"
						   "v2_created=/s/a\nunknown=1\n",
					    &err),
			 0);
	assert_int_equal(back.n_v1, 0);
	assert_string_equal(back.v2_dir, "/s/a");
	assert_false(back.none);
	cgroup_release(&back);
}

/* An unprivileged caller's container without a cgroup keeps saying so:
 * what needs a cgroup fails with the reason rather than reaching none. */
static void state_none(void **state)
{
	struct cgroup cg, back;
	struct berr err = { 0 };
	pid_t *pids = NULL;
	size_t n = 7;
	char *text;

	(void)state;
	assert_int_equal(cgroup_none_init(&cg, "berth/c", &err), 0);
	text = cgroup_serialize(&cg);
	assert_non_null(text);
	assert_int_equal(cgroup_deserialize(&back, text, &err), 0);
	assert_true(back.none);
	assert_string_equal(back.spec_path, "berth/c");
	assert_null(back.v2_dir);
	assert_int_equal(back.n_v1, 0);
	assert_int_equal(cgroup_freeze(&back, true, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "cannot freeze: the container has no cgroup of its own"));
	assert_int_equal(cgroup_pids(&back, &pids, &n, &err), -EOPNOTSUPP);
	assert_int_equal(n, 0);
	assert_int_equal(cgroup_signal_all(&back, 15, &err), -EOPNOTSUPP);
	/* Nothing was made, so nothing is removed. */
	assert_int_equal(cgroup_destroy(&back, &err), 0);
	cgroup_release(&back);
	cgroup_release(&cg);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shares_to_weight),
		cmocka_unit_test(state_none),
		cmocka_unit_test(blkio_to_io_weight),
		cmocka_unit_test(swap_v2),
		cmocka_unit_test(unified_keys),
		cmocka_unit_test(needs),
		cmocka_unit_test(needs_bad_unified_key),
		cmocka_unit_test(names),
		cmocka_unit_test(spec_paths),
		cmocka_unit_test(state_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
