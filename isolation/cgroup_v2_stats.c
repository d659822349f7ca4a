/* Statistics from cgroup v2 files, in runc's (v1 flavoured) layout. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_res.h"
#include "isolation/cgroup_v2.h"
#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

/* Every "key value" line of a file, handed to fn. */
static int each_line(const char *dir, const char *name,
		     int (*fn)(const char *key, uint64_t v, void *data), void *data)
{
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	char key[128];
	uint64_t v;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%127s %" SCNu64, key, &v) == 2) {
		int ret = fn(key, v, data);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int cpu_line(const char *key, uint64_t v, void *data)
{
	struct spec_stats *st = data;

	if (strcmp(key, "usage_usec") == 0)
		st->cpu.total = v * 1000;
	else if (strcmp(key, "user_usec") == 0)
		st->cpu.user = v * 1000;
	else if (strcmp(key, "system_usec") == 0)
		st->cpu.kernel = v * 1000;
	else if (strcmp(key, "nr_periods") == 0)
		st->cpu.periods = v;
	else if (strcmp(key, "nr_throttled") == 0)
		st->cpu.throttled_periods = v;
	else if (strcmp(key, "throttled_usec") == 0)
		st->cpu.throttled_time = v * 1000;
	return 0;
}

static int raw_line(const char *key, uint64_t v, void *data)
{
	struct spec_stats *st = data;

	if (strcmp(key, "file") == 0)
		st->memory.cache = v;
	return spec_stats_add_raw(st, key, v);
}

static int event_line(const char *key, uint64_t v, void *data)
{
	struct spec_stats *st = data;

	if (strcmp(key, "low") == 0)
		st->memory.ev_low = v;
	else if (strcmp(key, "high") == 0)
		st->memory.ev_high = v;
	else if (strcmp(key, "max") == 0)
		st->memory.ev_max = v;
	else if (strcmp(key, "oom") == 0)
		st->memory.ev_oom = v;
	else if (strcmp(key, "oom_kill") == 0)
		st->memory.ev_oom_kill = v;
	return 0;
}

static int memory_stats(const char *dir, struct spec_stats *st)
{
	struct spec_mem_entry *u = &st->memory.usage, *s = &st->memory.swap;
	int ret;

	ret = cgroup_dir_read_u64(dir, "memory.current", &u->usage);
	if (ret == 0)
		ret = cgroup_dir_read_u64(dir, "memory.max", &u->limit);
	if (ret < 0)
		return ret;
	cgroup_dir_read_u64(dir, "memory.peak", &u->max);
	u->failcnt = 0;
	/* runc reports v1's memory+swap: the sum, and the summed limit. */
	if (cgroup_dir_read_u64(dir, "memory.swap.current", &s->usage) == 0 &&
	    cgroup_dir_read_u64(dir, "memory.swap.max", &s->limit) == 0) {
		s->usage += u->usage;
		if (s->limit != UINT64_MAX && u->limit != UINT64_MAX)
			s->limit += u->limit;
		else
			s->limit = UINT64_MAX;
	}
	ret = each_line(dir, "memory.stat", raw_line, st);
	if (ret < 0)
		return ret;
	each_line(dir, "memory.events", event_line, st);
	return 0;
}

static int io_stats(const char *dir, struct spec_stats *st)
{
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (asprintf(&path, "%s/io.stat", dir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long major, minor;
		char *save = NULL, *item;
		int pos = 0;

		if (sscanf(line, "%llu:%llu %n", &major, &minor, &pos) < 2 || !pos)
			continue;
		for (item = strtok_r(line + pos, " \n", &save); item;
		     item = strtok_r(NULL, " \n", &save)) {
			struct spec_blkio_entry e = { major, minor, NULL, 0 };
			char *eq = strchr(item, '=');
			bool bytes;

			if (!eq)
				continue;
			*eq = '\0';
			e.value = strtoull(eq + 1, NULL, 10);
			if (!strcmp(item, "rbytes") || !strcmp(item, "rios"))
				e.op = "Read";
			else if (!strcmp(item, "wbytes") || !strcmp(item, "wios"))
				e.op = "Write";
			else
				continue;
			bytes = item[1] == 'b';
			if (spec_stats_add_blkio(bytes ? &st->blkio.service_bytes : &st->blkio.serviced,
						 bytes ? &st->blkio.n_service_bytes : &st->blkio.n_serviced,
						 &e) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* "hugepages-2048kB" -> "2MB", the name v2's files use. */
static bool page_size_name(const char *dirent, char *out, size_t size)
{
	unsigned long kb;

	if (sscanf(dirent, "hugepages-%lukB", &kb) != 1)
		return false;
	if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
		snprintf(out, size, "%luGB", kb / (1024 * 1024));
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(out, size, "%luMB", kb / 1024);
	else
		snprintf(out, size, "%luKB", kb);
	return true;
}

static int hugetlb_stats(const char *dir, struct spec_stats *st)
{
	cleanup_closedir DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct spec_hugetlb_stats h = { 0 };
		char name[64];

		if (!page_size_name(e->d_name, h.page_size, sizeof(h.page_size)))
			continue;
		snprintf(name, sizeof(name), "hugetlb.%s.current", h.page_size);
		if (cgroup_dir_read_u64(dir, name, &h.usage) < 0)
			continue;
		snprintf(name, sizeof(name), "hugetlb.%s.max", h.page_size);
		cgroup_dir_read_u64(dir, name, &h.max);
		snprintf(name, sizeof(name), "hugetlb.%s.events", h.page_size);
		cgroup_dir_read_key(dir, name, "max", &h.failcnt);
		if (spec_stats_add_hugetlb(st, &h) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void cpuset_stats(const char *dir, struct spec_stats *st)
{
	char buf[1024];

	if (fsutil_read_at(AT_FDCWD, dir, "cpuset.cpus.effective", buf, sizeof(buf)) >= 0)
		spec_stats_parse_list(buf, &st->cpuset.cpus, &st->cpuset.n_cpus);
	if (fsutil_read_at(AT_FDCWD, dir, "cpuset.mems.effective", buf, sizeof(buf)) >= 0)
		spec_stats_parse_list(buf, &st->cpuset.mems, &st->cpuset.n_mems);
}

int cgroup_v2_stats(const char *dir, unsigned mask, struct spec_stats *st,
		    struct berr *err)
{
	int ret = 0;

	/* cpu.stat's usage lines exist without the cpu controller. */
	if (mask & CGROUP_CTL_CPU)
		ret = each_line(dir, "cpu.stat", cpu_line, st);
	if (ret == 0 && (mask & CGROUP_CTL_MEMORY))
		ret = memory_stats(dir, st);
	if (ret == 0 && (mask & CGROUP_CTL_PIDS)) {
		ret = cgroup_dir_read_u64(dir, "pids.current", &st->pids.current);
		if (ret == 0)
			ret = cgroup_dir_read_u64(dir, "pids.max", &st->pids.limit);
		/* runc reports an unlimited pids.max as 0. */
		if (st->pids.limit == UINT64_MAX)
			st->pids.limit = 0;
	}
	if (ret == 0 && (mask & CGROUP_CTL_BLKIO))
		ret = io_stats(dir, st);
	if (ret == 0 && (mask & CGROUP_CTL_HUGETLB))
		ret = hugetlb_stats(dir, st);
	if (ret == 0 && (mask & CGROUP_CTL_CPUSET))
		cpuset_stats(dir, st);
	if (ret < 0)
		return berr_set(err, -ret, "statistics of cgroup %s", dir);
	return 0;
}
