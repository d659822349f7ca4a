/* The default config.json that `berth spec` writes, after runc's: a shell
 * in a busybox-style rootfs with the usual mounts and namespaces. */
#ifndef BERTH_SPEC_CONFIG_DEFAULT_H
#define BERTH_SPEC_CONFIG_DEFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"

struct spec_default_opts {
	/* For an unprivileged caller, as `runc spec --rootless`: a user
	 * namespace mapping root to host_uid/host_gid, no network namespace,
	 * /sys bind-mounted, no cgroup mount or resources.  spec/ never asks
	 * the kernel, so the caller passes its own ids. */
	bool rootless;
	uid_t host_uid;
	gid_t host_gid;
	/* linux.seccomp as the text of a JSON object, or NULL for none. */
	const char *seccomp_json;
};

struct jw;

/* The one default policy, which berthd's containers get too: the device
 * rules (the "devices" key of linux.resources: deny all, after which the
 * runtime allows the standard pseudo devices and terminals) and the
 * masked and read-only paths (the keys of linux). */
void spec_default_write_devices(struct jw *w);
void spec_default_write_paths(struct jw *w);

/* The document, pretty-printed, without a trailing newline. */
int spec_default_config_json(const struct spec_default_opts *opts, char **out,
			     size_t *len, struct berr *err);

#endif
