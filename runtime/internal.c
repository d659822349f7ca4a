#include "runtime/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "isolation/proc.h"
#include "isolation/syscalls.h"
#include "runtime/hooks.h"
#include "runtime/seccomp_cache.h"
#include "spec/base/cleanup.h"
#include "spec/names.h"

void internal_state_fill(struct spec_state *s, const char *id, const char *status,
			 pid_t pid, const char *bundle, const char *rootfs,
			 const char *created, const struct spec_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->oci_version = SPEC_OCI_VERSION;
	s->id = id;
	s->status = status;
	s->pid = pid;
	s->bundle = bundle;
	s->rootfs = rootfs;
	s->created = created;
	s->owner = getuid() == 0 ? "root" : "";
	if (cfg) {
		s->annotations = cfg->annotations;
		s->n_annotations = cfg->n_annotations;
	}
}

const char *internal_seccomp_cache_dir(const struct rt_ctx *ctx)
{
	return ctx->seccomp_cache ? ctx->seccomp_cache : SECCOMP_CACHE_DEFAULT;
}

int internal_seccomp_compile(const struct rt_ctx *ctx, const struct spec_seccomp *s,
			     struct seccomp_filter_prog *out, char *name, struct berr *err)
{
	return seccomp_cache_compile(internal_seccomp_cache_dir(ctx), s, out, name, ctx->warn,
				     ctx->warn_arg, err);
}

int sys_pidfd_open_checked(pid_t pid, struct berr *err)
{
	int fd = sys_pidfd_open(pid, 0);

	if (fd < 0)
		return berr_sys(err, "pidfd_open %d", (int)pid);
	return fd;
}

/* Paused is what the freezer says, not what was stored, so a thaw by
 * anyone else shows at once. */
static bool frozen(const struct store_container *c)
{
	struct berr ignored;
	struct cgroup cg;
	bool f = false;

	if (internal_cgroup(c, &cg, &ignored) < 0)
		return false;
	cgroup_is_frozen(&cg, &f, &ignored);
	cgroup_release(&cg);
	return f;
}

const char *internal_status(struct store_container *c)
{
	const struct spec_state *s = &c->state;
	uint64_t start = store_extra_ull(c, "init_start");

	if (!c->has_state)
		return "creating";
	if (strcmp(s->status, "creating") == 0 && s->pid == 0)
		return "creating";
	if (s->pid <= 0 || !proc_alive(s->pid, start))
		return "stopped";
	if (faccessat(c->dirfd, STORE_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return "created";
	return frozen(c) ? "paused" : "running";
}

int internal_cgroup(const struct store_container *c, struct cgroup *cg,
		    struct berr *err)
{
	const char *text = c->has_state ? spec_state_extra(&c->state, "cgroup") : NULL;

	if (!text)
		return berr_fail(err, ENOENT, "container state has no cgroup");
	return cgroup_deserialize(cg, text, err);
}

int internal_init_pidfd(const struct store_container *c, struct berr *err)
{
	if (!c->has_state || c->state.pid <= 0)
		return -ESRCH;
	return proc_pidfd(c->state.pid, store_extra_ull(c, "init_start"), err);
}

/* The whole config, its hooks only, or the sections at paths. */
static int load_config(const struct store_container *c, bool only_hooks,
		       const char *const *paths, struct spec_config **cfg, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *json = NULL;
	size_t len;
	int ret;

	if (asprintf(&path, "%s/" STORE_CONFIG, c->dir) < 0)
		return berr_sys(err, "config");
	ret = fsutil_read_file(path, &json, &len, err);
	if (ret < 0)
		return ret;
	if (only_hooks)
		return spec_config_parse_hooks(json, len, cfg, err);
	if (paths)
		return spec_config_parse_only(json, len, paths, cfg, err);
	return spec_config_parse(json, len, cfg, err);
}

int internal_load_config(const struct store_container *c,
			 struct spec_config **cfg, struct berr *err)
{
	return load_config(c, false, NULL, cfg, err);
}

int internal_load_config_only(const struct store_container *c, const char *const *paths,
			      struct spec_config **cfg, struct berr *err)
{
	return load_config(c, false, paths, cfg, err);
}

void internal_hooks_summary(const struct spec_hooks *h, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct name_value *k = names_hooks; k->name; k++) {
		int n;

		if (!hooks_any(h, (enum spec_hook_kind)k->value))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", k->name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

int internal_load_hooks(const struct store_container *c, enum spec_hook_kind kind,
			struct spec_config **cfg, struct berr *err)
{
	const char *list = c->has_state ? spec_state_extra(&c->state, "hooks") : NULL;
	const char *name = names_name(names_hooks, kind);

	*cfg = NULL;
	/* A state written before berth recorded its hooks: look. */
	if (list && name) {
		size_t n = strlen(name);
		const char *p = list;

		while ((p = strstr(p, name)) &&
		       !((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')))
			p += n;
		if (!p)
			return 0;
	}
	return load_config(c, true, NULL, cfg, err);
}

int internal_open(const struct rt_ctx *ctx, const char *id, bool exclusive,
		  struct store_container *c, struct berr *err)
{
	int ret = rt_check_id(id, err);

	return ret < 0 ? ret : store_open(ctx->root, id, exclusive, c, err);
}

int internal_write_pid_file(const char *path, pid_t pid, struct berr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	return fsutil_write_atomic(path, buf, (size_t)n, 0644, err);
}

void internal_drop_kernel_memory(const struct rt_ctx *ctx, struct spec_memory *m)
{
	struct berr w = { 0 };

	if (!m->kernel.set && !m->kernel_tcp.set)
		return;
	m->kernel.set = m->kernel_tcp.set = false;
	berr_fail(&w, 0, "linux.resources.memory: kernel memory settings (kernel, "
		  "kernelTCP) are ignored, as the runtime-spec deprecates them");
	if (ctx->warn)
		ctx->warn(ctx->warn_arg, &w);
}
