#include "isolation/cgroup_v1.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include <libcgroup.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

#define WAIT_TIMEOUT_MS 10000

/* libcgroup reports through a logger that prints to stderr; berth's
 * isolation room never prints, and errors come back through its return
 * values anyway. */
static void silent(void *userdata, int level, const char *fmt, va_list ap)
{
	(void)userdata;
	(void)level;
	(void)fmt;
	(void)ap;
}

/* libcgroup keeps the mount table in its own process-wide cache, which
 * cgroup_init() fills from /proc/self/mounts.  That is global state, but
 * a cache of the kernel's: calling it again just re-reads, so berth calls
 * it before each discovery and owns nothing global itself. */
static int libcgroup_ready(struct berr *err)
{
	int ret;

	cgroup_set_logger(silent, CGROUP_LOG_ERROR, NULL);
	ret = cgroup_init();
	if (ret)
		return berr_fail(err, ENOENT, "libcgroup: reading the cgroup mounts: %s",
				 cgroup_strerror(ret));
	return 0;
}

static bool is_v1_fs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC;
}

static int add_controller(struct cgroup_v1_mount **v, size_t *n, const char *name,
			  const char *path)
{
	struct cgroup_v1_mount *m = NULL, *grown;
	char *joined;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].path, path) == 0)
			m = &(*v)[i];
	if (!m) {
		grown = realloc(*v, (*n + 1) * sizeof(**v));
		if (!grown)
			return -ENOMEM;
		*v = grown;
		m = &(*v)[(*n)++];
		memset(m, 0, sizeof(*m));
		m->path = strdup(path);
		m->controllers = strdup(name);
		if (!m->path || !m->controllers)
			return -ENOMEM;
	} else {
		if (asprintf(&joined, "%s,%s", m->controllers, name) < 0)
			return -ENOMEM;
		free(m->controllers);
		m->controllers = joined;
	}
	m->mask |= cgroup_res_ctl_bit(name);
	return 0;
}

/* Whether the comma-separated list has name in it. */
static bool lists(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list, *end = list + len; p < end;) {
		size_t k = strcspn(p, ",");

		if (k > (size_t)(end - p))
			k = (size_t)(end - p);
		if (k == n && memcmp(p, name, n) == 0)
			return true;
		p += k + 1;
	}
	return false;
}

/* The caller's own cgroup in each hierarchy, from one read of
 * /proc/self/cgroup ("ID:CONTROLLERS:PATH" lines): libcgroup would read
 * the file again for each hierarchy. */
static int own_cgroups(struct cgroup_v1_mount *m, size_t n, struct berr *err)
{
	char buf[16384];
	ssize_t len = fsutil_read_at(AT_FDCWD, NULL, "/proc/self/cgroup", buf, sizeof(buf));

	if (len < 0)
		return berr_set(err, (int)-len, "read /proc/self/cgroup");
	if ((size_t)len >= sizeof(buf) - 1)
		return berr_fail(err, EFBIG, "/proc/self/cgroup is larger than %zu bytes",
				 sizeof(buf) - 1);
	buf[len] = '\0';
	for (char *line = buf, *next; *line; line = next) {
		char *ctl = strchr(line, ':');
		char *path = ctl ? strchr(ctl + 1, ':') : NULL;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!path)
			continue;
		for (size_t i = 0; i < n; i++) {
			char first[64];

			snprintf(first, sizeof(first), "%.*s", (int)strcspn(m[i].controllers, ","),
				 m[i].controllers);
			if (!m[i].own && lists(ctl + 1, (size_t)(path - ctl - 1), first) &&
			    !(m[i].own = strdup(path + 1)))
				return berr_set(err, ENOMEM, "/proc/self/cgroup");
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!m[i].own)
			return berr_fail(err, ENOENT,
					"the caller's own %s cgroup: /proc/self/cgroup does not name "
					"that hierarchy",
					m[i].controllers);
	return 0;
}

int cgroup_v1_mounts(struct cgroup_v1_mount **out, size_t *n, struct berr *err)
{
	struct cgroup_mount_point mp;
	void *handle = NULL;
	int ret;

	*out = NULL;
	*n = 0;
	ret = libcgroup_ready(err);
	if (ret < 0)
		return ret;
	for (ret = cgroup_get_controller_begin(&handle, &mp); ret == 0;
	     ret = cgroup_get_controller_next(&handle, &mp)) {
		/* libcgroup lists the controllers of the v2 tree too. */
		if (!is_v1_fs(mp.path) || !cgroup_res_ctl_bit(mp.name))
			continue;
		if (add_controller(out, n, mp.name, mp.path) < 0) {
			cgroup_get_controller_end(&handle);
			cgroup_v1_mounts_free(*out, *n);
			return berr_set(err, ENOMEM, "cgroup mounts");
		}
	}
	cgroup_get_controller_end(&handle);
	ret = own_cgroups(*out, *n, err);
	if (ret < 0)
		cgroup_v1_mounts_free(*out, *n);
	return ret;
}

void cgroup_v1_mounts_free(struct cgroup_v1_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].path);
		free(m[i].controllers);
		free(m[i].own);
	}
	free(m);
}

/* A new cpuset cgroup has no cpus and no memory nodes, and nothing can
 * join it until it has: start from the parent's.  A parent without them
 * gets its own first, from its parent and up: another berth may have made
 * that parent a moment ago and not filled it yet (mkdir said EEXIST to
 * us), or someone made it by hand; runc fills such parents too.  Two
 * writers of the same parent write the same values. */
static int init_cpuset(const char *path, struct berr *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	cleanup_free char *parent = strdup(path);
	char *slash = parent ? strrchr(parent, '/') : NULL;

	if (!slash)
		return berr_set(err, ENOMEM, "cpuset %s", path);
	*slash = '\0';
	for (size_t i = 0; i < 2; i++) {
		char buf[1024];
		ssize_t len;
		int ret;

		if (fsutil_read_at(AT_FDCWD, path, files[i], buf, sizeof(buf)) > 1)
			continue;
		len = fsutil_read_at(AT_FDCWD, parent, files[i], buf, sizeof(buf));
		if (len >= 0 && len <= 1 && slash != parent) {
			ret = init_cpuset(parent, err);
			if (ret < 0)
				return ret;
			len = fsutil_read_at(AT_FDCWD, parent, files[i], buf, sizeof(buf));
		}
		if (len < 0)
			return berr_sys(err, "read %s/%s", parent, files[i]);
		buf[strcspn(buf, "\n")] = '\0';
		ret = fsutil_write_at(AT_FDCWD, path, files[i], buf, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int cgroup_v1_locate(struct cgroup_v1_dir *d, const struct cgroup_v1_mount *m,
		     const char *spec_path, struct berr *err)
{
	const char *own = strcmp(m->own, "/") ? m->own : "";
	int n;

	memset(d, 0, sizeof(*d));
	d->mask = m->mask;
	d->controllers = strdup(m->controllers);
	d->mnt = strdup(m->path);
	if (spec_path[0] == '/')
		n = asprintf(&d->dir, "%s%s", m->path, spec_path);
	else
		n = asprintf(&d->dir, "%s%s/%s", m->path, own, spec_path);
	if (n < 0)
		d->dir = NULL;
	if (n < 0 || !d->controllers || !d->mnt)
		return berr_set(err, ENOMEM, "cgroup %s", spec_path);
	for (size_t len = strlen(d->dir); len > 1 && d->dir[len - 1] == '/'; len--)
		d->dir[len - 1] = '\0';
	return 0;
}

/* What each directory made in d's hierarchy needs before use. */
static int (*init_of(const struct cgroup_v1_dir *d))(const char *, struct berr *)
{
	return (d->mask & CGROUP_CTL_CPUSET) ? init_cpuset : NULL;
}

int cgroup_v1_make(struct cgroup_v1_dir *d, struct berr *err)
{
	return cgroup_dir_create(d->dir, d->mnt, &d->created, init_of(d), err);
}

int cgroup_v1_hold(struct cgroup_v1_dir *d, struct berr *err)
{
	return cgroup_dir_hold(d->dir, d->mnt, &d->created, init_of(d), err);
}

const struct cgroup_v1_dir *cgroup_v1_dir_of(const struct cgroup_v1_dir *d, size_t n,
					     unsigned ctl)
{
	for (size_t i = 0; i < n; i++)
		if (d[i].mask & ctl)
			return &d[i];
	return NULL;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static bool state_is(const char *dir, const char *want)
{
	char buf[32];

	return fsutil_read_at(AT_FDCWD, dir, "freezer.state", buf, sizeof(buf)) > 0 &&
	       strncmp(buf, want, strlen(want)) == 0;
}

int cgroup_v1_freeze(const char *dir, bool freeze, struct berr *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";
	struct timespec start;
	struct berr ignored;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int round = 0;; round++) {
		/* A freeze can stall in FREEZING (a task in an uninterruptible
		 * sleep); asking again nudges the kernel to retry it. */
		if (round % 10 == 0) {
			ret = fsutil_write_at(AT_FDCWD, dir, "freezer.state", want, err);
			if (ret < 0)
				return ret;
		}
		if (state_is(dir, want))
			return 0;
		if (elapsed_ms(&start) > WAIT_TIMEOUT_MS)
			break;
		nap();
	}
	if (freeze)
		fsutil_write_at(AT_FDCWD, dir, "freezer.state", "THAWED", &ignored);
	return berr_fail(err, ETIMEDOUT, "%s/freezer.state did not become %s", dir, want);
}

int cgroup_v1_is_frozen(const char *dir, bool *frozen)
{
	char buf[32];

	*frozen = false;
	if (fsutil_read_at(AT_FDCWD, dir, "freezer.state", buf, sizeof(buf)) < 0)
		return -errno;
	/* FREEZING counts: the processes are stopped or stopping. */
	*frozen = strncmp(buf, "THAWED", 6) != 0;
	return 0;
}

int cgroup_v1_remove(const struct cgroup_v1_dir *d, struct berr *err)
{
	struct timespec start;

	/* Only what berth made is berth's to remove. */
	if (!d->created)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* EBUSY while killed processes are still on their way out (or
	 * while cgroups the container made below its own are there). */
	for (;;) {
		cgroup_dir_remove_below(d->dir);
		if (rmdir(d->dir) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY)
			return berr_sys(err, "remove cgroup %s", d->dir);
		if (elapsed_ms(&start) > WAIT_TIMEOUT_MS)
			return berr_fail(err, EBUSY, "cgroup %s still has processes", d->dir);
		nap();
	}
	cgroup_dir_remove_chain(d->dir, d->created);
	return 0;
}

int cgroup_v1_oom_eventfd(const char *dir, int *control, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_close int efd = -1, cfd = -1;
	char line[64];
	int ret;

	if (asprintf(&path, "%s/memory.oom_control", dir) < 0)
		return berr_sys(err, "cgroup %s", dir);
	cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return berr_sys(err, "open %s", path);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return berr_sys(err, "eventfd");
	snprintf(line, sizeof(line), "%d %d", efd, cfd);
	ret = fsutil_write_at(AT_FDCWD, dir, "cgroup.event_control", line, err);
	if (ret < 0)
		return ret;
	*control = steal_fd(&cfd);
	return steal_fd(&efd);
}
