#include "version.h"
#include "runtime/info.h"

#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

#include "isolation/cgroup.h"
#include "isolation/seccomp.h"
#include "spec/base/cleanup.h"
#include "spec/config_default.h"
#include "spec/features.h"
#include "spec/seccomp_default.h"

int rt_features(char **json, size_t *len, struct berr *err)
{
	const char *flags[8];
	const struct scmp_version *v = seccomp_version();
	char libseccomp[32];
	struct spec_kv annotations[] = {
		/* Keys of berth's own: "org.opencontainers.runc.*" would claim to
		 * be runc. */
		{ "berth.version", BERTH_VERSION },
		{ "io.github.seccomp.libseccomp.version", libseccomp },
		{ "berth.commit", BERTH_COMMIT },
	};
	enum cgroup_layout layout = CGROUP_LEGACY;
	struct berr ignored;
	struct spec_features_input in = {
		.seccomp_enabled = true,
		.seccomp_supported_flags = flags,
		.n_seccomp_supported_flags = seccomp_supported_flags(flags, 8),
		.annotations = annotations,
		.n_annotations = sizeof(annotations) / sizeof(*annotations),
	};

	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v ? v->major : 0,
		 v ? v->minor : 0, v ? v->micro : 0);
	cgroup_detect_layout(&layout, &ignored);
	in.cgroup_v2 = layout != CGROUP_LEGACY;
	/* v1 and hybrid hosts are driven through their v1 controllers. */
	in.cgroup_v1 = true;
	in.cgroup_rdma = true;
	return spec_features_json(&in, json, len, err);
}

int rt_default_config(bool rootless, char **json, size_t *len, struct berr *err)
{
	struct spec_default_opts o = {
		.rootless = rootless,
		.host_uid = getuid(),
		.host_gid = getgid(),
		.seccomp = true,
	};

	return spec_default_config_json(&o, json, len, err);
}

int rt_default_seccomp(char **json, size_t *len, struct berr *err)
{
	return spec_seccomp_default_json(json, len, err);
}
