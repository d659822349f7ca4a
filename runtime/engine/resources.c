/* A running container's resources: changing its limits (docker update),
 * reading its statistics (docker stats) and listing its processes
 * (docker top, through the host's ps as dockerd does). */
#include "runtime/engine/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "runtime/cgroups.h"
#include "runtime/engine/bundle.h"
#include "spec/base/strv.h"
#include "runtime/engine/log.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"


static bool live(const struct daemon_container *c)
{
	return c->status == DS_RUNNING || c->status == DS_PAUSED;
}

/* --- update ---------------------------------------------------------------- */

static bool valid_restart(const char *name)
{
	return !strcmp(name, "no") || !strcmp(name, "always") || !strcmp(name, "unless-stopped") ||
	       !strcmp(name, "on-failure");
}

/* The limits after u, in t (strings borrowed from c and u). */
static int merge_update(const struct daemon_container *c, const struct daemon_update *u,
			struct daemon_spec *t, bool *swap_default, struct berr *err)
{
	const struct daemon_spec *s = &c->spec;

	memset(t, 0, sizeof(*t));
	t->memory = u->memory ? u->memory : s->memory;
	t->memory_swap = u->memory_swap ? u->memory_swap : s->memory_swap;
	t->nano_cpus = u->nano_cpus ? u->nano_cpus : s->nano_cpus;
	t->cpu_shares = u->cpu_shares ? u->cpu_shares : s->cpu_shares;
	t->cpu_quota = u->cpu_quota ? u->cpu_quota : s->cpu_quota;
	t->cpu_period = u->cpu_period ? u->cpu_period : s->cpu_period;
	t->cpu_rt_period = u->cpu_rt_period ? u->cpu_rt_period : s->cpu_rt_period;
	t->cpu_rt_runtime = u->cpu_rt_runtime ? u->cpu_rt_runtime : s->cpu_rt_runtime;
	t->blkio_weight = u->blkio_weight ? u->blkio_weight : s->blkio_weight;
	t->pids_limit = u->pids_set ? (u->pids_limit > 0 ? u->pids_limit : -1) : s->pids_limit;
	t->cpuset_cpus = u->cpuset_cpus && *u->cpuset_cpus ? (char *)u->cpuset_cpus
							    : s->cpuset_cpus;
	t->cpuset_mems = u->cpuset_mems && *u->cpuset_mems ? (char *)u->cpuset_mems
							    : s->cpuset_mems;
	/* A swap limit the user set stays, and the memory must fit below it;
	 * the default one (as much swap again) follows the memory. */
	*swap_default = s->memory_swap == 0 && !u->memory_swap;
	if (u->memory && !u->memory_swap && s->memory_swap > 0 && u->memory > s->memory_swap)
		return berr_invalid(err,
				 "Memory limit should be smaller than already set memoryswap "
				 "limit, update the memoryswap at the same time");
	if (u->restart_name && *u->restart_name) {
		if (!valid_restart(u->restart_name))
			return berr_invalid(err, "invalid restart policy \"%s\"",
					 u->restart_name);
		if (s->auto_remove && strcmp(u->restart_name, "no") != 0)
			return berr_invalid(err,
					 "Restart policy cannot be updated because AutoRemove is "
					 "enabled for the container");
		if (u->restart_max && strcmp(u->restart_name, "on-failure") != 0)
			return berr_invalid(err,
					 "invalid restart policy: maximum retry count can only be "
					 "used with 'on-failure'");
		if (u->restart_max < 0)
			return berr_invalid(err,
					 "invalid restart policy: maximum retry count cannot be "
					 "negative");
	}
	return daemon_check_limits(t, err);
}

static int set_str(char **dst, const char *src)
{
	char *copy;

	if (!src || !*src)
		return 0;
	copy = strdup(src);
	if (!copy)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

int daemon_update(struct daemon *d, const char *ref, const struct daemon_update *u,
		  struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct daemon_container *c;
	struct daemon_spec t;
	struct spec_resources res;
	bool swap_default, running;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	while (c->busy)
		pthread_cond_wait(&d->changed, &d->lock);
	ret = merge_update(c, u, &t, &swap_default, err);
	running = live(c);
	if (ret == 0)
		c->busy = true;
	daemon_unlock(d);
	if (ret < 0) {
		daemon_put(d, c);
		return ret;
	}
	if (running) {
		daemon_bundle_limits(&t, &res);
		/* Only what the update names changes; the rest stays as set. */
		if (!u->memory && !u->memory_swap)
			res.memory_set = false;
		if (!u->nano_cpus && !u->cpu_shares && !u->cpu_quota && !u->cpu_period &&
		    !(u->cpuset_cpus && *u->cpuset_cpus) && !(u->cpuset_mems && *u->cpuset_mems) &&
		    !u->cpu_rt_period && !u->cpu_rt_runtime)
			res.cpu_set = false;
		if (u->blkio_weight) {
			res.blkio_set = true;
			res.blkio.weight_set = true;
			res.blkio.weight = (uint16_t)u->blkio_weight;
		}
		if (!u->pids_set)
			res.pids_set = false;
		if (res.cpu_set && (u->cpu_rt_runtime || u->cpu_rt_period))
			ret = rt_cgroup_hold_realtime(&d->cgroup_hold, &res.cpu, err);
		if (ret == 0)
			ret = rt_update(&ctx, c->id, &res, err);
		if (ret < 0)
			berr_wrap(err, ret, "Cannot update container %s", c->id);
	}
	daemon_lock(d);
	c->busy = false;
	if (ret == 0) {
		struct daemon_spec *s = &c->spec;

		s->memory = t.memory;
		s->memory_swap = swap_default ? 0 : t.memory_swap;
		s->nano_cpus = t.nano_cpus;
		s->cpu_shares = t.cpu_shares;
		s->cpu_quota = t.cpu_quota;
		s->cpu_period = t.cpu_period;
		s->cpu_rt_period = t.cpu_rt_period;
		s->cpu_rt_runtime = t.cpu_rt_runtime;
		s->blkio_weight = t.blkio_weight;
		s->pids_limit = t.pids_limit == -1 ? 0 : t.pids_limit;
		if (set_str(&s->cpuset_cpus, u->cpuset_cpus) < 0 ||
		    set_str(&s->cpuset_mems, u->cpuset_mems) < 0 ||
		    set_str(&s->restart_name, u->restart_name) < 0)
			ret = berr_set(err, ENOMEM, "update");
		if (u->restart_name && *u->restart_name)
			s->restart_max = u->restart_max;
		if (ret == 0)
			ret = daemon_save_config(d, c, err);
		if (ret == 0)
			daemon_event_locked(d, c, "update", NULL);
	}
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	daemon_remove_if_exited(d, c);
	daemon_put(d, c);
	return ret;
}

/* --- stats ----------------------------------------------------------------- */

/* The host's CPU time, as docker reports it: the sum of the first seven
 * fields of /proc/stat's cpu line, in nanoseconds. */
static uint64_t system_cpu_ns(void)
{
	char buf[512];
	unsigned long long v[7] = { 0 };
	uint64_t sum = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (fsutil_read_at(AT_FDCWD, NULL, "/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6]) != 7 || hz <= 0)
		return 0;
	for (int i = 0; i < 7; i++)
		sum += v[i];
	return sum * (1000000000ULL / (uint64_t)hz);
}

int daemon_stats(struct daemon *d, struct daemon_container *c, struct daemon_stats *out,
		 struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct sysinfo si;
	bool running;
	int ret;

	memset(out, 0, sizeof(*out));
	timestamp_now(out->read, sizeof(out->read));
	out->online_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (sysinfo(&si) == 0)
		out->mem_total = (uint64_t)si.totalram * si.mem_unit;
	rt_cgroup_unified(&out->v2, err);
	daemon_lock(d);
	running = live(c);
	daemon_unlock(d);
	if (!running)
		return 0;
	out->system_ns = system_cpu_ns();
	ret = rt_stats(&ctx, c->id, &out->st, err);
	if (ret == -ESRCH || ret == -ENOENT) {
		/* It stopped meanwhile: no statistics, as for a stopped one. */
		memset(&out->st, 0, sizeof(out->st));
		return 0;
	}
	if (ret < 0)
		return ret;
	out->running = true;
	return 0;
}

/* --- top -------------------------------------------------------------------- */

void daemon_top_free(struct daemon_top *t)
{
	strv_free(t->titles);
	for (size_t i = 0; i < t->n_rows; i++)
		strv_free(t->rows[i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* Split a ps line into n fields, the last one taking the rest. */
static char **split_fields(const char *line, size_t n)
{
	char **v = calloc(n + 1, sizeof(char *));
	const char *p = line;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t len;

		while (*p == ' ')
			p++;
		len = i + 1 == n ? strlen(p) : strcspn(p, " ");
		v[i] = strndup(p, len);
		if (!v[i]) {
			strv_free(v);
			return NULL;
		}
		p += len;
	}
	return v;
}

static size_t count_fields(const char *line)
{
	size_t n = 0;

	for (const char *p = line; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		p += strcspn(p, " ");
	}
	return n;
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Run ps with args; its output, malloc'd. */
static int run_ps(const char *ps_args, char **out, struct berr *err)
{
	cleanup_free char *args = strdup(ps_args);
	const char *argv[64];
	char *save = NULL, *buf = NULL;
	int p[2], status, n = 0, ret, read_ret;
	pid_t pid;

	if (!args)
		return berr_set(err, ENOMEM, "top");
	argv[n++] = "ps";
	for (char *tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == 62)
			return berr_invalid(err, "too many ps arguments");
		argv[n++] = tok;
	}
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	ret = daemon_spawn("ps", true, (char *const *)argv, p[1], 1, &pid);
	close(p[1]);
	if (ret != 0) {
		close(p[0]);
		return berr_set(err, ret, "run ps");
	}
	read_ret = fsutil_read_fd(p[0], "the output of ps", &buf, NULL, err);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (read_ret < 0) {
		free(buf);
		return read_ret;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return berr_invalid(err, "ps %s failed (exit status %d)", ps_args,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	*out = buf;
	return 0;
}

/* docker's top: run ps on the host and keep the lines of the container's
 * processes, found by the PID column. */
int daemon_top(struct daemon *d, const char *ref, const char *ps_args, struct daemon_top *out,
	       struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	cleanup_free pid_t *pids = NULL;
	cleanup_free char *text = NULL;
	struct daemon_container *c;
	char *save = NULL, *line;
	size_t n_pids = 0, n_fields, pid_col = (size_t)-1;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!ps_args || !*ps_args)
		ps_args = "-ef";
	ret = daemon_get(d, ref, &c, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	if (!live(c))
		ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
	daemon_unlock(d);
	if (ret == 0)
		ret = rt_pids(&ctx, c->id, &pids, &n_pids, err);
	daemon_put(d, c);
	if (ret == 0)
		ret = run_ps(ps_args, &text, err);
	if (ret < 0)
		return ret;
	line = strtok_r(text, "\n", &save);
	if (!line)
		return berr_invalid(err, "ps %s printed nothing", ps_args);
	n_fields = count_fields(line);
	out->titles = split_fields(line, n_fields);
	for (size_t i = 0; out->titles && i < n_fields; i++)
		if (strcmp(out->titles[i], "PID") == 0)
			pid_col = i;
	if (!out->titles || pid_col == (size_t)-1) {
		daemon_top_free(out);
		return berr_invalid(err, "Couldn't find PID field in ps output");
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		char **row = split_fields(line, n_fields), ***grown;
		char *end;
		long pid;

		if (!row)
			break;
		pid = strtol(row[pid_col] ? row[pid_col] : "", &end, 10);
		if (*end || !pid_in((pid_t)pid, pids, n_pids)) {
			strv_free(row);
			continue;
		}
		grown = realloc(out->rows, (out->n_rows + 1) * sizeof(*grown));
		if (!grown) {
			strv_free(row);
			break;
		}
		out->rows = grown;
		out->rows[out->n_rows++] = row;
	}
	return 0;
}
