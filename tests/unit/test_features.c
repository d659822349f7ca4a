/* The features document: its shape, the static lists, and the facts the
 * caller passes in. */
#include "tests/unit/helpers.h"

#include <yajl/yajl_tree.h>

#include "spec/features.h"
#include "spec/names.h"

static yajl_val features_doc(const struct spec_features_input *in)
{
	struct berr err = { 0 };
	char *doc = NULL;
	char ebuf[256];
	yajl_val v;

	if (spec_features_json(in, &doc, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	v = yajl_tree_parse(doc, ebuf, sizeof(ebuf));
	if (!v)
		fail_msg("features is not JSON: %s", ebuf);
	free(doc);
	return v;
}

static yajl_val at(yajl_val v, const char *a, const char *b, const char *c)
{
	const char *path[] = { a, b, c, NULL };
	yajl_val found = yajl_tree_get(v, path, yajl_t_any);

	if (!found)
		fail_msg("no %s.%s.%s", a, b ? b : "", c ? c : "");
	return found;
}

static size_t count(const struct name_value *t)
{
	size_t n = 0;

	while (t[n].name)
		n++;
	return n;
}

static bool array_has(yajl_val a, const char *s)
{
	for (size_t i = 0; i < a->u.array.len; i++)
		if (YAJL_IS_STRING(a->u.array.values[i]) &&
		    strcmp(a->u.array.values[i]->u.string, s) == 0)
			return true;
	return false;
}

static void test_static_lists(void **state)
{
	struct spec_features_input in = { 0 };
	yajl_val v = features_doc(&in);
	yajl_val opts = at(v, "mountOptions", NULL, NULL);

	assert_string_equal(YAJL_GET_STRING(at(v, "ociVersionMin", NULL, NULL)), "1.0.0");
	assert_string_equal(YAJL_GET_STRING(at(v, "ociVersionMax", NULL, NULL)), "1.2.0");
	assert_int_equal(YAJL_GET_ARRAY(at(v, "hooks", NULL, NULL))->len, 6);
	/* without idmapped mounts, idmap and ridmap are not offered */
	assert_int_equal(opts->u.array.len, 59);
	assert_true(array_has(opts, "tmpcopyup"));
	assert_false(array_has(opts, "ridmap"));
	assert_false(array_has(opts, "idmap"));
	assert_true(array_has(opts, "rro"));
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "namespaces", NULL))->len, NS_TYPES);
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "capabilities", NULL))->len,
			 NAMES_CAP_LAST + 1);
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "seccomp", "actions"))->len,
			 count(names_seccomp_actions));
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "seccomp", "operators"))->len,
			 count(names_seccomp_ops));
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "seccomp", "archs"))->len,
			 count(names_seccomp_archs));
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "seccomp", "knownFlags"))->len, 4);
	assert_int_equal(YAJL_GET_ARRAY(at(v, "linux", "seccomp", "supportedFlags"))->len, 0);
	assert_true(YAJL_IS_FALSE(at(v, "linux", "seccomp", "enabled")));
	assert_true(YAJL_IS_FALSE(at(v, "linux", "apparmor", "enabled")));
	assert_true(YAJL_IS_OBJECT(at(v, "annotations", NULL, NULL)));
	assert_int_equal(YAJL_GET_OBJECT(at(v, "annotations", NULL, NULL))->len, 0);
	yajl_tree_free(v);
}

static void test_caller_facts(void **state)
{
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_LOG",
					     "SECCOMP_FILTER_FLAG_SPEC_ALLOW" };
	static const struct spec_kv notes[] = {
		{ "org.berth.version", "0.1.0" },
		{ "io.github.seccomp.libseccomp.version", "2.5.4" },
	};
	struct spec_features_input in = {
		.cgroup_v1 = true,
		.cgroup_v2 = true,
		.cgroup_systemd = false,
		.cgroup_systemd_user = true,
		.cgroup_rdma = false,
		.seccomp_enabled = true,
		.seccomp_supported_flags = flags,
		.n_seccomp_supported_flags = 2,
		.apparmor_enabled = true,
		.selinux_enabled = false,
		.intel_rdt_enabled = true,
		.idmap_mounts_enabled = true,
		.annotations = notes,
		.n_annotations = 2,
	};
	yajl_val v = features_doc(&in);
	yajl_val supported = at(v, "linux", "seccomp", "supportedFlags");
	const char *idmap[] = { "linux", "mountExtensions", "idmap", "enabled", NULL };

	assert_true(YAJL_IS_TRUE(at(v, "linux", "cgroup", "v1")));
	assert_true(YAJL_IS_TRUE(at(v, "linux", "cgroup", "v2")));
	assert_true(YAJL_IS_FALSE(at(v, "linux", "cgroup", "systemd")));
	assert_true(YAJL_IS_TRUE(at(v, "linux", "cgroup", "systemdUser")));
	assert_true(YAJL_IS_FALSE(at(v, "linux", "cgroup", "rdma")));
	assert_true(YAJL_IS_TRUE(at(v, "linux", "seccomp", "enabled")));
	assert_int_equal(supported->u.array.len, 2);
	assert_string_equal(YAJL_GET_STRING(supported->u.array.values[1]),
			    "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	assert_true(YAJL_IS_TRUE(at(v, "linux", "apparmor", "enabled")));
	assert_true(YAJL_IS_FALSE(at(v, "linux", "selinux", "enabled")));
	assert_true(YAJL_IS_TRUE(at(v, "linux", "intelRdt", "enabled")));
	assert_true(YAJL_IS_TRUE(yajl_tree_get(v, idmap, yajl_t_any)));
	assert_string_equal(YAJL_GET_STRING(at(v, "annotations",
					       "io.github.seccomp.libseccomp.version", NULL)),
			    "2.5.4");
	yajl_tree_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_lists),
		cmocka_unit_test(test_caller_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
