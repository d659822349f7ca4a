/* The default config as spec types: berth spec writes it as it is, berthd
 * changes it for each container.  The tables below are the policy. */
#include "spec/config_default.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/base/cleanup.h"
#include "spec/config_build.h"
#include "spec/config_write.h"
#include "spec/seccomp_default.h"
#include "spec/state.h"

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const *options; /* NULL-terminated, or NULL */
	bool privileged_only;       /* left out of the rootless config */
};

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define LEN(a) (sizeof(a) / sizeof(*(a)))

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", NULL, false },
	{ "/dev", "tmpfs", "tmpfs",
	  LIST("nosuid", "strictatime", "mode=755", "size=65536k"), false },
	{ "/dev/pts", "devpts", "devpts",
	  LIST("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
	       "gid=5"), false },
	{ "/dev/shm", "tmpfs", "shm",
	  LIST("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"), false },
	{ "/dev/mqueue", "mqueue", "mqueue", LIST("nosuid", "noexec", "nodev"),
	  false },
	{ "/sys", "sysfs", "sysfs", LIST("nosuid", "noexec", "nodev", "ro"),
	  false },
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  LIST("nosuid", "noexec", "nodev", "relatime", "ro"), true },
};

/* A new sysfs needs a network namespace the caller owns, so an
 * unprivileged container borrows the host's /sys instead. */
static const struct default_mount rootless_sys = {
	"/sys", "none", "/sys", LIST("rbind", "nosuid", "noexec", "nodev", "ro"),
	false,
};

static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm", NULL,
};

static const enum spec_ns_type default_namespaces[] = {
	NS_PID, NS_NETWORK, NS_IPC, NS_UTS, NS_MOUNT, NS_CGROUP,
};

static const char *const default_masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	"/sys/devices/virtual/powercap", NULL,
};

static const char *const default_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger", NULL,
};

/* Allocations below fail only for want of memory: they are checked once,
 * at the end, through this flag. */
struct builder {
	struct arena *a;
	bool failed;
};

static const char **strv(struct builder *b, const char *const *list, size_t *n)
{
	const char **out = spec_build_strv(b->a, list, (size_t)-1, n);

	b->failed |= !out;
	return out;
}

static void *array(struct builder *b, size_t n, size_t size)
{
	void *out = spec_build_array(b->a, n, size);

	b->failed |= !out;
	return out;
}

static void build_process(struct builder *b, struct spec_process *p)
{
	/* As runc spec: an interactive shell (berthd sets docker's Tty). */
	p->terminal = true;
	p->args = strv(b, LIST("sh"), &p->n_args);
	p->env = strv(b, default_env, &p->n_env);
	p->cwd = "/";
	p->caps.set = true;
	p->caps.bounding = p->caps.effective = p->caps.permitted = SPEC_DEFAULT_CAPS;
	p->rlimits = array(b, 1, sizeof(*p->rlimits));
	if (p->rlimits) {
		p->rlimits[0] = (struct spec_rlimit){ RLIMIT_NOFILE, 1024, 1024 };
		p->n_rlimits = 1;
	}
	p->no_new_privileges = true;
}

static void build_mount(struct builder *b, const struct default_mount *dm,
			struct spec_mount *m, bool rootless)
{
	size_t n = 0;

	m->destination = dm->destination;
	m->type = dm->type;
	m->source = dm->source;
	if (!dm->options)
		return;
	m->options = strv(b, dm->options, &n);
	for (size_t i = 0; m->options && i < n; i++)
		/* The tty group of the host means nothing in a user namespace
		 * that maps only the caller. */
		if (!rootless || strncmp(dm->options[i], "gid=", 4) != 0)
			m->options[m->n_options++] = dm->options[i];
	if (m->options)
		m->options[m->n_options] = NULL;
}

static void build_mounts(struct builder *b, struct spec_config *cfg, bool rootless)
{
	cfg->mounts = array(b, LEN(default_mounts), sizeof(*cfg->mounts));
	for (size_t i = 0; cfg->mounts && i < LEN(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && m->privileged_only)
			continue;
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		build_mount(b, m, &cfg->mounts[cfg->n_mounts++], rootless);
	}
}

static struct spec_id_mapping *id_mapping(struct builder *b, uint32_t host_id, size_t *n)
{
	struct spec_id_mapping *m = array(b, 1, sizeof(*m));

	if (m) {
		*m = (struct spec_id_mapping){ .container_id = 0, .host_id = host_id, .size = 1 };
		*n = 1;
	}
	return m;
}

static void build_namespaces(struct builder *b, struct spec_linux *l, bool rootless)
{
	l->namespaces = array(b, LEN(default_namespaces) + 1, sizeof(*l->namespaces));
	if (!l->namespaces)
		return;
	for (size_t i = 0; i < LEN(default_namespaces); i++)
		/* Without privilege there is no way to give a new network
		 * namespace a link, so the host's is kept. */
		if (!rootless || default_namespaces[i] != NS_NETWORK)
			l->namespaces[l->n_namespaces++].type = default_namespaces[i];
	if (rootless)
		l->namespaces[l->n_namespaces++].type = NS_USER;
}

static void build_linux(struct builder *b, struct spec_linux *l,
			const struct spec_default_opts *opts)
{
	if (opts->rootless) {
		l->uid_mappings = id_mapping(b, opts->host_uid, &l->n_uid_mappings);
		l->gid_mappings = id_mapping(b, opts->host_gid, &l->n_gid_mappings);
	} else {
		/* Deny every device; the runtime allows the standard ones. */
		l->resources.set = true;
		l->resources.devices = array(b, 1, sizeof(*l->resources.devices));
		if (l->resources.devices) {
			l->resources.devices[0] = (struct spec_device_rule){
				.allow = false, .type = 'a', .major = -1, .minor = -1,
				.access = "rwm",
			};
			l->resources.n_devices = 1;
		}
	}
	build_namespaces(b, l, opts->rootless);
	l->masked_paths = strv(b, default_masked_paths, &l->n_masked_paths);
	l->readonly_paths = strv(b, default_readonly_paths, &l->n_readonly_paths);
}

int spec_config_default(const struct spec_default_opts *opts, struct spec_config **out,
			struct berr *err)
{
	cleanup_config struct spec_config *cfg = calloc(1, sizeof(*cfg));
	struct builder b;
	int ret;

	if (!cfg)
		return berr_set(err, ENOMEM, "default config");
	b = (struct builder){ .a = &cfg->arena };
	cfg->oci_version = SPEC_OCI_VERSION;
	cfg->process_set = true;
	build_process(&b, &cfg->process);
	cfg->root = (struct spec_root){ .path = "rootfs", .readonly = true };
	cfg->hostname = "berth";
	build_mounts(&b, cfg, opts->rootless);
	build_linux(&b, &cfg->linux, opts);
	if (b.failed)
		return berr_set(err, ENOMEM, "default config");
	if (opts->seccomp) {
		ret = spec_seccomp_default(&cfg->arena, cfg->process.caps.bounding,
					   &cfg->linux.seccomp, err);
		if (ret < 0)
			return ret;
	}
	*out = steal_ptr(cfg);
	return 0;
}

int spec_default_config_json(const struct spec_default_opts *opts, char **out,
			     size_t *len, struct berr *err)
{
	cleanup_config struct spec_config *cfg = NULL;
	int ret;

	ret = spec_config_default(opts, &cfg, err);
	if (ret < 0)
		return ret;
	return spec_config_write(cfg, out, len, err);
}
