/* The default config: what `berth spec` writes, after runc's (a shell in
 * a busybox-style rootfs with the usual mounts and namespaces), and the
 * base of every bundle berthd makes.  The one default policy lives here:
 * the device rules, the masked and read-only paths, and (with
 * spec/seccomp_default.h) the seccomp profile. */
#ifndef BERTH_SPEC_CONFIG_DEFAULT_H
#define BERTH_SPEC_CONFIG_DEFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"
#include "spec/config.h"

/* runc spec's capabilities: CAP_AUDIT_WRITE, CAP_KILL,
 * CAP_NET_BIND_SERVICE (bit n = capability n). */
#define SPEC_DEFAULT_CAPS ((UINT64_C(1) << 29) | (UINT64_C(1) << 5) | (UINT64_C(1) << 10))

struct spec_default_opts {
	/* For an unprivileged caller, as `runc spec --rootless`: a user
	 * namespace mapping root to host_uid/host_gid, no network namespace,
	 * /sys bind-mounted, no cgroup mount or resources.  spec/ never asks
	 * the kernel, so the caller passes its own ids. */
	bool rootless;
	uid_t host_uid;
	gid_t host_gid;
	/* linux.seccomp: the default profile for the default capabilities. */
	bool seccomp;
};

/* The default config as spec types, in a new config of its own arena
 * (free it with spec_config_free); callers may change it before writing
 * it with spec_config_write. */
int spec_config_default(const struct spec_default_opts *opts, struct spec_config **out,
			struct berr *err);

/* The default config written: pretty-printed, without a trailing
 * newline. */
int spec_default_config_json(const struct spec_default_opts *opts, char **out,
			     size_t *len, struct berr *err);

#endif
