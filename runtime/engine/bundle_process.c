/* The process of a berthd container (its init, or an exec'd one) as spec
 * types: the user resolved in the container's root, docker's environment
 * rules, the capabilities it holds; and an exec's process.json. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/engine/user.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/config_build.h"
#include "spec/config_write.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

bool daemon_bundle_own_netns(const struct daemon_spec *s)
{
	return !s->network_mode || strcmp(s->network_mode, "host") != 0;
}

void bundle_hostname(const struct daemon_spec *s, const char *id, char *buf, size_t size)
{
	if (s->hostname && *s->hostname)
		snprintf(buf, size, "%s", s->hostname);
	else if (!daemon_bundle_own_netns(s) || (s->uts_mode && strcmp(s->uts_mode, "host") == 0))
		gethostname(buf, size);
	else
		snprintf(buf, size, "%.12s", id);
}

int bundle_open_rootfs(const char *dir, struct berr *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	return fd;
}

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static bool env_key_in(const char *kv, char *const *list)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; list && list[i]; i++)
		if (strncmp(list[i], kv, klen) == 0 && (list[i][klen] == '=' || !list[i][klen]))
			return true;
	return false;
}

/* docker's: PATH, HOSTNAME and (with a terminal) TERM unless set, then
 * the container's, then the extra ones, which replace. */
static int build_env(struct arena *a, const struct bundle_process_in *in,
		     struct spec_process *p)
{
	char *const *env = in->spec->env;
	bool has_path = false, has_hostname = false, has_term = false;
	const char **out = spec_build_array(a, count(env) + count(in->extra_env) + 4, sizeof(*out));
	size_t n = 0;

	if (!out)
		return -ENOMEM;
	for (size_t k = 0; k < 2; k++) {
		char *const *list = k ? in->extra_env : env;

		for (size_t i = 0; list && list[i]; i++) {
			has_path |= strncmp(list[i], "PATH=", 5) == 0;
			has_hostname |= strncmp(list[i], "HOSTNAME=", 9) == 0;
			has_term |= strncmp(list[i], "TERM=", 5) == 0;
		}
	}
	if (!has_path)
		out[n++] = DEFAULT_PATH;
	if (!has_hostname) {
		char h[300];

		snprintf(h, sizeof(h), "HOSTNAME=%s", in->hostname);
		out[n] = arena_strdup(a, h);
		if (!out[n++])
			return -ENOMEM;
	}
	if (in->tty && !has_term)
		out[n++] = "TERM=xterm";
	for (size_t i = 0; env && env[i]; i++)
		if (!env_key_in(env[i], in->extra_env))
			out[n++] = env[i];
	for (size_t i = 0; in->extra_env && in->extra_env[i]; i++)
		if (strchr(in->extra_env[i], '='))
			out[n++] = in->extra_env[i];
	p->env = out;
	p->n_env = n;
	return 0;
}

static int build_args(struct arena *a, const struct bundle_process_in *in,
		      struct spec_process *p)
{
	const char **out = spec_build_array(a, count(in->args[0]) + count(in->args[1]) + 1,
				      sizeof(*out));

	if (!out)
		return -ENOMEM;
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; in->args[k] && in->args[k][i]; i++)
			out[p->n_args++] = in->args[k][i];
	p->args = out;
	return 0;
}

static int build_user(struct arena *a, const struct bundle_process_in *in,
		      struct spec_user *user, struct berr *err)
{
	const char *who = in->user && *in->user ? in->user : in->spec->user;
	struct user_ids u;
	int ret;

	ret = user_resolve(in->rootfd, who, &u, err);
	if (ret < 0)
		return ret;
	user->uid = u.uid;
	user->gid = u.gid;
	if (!u.n_groups)
		return 0;
	user->additional_gids = spec_build_array(a, u.n_groups, sizeof(*user->additional_gids));
	if (!user->additional_gids)
		return berr_set(err, ENOMEM, "process");
	for (size_t i = 0; i < u.n_groups; i++)
		user->additional_gids[i] = u.groups[i];
	user->n_additional_gids = u.n_groups;
	return 0;
}

int bundle_process(struct arena *a, const struct bundle_process_in *in,
		   struct spec_process *p, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	uint64_t caps = bundle_caps(s);
	int ret;

	memset(p, 0, sizeof(*p));
	ret = build_user(a, in, &p->user, err);
	if (ret < 0)
		return ret;
	if (build_args(a, in, p) < 0 || build_env(a, in, p) < 0)
		return berr_set(err, ENOMEM, "process");
	p->terminal = in->tty;
	p->cwd = in->cwd && *in->cwd ? in->cwd : s->workdir && *s->workdir ? s->workdir : "/";
	p->caps.set = true;
	p->caps.bounding = p->caps.effective = p->caps.permitted = caps;
	p->no_new_privileges = bundle_no_new_privs(s);
	return 0;
}

int daemon_bundle_write_exec(const struct daemon_bundle_exec *in, struct berr *err)
{
	struct arena a = { 0 };
	cleanup_free char *json = NULL;
	cleanup_close int rootfd = bundle_open_rootfs(in->dir, err);
	struct bundle_process_in p = {
		.spec = in->spec,
		.user = in->user,
		.args = { in->cmd, NULL },
		.extra_env = in->env,
		.cwd = in->workdir,
		.tty = in->tty,
	};
	struct spec_process proc;
	char hostname[256];
	size_t len;
	int ret;

	if (rootfd < 0)
		return rootfd;
	bundle_hostname(in->spec, in->id, hostname, sizeof(hostname));
	p.hostname = hostname;
	p.rootfd = rootfd;
	ret = bundle_process(&a, &p, &proc, err);
	if (ret == 0)
		ret = spec_process_write(&proc, &json, &len, err);
	arena_release(&a);
	if (ret < 0)
		return ret;
	return fsutil_write_atomic(in->path, json, len, 0600, err);
}
