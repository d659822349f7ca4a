/* spec_config_write: what it writes parses back to the same struct, field
 * by field, for a config with every field and for every config and
 * process.json real clients sent; so a field the writer forgets fails
 * here. */
#include "tests/unit/helpers.h"

#include <glob.h>

#include "spec/config.h"
#include "spec/config_default.h"
#include "spec/config_write.h"

/* Field by field comparison; what differs is named in the failure. */
#define EQ(a, b, f)                                                              \
	do {                                                                     \
		if ((a)->f != (b)->f)                                            \
			fail_msg("%s: %s differs: %lld != %lld", where, #f,      \
				 (long long)(a)->f, (long long)(b)->f);          \
	} while (0)
#define EQ_STR(a, b, f) eq_str(where, #f, (a)->f, (b)->f)
#define EQ_STRV(a, b, f) eq_strv(where, #f, (a)->f, (a)->n_##f, (b)->f, (b)->n_##f)
#define EQ_N(a, b, f) EQ(a, b, n_##f)

static const char *where;

static void eq_str(const char *at, const char *field, const char *a, const char *b)
{
	if (!a && !b)
		return;
	if (!a || !b || strcmp(a, b) != 0)
		fail_msg("%s: %s differs: \"%s\" != \"%s\"", at, field, a ? a : "(null)",
			 b ? b : "(null)");
}

static void eq_strv(const char *at, const char *field, const char *const *a, size_t na,
		    const char *const *b, size_t nb)
{
	if (na != nb)
		fail_msg("%s: %s: %zu != %zu entries", at, field, na, nb);
	/* Present-and-empty is not absent (maskedPaths: [] masks nothing). */
	if (!a != !b)
		fail_msg("%s: %s: present in one only", at, field);
	for (size_t i = 0; i < na; i++)
		eq_str(at, field, a[i], b[i]);
	if (a && (a[na] || b[nb]))
		fail_msg("%s: %s: not NULL-terminated", at, field);
}

static void eq_kv(const struct spec_kv *a, size_t na, const struct spec_kv *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		EQ_STR(&a[i], &b[i], key);
		EQ_STR(&a[i], &b[i], value);
	}
}

static void eq_maps(const struct spec_id_mapping *a, size_t na,
		    const struct spec_id_mapping *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		EQ(&a[i], &b[i], container_id);
		EQ(&a[i], &b[i], host_id);
		EQ(&a[i], &b[i], size);
	}
}

static void eq_process(const struct spec_process *a, const struct spec_process *b)
{
	EQ(a, b, terminal);
	EQ(a, b, console_size_set);
	EQ(a, b, console_height);
	EQ(a, b, console_width);
	EQ(a, b, user.uid);
	EQ(a, b, user.gid);
	EQ(a, b, user.umask_set);
	EQ(a, b, user.umask);
	EQ(a, b, user.n_additional_gids);
	for (size_t i = 0; i < a->user.n_additional_gids; i++)
		EQ(a, b, user.additional_gids[i]);
	EQ_STR(a, b, user.username);
	EQ_STRV(a, b, args);
	EQ_STR(a, b, command_line);
	EQ_STRV(a, b, env);
	EQ_STR(a, b, cwd);
	EQ(a, b, caps.set);
	EQ(a, b, caps.bounding);
	EQ(a, b, caps.effective);
	EQ(a, b, caps.inheritable);
	EQ(a, b, caps.permitted);
	EQ(a, b, caps.ambient);
	EQ_N(a, b, rlimits);
	for (size_t i = 0; i < a->n_rlimits; i++) {
		EQ(a, b, rlimits[i].type);
		EQ(a, b, rlimits[i].soft);
		EQ(a, b, rlimits[i].hard);
	}
	EQ(a, b, no_new_privileges);
	EQ_STR(a, b, apparmor_profile);
	EQ(a, b, oom_score_adj_set);
	EQ(a, b, oom_score_adj);
	EQ(a, b, scheduler.set);
	EQ(a, b, scheduler.policy);
	EQ(a, b, scheduler.nice);
	EQ(a, b, scheduler.priority);
	EQ(a, b, scheduler.flags);
	EQ(a, b, scheduler.runtime);
	EQ(a, b, scheduler.deadline);
	EQ(a, b, scheduler.period);
	EQ_STR(a, b, selinux_label);
	EQ(a, b, io_priority.set);
	EQ(a, b, io_priority.class);
	EQ(a, b, io_priority.priority);
	EQ_STR(a, b, exec_cpu_affinity.initial);
	EQ_STR(a, b, exec_cpu_affinity.final);
}

static void eq_mounts(const struct spec_config *a, const struct spec_config *b)
{
	EQ_N(a, b, mounts);
	for (size_t i = 0; i < a->n_mounts; i++) {
		const struct spec_mount *x = &a->mounts[i], *y = &b->mounts[i];

		EQ_STR(x, y, destination);
		EQ_STR(x, y, type);
		EQ_STR(x, y, source);
		EQ_STRV(x, y, options);
		eq_maps(x->uid_mappings, x->n_uid_mappings, y->uid_mappings, y->n_uid_mappings);
		eq_maps(x->gid_mappings, x->n_gid_mappings, y->gid_mappings, y->n_gid_mappings);
	}
}

static void eq_hooks(const struct spec_hooks *a, const struct spec_hooks *b)
{
	for (int k = 0; k < HOOK_KINDS; k++) {
		EQ(a, b, n[k]);
		for (size_t i = 0; i < a->n[k]; i++) {
			const struct spec_hook *x = &a->list[k][i], *y = &b->list[k][i];

			EQ_STR(x, y, path);
			EQ_STRV(x, y, args);
			EQ_STRV(x, y, env);
			EQ(x, y, timeout_set);
			EQ(x, y, timeout);
		}
	}
}

static void eq_memory(const struct spec_memory *a, const struct spec_memory *b)
{
	EQ(a, b, limit.set);
	EQ(a, b, limit.v);
	EQ(a, b, reservation.set);
	EQ(a, b, reservation.v);
	EQ(a, b, swap.set);
	EQ(a, b, swap.v);
	EQ(a, b, kernel.set);
	EQ(a, b, kernel.v);
	EQ(a, b, kernel_tcp.set);
	EQ(a, b, kernel_tcp.v);
	EQ(a, b, swappiness.set);
	EQ(a, b, swappiness.v);
	EQ(a, b, disable_oom_killer_set);
	EQ(a, b, disable_oom_killer);
	EQ(a, b, use_hierarchy_set);
	EQ(a, b, use_hierarchy);
	EQ(a, b, check_before_update_set);
	EQ(a, b, check_before_update);
}

static void eq_cpu(const struct spec_cpu *a, const struct spec_cpu *b)
{
	EQ(a, b, shares.set);
	EQ(a, b, shares.v);
	EQ(a, b, quota.set);
	EQ(a, b, quota.v);
	EQ(a, b, burst.set);
	EQ(a, b, burst.v);
	EQ(a, b, period.set);
	EQ(a, b, period.v);
	EQ(a, b, realtime_runtime.set);
	EQ(a, b, realtime_runtime.v);
	EQ(a, b, realtime_period.set);
	EQ(a, b, realtime_period.v);
	EQ_STR(a, b, cpus);
	EQ_STR(a, b, mems);
	EQ(a, b, idle.set);
	EQ(a, b, idle.v);
}

static void eq_throttle(const struct spec_throttle_device *a, size_t na,
			const struct spec_throttle_device *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		EQ(&a[i], &b[i], major);
		EQ(&a[i], &b[i], minor);
		EQ(&a[i], &b[i], rate);
	}
}

static void eq_blkio(const struct spec_blkio *a, const struct spec_blkio *b)
{
	EQ(a, b, weight_set);
	EQ(a, b, weight);
	EQ(a, b, leaf_weight_set);
	EQ(a, b, leaf_weight);
	EQ_N(a, b, weight_device);
	for (size_t i = 0; i < a->n_weight_device; i++) {
		EQ(a, b, weight_device[i].major);
		EQ(a, b, weight_device[i].minor);
		EQ(a, b, weight_device[i].weight_set);
		EQ(a, b, weight_device[i].weight);
		EQ(a, b, weight_device[i].leaf_weight_set);
		EQ(a, b, weight_device[i].leaf_weight);
	}
	eq_throttle(a->throttle_read_bps, a->n_throttle_read_bps, b->throttle_read_bps,
		    b->n_throttle_read_bps);
	eq_throttle(a->throttle_write_bps, a->n_throttle_write_bps, b->throttle_write_bps,
		    b->n_throttle_write_bps);
	eq_throttle(a->throttle_read_iops, a->n_throttle_read_iops, b->throttle_read_iops,
		    b->n_throttle_read_iops);
	eq_throttle(a->throttle_write_iops, a->n_throttle_write_iops, b->throttle_write_iops,
		    b->n_throttle_write_iops);
}

static void eq_resources(const struct spec_resources *a, const struct spec_resources *b)
{
	EQ(a, b, set);
	EQ_N(a, b, devices);
	for (size_t i = 0; i < a->n_devices; i++) {
		EQ(a, b, devices[i].allow);
		EQ(a, b, devices[i].type);
		EQ(a, b, devices[i].major);
		EQ(a, b, devices[i].minor);
		EQ_STR(a, b, devices[i].access);
	}
	EQ(a, b, memory_set);
	eq_memory(&a->memory, &b->memory);
	EQ(a, b, cpu_set);
	eq_cpu(&a->cpu, &b->cpu);
	EQ(a, b, pids_set);
	EQ(a, b, pids_limit);
	EQ(a, b, blkio_set);
	eq_blkio(&a->blkio, &b->blkio);
	EQ_N(a, b, hugepage_limits);
	for (size_t i = 0; i < a->n_hugepage_limits; i++) {
		EQ_STR(a, b, hugepage_limits[i].page_size);
		EQ(a, b, hugepage_limits[i].limit);
	}
	EQ(a, b, network_set);
	EQ(a, b, net_class_id_set);
	EQ(a, b, net_class_id);
	EQ_N(a, b, net_priorities);
	for (size_t i = 0; i < a->n_net_priorities; i++) {
		EQ_STR(a, b, net_priorities[i].name);
		EQ(a, b, net_priorities[i].priority);
	}
	EQ_N(a, b, rdma);
	for (size_t i = 0; i < a->n_rdma; i++) {
		EQ_STR(a, b, rdma[i].device);
		EQ(a, b, rdma[i].hca_handles_set);
		EQ(a, b, rdma[i].hca_handles);
		EQ(a, b, rdma[i].hca_objects_set);
		EQ(a, b, rdma[i].hca_objects);
	}
	eq_kv(a->unified, a->n_unified, b->unified, b->n_unified);
}

static void eq_seccomp(const struct spec_seccomp *a, const struct spec_seccomp *b)
{
	EQ(a, b, set);
	EQ(a, b, default_action);
	EQ(a, b, default_errno_ret_set);
	EQ(a, b, default_errno_ret);
	EQ_STRV(a, b, architectures);
	EQ(a, b, flags);
	EQ_STR(a, b, listener_path);
	EQ_STR(a, b, listener_metadata);
	EQ_N(a, b, syscalls);
	for (size_t i = 0; i < a->n_syscalls; i++) {
		const struct spec_seccomp_rule *x = &a->syscalls[i], *y = &b->syscalls[i];

		EQ_STRV(x, y, names);
		EQ(x, y, action);
		EQ(x, y, errno_ret_set);
		EQ(x, y, errno_ret);
		EQ_N(x, y, args);
		for (size_t j = 0; j < x->n_args; j++) {
			EQ(x, y, args[j].index);
			EQ(x, y, args[j].value);
			EQ(x, y, args[j].value_two);
			EQ(x, y, args[j].op);
		}
	}
}

static void eq_linux(const struct spec_linux *a, const struct spec_linux *b)
{
	EQ_N(a, b, namespaces);
	for (size_t i = 0; i < a->n_namespaces; i++) {
		EQ(a, b, namespaces[i].type);
		EQ_STR(a, b, namespaces[i].path);
	}
	eq_maps(a->uid_mappings, a->n_uid_mappings, b->uid_mappings, b->n_uid_mappings);
	eq_maps(a->gid_mappings, a->n_gid_mappings, b->gid_mappings, b->n_gid_mappings);
	EQ(a, b, time_monotonic.set);
	EQ(a, b, time_monotonic.secs);
	EQ(a, b, time_monotonic.nanosecs);
	EQ(a, b, time_boottime.set);
	EQ(a, b, time_boottime.secs);
	EQ(a, b, time_boottime.nanosecs);
	EQ_N(a, b, devices);
	for (size_t i = 0; i < a->n_devices; i++) {
		EQ(a, b, devices[i].type);
		EQ_STR(a, b, devices[i].path);
		EQ(a, b, devices[i].major);
		EQ(a, b, devices[i].minor);
		EQ(a, b, devices[i].file_mode_set);
		EQ(a, b, devices[i].file_mode);
		EQ(a, b, devices[i].uid_set);
		EQ(a, b, devices[i].uid);
		EQ(a, b, devices[i].gid_set);
		EQ(a, b, devices[i].gid);
	}
	EQ_STR(a, b, cgroups_path);
	eq_resources(&a->resources, &b->resources);
	EQ(a, b, rootfs_propagation_set);
	EQ(a, b, rootfs_propagation);
	EQ_STRV(a, b, masked_paths);
	EQ_STRV(a, b, readonly_paths);
	EQ_STR(a, b, mount_label);
	eq_kv(a->sysctl, a->n_sysctl, b->sysctl, b->n_sysctl);
	eq_seccomp(&a->seccomp, &b->seccomp);
	EQ(a, b, personality.set);
	EQ(a, b, personality.domain);
	EQ_STRV(&a->personality, &b->personality, flags);
	EQ(a, b, intel_rdt.set);
	EQ_STR(a, b, intel_rdt.clos_id);
	EQ_STR(a, b, intel_rdt.l3_cache_schema);
	EQ_STR(a, b, intel_rdt.mem_bw_schema);
	EQ(a, b, intel_rdt.enable_cmt);
	EQ(a, b, intel_rdt.enable_mbm);
	EQ_N(a, b, net_devices);
	for (size_t i = 0; i < a->n_net_devices; i++) {
		EQ_STR(a, b, net_devices[i].host_name);
		EQ_STR(a, b, net_devices[i].name);
	}
}

static void eq_config(const struct spec_config *a, const struct spec_config *b)
{
	EQ_STR(a, b, oci_version);
	EQ_STR(a, b, root.path);
	EQ(a, b, root.readonly);
	EQ(a, b, process_set);
	eq_process(&a->process, &b->process);
	EQ_STR(a, b, hostname);
	EQ_STR(a, b, domainname);
	eq_mounts(a, b);
	eq_hooks(&a->hooks, &b->hooks);
	eq_kv(a->annotations, a->n_annotations, b->annotations, b->n_annotations);
	eq_linux(&a->linux, &b->linux);
}

static struct spec_config *parse(const char *json, size_t len)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	if (spec_config_parse(json, len, &cfg, &err) < 0)
		fail_msg("%s: %s\n%s", where, err.msg, json);
	return cfg;
}

/* parse -> write -> parse gives the same struct, and writing that again
 * gives the same text. */
static void round_trip_config(const char *json, size_t len)
{
	struct spec_config *a = parse(json, len), *b;
	struct berr err = { 0 };
	char *out = NULL, *again = NULL;
	size_t out_len = 0, again_len = 0;

	if (spec_config_write(a, &out, &out_len, &err) < 0)
		fail_msg("%s: write: %s", where, err.msg);
	assert_int_equal(out_len, strlen(out));
	b = parse(out, out_len);
	eq_config(a, b);
	if (spec_config_write(b, &again, &again_len, &err) < 0)
		fail_msg("%s: write again: %s", where, err.msg);
	assert_string_equal(out, again);
	free(again);
	free(out);
	spec_config_free(b);
	spec_config_free(a);
}

static void round_trip_process(const char *json, size_t len)
{
	struct arena arena = { 0 };
	struct spec_process a, b;
	struct berr err = { 0 };
	char *out = NULL;
	size_t out_len = 0;

	if (spec_process_parse(json, len, &arena, &a, &err) < 0)
		fail_msg("%s: %s", where, err.msg);
	if (spec_process_write(&a, &out, &out_len, &err) < 0)
		fail_msg("%s: write: %s", where, err.msg);
	assert_null(strchr(out, '\n')); /* one line */
	if (spec_process_parse(out, out_len, &arena, &b, &err) < 0)
		fail_msg("%s: written process does not parse: %s\n%s", where, err.msg, out);
	eq_process(&a, &b);
	free(out);
	arena_release(&arena);
}

static void test_full(void **state)
{
	size_t len;
	char *json = read_fixture(FIXTURES "/full.config.json", &len);

	where = "full.config.json";
	round_trip_config(json, len);
	free(json);
}

/* Values full.config.json leaves at their defaults, and those whose
 * absence and zero differ. */
static void test_other_values(void **state)
{
	static const char *const docs[] = {
		"{'ociVersion':'1.0.2','root':{'path':'r'},'linux':{'resources':{"
		"'memory':{'useHierarchy':false,'disableOOMKiller':false,'limit':0},"
		"'cpu':{'shares':0},'pids':{'limit':-1},'devices':[],"
		"'network':{}},'maskedPaths':[],'intelRdt':{'enableMBM':true},"
		"'personality':{'domain':'LINUX32'},'timeOffsets':{'boottime':{'secs':-5}},"
		"'devices':[{'type':'p','path':'/dev/fifo'}],'rootfsPropagation':'rshared',"
		"'seccomp':{'defaultAction':'SCMP_ACT_KILL_PROCESS','syscalls':[]}}}",
		"{'ociVersion':'1.2.0','root':{'path':'r','readonly':true},'mounts':[],"
		"'process':{'cwd':'/','args':[],'env':[],'user':{'uid':0,'gid':0,"
		"'additionalGids':[]},'capabilities':{},'oomScoreAdj':0,"
		"'scheduler':{'policy':'SCHED_OTHER'},'ioPriority':{'class':'IOPRIO_CLASS_IDLE'},"
		"'execCPUAffinity':{'final':'1'}}}",
		"{'ociVersion':'1.2.0','root':{'path':'r'},'linux':{'seccomp':{"
		"'defaultAction':'SCMP_ACT_KILL','architectures':[],'syscalls':[{'names':[],"
		"'action':'SCMP_ACT_NOTIFY','errnoRet':0}]},'resources':{"
		"'devices':[{'allow':true,'type':'c','major':1,'access':'m'}]}}}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		char *json = squote_json(docs[i]);

		where = docs[i];
		round_trip_config(json, strlen(json));
		free(json);
	}
}

static void test_clients(void **state)
{
	glob_t g;

	assert_int_equal(glob(FIXTURES "/clients/*.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 10);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len;
		char *json = read_fixture(g.gl_pathv[i], &len);

		where = g.gl_pathv[i];
		if (strstr(where, ".process.json"))
			round_trip_process(json, len);
		else
			round_trip_config(json, len);
		free(json);
	}
	globfree(&g);
}

/* berth spec's config, built as spec types and written by the one writer,
 * says what it said when it was written by hand (the fixtures are that
 * output, for root; the profile's architectures are x86_64's). */
static void test_default_unchanged(void **state)
{
#if defined(__x86_64__)
	static const struct {
		const char *fixture;
		bool rootless;
	} cases[] = {
		{ FIXTURES "/default.config.json", false },
		{ FIXTURES "/default-rootless.config.json", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct spec_default_opts opts = { .rootless = cases[i].rootless, .seccomp = true };
		struct spec_config *want, *got;
		struct berr err = { 0 };
		char *json, *out = NULL;
		size_t len, out_len = 0;

		where = cases[i].fixture;
		json = read_fixture(cases[i].fixture, &len);
		want = parse(json, len);
		if (spec_default_config_json(&opts, &out, &out_len, &err) < 0)
			fail_msg("default config: %s", err.msg);
		got = parse(out, out_len);
		eq_config(want, got);
		spec_config_free(got);
		spec_config_free(want);
		free(out);
		free(json);
	}
#else
	skip();
#endif
}

/* A number no table names is refused, not written as null. */
static void test_unnamed(void **state)
{
	struct spec_config cfg = { .root.path = "r" };
	struct spec_rlimit rl = { .type = 99, .soft = 1, .hard = 1 };
	struct berr err = { 0 };
	char *out = NULL;

	cfg.process_set = true;
	cfg.process.cwd = "/";
	cfg.process.rlimits = &rl;
	cfg.process.n_rlimits = 1;
	assert_int_equal(spec_config_write(&cfg, &out, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "write config.json: unknown rlimit 99");
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_other_values),
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_default_unchanged),
		cmocka_unit_test(test_unnamed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
