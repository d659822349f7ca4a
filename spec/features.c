#include "spec/features.h"

#include "spec/json_write.h"
#include "spec/names.h"

#define FEATURES_OCI_MIN "1.0.0"
#define FEATURES_OCI_MAX "1.2.0"

const char *const spec_features_mount_options[] = {
	"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync",
	"exec", "iversion", "lazytime", "loud", "mand", "noatime", "nodev",
	"nodiratime", "noexec", "noiversion", "nolazytime", "nomand",
	"norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
	"ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec",
	"rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
	"rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
	"rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime",
	"rsuid", "rsymfollow", "runbindable", "rw", "shared", "slave",
	"strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
	"idmap", "ridmap", NULL,
};

static void write_names(struct jw *w, const char *key,
			const struct name_value *table)
{
	jw_key(w, key);
	jw_array_open(w);
	for (; table->name; table++)
		jw_str(w, table->name);
	jw_array_close(w);
}

static void write_strings(struct jw *w, const char *key,
			  const char *const *list, size_t n)
{
	jw_key(w, key);
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, list[i]);
	jw_array_close(w);
}

static void write_enabled(struct jw *w, const char *key, bool enabled)
{
	jw_key(w, key);
	jw_map_open(w);
	jw_kbool(w, "enabled", enabled);
	jw_map_close(w);
}

static void write_cgroup(struct jw *w, const struct spec_features_input *in)
{
	jw_key(w, "cgroup");
	jw_map_open(w);
	jw_kbool(w, "v1", in->cgroup_v1);
	jw_kbool(w, "v2", in->cgroup_v2);
	jw_kbool(w, "systemd", in->cgroup_systemd);
	jw_kbool(w, "systemdUser", in->cgroup_systemd_user);
	jw_kbool(w, "rdma", in->cgroup_rdma);
	jw_map_close(w);
}

static void write_seccomp(struct jw *w, const struct spec_features_input *in)
{
	jw_key(w, "seccomp");
	jw_map_open(w);
	jw_kbool(w, "enabled", in->seccomp_enabled);
	write_names(w, "actions", names_seccomp_actions);
	write_names(w, "operators", names_seccomp_ops);
	write_names(w, "archs", names_seccomp_archs);
	write_names(w, "knownFlags", names_seccomp_flags);
	write_strings(w, "supportedFlags", in->seccomp_supported_flags,
		      in->n_seccomp_supported_flags);
	jw_map_close(w);
}

static void write_linux(struct jw *w, const struct spec_features_input *in)
{
	jw_key(w, "linux");
	jw_map_open(w);
	write_names(w, "namespaces", names_namespaces);
	write_names(w, "capabilities", names_capabilities);
	write_cgroup(w, in);
	write_seccomp(w, in);
	write_enabled(w, "apparmor", in->apparmor_enabled);
	write_enabled(w, "selinux", in->selinux_enabled);
	write_enabled(w, "intelRdt", in->intel_rdt_enabled);
	jw_key(w, "mountExtensions");
	jw_map_open(w);
	write_enabled(w, "idmap", in->idmap_mounts_enabled);
	jw_map_close(w);
	jw_map_close(w);
}

int spec_features_json(const struct spec_features_input *in, char **out,
		       size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);
	size_t n_opts = 0;

	while (spec_features_mount_options[n_opts])
		n_opts++;
	jw_map_open(w);
	jw_kstr(w, "ociVersionMin", FEATURES_OCI_MIN);
	jw_kstr(w, "ociVersionMax", FEATURES_OCI_MAX);
	write_names(w, "hooks", names_hooks);
	/* idmap and ridmap are listed last: only where berth can make
	 * idmapped mounts. */
	if (!in->idmap_mounts_enabled)
		n_opts -= 2;
	write_strings(w, "mountOptions", spec_features_mount_options, n_opts);
	write_linux(w, in);
	jw_key(w, "annotations");
	jw_map_open(w);
	for (size_t i = 0; i < in->n_annotations; i++)
		jw_kstr(w, in->annotations[i].key, in->annotations[i].value);
	jw_map_close(w);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
