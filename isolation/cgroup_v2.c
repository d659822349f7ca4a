#include "isolation/cgroup_v2.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

/* How long we wait for the kernel to empty or freeze a cgroup. */
#define WAIT_TIMEOUT_MS 10000

static unsigned parse_controllers(const char *text)
{
	cleanup_free char *copy = strdup(text);
	char *save = NULL, *name;
	unsigned mask = 0;

	if (!copy)
		return 0;
	for (name = strtok_r(copy, " \n", &save); name; name = strtok_r(NULL, " \n", &save))
		mask |= cgroup_res_ctl_bit(name);
	return mask;
}

unsigned cgroup_v2_controllers(const char *dir)
{
	char buf[512];

	if (fsutil_read_at(AT_FDCWD, dir, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	return parse_controllers(buf);
}

/* "+cpu +memory ..." for the controllers of avail not yet in enabled. */
static void enable_line(unsigned avail, unsigned enabled, unsigned bit, char *out,
			size_t size)
{
	out[0] = '\0';
	if ((avail & bit) && !(enabled & bit))
		snprintf(out, size, "+%s", cgroup_res_ctl_name(bit, true));
}

/* Whether dir has processes of its own (its descendants' do not count). */
static bool has_own_procs(const char *dir)
{
	char buf[16];

	return fsutil_read_at(AT_FDCWD, dir, "cgroup.procs", buf, sizeof(buf)) > 0;
}

/* The names of the controllers in mask, "memory pids", into out. */
static void mask_names(unsigned mask, char *out, size_t size)
{
	out[0] = '\0';
	for (unsigned bit = 1; bit && bit <= CGROUP_CTL_PERF_EVENT; bit <<= 1)
		if (mask & bit)
			snprintf(out + strlen(out), size - strlen(out), "%s%s",
				 out[0] ? " " : "", cgroup_res_ctl_name(bit, true));
}

static int enable_in(const char *parent, bool root, unsigned need, bool all,
		     struct berr *err)
{
	char buf[512], names[128];
	unsigned have = cgroup_v2_controllers(parent), enabled = 0, avail;

	if (fsutil_read_at(AT_FDCWD, parent, "cgroup.subtree_control", buf, sizeof(buf)) >= 0)
		enabled = parse_controllers(buf);
	if (!root && (need & ~have)) {
		mask_names(need & ~have, names, sizeof(names));
		return berr_fail(err, EOPNOTSUPP,
				 "cgroup %s: its parent does not give it the %s controller "
				 "(not in its cgroup.controllers), so its children cannot have it",
				 parent, names);
	}
	/* cgroup v2 gives no controller to the children of a cgroup with
	 * processes of its own (the root aside): a domain one is refused,
	 * and a threaded one (pids, cpu) would turn every child "domain
	 * invalid", where no process can be put.  Such a level is left as
	 * it is, and a controller it lacks is an error saying why. */
	if (!root && has_own_procs(parent)) {
		if (!(need & ~enabled))
			return 0;
		mask_names(need & ~enabled, names, sizeof(names));
		return berr_fail(err, EBUSY,
				 "cgroup %s holds processes of its own, and cgroup v2 gives "
				 "no controller (here %s) to the children of such a cgroup "
				 "(the container's cgroup must be below one without processes)",
				 parent, names);
	}
	avail = have & (all ? ~0u : need);
	/* One at a time, so that one the parent refuses does not keep the
	 * others out. */
	for (unsigned bit = 1; bit && bit <= CGROUP_CTL_PERF_EVENT; bit <<= 1) {
		char line[32];
		int ret;

		enable_line(avail, enabled, bit, line, sizeof(line));
		if (!line[0])
			continue;
		ret = fsutil_write_at(AT_FDCWD, parent, "cgroup.subtree_control", line,
				      (need & bit) ? err : NULL);
		if (ret < 0 && (need & bit))
			return ret;
	}
	return 0;
}

int cgroup_v2_enable(const char *dir, const char *mnt, unsigned need, bool all,
		     struct berr *err)
{
	cleanup_free char *path = strdup(dir);
	size_t mlen = strlen(mnt), len;
	int ret;

	if (!path)
		return berr_sys(err, "cgroup %s", dir);
	/* From the mount down, each parent delegates to the next level. */
	ret = enable_in(mnt, true, need, all, err);
	len = strlen(path);
	for (size_t i = mlen + 1; i < len && ret == 0; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		ret = enable_in(path, false, need, all, err);
		path[i] = '/';
	}
	return ret;
}

int cgroup_v2_kill(const char *dir)
{
	return fsutil_write_at(AT_FDCWD, dir, "cgroup.kill", "1", NULL);
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* The value of key in cgroup.events (populated, frozen), -1 if unknown. */
static int events_value(const char *dir, const char *key)
{
	uint64_t v;

	if (cgroup_dir_read_key(dir, "cgroup.events", key, &v) < 0)
		return -1;
	return (int)v;
}

/* Wait until cgroup.events says key is want; changes raise POLLPRI. */
static int wait_event(const char *dir, const char *key, int want, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	struct timespec start;

	if (asprintf(&path, "%s/cgroup.events", dir) < 0)
		return berr_sys(err, "cgroup %s", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : berr_sys(err, "open %s", path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		int v = events_value(dir, key);

		if (v == want || (v < 0 && access(dir, F_OK) < 0))
			return 0;
		if (elapsed_ms(&start) > WAIT_TIMEOUT_MS)
			return berr_fail(err, ETIMEDOUT, "cgroup %s: %s did not become %d",
					dir, key, want);
		poll(&pfd, 1, 100);
	}
}

bool cgroup_v2_populated(const char *dir)
{
	return events_value(dir, "populated") == 1;
}

int cgroup_v2_wait_empty(const char *dir, struct berr *err)
{
	int ret = wait_event(dir, "populated", 0, err);

	return ret == -ENOENT ? 0 : ret;
}

int cgroup_v2_freeze(const char *dir, bool freeze, struct berr *err)
{
	struct berr ignored;
	int ret;

	ret = fsutil_write_at(AT_FDCWD, dir, "cgroup.freeze", freeze ? "1" : "0", err);
	if (ret == -ENOENT)
		return berr_fail(err, EOPNOTSUPP,
				"%s/cgroup.freeze: this kernel cannot freeze cgroup v2 "
				"(needs Linux 5.2)",
				dir);
	if (ret < 0)
		return ret;
	ret = wait_event(dir, "frozen", freeze ? 1 : 0, err);
	if (ret < 0 && freeze)
		fsutil_write_at(AT_FDCWD, dir, "cgroup.freeze", "0", &ignored);
	return ret;
}

int cgroup_v2_is_frozen(const char *dir, bool *frozen)
{
	int v = events_value(dir, "frozen");

	*frozen = v == 1;
	return v < 0 ? -ENOENT : 0;
}

int cgroup_v2_oom_count(const char *dir, uint64_t *count)
{
	return cgroup_dir_read_key(dir, "memory.events", "oom", count);
}
