/* A berthd container's resource limits: checked as docker checks them,
 * and as the runtime takes them (linux.resources), for its config.json
 * and for docker update. */
#include "runtime/engine/bundle.h"

#include <string.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/events.h"

/* Online CPUs and memory nodes of the host, as cpuset lists. */
static bool list_within(const char *list, const char *avail_path)
{
	cleanup_free uint16_t *want = NULL, *have = NULL;
	cleanup_free char *text = NULL;
	size_t n_want = 0, n_have = 0, len;
	struct berr ignored;

	if (spec_stats_parse_list(list, &want, &n_want) < 0)
		return false;
	if (fsutil_read_file(avail_path, &text, &len, &ignored) < 0)
		return true; /* nothing to check against: the kernel will */
	text[strcspn(text, "\n")] = '\0';
	if (spec_stats_parse_list(text, &have, &n_have) < 0)
		return true;
	for (size_t i = 0; i < n_want; i++) {
		bool found = false;

		for (size_t j = 0; j < n_have && !found; j++)
			found = want[i] == have[j];
		if (!found)
			return false;
	}
	return true;
}

int daemon_check_limits(const struct daemon_spec *s, struct berr *err)
{
	if (s->memory < 0 || s->nano_cpus < 0 || s->cpu_shares < 0 || s->pids_limit < -1 ||
	    s->cpu_quota < -1 || s->cpu_period < 0 || s->memory_swap < -1)
		return berr_invalid(err, "resource limits cannot be negative");
	if (s->memory && s->memory < 6 * 1024 * 1024)
		return berr_invalid(err, "minimum memory limit allowed is 6MB");
	if (s->memory_reservation < 0)
		return berr_invalid(err, "resource limits cannot be negative");
	if (s->memory_reservation && s->memory_reservation < 6 * 1024 * 1024)
		return berr_invalid(err, "minimum memory reservation allowed is 6MB");
	if (s->memory && s->memory_reservation > s->memory)
		return berr_invalid(err,
				 "minimum memory limit can not be less than memory reservation "
				 "limit, see usage");
	if (s->memory_swappiness_set && (s->memory_swappiness < 0 || s->memory_swappiness > 100))
		return berr_invalid(err,
				 "invalid value: %lld, valid memory swappiness range is 0-100",
				 (long long)s->memory_swappiness);
	if (s->memory_swap > 0 && !s->memory)
		return berr_invalid(err,
				 "you should always set the Memory limit when using Memoryswap "
				 "limit");
	if (s->memory_swap > 0 && s->memory_swap < s->memory)
		return berr_invalid(err,
				 "minimum memoryswap limit should be larger than memory limit, "
				 "see usage");
	if (s->nano_cpus && (s->cpu_quota || s->cpu_period))
		return berr_invalid(err,
				 "conflicting options: Nano CPUs cannot be set with CPU Quota or "
				 "CPU Period");
	if (s->nano_cpus && s->nano_cpus > (int64_t)sysconf(_SC_NPROCESSORS_ONLN) * 1000000000LL)
		return berr_invalid(err,
				 "range of CPUs is from 0.01 to %ld.00, as there are only %ld "
				 "CPUs available",
				 sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_ONLN));
	if (s->cpu_period && (s->cpu_period < 1000 || s->cpu_period > 1000000))
		return berr_invalid(err, "CPU cfs period can not be less than 1ms (i.e. "
				 "1000) or larger than 1s (i.e. 1000000)");
	if (s->cpu_quota > 0 && s->cpu_quota < 1000)
		return berr_invalid(err, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (s->cpu_rt_period < 0 || s->cpu_rt_runtime < 0)
		return berr_invalid(err, "real-time CPU limits cannot be negative");
	if (s->cpu_rt_period && s->cpu_rt_runtime > s->cpu_rt_period)
		return berr_invalid(err, "cpu real-time runtime cannot be higher than cpu "
				 "real-time period");
	if (s->cpuset_cpus && *s->cpuset_cpus &&
	    !list_within(s->cpuset_cpus, "/sys/devices/system/cpu/online"))
		return berr_invalid(err, "requested CPUs are not available: %s",
				 s->cpuset_cpus);
	if (s->cpuset_mems && *s->cpuset_mems &&
	    !list_within(s->cpuset_mems, "/sys/devices/system/node/online"))
		return berr_invalid(err, "requested memory nodes are not available: %s",
				 s->cpuset_mems);
	return daemon_check_blkio(s, err);
}

void daemon_bundle_limits(const struct daemon_spec *s, struct spec_resources *res)
{
	memset(res, 0, sizeof(*res));
	res->set = true;
	if (s->memory) {
		res->memory_set = true;
		res->memory.limit = (struct opt_i64){ true, s->memory };
		/* docker's default swap is as much again as the memory. */
		res->memory.swap = (struct opt_i64){ true, s->memory_swap ? s->memory_swap
									  : 2 * s->memory };
	}
	if (s->memory_reservation) {
		res->memory_set = true;
		res->memory.reservation = (struct opt_i64){ true, s->memory_reservation };
	}
	if (s->memory_swappiness_set) {
		res->memory_set = true;
		res->memory.swappiness = (struct opt_u64){ true, (uint64_t)s->memory_swappiness };
	}
	if (s->cpu_shares || s->nano_cpus || s->cpu_quota || s->cpu_period ||
	    (s->cpuset_cpus && *s->cpuset_cpus) || (s->cpuset_mems && *s->cpuset_mems) ||
	    s->cpu_rt_period || s->cpu_rt_runtime) {
		res->cpu_set = true;
		if (s->cpu_shares)
			res->cpu.shares = (struct opt_u64){ true, (uint64_t)s->cpu_shares };
		if (s->nano_cpus) {
			res->cpu.period = (struct opt_u64){ true, 100000 };
			res->cpu.quota = (struct opt_i64){ true, s->nano_cpus * 100000 / 1000000000 };
		}
		if (s->cpu_period)
			res->cpu.period = (struct opt_u64){ true, (uint64_t)s->cpu_period };
		if (s->cpu_quota)
			res->cpu.quota = (struct opt_i64){ true, s->cpu_quota };
		if (s->cpuset_cpus && *s->cpuset_cpus)
			res->cpu.cpus = s->cpuset_cpus;
		if (s->cpuset_mems && *s->cpuset_mems)
			res->cpu.mems = s->cpuset_mems;
		if (s->cpu_rt_period)
			res->cpu.realtime_period = (struct opt_u64){ true, (uint64_t)s->cpu_rt_period };
		if (s->cpu_rt_runtime)
			res->cpu.realtime_runtime = (struct opt_i64){ true, s->cpu_rt_runtime };
	}
	if (s->pids_limit) {
		res->pids_set = true;
		res->pids_limit = s->pids_limit;
	}
}
