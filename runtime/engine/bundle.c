/* The OCI bundle of a berthd container: config.json from what docker's
 * create asked for, in the shape dockerd gives containerd, plus the
 * files bind-mounted at /etc/hostname, /etc/hosts and /etc/resolv.conf.
 *
 * Choices, documented here and in the README:
 * - Privileged containers are refused: a privileged container gets every
 *   host device and no confinement, and this host's root cannot even grant
 *   the full capability set.
 * - The default capability set is docker's: CAP_MKNOD is granted, so a
 *   container can make device nodes, and the device rules (berth's one
 *   default policy, spec/config_default.h: deny all, then the runtime
 *   allows mknod of any node, the pseudo devices and the terminals) keep
 *   it from opening any other.  Masked and read-only paths are the same
 *   policy's.
 * - Seccomp: SecurityOpt seccomp=unconfined runs without a filter; other
 *   profiles are refused; by default the container gets berth's one
 *   default profile (spec/seccomp_default.c, an allow list like docker's)
 *   for the capabilities it holds, so --cap-add SYS_ADMIN also allows
 *   mount, as docker's profile does.
 * - Networks: host shares the host's; none, default and bridge get a new
 *   network namespace with only loopback (the shim brings lo up). */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/config_default.h"
#include "spec/config_write.h"
#include "spec/seccomp_default.h"

static int write_files(const struct daemon_spec *s, const char *dir, const char *hostname,
		       struct berr *err)
{
	cleanup_free char *hosts = NULL, *host_resolv = NULL;
	char path[PATH_MAX], line[512];
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/hostname", dir);
	snprintf(line, sizeof(line), "%s\n", hostname);
	ret = fsutil_write_atomic(path, line, strlen(line), 0644, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (!daemon_bundle_own_netns(s) && fsutil_read_file("/etc/hosts", &hosts, &len, err) == 0) {
		ret = fsutil_write_atomic(path, hosts, len, 0644, err);
	} else {
		if (asprintf(&hosts,
			     "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "127.0.1.1\t%s\n",
			     hostname) < 0) {
			hosts = NULL;
			return berr_sys(err, "hosts");
		}
		ret = fsutil_write_atomic(path, hosts, strlen(hosts), 0644, err);
	}
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if (fsutil_read_file("/etc/resolv.conf", &host_resolv, &len, err) < 0) {
		host_resolv = strdup("");
		len = 0;
	}
	berr_clear(err);
	return fsutil_write_atomic(path, host_resolv ? host_resolv : "", len, 0644, err);
}

/* With the host's network, the container has no namespace of its own. */
static void drop_network_namespace(struct spec_linux *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type != NS_NETWORK)
			l->namespaces[n++] = l->namespaces[i];
	l->n_namespaces = n;
}

/* Rootless with the host's network: a new sysfs needs a network
 * namespace berthd's user namespace owns, so /sys is the host's, bound
 * read-only (as berth spec --rootless has it). */
static void bind_host_sys(struct spec_config *cfg)
{
	static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/sys") != 0)
			continue;
		m->type = "none";
		m->source = "/sys";
		m->options = (const char **)opts;
		m->n_options = sizeof(opts) / sizeof(opts[0]);
	}
}

/* The default device rules, then the request's limits. */
static void set_resources(struct spec_linux *l, const struct daemon_spec *s)
{
	struct spec_resources res;

	daemon_bundle_limits(s, &res);
	res.devices = l->resources.devices;
	res.n_devices = l->resources.n_devices;
	l->resources = res;
}

static int build_linux(struct spec_config *cfg, const struct daemon_bundle_in *in,
		       struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	struct spec_linux *l = &cfg->linux;
	char cgpath[PATH_MAX];

	snprintf(cgpath, sizeof(cgpath), "%s/%s", in->cgroup_parent, in->id);
	l->cgroups_path = arena_strdup(&cfg->arena, cgpath);
	if (!l->cgroups_path)
		return berr_set(err, ENOMEM, "config.json");
	if (!daemon_bundle_own_netns(s)) {
		drop_network_namespace(l);
		if (rt_rootless())
			bind_host_sys(cfg);
	}
	set_resources(l, s);
	/* The one default profile, for the capabilities this container
	 * holds. */
	if (bundle_seccomp_unconfined(s))
		return 0;
	return spec_seccomp_default(&cfg->arena, cfg->process.caps.bounding, &l->seccomp, err);
}

/* The default config with the request's changes. */
static int build_config(struct spec_config *cfg, const struct daemon_bundle_in *in,
			const char *hostname, int rootfd, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	struct bundle_process_in p = {
		.spec = s,
		.hostname = hostname,
		.rootfd = rootfd,
		.args = { s->entrypoint, s->cmd },
		.tty = s->tty,
	};
	int ret;

	/* berth spec's process is a shell with its rlimit; docker's comes
	 * from the image and the request alone. */
	ret = bundle_process(&cfg->arena, &p, &cfg->process, err);
	if (ret < 0)
		return ret;
	cfg->root.readonly = s->readonly_rootfs;
	cfg->hostname = arena_strdup(&cfg->arena, hostname);
	if (!cfg->hostname)
		return berr_set(err, ENOMEM, "config.json");
	if (s->domainname && *s->domainname)
		cfg->domainname = s->domainname;
	ret = bundle_mounts(cfg, s, in->dir, err);
	if (ret < 0)
		return ret;
	return build_linux(cfg, in, err);
}

int daemon_bundle_write(const struct daemon_bundle_in *in, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	const struct spec_default_opts dflt = { 0 };
	cleanup_config struct spec_config *cfg = NULL;
	cleanup_free char *json = NULL;
	cleanup_close int rootfd = -1;
	char path[PATH_MAX], hostname[256];
	size_t len;
	int ret;

	if (s->privileged)
		return berr_unsupported(err,
				 "privileged containers are not supported by berthd");
	rootfd = bundle_open_rootfs(in->dir, err);
	if (rootfd < 0)
		return rootfd;
	bundle_hostname(s, in->id, hostname, sizeof(hostname));
	ret = write_files(s, in->dir, hostname, err);
	if (ret < 0)
		return ret;
	ret = spec_config_default(&dflt, &cfg, err);
	if (ret < 0)
		return ret;
	/* Rootless, no device program can be attached (the lifecycle
	 * library refuses device rules then): the default ones go, and the
	 * user namespace berthd runs in keeps device nodes from being made. */
	if (rt_rootless()) {
		cfg->linux.resources.devices = NULL;
		cfg->linux.resources.n_devices = 0;
	}
	ret = build_config(cfg, in, hostname, rootfd, err);
	if (ret < 0)
		return ret;
	ret = spec_config_write(cfg, &json, &len, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/config.json", in->dir);
	return fsutil_write_atomic(path, json, len, 0600, err);
}
