#include "runtime/validate.h"

#include <string.h>

#include "isolation/capabilities.h"
#include "isolation/lsm.h"
#include "isolation/namespaces.h"
#include "isolation/sysctl.h"
#include "runtime/seccomp_agent.h"

static bool ns_is_new(const struct spec_config *cfg, enum spec_ns_type t)
{
	const struct spec_namespace *ns = spec_namespace_find(cfg, t);

	return ns && !ns->path;
}

static int check_process(const struct spec_config *cfg, bool console_socket,
			 bool foreground, struct berr *err)
{
	const struct spec_process *p = &cfg->process;

	if (!cfg->process_set)
		return berr_fail(err, EINVAL, "config.json: .process is required to create a container");
	if (p->n_args == 0 || !p->args[0][0])
		return berr_fail(err, EINVAL, ".process.args: must name the program to run");
	if (!p->cwd || p->cwd[0] != '/')
		return berr_fail(err, EINVAL, ".process.cwd: must be an absolute path");
	if (p->terminal && !console_socket && !foreground)
		return berr_fail(err, EINVAL,
				".process.terminal is true but no --console-socket was given "
				"(a detached container needs one to hand its terminal over)");
	if (!p->terminal && console_socket)
		return berr_fail(err, EINVAL,
				"--console-socket was given but .process.terminal is false");
	/* Applied just before execve (runtime/process_setup.c) when the
	 * module is active; refused here when it is not. */
	if (lsm_check(p->apparmor_profile, p->selinux_label, err) < 0)
		return berr_wrap(err, -EOPNOTSUPP, ".process");
	return caps_check(&p->caps, err);
}

static int check_linux(const struct spec_config *cfg, struct berr *err)
{
	const struct spec_linux *l = &cfg->linux;
	bool private_ns[NS_TYPES] = { false };
	int ret;

	if (!spec_namespace_find(cfg, NS_MOUNT))
		return berr_fail(err, EINVAL,
				".linux.namespaces: a mount namespace is required (berth "
				"will not pivot the host's root)");
	if (cfg->hostname && *cfg->hostname && !ns_is_new(cfg, NS_UTS))
		return berr_fail(err, EINVAL, ".hostname: needs a new uts namespace");
	if (cfg->domainname && *cfg->domainname && !ns_is_new(cfg, NS_UTS))
		return berr_fail(err, EINVAL, ".domainname: needs a new uts namespace");
	if ((l->n_uid_mappings || l->n_gid_mappings) && !ns_is_new(cfg, NS_USER))
		return berr_fail(err, EINVAL,
				".linux.uidMappings: mappings need a new user namespace");
	if (ns_is_new(cfg, NS_USER) && (!l->n_uid_mappings || !l->n_gid_mappings))
		return berr_fail(err, EINVAL,
				".linux.uidMappings/gidMappings: a new user namespace needs both");
	if ((l->time_monotonic.set || l->time_boottime.set) && !ns_is_new(cfg, NS_TIME))
		return berr_fail(err, EINVAL, ".linux.timeOffsets: needs a new time namespace");
	if (l->mount_label && *l->mount_label)
		return berr_fail(err, EOPNOTSUPP,
				".linux.mountLabel: SELinux is not supported by berth yet");
	if (l->intel_rdt.set)
		return berr_fail(err, EOPNOTSUPP, ".linux.intelRdt: not supported by berth");
	if (l->n_net_devices)
		return berr_fail(err, EOPNOTSUPP, ".linux.netDevices: not supported by berth yet");
	for (int t = 0; t < NS_TYPES; t++) {
		const struct spec_namespace *ns = spec_namespace_find(cfg, (enum spec_ns_type)t);

		private_ns[t] = ns && (!ns->path || !ns_is_ours(ns->path, ns->type));
	}
	ret = seccomp_agent_check(&l->seccomp, err);
	if (ret < 0)
		return ret;
	return sysctl_check(l->sysctl, l->n_sysctl, private_ns, err);
}

int validate_for_create(const struct spec_config *cfg, bool console_socket,
			bool foreground, struct berr *err)
{
	int ret = check_process(cfg, console_socket, foreground, err);

	if (ret == 0)
		ret = check_linux(cfg, err);
	return ret;
}
