/* linux.resources, before any file is written: which controller each set
 * field needs, and the value conversions between the OCI (cgroup v1
 * flavoured) numbers and cgroup v2's.  Pure functions, so the unit tests
 * reach them without a cgroup. */
#ifndef BERTH_ISOLATION_CGROUP_RES_H
#define BERTH_ISOLATION_CGROUP_RES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Controllers, as bits.  CGROUP_CTL_BLKIO is v1's blkio and v2's io. */
enum {
	CGROUP_CTL_CPU = 1u << 0,
	CGROUP_CTL_CPUACCT = 1u << 1,
	CGROUP_CTL_CPUSET = 1u << 2,
	CGROUP_CTL_MEMORY = 1u << 3,
	CGROUP_CTL_DEVICES = 1u << 4,
	CGROUP_CTL_FREEZER = 1u << 5,
	CGROUP_CTL_BLKIO = 1u << 6,
	CGROUP_CTL_PIDS = 1u << 7,
	CGROUP_CTL_HUGETLB = 1u << 8,
	CGROUP_CTL_NET_CLS = 1u << 9,
	CGROUP_CTL_NET_PRIO = 1u << 10,
	CGROUP_CTL_RDMA = 1u << 11,
	CGROUP_CTL_MISC = 1u << 12,
	CGROUP_CTL_PERF_EVENT = 1u << 13,
};

/* The bit of a controller name ("io" and "blkio" are one), or 0. */
unsigned cgroup_res_ctl_bit(const char *name);
/* Whether cgroup v2 has the controller at all (net_cls has not). */
bool cgroup_res_ctl_in_v2(unsigned bit);
/* Its name in a v1 or v2 hierarchy. */
const char *cgroup_res_ctl_name(unsigned bit, bool v2);

/* One field of linux.resources that asks for something. */
struct cgroup_res_need {
	const char *field; /* "memory.limit", "unified[memory.high]"... */
	unsigned ctl;      /* the controller it needs */
};

/* The fields of r that are set (a zero number is unset, as the clients
 * send it), each with its controller.  Device rules are not listed: every
 * container gets a device policy.  Unified keys are validated here.
 * *out is malloc'd. */
int cgroup_res_needs(const struct spec_resources *r, struct cgroup_res_need **out,
		     size_t *n, struct berr *err);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), the linear mapping
 * runc and crun use: 2 -> 1, 1024 -> 39, 262144 -> 10000. */
uint64_t cgroup_res_shares_to_weight(uint64_t shares);

/* blkio.weight (10..1000) -> io.weight (1..10000), linearly. */
uint64_t cgroup_res_blkio_to_io_weight(uint64_t weight);

/* The value for memory.swap.max: OCI's swap counts memory plus swap,
 * v2's swap alone.  *out is "max", a number, or "" when nothing is to be
 * written.  Errors when swap is below the limit or set without one. */
int cgroup_res_swap_v2(int64_t limit, int64_t swap, char *out, size_t size,
		       struct berr *err);

/* A unified key is "<controller>.<file>" in letters, digits, '_' and
 * '.' (hugetlb.2MB.max), not a path; berth's own bookkeeping files (cgroup.procs,
 * cgroup.threads, cgroup.kill, cgroup.freeze, cgroup.subtree_control) are
 * refused.  *ctl gets the controller (0 for "cgroup." core files). */
int cgroup_res_unified_key(const char *key, unsigned *ctl, struct berr *err);

/* A hugepage size as runtime-spec writes it: digits then KB, MB or GB. */
bool cgroup_res_page_size_ok(const char *size);

/* hugepageLimits[i] as a file and a value for both versions:
 * "hugetlb.<size>.<suffix>" (limit_in_bytes on v1, max on v2) and the
 * limit in bytes; a malformed size is an error naming the field. */
struct cgroup_res_hugetlb {
	char name[64];
	char value[32];
};
int cgroup_res_hugetlb_file(const struct spec_hugepage_limit *h, size_t i, const char *suffix,
			    struct cgroup_res_hugetlb *out, struct berr *err);

/* One rdma.max line ("mlx4_0 hca_handle=2 hca_object=2000"): v1 and v2
 * share the format. */
void cgroup_res_rdma_line(const struct spec_rdma *r, char *out, size_t size);

/* A limit as cgroup files want it: -1 (or any negative) is "max" on v2
 * and "-1" on v1. */
void cgroup_res_limit(int64_t v, bool v2, char *out, size_t size);

#endif
