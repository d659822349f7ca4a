/* spec_config_parse and friends: every field of a full config, every class
 * of bad input with its exact message, and every config real clients sent. */
#include "tests/unit/helpers.h"

#include <glob.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "spec/base/fsutil.h"
#include "spec/config.h"
#include "spec/names.h"

#define CAP(n) (UINT64_C(1) << (n))

static struct spec_config *parse_ok(const char *squoted)
{
	char *json = squote_json(squoted);
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	if (spec_config_parse(json, strlen(json), &cfg, &err) < 0)
		fail_msg("unexpected error: %s\nfor: %s", err.msg, json);
	free(json);
	return cfg;
}

/* --- a config with every field -------------------------------------- */

static void check_full_process(const struct spec_process *p)
{
	assert_true(p->terminal);
	assert_true(p->console_size_set);
	assert_int_equal(p->console_height, 24);
	assert_int_equal(p->console_width, 80);

	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.umask_set);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[0], 5);
	assert_int_equal(p->user.additional_gids[1], 4294967295u);
	assert_string_equal(p->user.username, "someone");

	assert_int_equal(p->n_args, 3);
	assert_string_equal(p->args[0], "sh");
	assert_string_equal(p->args[2], "echo hi");
	assert_null(p->args[3]); /* ready for execv */
	assert_int_equal(p->n_env, 2);
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_null(p->env[2]);
	assert_string_equal(p->cwd, "/work");
	assert_null(p->command_line);

	assert_true(p->caps.set);
	assert_int_equal(p->caps.bounding, CAP(0) | CAP(5) | CAP(40));
	assert_int_equal(p->caps.effective, CAP(5));
	assert_int_equal(p->caps.inheritable, CAP(13));
	assert_int_equal(p->caps.permitted, CAP(5) | CAP(21));
	assert_int_equal(p->caps.ambient, CAP(39));

	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].type, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 4096);
	assert_int_equal(p->rlimits[1].type, RLIMIT_CORE);
	assert_int_equal(p->rlimits[1].soft, 0);
	assert_true(p->rlimits[1].hard == UINT64_MAX);

	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "berth-default");
	assert_true(p->oom_score_adj_set);
	assert_int_equal(p->oom_score_adj, -500);

	assert_true(p->scheduler.set);
	assert_int_equal(p->scheduler.policy, 6); /* SCHED_DEADLINE */
	assert_int_equal(p->scheduler.nice, -5);
	assert_int_equal(p->scheduler.priority, 7);
	assert_int_equal(p->scheduler.flags, 0x01 | 0x10);
	assert_int_equal(p->scheduler.runtime, 1000000);
	assert_int_equal(p->scheduler.deadline, 2000000);
	assert_int_equal(p->scheduler.period, 3000000);

	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
	assert_true(p->io_priority.set);
	assert_int_equal(p->io_priority.class, 2); /* IOPRIO_CLASS_BE */
	assert_int_equal(p->io_priority.priority, 4);
	assert_string_equal(p->exec_cpu_affinity.initial, "0-3,7");
	assert_string_equal(p->exec_cpu_affinity.final, "1");
}

static void check_full_hooks(const struct spec_hooks *h);

static void check_full_mounts_hooks(const struct spec_config *c)
{
	const struct spec_mount *m;

	assert_int_equal(c->n_mounts, 2);
	m = &c->mounts[0];
	assert_string_equal(m->destination, "/proc");
	assert_string_equal(m->type, "proc");
	assert_string_equal(m->source, "proc");
	assert_int_equal(m->n_options, 0);
	assert_null(m->options);
	m = &c->mounts[1];
	assert_string_equal(m->destination, "/data");
	assert_string_equal(m->type, "bind");
	assert_string_equal(m->source, "/srv/data");
	assert_int_equal(m->n_options, 3);
	assert_string_equal(m->options[2], "idmap");
	assert_int_equal(m->n_uid_mappings, 1);
	assert_int_equal(m->uid_mappings[0].container_id, 0);
	assert_int_equal(m->uid_mappings[0].host_id, 100000);
	assert_int_equal(m->uid_mappings[0].size, 65536);
	assert_int_equal(m->n_gid_mappings, 1);
	assert_int_equal(m->gid_mappings[0].container_id, 1);
	assert_int_equal(m->gid_mappings[0].host_id, 200000);
	assert_int_equal(m->gid_mappings[0].size, 10);
	check_full_hooks(&c->hooks);

	assert_int_equal(c->n_annotations, 2);
	assert_string_equal(c->annotations[0].key, "org.example.key");
	assert_string_equal(c->annotations[0].value, "value");
	assert_string_equal(c->annotations[1].key, "other");
	assert_string_equal(c->annotations[1].value, "");
}

static void check_full_hooks(const struct spec_hooks *h)
{
	assert_int_equal(h->n[HOOK_PRESTART], 1);
	assert_string_equal(h->list[HOOK_PRESTART][0].path, "/bin/pre");
	assert_int_equal(h->list[HOOK_PRESTART][0].n_args, 2);
	assert_string_equal(h->list[HOOK_PRESTART][0].args[1], "a");
	assert_int_equal(h->list[HOOK_PRESTART][0].n_env, 1);
	assert_string_equal(h->list[HOOK_PRESTART][0].env[0], "X=1");
	assert_true(h->list[HOOK_PRESTART][0].timeout_set);
	assert_int_equal(h->list[HOOK_PRESTART][0].timeout, 5);
	assert_int_equal(h->n[HOOK_CREATE_RUNTIME], 2);
	assert_string_equal(h->list[HOOK_CREATE_RUNTIME][1].path, "/bin/cr2");
	assert_false(h->list[HOOK_CREATE_RUNTIME][1].timeout_set);
	assert_int_equal(h->n[HOOK_CREATE_CONTAINER], 1);
	assert_string_equal(h->list[HOOK_CREATE_CONTAINER][0].path, "/bin/cc");
	assert_int_equal(h->n[HOOK_START_CONTAINER], 1);
	assert_string_equal(h->list[HOOK_START_CONTAINER][0].path, "/bin/sc");
	assert_int_equal(h->n[HOOK_POSTSTART], 1);
	assert_string_equal(h->list[HOOK_POSTSTART][0].path, "/bin/ps");
	assert_int_equal(h->n[HOOK_POSTSTOP], 1);
	assert_int_equal(h->list[HOOK_POSTSTOP][0].timeout, 30);
}

static void check_full_linux_basics(const struct spec_linux *l)
{
	assert_int_equal(l->n_namespaces, 8);
	assert_int_equal(l->namespaces[0].type, NS_PID);
	assert_null(l->namespaces[0].path);
	assert_int_equal(l->namespaces[1].type, NS_NETWORK);
	assert_string_equal(l->namespaces[1].path, "/run/netns/n1");
	assert_int_equal(l->namespaces[7].type, NS_TIME);

	assert_int_equal(l->n_uid_mappings, 2);
	assert_int_equal(l->uid_mappings[1].container_id, 1);
	assert_int_equal(l->uid_mappings[1].host_id, 100000);
	assert_int_equal(l->uid_mappings[1].size, 65536);
	assert_int_equal(l->n_gid_mappings, 1);
	assert_int_equal(l->gid_mappings[0].host_id, 1001);

	assert_true(l->time_monotonic.set);
	assert_int_equal(l->time_monotonic.secs, -86400);
	assert_int_equal(l->time_monotonic.nanosecs, 500);
	assert_true(l->time_boottime.set);
	assert_int_equal(l->time_boottime.secs, 3600);
	assert_int_equal(l->time_boottime.nanosecs, 0);

	assert_int_equal(l->n_devices, 3);
	assert_int_equal(l->devices[0].type, 'c');
	assert_string_equal(l->devices[0].path, "/dev/fuse");
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].file_mode_set);
	assert_int_equal(l->devices[0].file_mode, 0666);
	assert_true(l->devices[0].uid_set);
	assert_true(l->devices[0].gid_set);
	assert_int_equal(l->devices[1].type, 'b');
	assert_false(l->devices[1].file_mode_set);
	assert_false(l->devices[1].uid_set);
	assert_int_equal(l->devices[2].type, 'p');

	assert_string_equal(l->cgroups_path, "/berth/full");
	assert_true(l->rootfs_propagation_set);
	assert_int_equal(l->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(l->n_masked_paths, 2);
	assert_string_equal(l->masked_paths[1], "/sys/firmware");
	assert_int_equal(l->n_readonly_paths, 1);
	assert_string_equal(l->readonly_paths[0], "/proc/sys");
	assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
	assert_int_equal(l->n_sysctl, 2);
	assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
	assert_string_equal(l->sysctl[0].value, "1");

	assert_true(l->personality.set);
	assert_int_equal(l->personality.domain, PER_LINUX32);
	assert_int_equal(l->personality.n_flags, 1);
	assert_string_equal(l->personality.flags[0], "SHORT_INODE");
	assert_true(l->intel_rdt.set);
	assert_string_equal(l->intel_rdt.clos_id, "guaranteed");
	assert_string_equal(l->intel_rdt.l3_cache_schema, "L3:0=7f0");
	assert_string_equal(l->intel_rdt.mem_bw_schema, "MB:0=20");
	assert_true(l->intel_rdt.enable_cmt);
	assert_false(l->intel_rdt.enable_mbm);
	assert_int_equal(l->n_net_devices, 2);
	assert_string_equal(l->net_devices[0].host_name, "eth1");
	assert_string_equal(l->net_devices[0].name, "net0");
	assert_string_equal(l->net_devices[1].host_name, "eth2");
	assert_string_equal(l->net_devices[1].name, "eth2");
}

static void check_full_resources(const struct spec_resources *r)
{
	const struct spec_memory *m = &r->memory;
	const struct spec_cpu *c = &r->cpu;
	const struct spec_blkio *b = &r->blkio;

	assert_true(r->set);
	assert_int_equal(r->n_devices, 3);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_int_equal(r->devices[0].major, -1);
	assert_int_equal(r->devices[0].minor, -1);
	assert_string_equal(r->devices[0].access, "rwm");
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].major, 1);
	assert_int_equal(r->devices[1].minor, 3);
	assert_string_equal(r->devices[1].access, "rwm"); /* from "mwr" */
	assert_int_equal(r->devices[2].type, 'b');
	assert_int_equal(r->devices[2].major, 8);
	assert_int_equal(r->devices[2].minor, -1);
	assert_string_equal(r->devices[2].access, "r");

	assert_true(r->memory_set);
	assert_true(m->limit.set);
	assert_int_equal(m->limit.v, 536870912);
	assert_true(m->reservation.set); /* zero, but given */
	assert_int_equal(m->reservation.v, 0);
	assert_int_equal(m->swap.v, -1);
	assert_int_equal(m->kernel.v, 1);
	assert_int_equal(m->kernel_tcp.v, 2);
	assert_true(m->swappiness.set);
	assert_int_equal(m->swappiness.v, 60);
	assert_true(m->disable_oom_killer_set);
	assert_true(m->disable_oom_killer);
	assert_true(m->use_hierarchy_set);
	assert_false(m->use_hierarchy);
	assert_true(m->check_before_update_set);
	assert_true(m->check_before_update);

	assert_true(r->cpu_set);
	assert_int_equal(c->shares.v, 1024);
	assert_int_equal(c->quota.v, 50000);
	assert_int_equal(c->burst.v, 1000);
	assert_int_equal(c->period.v, 100000);
	assert_int_equal(c->realtime_runtime.v, 950000);
	assert_int_equal(c->realtime_period.v, 1000000);
	assert_string_equal(c->cpus, "0-1");
	assert_string_equal(c->mems, "0");
	assert_true(c->idle.set);
	assert_int_equal(c->idle.v, 1);

	assert_true(r->pids_set);
	assert_int_equal(r->pids_limit, -1);

	assert_true(r->blkio_set);
	assert_true(b->weight_set);
	assert_int_equal(b->weight, 500);
	assert_int_equal(b->leaf_weight, 300);
	assert_int_equal(b->n_weight_device, 2);
	assert_int_equal(b->weight_device[0].major, 8);
	assert_true(b->weight_device[0].weight_set);
	assert_false(b->weight_device[0].leaf_weight_set);
	assert_int_equal(b->weight_device[0].weight, 100);
	assert_false(b->weight_device[1].weight_set);
	assert_int_equal(b->weight_device[1].leaf_weight, 200);
	assert_int_equal(b->n_throttle_read_bps, 1);
	assert_int_equal(b->throttle_read_bps[0].rate, 1048576);
	assert_int_equal(b->throttle_write_bps[0].rate, 2097152);
	assert_int_equal(b->throttle_read_iops[0].rate, 100);
	assert_int_equal(b->n_throttle_write_iops, 2);
	assert_int_equal(b->throttle_write_iops[1].minor, 16);
	assert_int_equal(b->throttle_write_iops[1].rate, 300);

	assert_int_equal(r->n_hugepage_limits, 1);
	assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
	assert_int_equal(r->hugepage_limits[0].limit, 209715200);
	assert_true(r->network_set);
	assert_true(r->net_class_id_set);
	assert_int_equal(r->net_class_id, 1048577);
	assert_int_equal(r->n_net_priorities, 2);
	assert_string_equal(r->net_priorities[1].name, "lo");
	assert_int_equal(r->net_priorities[1].priority, 1);
	assert_int_equal(r->n_rdma, 2);
	assert_string_equal(r->rdma[0].device, "mlx5_1");
	assert_true(r->rdma[0].hca_handles_set);
	assert_int_equal(r->rdma[0].hca_handles, 3);
	assert_int_equal(r->rdma[0].hca_objects, 10000);
	assert_string_equal(r->rdma[1].device, "mlx4_0");
	assert_false(r->rdma[1].hca_handles_set);
	assert_true(r->rdma[1].hca_objects_set);
	assert_int_equal(r->n_unified, 2);
	assert_string_equal(r->unified[1].key, "io.weight");
	assert_string_equal(r->unified[1].value, "default 100");
}

static void check_full_seccomp(const struct spec_seccomp *s)
{
	const struct spec_seccomp_rule *rule;

	assert_true(s->set);
	assert_int_equal(s->default_action, SECCOMP_ACT_ERRNO);
	assert_true(s->default_errno_ret_set);
	assert_int_equal(s->default_errno_ret, 38);
	assert_int_equal(s->n_architectures, 2);
	assert_string_equal(s->architectures[0], "SCMP_ARCH_X86_64");
	assert_int_equal(s->flags,
			 SPEC_SECCOMP_FLAG_LOG | SPEC_SECCOMP_FLAG_SPEC_ALLOW);
	assert_string_equal(s->listener_path, "/run/listener.sock");
	assert_string_equal(s->listener_metadata, "meta");
	assert_int_equal(s->n_syscalls, 3);
	rule = &s->syscalls[0];
	assert_int_equal(rule->n_names, 2);
	assert_string_equal(rule->names[1], "write");
	assert_int_equal(rule->action, SECCOMP_ACT_ALLOW);
	assert_false(rule->errno_ret_set);
	assert_int_equal(rule->n_args, 0);
	rule = &s->syscalls[1];
	assert_int_equal(rule->action, SECCOMP_ACT_ERRNO);
	assert_true(rule->errno_ret_set);
	assert_int_equal(rule->errno_ret, 1);
	assert_int_equal(rule->n_args, 2);
	assert_int_equal(rule->args[0].index, 0);
	assert_true(rule->args[0].value == UINT64_MAX);
	assert_int_equal(rule->args[0].op, SECCOMP_OP_EQ);
	assert_int_equal(rule->args[1].index, 5);
	assert_int_equal(rule->args[1].value, 255);
	assert_int_equal(rule->args[1].value_two, 8);
	assert_int_equal(rule->args[1].op, SECCOMP_OP_MASKED_EQ);
	assert_int_equal(s->syscalls[2].action, SECCOMP_ACT_NOTIFY);
}

/* start and delete read only the hooks of a stored config. */
static void test_hooks_only(void **state)
{
	struct spec_config *c = NULL;
	struct berr err = { 0 };
	char *json;
	size_t len;

	json = read_fixture(FIXTURES "/full.config.json", &len);
	if (spec_config_parse_hooks(json, len, &c, &err) < 0)
		fail_msg("%s", err.msg);
	check_full_hooks(&c->hooks);
	/* Nothing else is read. */
	assert_null(c->oci_version);
	assert_false(c->process_set);
	assert_int_equal(c->n_mounts, 0);
	assert_false(c->linux.seccomp.set);
	assert_int_equal(c->linux.n_namespaces, 0);
	spec_config_free(c);
	free(json);
	/* Still JSON, still paths in errors. */
	assert_true(spec_config_parse_hooks("{", 1, &c, &err) < 0);
	assert_non_null(strstr(err.msg, "invalid JSON"));
	json = squote_json("{'hooks':{'poststop':[{'args':['x']}]}}");
	assert_true(spec_config_parse_hooks(json, strlen(json), &c, &err) < 0);
	assert_string_equal(err.msg, ".hooks.poststop[0].path: required field is missing");
	free(json);
}

/* A config file read and parsed as berth create does it (spec/ itself
 * reads no files). */
static int load_file(const char *path, struct spec_config **out, struct berr *err)
{
	char *json = NULL;
	size_t len = 0;
	int ret;

	ret = fsutil_read_file(path, &json, &len, err);
	if (ret < 0)
		return ret;
	ret = spec_config_parse(json, len, out, err);
	free(json);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	return 0;
}

static void test_full_config(void **state)
{
	struct spec_config *c = NULL;
	struct berr err = { 0 };

	if (load_file(FIXTURES "/full.config.json", &c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c->oci_version, "1.2.0");
	assert_string_equal(c->root.path, "rootfs");
	assert_true(c->root.readonly);
	assert_string_equal(c->hostname, "full");
	assert_string_equal(c->domainname, "example.org");
	assert_true(c->process_set);
	check_full_process(&c->process);
	check_full_mounts_hooks(c);
	check_full_linux_basics(&c->linux);
	check_full_resources(&c->linux.resources);
	check_full_seccomp(&c->linux.seccomp);
	assert_ptr_equal(spec_namespace_find(c, NS_NETWORK), &c->linux.namespaces[1]);
	spec_config_free(c);
}

/* --- the smallest config and what absence means ---------------------- */

static void test_minimal_config(void **state)
{
	struct spec_config *c = parse_ok("{'ociVersion':'1.0.0','root':{'path':'/r'}}");

	assert_string_equal(c->root.path, "/r");
	assert_false(c->root.readonly);
	assert_false(c->process_set);
	assert_null(c->hostname);
	assert_int_equal(c->n_mounts, 0);
	assert_int_equal(c->linux.n_namespaces, 0);
	assert_false(c->linux.resources.set);
	assert_false(c->linux.seccomp.set);
	assert_false(c->linux.rootfs_propagation_set);
	assert_null(spec_namespace_find(c, NS_PID));
	spec_config_free(c);
}

static void test_null_is_absent(void **state)
{
	struct spec_config *c = parse_ok(
		"{'ociVersion':'1.2.0','root':{'path':'r','readonly':null},"
		"'process':null,'hostname':null,'mounts':null,'hooks':null,"
		"'windows':null,'linux':{'resources':{'memory':null,"
		"'pids':{'limit':null}},'seccomp':null,"
		"'netDevices':{'eth0':null},'timeOffsets':{'boottime':null}}}");

	assert_false(c->root.readonly);
	assert_false(c->process_set);
	assert_null(c->hostname);
	assert_int_equal(c->n_mounts, 0);
	assert_true(c->linux.resources.set);
	assert_false(c->linux.resources.memory_set);
	assert_true(c->linux.resources.pids_set);
	assert_int_equal(c->linux.resources.pids_limit, 0);
	assert_false(c->linux.seccomp.set);
	assert_int_equal(c->linux.n_net_devices, 0);
	assert_false(c->linux.time_boottime.set);
	spec_config_free(c);
}

static void test_unknown_keys_ignored(void **state)
{
	struct spec_config *c = parse_ok(
		"{'ociVersion':'1.3.0','root':{'path':'r','future':1},"
		"'process':{'cwd':'/','future':[1,2],'user':{'uid':1,'x':{}}},"
		"'linux':{'memoryPolicy':{'mode':'MPOL_BIND'},"
		"'resources':{'future':true}},'future':'yes'}");

	assert_string_equal(c->oci_version, "1.3.0");
	assert_int_equal(c->process.user.uid, 1);
	spec_config_free(c);
}

/* runc ignores them with a warning: configs name newer kernels' caps. */
static void test_unknown_capabilities_kept_aside(void **state)
{
	struct spec_config *c = parse_ok(
		"{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'cwd':'/',"
		"'capabilities':{'bounding':['CAP_KILL','CAP_FOO'],'ambient':['kill']}}}");

	assert_int_equal(c->process.caps.bounding, UINT64_C(1) << 5);
	assert_int_equal(c->process.caps.ambient, 0);
	assert_string_equal(c->process.caps.unknown, "CAP_FOO kill");
	spec_config_free(c);
}

static void test_last_duplicate_key_wins(void **state)
{
	struct spec_config *c = parse_ok(
		"{'ociVersion':'1.2.0','root':{'path':'a'},'root':{'path':'b'},"
		"'annotations':{'k':'1','j':'2','k':'3'}}");

	assert_string_equal(c->root.path, "b");
	assert_int_equal(c->n_annotations, 2);
	assert_string_equal(c->annotations[0].key, "k");
	assert_string_equal(c->annotations[0].value, "3");
	assert_string_equal(c->annotations[1].value, "2");
	spec_config_free(c);
}

static void test_zero_resources_are_set(void **state)
{
	/* docker sends zeros for "leave it alone"; the parser records them
	 * as given and the consumer decides. */
	struct spec_config *c = parse_ok(
		"{'ociVersion':'1.2.0','root':{'path':'r'},'linux':{'resources':"
		"{'memory':{'limit':0},'cpu':{'shares':0},'blockIO':{'weight':0}}}}");
	const struct spec_resources *r = &c->linux.resources;

	assert_true(r->memory.limit.set);
	assert_int_equal(r->memory.limit.v, 0);
	assert_false(r->memory.swap.set);
	assert_true(r->cpu.shares.set);
	assert_false(r->cpu.quota.set);
	assert_true(r->blkio.weight_set);
	assert_int_equal(r->blkio.weight, 0);
	assert_false(r->pids_set);
	assert_false(r->network_set);
	spec_config_free(c);
}

/* --- bad input: one exact message per class ------------------------- */

#define BASE "{'ociVersion':'1.2.0','root':{'path':'r'}"
#define PROC(x) BASE ",'process':{'cwd':'/'," x "}}"
#define LINUX(x) BASE ",'linux':{" x "}}"
#define RES(x) LINUX("'resources':{" x "}")
#define SECCOMP(x) LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," x "}")

static const struct bad_case {
	const char *json; /* single-quoted */
	const char *msg;
} bad_cases[] = {
	/* syntax and shape */
	{ "{'ociVersion':", "invalid JSON: parse error: premature EOF" },
	{ "{} x", "invalid JSON: parse error: trailing garbage" },
	{ "", "invalid JSON: parse error: premature EOF" },
	{ "[1]", ".: expected an object" },

	/* required fields */
	{ "{'root':{'path':'r'}}", ".ociVersion: required field is missing" },
	{ "{'ociVersion':'1.2.0'}", ".root: required field is missing" },
	{ "{'ociVersion':'1.2.0','root':{}}", ".root.path: required field is missing" },
	{ "{'ociVersion':'1.2.0','root':{'path':null}}",
	  ".root.path: required field is missing" },
	{ BASE ",'process':{'args':['sh']}}", ".process.cwd: required field is missing" },
	{ BASE ",'mounts':[{'destination':'/a'},{'type':'tmpfs'}]}",
	  ".mounts[1].destination: required field is missing" },
	{ BASE ",'hooks':{'prestart':[{'args':['x']}]}}",
	  ".hooks.prestart[0].path: required field is missing" },
	{ LINUX("'namespaces':[{'path':'/x'}]"),
	  ".linux.namespaces[0].type: required field is missing" },
	{ LINUX("'uidMappings':[{'containerID':0,'size':1}]"),
	  ".linux.uidMappings[0].hostID: required field is missing" },
	{ LINUX("'gidMappings':[{'hostID':0,'size':1}]"),
	  ".linux.gidMappings[0].containerID: required field is missing" },
	{ BASE ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1}]}]}",
	  ".mounts[0].uidMappings[0].size: required field is missing" },
	{ LINUX("'devices':[{'path':'/dev/x'}]"),
	  ".linux.devices[0].type: required field is missing" },
	{ LINUX("'devices':[{'type':'c','major':1,'minor':1}]"),
	  ".linux.devices[0].path: required field is missing" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/x','major':1}]"),
	  ".linux.devices[0].minor: required field is missing" },
	{ PROC("'rlimits':[{'soft':1,'hard':1}]"),
	  ".process.rlimits[0].type: required field is missing" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]"),
	  ".process.rlimits[0].soft: required field is missing" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
	  ".process.rlimits[0].hard: required field is missing" },
	{ LINUX("'seccomp':{'syscalls':[]}"),
	  ".linux.seccomp.defaultAction: required field is missing" },
	{ SECCOMP("'syscalls':[{'action':'SCMP_ACT_ALLOW'}]"),
	  ".linux.seccomp.syscalls[0].names: required field is missing" },
	{ SECCOMP("'syscalls':[{'names':['read']}]"),
	  ".linux.seccomp.syscalls[0].action: required field is missing" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'value':1,'op':'SCMP_CMP_EQ'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].index: required field is missing" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'op':'SCMP_CMP_EQ'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].value: required field is missing" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':2}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].op: required field is missing" },
	{ RES("'devices':[{'access':'rwm'}]"),
	  ".linux.resources.devices[0].allow: required field is missing" },
	{ RES("'hugepageLimits':[{'limit':1}]"),
	  ".linux.resources.hugepageLimits[0].pageSize: required field is missing" },
	{ RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	  ".linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is missing" },
	{ RES("'network':{'priorities':[{'name':'eth0'}]}"),
	  ".linux.resources.network.priorities[0].priority: required field is missing" },
	{ PROC("'scheduler':{'nice':1}"),
	  ".process.scheduler.policy: required field is missing" },
	{ PROC("'ioPriority':{'priority':1}"),
	  ".process.ioPriority.class: required field is missing" },
	{ LINUX("'personality':{'flags':[]}"),
	  ".linux.personality.domain: required field is missing" },

	/* wrong types and ranges */
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':2},{'type':'RLIMIT_NPROC','soft':1,'hard':'x'}]"),
	  ".process.rlimits[1].hard: expected an unsigned integer" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':18446744073709551616}]"),
	  ".process.rlimits[0].hard: expected an unsigned 64-bit integer" },
	{ PROC("'user':{'uid':4294967296}"),
	  ".process.user.uid: expected an unsigned 32-bit integer" },
	{ PROC("'user':{'uid':-1}"), ".process.user.uid: expected an unsigned integer" },
	{ PROC("'user':{'gid':1.5}"), ".process.user.gid: expected an unsigned integer" },
	{ PROC("'user':{'uid':1e3}"), ".process.user.uid: expected an unsigned integer" },
	{ PROC("'user':{'additionalGids':[1,'2']}"),
	  ".process.user.additionalGids[1]: expected an unsigned integer" },
	{ PROC("'user':[]"), ".process.user: expected an object" },
	{ PROC("'oomScoreAdj':2147483648"), ".process.oomScoreAdj: expected a 32-bit integer" },
	{ PROC("'oomScoreAdj':'-1'"), ".process.oomScoreAdj: expected an integer" },
	{ PROC("'terminal':'yes'"), ".process.terminal: expected a boolean" },
	{ PROC("'args':'sh'"), ".process.args: expected an array" },
	{ PROC("'args':['sh',1]"), ".process.args[1]: expected a string" },
	{ PROC("'consoleSize':{'height':-1}"),
	  ".process.consoleSize.height: expected an unsigned integer" },
	{ "{'ociVersion':1,'root':{'path':'r'}}", ".ociVersion: expected a string" },
	{ BASE ",'mounts':{}}", ".mounts: expected an array" },
	{ BASE ",'mounts':[{'destination':'/a','options':['ro',null]}]}",
	  ".mounts[0].options[1]: expected a string" },
	{ BASE ",'annotations':{'io.example.x':1}}",
	  ".annotations[\"io.example.x\"]: expected a string" },
	{ BASE ",'annotations':{'ok':'1','a\\\"b\\\\c':1}}",
	  ".annotations[\"a\\\"b\\\\c\"]: expected a string" },
	{ LINUX("'sysctl':{'net.ipv4.ip_forward':true}"),
	  ".linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string" },
	{ RES("'memory':{'limit':'1G'}"), ".linux.resources.memory.limit: expected an integer" },
	{ RES("'memory':{'limit':9223372036854775808}"),
	  ".linux.resources.memory.limit: expected a 64-bit integer" },
	{ RES("'memory':{'swappiness':-1}"),
	  ".linux.resources.memory.swappiness: expected an unsigned integer" },
	{ RES("'blockIO':{'weight':65536}"),
	  ".linux.resources.blockIO.weight: expected an unsigned 16-bit integer" },
	{ RES("'rdma':{'mlx5_1':{'hcaHandles':true}}"),
	  ".linux.resources.rdma.mlx5_1.hcaHandles: expected an unsigned integer" },
	{ RES("'unified':{'memory.high':5}"),
	  ".linux.resources.unified[\"memory.high\"]: expected a string" },
	{ LINUX("'netDevices':{'eth0':'net0'}"), ".linux.netDevices.eth0: expected an object" },
	{ LINUX("'timeOffsets':{'monotonic':{'secs':'1'}}"),
	  ".linux.timeOffsets.monotonic.secs: expected an integer" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].index: argument index 6 is out of range 0 to 5" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]"),
	  ".process.rlimits[0]: soft limit 2048 is above hard limit 1024" },
	{ BASE ",'hooks':{'poststop':[{'path':'/x','timeout':0}]}}",
	  ".hooks.poststop[0].timeout: must be greater than zero" },

	/* unknown names */
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'foo'}]"),
	  ".linux.namespaces[2].type: unknown namespace type \"foo\"" },
	{ PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
	  ".process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
	{ PROC("'capabilities':{'ambient':[7]}"),
	  ".process.capabilities.ambient[0]: expected a string" },
	{ LINUX("'rootfsPropagation':'sideways'"),
	  ".linux.rootfsPropagation: unknown rootfs propagation \"sideways\"" },
	{ LINUX("'seccomp':{'defaultAction':'SCMP_ACT_MAYBE'}"),
	  ".linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_FOO'}]"),
	  ".linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_FOO\"" },
	{ SECCOMP("'syscalls':[{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_FOO\"" },
	{ SECCOMP("'architectures':['SCMP_ARCH_X86','SCMP_ARCH_FOO']"),
	  ".linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_FOO\"" },
	{ SECCOMP("'flags':['SECCOMP_FILTER_FLAG_FOO']"),
	  ".linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_FOO\"" },
	{ PROC("'scheduler':{'policy':'SCHED_FAST'}"),
	  ".process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"" },
	{ PROC("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_FOO']}"),
	  ".process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_FOO\"" },
	{ PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE'}"),
	  ".process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"" },
	{ LINUX("'personality':{'domain':'LINUX64'}"),
	  ".linux.personality.domain: unknown personality domain \"LINUX64\"" },
	{ LINUX("'devices':[{'type':'x','path':'/dev/x','major':1,'minor':1}]"),
	  ".linux.devices[0].type: unknown device type \"x\"" },
	{ LINUX("'devices':[{'type':'a','path':'/dev/x','major':1,'minor':1}]"),
	  ".linux.devices[0].type: unknown device type \"a\"" },
	{ RES("'devices':[{'allow':true,'type':'u'}]"),
	  ".linux.resources.devices[0].type: unknown device type \"u\"" },
	{ RES("'devices':[{'allow':true,'type':'cb'}]"),
	  ".linux.resources.devices[0].type: unknown device type \"cb\"" },
	{ RES("'devices':[{'allow':true,'access':'rwx'}]"),
	  ".linux.resources.devices[0].access: invalid access \"rwx\": expected letters from \"rwm\"" },
	{ RES("'devices':[{'allow':true,'access':''}]"),
	  ".linux.resources.devices[0].access: invalid access \"\": expected letters from \"rwm\"" },
	{ LINUX("'timeOffsets':{'monotonic':{},'realtime':{'secs':1}}"),
	  ".linux.timeOffsets.realtime: unknown clock \"realtime\"" },
	{ "{'ociVersion':'2.0.0','root':{'path':'r'}}", ".ociVersion: unsupported version \"2.0.0\"" },

	/* duplicates */
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'pid','path':'/proc/1/ns/pid'}]"),
	  ".linux.namespaces[1].type: duplicate namespace type \"pid\"" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':1,'hard':1},{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	  ".process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\"" },

	/* other platforms */
	{ BASE ",'windows':{'layerFolders':[]}}", ".windows: unsupported: berth runs Linux containers" },
	{ BASE ",'solaris':{}}", ".solaris: unsupported: berth runs Linux containers" },
	{ BASE ",'zos':{}}", ".zos: unsupported: berth runs Linux containers" },
	{ BASE ",'vm':{'kernel':{'path':'/k'}}}", ".vm: unsupported: berth does not run virtual machines" },
	{ PROC("'commandLine':'cmd.exe /c dir'"),
	  ".process.commandLine: unsupported: berth runs Linux containers" },
};

static void test_bad_configs(void **state)
{
	size_t failures = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char *json = squote_json(bad_cases[i].json);
		struct spec_config *cfg = NULL;
		struct berr err = { 0 };
		int ret = spec_config_parse(json, strlen(json), &cfg, &err);

		if (ret >= 0) {
			print_error("case %zu parsed but should fail: %s\n", i, json);
			spec_config_free(cfg);
			failures++;
		} else if (ret != -EINVAL || cfg ||
			   strcmp(err.msg, bad_cases[i].msg) != 0) {
			print_error("case %zu: %s\n  want: %s\n   got: %s (ret %d)\n",
				    i, json, bad_cases[i].msg, err.msg, ret);
			failures++;
		}
		free(json);
	}
	assert_int_equal(failures, 0);
}

static void test_nul_byte(void **state)
{
	static const char json[] = "{\"ociVersion\":\"1.2.0\"}\0{";
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	assert_int_equal(spec_config_parse(json, sizeof(json) - 1, &cfg, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid JSON: NUL byte in the document");
}

static void test_deep_nesting(void **state)
{
	size_t depth = 100000;
	char *json = malloc(depth * 2 + 1);
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	assert_non_null(json);
	memset(json, '[', depth);
	memset(json + depth, ']', depth);
	json[depth * 2] = '\0';
	assert_int_equal(spec_config_parse(json, depth * 2, &cfg, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid JSON: nested deeper than 256 levels");
	free(json);
}

/* --- loading files --------------------------------------------------- */

static void test_load_errors(void **state)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	assert_int_equal(load_file(FIXTURES "/no-such.json", &cfg, &err), -ENOENT);
	assert_string_equal(err.msg, "open " FIXTURES "/no-such.json: No such file or directory");
	assert_int_equal(err.errnum, ENOENT);

	assert_int_equal(load_file(FIXTURES "/broken-syntax.json", &cfg, &err), -EINVAL);
	assert_string_equal(err.msg, FIXTURES "/broken-syntax.json: invalid JSON: parse error: premature EOF");

	assert_int_equal(load_file(FIXTURES "/bad-namespace.json", &cfg, &err), -EINVAL);
	assert_string_equal(err.msg, FIXTURES "/bad-namespace.json: .linux.namespaces[2].type: unknown namespace type \"foo\"");
	assert_null(cfg);
}

static size_t for_each_fixture(const char *pattern, void (*fn)(const char *path))
{
	glob_t g;
	size_t n;

	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		fn(g.gl_pathv[i]);
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void load_client_config(const char *path)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	if (load_file(path, &cfg, &err) < 0)
		fail_msg("%s", err.msg);
	/* Every client sets these; a silently empty parse would not. */
	assert_non_null(cfg->root.path);
	assert_true(cfg->process_set);
	assert_true(cfg->process.n_args > 0);
	assert_non_null(spec_namespace_find(cfg, NS_MOUNT));
	spec_config_free(cfg);
}

static void test_client_configs(void **state)
{
	size_t n = for_each_fixture(FIXTURES "/clients/*.config.json", load_client_config);

	assert_int_equal(n, 12);
}

static void parse_client_process(const char *path)
{
	struct arena arena = { 0 };
	struct spec_process p;
	struct berr err = { 0 };
	size_t len;
	char *json = read_fixture(path, &len);

	if (spec_process_parse(json, len, &arena, &p, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	assert_true(p.n_args > 0);
	assert_non_null(p.cwd);
	free(json);
	arena_release(&arena);
}

static void test_client_processes(void **state)
{
	size_t n = for_each_fixture(FIXTURES "/clients/*.process.json", parse_client_process);

	assert_int_equal(n, 7);
}

static void test_client_config_values(void **state)
{
	struct spec_config *c = NULL;
	struct berr err = { 0 };
	const struct spec_seccomp_rule *clone;

	if (load_file(FIXTURES "/clients/docker-run-opts.config.json", &c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c->oci_version, "1.0.2-dev");
	assert_int_equal(c->linux.resources.n_devices, 8);
	assert_false(c->linux.resources.devices[0].allow);
	assert_int_equal(c->linux.resources.devices[0].type, 'a');
	assert_int_equal(c->linux.resources.devices[7].minor, 229);
	assert_int_equal(c->linux.resources.memory.limit.v, 67108864);
	assert_int_equal(c->linux.resources.cpu.quota.v, 50000);
	assert_int_equal(c->linux.resources.pids_limit, 100);
	assert_int_equal(c->linux.seccomp.n_syscalls, 12);
	clone = &c->linux.seccomp.syscalls[9];
	assert_string_equal(clone->names[0], "clone");
	assert_int_equal(clone->args[0].op, SECCOMP_OP_MASKED_EQ);
	assert_int_equal(clone->args[0].value, 2114060288);
	assert_int_equal(clone->args[0].value_two, 0);
	assert_true(c->process.oom_score_adj_set);
	assert_int_equal(c->process.oom_score_adj, 0);
	spec_config_free(c);
}

/* --- process.json and resources on their own ------------------------- */

static void test_process_parse(void **state)
{
	struct arena arena = { 0 };
	struct spec_process p;
	struct berr err = { 0 };
	char *json = squote_json("{'cwd':'/tmp','args':['id'],'user':{'uid':1000,'gid':1000},"
				 "'env':['A=1'],'terminal':true}");

	assert_int_equal(spec_process_parse(json, strlen(json), &arena, &p, &err), 0);
	assert_string_equal(p.cwd, "/tmp");
	assert_int_equal(p.user.uid, 1000);
	assert_true(p.terminal);
	assert_false(p.caps.set);
	free(json);

	json = squote_json("{'args':['id']}");
	assert_int_equal(spec_process_parse(json, strlen(json), &arena, &p, &err), -EINVAL);
	assert_string_equal(err.msg, ".cwd: required field is missing");
	free(json);

	json = squote_json("{'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':-1}]}");
	assert_int_equal(spec_process_parse(json, strlen(json), &arena, &p, &err), -EINVAL);
	assert_string_equal(err.msg, ".rlimits[0].hard: expected an unsigned integer");
	free(json);
	arena_release(&arena);
}

static void test_resources_parse(void **state)
{
	struct arena arena = { 0 };
	struct spec_resources r;
	struct berr err = { 0 };
	char *json = squote_json("{'memory':{'limit':134217728,'swap':-1},'cpu':{'shares':512},"
				 "'pids':{'limit':50},'blockIO':{'weight':200}}");

	assert_int_equal(spec_resources_parse(json, strlen(json), &arena, &r, &err), 0);
	assert_true(r.set);
	assert_int_equal(r.memory.limit.v, 134217728);
	assert_int_equal(r.memory.swap.v, -1);
	assert_int_equal(r.cpu.shares.v, 512);
	assert_false(r.cpu.quota.set);
	assert_int_equal(r.pids_limit, 50);
	assert_int_equal(r.blkio.weight, 200);
	free(json);

	json = squote_json("{'cpu':{'quota':'max'}}");
	assert_int_equal(spec_resources_parse(json, strlen(json), &arena, &r, &err), -EINVAL);
	assert_string_equal(err.msg, ".cpu.quota: expected an integer");
	free(json);
	arena_release(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_hooks_only),
		cmocka_unit_test(test_minimal_config),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_unknown_keys_ignored),
		cmocka_unit_test(test_unknown_capabilities_kept_aside),
		cmocka_unit_test(test_last_duplicate_key_wins),
		cmocka_unit_test(test_zero_resources_are_set),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_client_configs),
		cmocka_unit_test(test_client_processes),
		cmocka_unit_test(test_client_config_values),
		cmocka_unit_test(test_process_parse),
		cmocka_unit_test(test_resources_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
