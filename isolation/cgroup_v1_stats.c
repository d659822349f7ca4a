/* Statistics from cgroup v1 files (runc's layout is v1's own). */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v1.h"
#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "re");
}

static int cpuacct(const char *dir, struct spec_stats *st)
{
	cleanup_fclose FILE *f = NULL;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t v;
	int ret;

	ret = cgroup_dir_read_u64(dir, "cpuacct.usage", &st->cpu.total);
	if (ret < 0)
		return ret;
	f = open_in(dir, "cpuacct.usage_percpu");
	while (f && fscanf(f, "%" SCNu64, &v) == 1)
		if (spec_stats_add_percpu(st, v) < 0)
			return -ENOMEM;
	/* cpuacct.stat counts clock ticks. */
	if (hz > 0 && cgroup_dir_read_key(dir, "cpuacct.stat", "user", &v) == 0)
		st->cpu.user = v * (1000000000ull / (uint64_t)hz);
	if (hz > 0 && cgroup_dir_read_key(dir, "cpuacct.stat", "system", &v) == 0)
		st->cpu.kernel = v * (1000000000ull / (uint64_t)hz);
	return 0;
}

static void cpu(const char *dir, struct spec_stats *st)
{
	cgroup_dir_read_key(dir, "cpu.stat", "nr_periods", &st->cpu.periods);
	cgroup_dir_read_key(dir, "cpu.stat", "nr_throttled", &st->cpu.throttled_periods);
	cgroup_dir_read_key(dir, "cpu.stat", "throttled_time", &st->cpu.throttled_time);
}

/* memory.<prefix>usage_in_bytes and friends; absent files stay zero. */
static void mem_entry(const char *dir, const char *prefix, struct spec_mem_entry *e)
{
	char name[96];

	snprintf(name, sizeof(name), "memory.%susage_in_bytes", prefix);
	cgroup_dir_read_u64(dir, name, &e->usage);
	snprintf(name, sizeof(name), "memory.%smax_usage_in_bytes", prefix);
	cgroup_dir_read_u64(dir, name, &e->max);
	snprintf(name, sizeof(name), "memory.%slimit_in_bytes", prefix);
	cgroup_dir_read_u64(dir, name, &e->limit);
	snprintf(name, sizeof(name), "memory.%sfailcnt", prefix);
	cgroup_dir_read_u64(dir, name, &e->failcnt);
}

static int memory(const char *dir, struct spec_stats *st)
{
	cleanup_fclose FILE *f = NULL;
	char key[128];
	uint64_t v;
	int ret = cgroup_dir_read_u64(dir, "memory.usage_in_bytes", &v);

	if (ret < 0)
		return ret;
	mem_entry(dir, "", &st->memory.usage);
	mem_entry(dir, "memsw.", &st->memory.swap);
	mem_entry(dir, "kmem.", &st->memory.kernel);
	mem_entry(dir, "kmem.tcp.", &st->memory.kernel_tcp);
	f = open_in(dir, "memory.stat");
	while (f && fscanf(f, "%127s %" SCNu64, key, &v) == 2) {
		if (strcmp(key, "cache") == 0)
			st->memory.cache = v;
		if (spec_stats_add_raw(st, key, v) < 0)
			return -ENOMEM;
	}
	cgroup_dir_read_key(dir, "memory.oom_control", "oom_kill", &st->memory.ev_oom_kill);
	st->memory.ev_max = st->memory.usage.failcnt;
	return 0;
}

static int blkio_file(const char *dir, const char *name, struct spec_blkio_entry **v,
		      size_t *n)
{
	static const char *const ops[] = { "Read", "Write", "Sync", "Async", "Discard",
					   "Total" };
	cleanup_fclose FILE *f = open_in(dir, name);
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long major, minor, value;
		char op[16];
		struct spec_blkio_entry e = { 0 };

		if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) != 4)
			continue;
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (strcmp(op, ops[i]) == 0)
				e.op = ops[i];
		if (!e.op)
			continue;
		e.major = major;
		e.minor = minor;
		e.value = value;
		if (spec_stats_add_blkio(v, n, &e) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int blkio(const char *dir, struct spec_stats *st)
{
	int ret = blkio_file(dir, "blkio.throttle.io_service_bytes_recursive",
			     &st->blkio.service_bytes, &st->blkio.n_service_bytes);

	if (ret == 0)
		ret = blkio_file(dir, "blkio.throttle.io_serviced_recursive", &st->blkio.serviced,
				 &st->blkio.n_serviced);
	return ret;
}

static int hugetlb(const char *dir, struct spec_stats *st)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct spec_hugetlb_stats h = { 0 };
		char name[96];
		size_t len = strlen(e->d_name);

		/* hugetlb.2MB.usage_in_bytes names the sizes there are. */
		if (strncmp(e->d_name, "hugetlb.", 8) || len < 23 ||
		    strcmp(e->d_name + len - 15, ".usage_in_bytes") ||
		    strstr(e->d_name, ".rsvd."))
			continue;
		snprintf(h.page_size, sizeof(h.page_size), "%.*s", (int)(len - 23), e->d_name + 8);
		cgroup_dir_read_u64(dir, e->d_name, &h.usage);
		snprintf(name, sizeof(name), "hugetlb.%s.max_usage_in_bytes", h.page_size);
		cgroup_dir_read_u64(dir, name, &h.max);
		snprintf(name, sizeof(name), "hugetlb.%s.failcnt", h.page_size);
		cgroup_dir_read_u64(dir, name, &h.failcnt);
		if (spec_stats_add_hugetlb(st, &h) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void cpuset(const char *dir, struct spec_stats *st)
{
	char buf[1024];

	if (fsutil_read_at(AT_FDCWD, dir, "cpuset.effective_cpus", buf, sizeof(buf)) >= 0)
		spec_stats_parse_list(buf, &st->cpuset.cpus, &st->cpuset.n_cpus);
	if (fsutil_read_at(AT_FDCWD, dir, "cpuset.effective_mems", buf, sizeof(buf)) >= 0)
		spec_stats_parse_list(buf, &st->cpuset.mems, &st->cpuset.n_mems);
}

int cgroup_v1_stats(const struct cgroup_v1_dir *d, size_t n, unsigned mask,
		    struct spec_stats *st, struct berr *err)
{
	const struct cgroup_v1_dir *x;
	const char *what = NULL;
	int ret = 0;

#define DIR_OF(ctl) ((mask & (ctl)) && (x = cgroup_v1_dir_of(d, n, (ctl))))
	if (DIR_OF(CGROUP_CTL_CPUACCT) && (ret = cpuacct(x->dir, st)) < 0)
		what = x->dir;
	if (ret == 0 && DIR_OF(CGROUP_CTL_CPU))
		cpu(x->dir, st);
	if (ret == 0 && DIR_OF(CGROUP_CTL_MEMORY) && (ret = memory(x->dir, st)) < 0)
		what = x->dir;
	if (ret == 0 && DIR_OF(CGROUP_CTL_PIDS)) {
		ret = cgroup_dir_read_u64(x->dir, "pids.current", &st->pids.current);
		if (ret == 0)
			ret = cgroup_dir_read_u64(x->dir, "pids.max", &st->pids.limit);
		if (st->pids.limit == UINT64_MAX)
			st->pids.limit = 0;
		what = x->dir;
	}
	if (ret == 0 && DIR_OF(CGROUP_CTL_BLKIO) && (ret = blkio(x->dir, st)) < 0)
		what = x->dir;
	if (ret == 0 && DIR_OF(CGROUP_CTL_HUGETLB) && (ret = hugetlb(x->dir, st)) < 0)
		what = x->dir;
	if (ret == 0 && DIR_OF(CGROUP_CTL_CPUSET))
		cpuset(x->dir, st);
#undef DIR_OF
	if (ret < 0)
		return berr_set(err, -ret, "statistics of cgroup %s", what ? what : "?");
	return 0;
}
