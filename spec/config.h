/* The OCI runtime-spec 1.2 configuration, as typed C.
 *
 * Every field of the Linux parts of the spec has a home here, including the
 * ones that later stages act on, so nothing a user sets is lost between the
 * parser and the code that applies it.  Enumerations (namespace types,
 * propagation, rlimits, capabilities, seccomp actions...) are resolved to
 * numbers by the parser; names the kernel resolves itself (syscalls, mount
 * options) stay strings.  Optional scalars carry a `set` flag so that
 * "absent" and "zero" stay distinct.
 *
 * All memory of a parsed config comes from one arena (config->arena). */
#ifndef BERTH_SPEC_CONFIG_H
#define BERTH_SPEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/arena.h"
#include "spec/base/err.h"

/* GNU C predefines `linux` as 1, which would turn the field below (and
 * every cfg->linux) into a number. */
#undef linux

struct opt_i64 {
	bool set;
	int64_t v;
};

struct opt_u64 {
	bool set;
	uint64_t v;
};

struct spec_kv {
	const char *key;
	const char *value;
};

/* --- process -------------------------------------------------------- */

struct spec_rlimit {
	int type; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets as bit masks (bit n = capability n). */
struct spec_caps {
	bool set; /* "capabilities" present at all */
	uint64_t bounding, effective, inheritable, permitted, ambient;
	/* Names neither berth nor the kernel headers know, space-separated:
	 * ignored with a warning, as runc does (configs name capabilities
	 * of newer kernels); NULL when none. */
	const char *unknown;
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	bool umask_set;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	const char *username; /* Windows only in the spec; kept, never used */
};

struct spec_scheduler {
	bool set;
	int policy; /* SCHED_* */
	int32_t nice;
	int32_t priority;
	uint32_t flags; /* SCHED_FLAG_* bits */
	uint64_t runtime, deadline, period;
};

struct spec_io_priority {
	bool set;
	int class; /* IOPRIO_CLASS_* */
	int32_t priority;
};

struct spec_cpu_affinity {
	const char *initial; /* cpu list, e.g. "0-3,7" */
	const char *final;
};

struct spec_process {
	bool terminal;
	bool console_size_set;
	uint32_t console_height, console_width;
	struct spec_user user;
	const char **args;
	size_t n_args;
	const char *command_line; /* Windows only; refused if set */
	const char **env;
	size_t n_env;
	const char *cwd;
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	const char *apparmor_profile;
	bool oom_score_adj_set;
	int32_t oom_score_adj;
	struct spec_scheduler scheduler;
	const char *selinux_label;
	struct spec_io_priority io_priority;
	struct spec_cpu_affinity exec_cpu_affinity;
};

/* --- root, mounts, hooks -------------------------------------------- */

struct spec_root {
	const char *path;
	bool readonly;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_mount {
	const char *destination;
	const char *type;   /* may be NULL (bind inferred from options) */
	const char *source; /* may be NULL */
	const char **options;
	size_t n_options;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct spec_hook {
	const char *path;
	const char **args;
	size_t n_args;
	const char **env;
	size_t n_env;
	bool timeout_set;
	int32_t timeout; /* seconds, > 0 */
};

enum spec_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KINDS
};

struct spec_hooks {
	struct spec_hook *list[HOOK_KINDS];
	size_t n[HOOK_KINDS];
};

/* --- linux ---------------------------------------------------------- */

enum spec_ns_type {
	NS_PID,
	NS_NETWORK,
	NS_MOUNT,
	NS_IPC,
	NS_UTS,
	NS_USER,
	NS_CGROUP,
	NS_TIME,
	NS_TYPES
};

struct spec_namespace {
	enum spec_ns_type type;
	const char *path; /* join this one instead of creating a new one */
};

struct spec_device {
	char type; /* 'c', 'b', 'u' or 'p' */
	const char *path;
	int64_t major, minor;
	bool file_mode_set;
	mode_t file_mode;
	bool uid_set, gid_set;
	uid_t uid;
	gid_t gid;
};

struct spec_device_rule {
	bool allow;
	char type;  /* 'a', 'c' or 'b'; 'a' when omitted */
	int64_t major, minor; /* -1 = wildcard (omitted) */
	char access[4];       /* subset of "rwm"; "rwm" when omitted */
};

struct spec_memory {
	struct opt_i64 limit, reservation, swap, kernel, kernel_tcp;
	struct opt_u64 swappiness;
	bool disable_oom_killer_set, disable_oom_killer;
	bool use_hierarchy_set, use_hierarchy;
	bool check_before_update_set, check_before_update;
};

struct spec_cpu {
	struct opt_u64 shares;
	struct opt_i64 quota;
	struct opt_u64 burst;
	struct opt_u64 period;
	struct opt_i64 realtime_runtime;
	struct opt_u64 realtime_period;
	const char *cpus;
	const char *mems;
	struct opt_i64 idle;
};

struct spec_weight_device {
	int64_t major, minor;
	bool weight_set, leaf_weight_set;
	uint16_t weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_blkio {
	bool weight_set, leaf_weight_set;
	uint16_t weight, leaf_weight;
	struct spec_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_throttle_device *throttle_read_bps, *throttle_write_bps;
	size_t n_throttle_read_bps, n_throttle_write_bps;
	struct spec_throttle_device *throttle_read_iops, *throttle_write_iops;
	size_t n_throttle_read_iops, n_throttle_write_iops;
};

struct spec_hugepage_limit {
	const char *page_size; /* "2MB", "1GB"... */
	uint64_t limit;
};

struct spec_net_priority {
	const char *name;
	uint32_t priority;
};

struct spec_rdma {
	const char *device;
	bool hca_handles_set, hca_objects_set;
	uint32_t hca_handles, hca_objects;
};

struct spec_resources {
	bool set; /* linux.resources present */
	struct spec_device_rule *devices;
	size_t n_devices;
	bool memory_set;
	struct spec_memory memory;
	bool cpu_set;
	struct spec_cpu cpu;
	bool pids_set;
	int64_t pids_limit; /* 0 or absent: unset; -1: unlimited */
	bool blkio_set;
	struct spec_blkio blkio;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool network_set;
	bool net_class_id_set;
	uint32_t net_class_id;
	struct spec_net_priority *net_priorities;
	size_t n_net_priorities;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

enum spec_seccomp_action {
	SECCOMP_ACT_KILL, /* = KILL_THREAD */
	SECCOMP_ACT_KILL_PROCESS,
	SECCOMP_ACT_KILL_THREAD,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_LOG,
	SECCOMP_ACT_NOTIFY,
};

enum spec_seccomp_op {
	SECCOMP_OP_NE,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ,
};

/* Bits for spec_seccomp.flags */
#define SPEC_SECCOMP_FLAG_TSYNC (1u << 0)
#define SPEC_SECCOMP_FLAG_LOG (1u << 1)
#define SPEC_SECCOMP_FLAG_SPEC_ALLOW (1u << 2)
#define SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1u << 3)

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_rule {
	const char **names;
	size_t n_names;
	enum spec_seccomp_action action;
	bool errno_ret_set;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	bool set;
	enum spec_seccomp_action default_action;
	bool default_errno_ret_set;
	uint32_t default_errno_ret;
	const char **architectures; /* "SCMP_ARCH_X86_64"... validated names */
	size_t n_architectures;
	uint32_t flags;
	const char *listener_path;
	const char *listener_metadata;
	struct spec_seccomp_rule *syscalls;
	size_t n_syscalls;
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_personality {
	bool set;
	unsigned long domain; /* PER_LINUX or PER_LINUX32 */
	const char **flags;
	size_t n_flags;
};

struct spec_intel_rdt {
	bool set;
	const char *clos_id;
	const char *l3_cache_schema;
	const char *mem_bw_schema;
	bool enable_cmt, enable_mbm;
};

struct spec_net_device {
	const char *host_name; /* key of linux.netDevices */
	const char *name;      /* name inside the container */
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	const char *cgroups_path;
	struct spec_resources resources;
	bool rootfs_propagation_set;
	unsigned long rootfs_propagation; /* MS_PRIVATE | MS_REC ... */
	const char **masked_paths;
	size_t n_masked_paths;
	const char **readonly_paths;
	size_t n_readonly_paths;
	const char *mount_label;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_seccomp seccomp;
	struct spec_personality personality;
	struct spec_intel_rdt intel_rdt;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
};

struct spec_config {
	struct arena arena;
	const char *oci_version;
	struct spec_root root;
	bool process_set;
	struct spec_process process;
	const char *hostname;
	const char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux linux;
};

/* Parse a config.json document.  On failure the message names the JSON
 * path of the offending value (".process.rlimits[1].hard: expected an
 * unsigned integer").  On success *out must be freed with
 * spec_config_free(). */
int spec_config_parse(const char *json, size_t len, struct spec_config **out,
		      struct berr *err);

/* Bytes of a document: [off, off + len). */
struct spec_span {
	size_t off, len;
};

/* spec_config_parse, but linux.seccomp's profile, when the document has
 * one object there, is set aside: checked as JSON, never built, its bytes
 * in *profile, and only .linux.seccomp.set is filled.  1 when it was set
 * aside (read it with spec_config_parse_seccomp, or take what was made of
 * the same bytes before); 0 when *out is what spec_config_parse gives
 * (no profile, or one that is not a lone object); errors as
 * spec_config_parse's. */
int spec_config_parse_aside(const char *json, size_t len, struct spec_config **out,
			    struct spec_span *profile, struct berr *err);

/* The profile spec_config_parse_aside set aside, read into
 * cfg->linux.seccomp: what spec_config_parse would have read there, with
 * the same errors (their paths start at .linux.seccomp). */
int spec_config_parse_seccomp(const char *json, const struct spec_span *profile,
			      struct spec_config *cfg, struct berr *err);

/* Only .hooks of a config (the rest stays zero): for a config that was
 * parsed whole before, when only its hooks matter. */
int spec_config_parse_hooks(const char *json, size_t len, struct spec_config **out,
			    struct berr *err);

/* Only the sections at paths (object keys from the top, dot-separated:
 * "process", "linux.personality"; NULL-terminated), besides ociVersion
 * and root; the rest of the document is checked as JSON but neither built
 * nor read, and stays zero in *out.  For a config that was parsed whole
 * before (the state's copy), when one command needs a few sections of
 * it: exec's process, not the seccomp profile that is most of its bytes. */
int spec_config_parse_only(const char *json, size_t len, const char *const *paths,
			   struct spec_config **out, struct berr *err);

void spec_config_free(struct spec_config *cfg);

static inline void spec_config_freep(struct spec_config **cfg)
{
	if (*cfg)
		spec_config_free(*cfg);
}
#define cleanup_config __attribute__((cleanup(spec_config_freep)))

/* Parse a process.json (as given to `exec --process`) into p, allocating
 * from arena. */
int spec_process_parse(const char *json, size_t len, struct arena *arena,
		       struct spec_process *p, struct berr *err);

/* Parse a linux.resources document (as given to `update -r`). */
int spec_resources_parse(const char *json, size_t len, struct arena *arena,
			 struct spec_resources *r, struct berr *err);

/* Find a namespace entry of the given type, or NULL. */
const struct spec_namespace *spec_namespace_find(const struct spec_config *cfg,
						 enum spec_ns_type type);

#endif
