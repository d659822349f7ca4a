#include "spec/config_default.h"

#include <string.h>

#include "spec/json_write.h"
#include "spec/state.h"

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const *options; /* NULL-terminated, or NULL */
	bool privileged_only;       /* left out of the rootless config */
};

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

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

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm", NULL,
};

static const char *const default_namespaces[] = {
	"pid", "network", "ipc", "uts", "mount", "cgroup", NULL,
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

static void write_list(struct jw *w, const char *key, const char *const *list)
{
	jw_key(w, key);
	jw_array_open(w);
	for (; *list; list++)
		jw_str(w, *list);
	jw_array_close(w);
}

static void write_process(struct jw *w)
{
	jw_key(w, "process");
	jw_map_open(w);
	/* runc's default wants a terminal; this one runs unattended. */
	jw_kbool(w, "terminal", false);
	jw_key(w, "user");
	jw_map_open(w);
	jw_kuint(w, "uid", 0);
	jw_kuint(w, "gid", 0);
	jw_map_close(w);
	write_list(w, "args", LIST("sh"));
	write_list(w, "env", default_env);
	jw_kstr(w, "cwd", "/");
	jw_key(w, "capabilities");
	jw_map_open(w);
	write_list(w, "bounding", default_caps);
	write_list(w, "effective", default_caps);
	write_list(w, "permitted", default_caps);
	jw_map_close(w);
	jw_key(w, "rlimits");
	jw_array_open(w);
	jw_map_open(w);
	jw_kstr(w, "type", "RLIMIT_NOFILE");
	jw_kuint(w, "hard", 1024);
	jw_kuint(w, "soft", 1024);
	jw_map_close(w);
	jw_array_close(w);
	jw_kbool(w, "noNewPrivileges", true);
	jw_map_close(w);
}

static void write_mount(struct jw *w, const struct default_mount *m,
			bool rootless)
{
	jw_map_open(w);
	jw_kstr(w, "destination", m->destination);
	jw_kstr(w, "type", m->type);
	jw_kstr(w, "source", m->source);
	if (m->options) {
		jw_key(w, "options");
		jw_array_open(w);
		for (const char *const *o = m->options; *o; o++)
			/* The tty group of the host means nothing in a user
			 * namespace that maps only the caller. */
			if (!rootless || strncmp(*o, "gid=", 4) != 0)
				jw_str(w, *o);
		jw_array_close(w);
	}
	jw_map_close(w);
}

static void write_mounts(struct jw *w, bool rootless)
{
	jw_key(w, "mounts");
	jw_array_open(w);
	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && m->privileged_only)
			continue;
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		write_mount(w, m, rootless);
	}
	jw_array_close(w);
}

static void write_id_mapping(struct jw *w, const char *key, uint32_t host_id)
{
	jw_key(w, key);
	jw_array_open(w);
	jw_map_open(w);
	jw_kuint(w, "containerID", 0);
	jw_kuint(w, "hostID", host_id);
	jw_kuint(w, "size", 1);
	jw_map_close(w);
	jw_array_close(w);
}

static void write_namespaces(struct jw *w, bool rootless)
{
	jw_key(w, "namespaces");
	jw_array_open(w);
	for (const char *const *ns = default_namespaces; *ns; ns++) {
		/* Without privilege there is no way to give a new network
		 * namespace a link, so the host's is kept. */
		if (rootless && strcmp(*ns, "network") == 0)
			continue;
		jw_map_open(w);
		jw_kstr(w, "type", *ns);
		jw_map_close(w);
	}
	if (rootless) {
		jw_map_open(w);
		jw_kstr(w, "type", "user");
		jw_map_close(w);
	}
	jw_array_close(w);
}

void spec_default_write_devices(struct jw *w)
{
	/* Deny every device; the runtime allows the standard ones. */
	jw_key(w, "devices");
	jw_array_open(w);
	jw_map_open(w);
	jw_kbool(w, "allow", false);
	jw_kstr(w, "access", "rwm");
	jw_map_close(w);
	jw_array_close(w);
}

void spec_default_write_paths(struct jw *w)
{
	write_list(w, "maskedPaths", default_masked_paths);
	write_list(w, "readonlyPaths", default_readonly_paths);
}

static void write_linux(struct jw *w, const struct spec_default_opts *opts)
{
	jw_key(w, "linux");
	jw_map_open(w);
	if (opts->rootless) {
		write_id_mapping(w, "uidMappings", opts->host_uid);
		write_id_mapping(w, "gidMappings", opts->host_gid);
	} else {
		jw_key(w, "resources");
		jw_map_open(w);
		spec_default_write_devices(w);
		jw_map_close(w);
	}
	write_namespaces(w, opts->rootless);
	if (opts->seccomp_json) {
		jw_key(w, "seccomp");
		jw_json(w, opts->seccomp_json, strlen(opts->seccomp_json));
	}
	spec_default_write_paths(w);
	jw_map_close(w);
}

static int check_seccomp(const char *json, struct berr *err)
{
	if (!json)
		return 0;
	json += strspn(json, " \t\r\n");
	if (*json != '{')
		return berr_set(err, 0, "seccomp profile: expected a JSON object");
	return 0;
}

int spec_default_config_json(const struct spec_default_opts *opts, char **out,
			     size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = NULL;
	int ret;

	ret = check_seccomp(opts->seccomp_json, err);
	if (ret < 0)
		return ret;
	w = jw_new(true);
	jw_map_open(w);
	jw_kstr(w, "ociVersion", SPEC_OCI_VERSION);
	write_process(w);
	jw_key(w, "root");
	jw_map_open(w);
	jw_kstr(w, "path", "rootfs");
	jw_kbool(w, "readonly", true);
	jw_map_close(w);
	jw_kstr(w, "hostname", "berth");
	write_mounts(w, opts->rootless);
	write_linux(w, opts);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
