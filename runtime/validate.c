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

/* hostname and domainname go to the container's uts namespace, new or
 * joined by path (as runc); never to the caller's own. */
static int check_uts_name(const struct spec_config *cfg, const char *field, const char *value,
			  struct berr *err)
{
	const struct spec_namespace *ns = spec_namespace_find(cfg, NS_UTS);

	if (!value || !*value)
		return 0;
	if (!ns)
		return berr_fail(err, EINVAL, ".%s: needs a uts namespace (new or joined by path)",
				 field);
	if (ns->path && ns_is_ours(ns->path, NS_UTS))
		return berr_fail(err, EINVAL,
				".%s: the uts namespace %s is the caller's own: setting its name "
				"would rename the host",
				field, ns->path);
	return 0;
}

/* Without a mount namespace the container's root is a chroot in the
 * caller's mount namespace.  What runc refuses there is refused too; a
 * field that only makes sense with a root of its own is refused rather
 * than applied to the caller's mounts. */
static int check_no_mount_ns(const struct spec_config *cfg, struct berr *err)
{
	const struct spec_linux *l = &cfg->linux;
	const char *why = "the container would share the caller's mount namespace";

	if (spec_namespace_find(cfg, NS_MOUNT))
		return 0;
	if (l->n_masked_paths)
		return berr_fail(err, EINVAL, ".linux.maskedPaths: needs a mount namespace (%s)",
				 why);
	if (l->n_readonly_paths)
		return berr_fail(err, EINVAL, ".linux.readonlyPaths: needs a mount namespace (%s)",
				 why);
	/* The caller's mount namespace belongs to the caller's user
	 * namespace: from a new one nothing can be mounted there. */
	if (ns_is_new(cfg, NS_USER))
		return berr_fail(err, EINVAL,
				".linux.namespaces: a new user namespace needs a new mount namespace "
				"too (%s, where the new user namespace may not mount)",
				why);
	return 0;
}

static int check_linux(const struct spec_config *cfg, struct berr *err)
{
	const struct spec_linux *l = &cfg->linux;
	bool private_ns[NS_TYPES] = { false };
	int ret;

	ret = check_no_mount_ns(cfg, err);
	if (ret == 0)
		ret = check_uts_name(cfg, "hostname", cfg->hostname, err);
	if (ret == 0)
		ret = check_uts_name(cfg, "domainname", cfg->domainname, err);
	if (ret < 0)
		return ret;
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
