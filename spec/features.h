/* The OCI features document (`berth features`, runtime-spec features.md).
 *
 * What berth's code knows (namespaces, capabilities, seccomp names, mount
 * options) is listed here; what depends on the host or on how berth was
 * built is passed in by the caller, since spec/ never asks the kernel. */
#ifndef BERTH_SPEC_FEATURES_H
#define BERTH_SPEC_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/config.h"
#include "spec/base/err.h"

struct spec_features_input {
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user;
	bool cgroup_rdma;
	bool seccomp_enabled;
	/* names from names_seccomp_flags that this kernel and libseccomp
	 * accept */
	const char *const *seccomp_supported_flags;
	size_t n_seccomp_supported_flags;
	bool apparmor_enabled;
	bool selinux_enabled;
	bool intel_rdt_enabled;
	bool idmap_mounts_enabled;
	/* free-form facts such as berth's version and commit, or
	 * "io.github.seccomp.libseccomp.version" */
	const struct spec_kv *annotations;
	size_t n_annotations;
};

/* The mount options berth's mount code understands. */
extern const char *const spec_features_mount_options[];

int spec_features_json(const struct spec_features_input *in, char **out,
		       size_t *len, struct berr *err);

#endif
