/* A seccomp program run on one system call in user space, as the kernel
 * would run it: to hold a program berth rewrote to the one libseccomp
 * made before the rewrite is used. */
#ifndef BERTH_ISOLATION_SECCOMP_EMULATE_H
#define BERTH_ISOLATION_SECCOMP_EMULATE_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seccomp_verdict {
	uint32_t action;  /* SECCOMP_RET_* with its data */
	bool reads_args;  /* it looked at more than nr and arch */
};

/* The verdict of the n instructions of p on d.  -EINVAL for what the
 * kernel would refuse to load (an instruction outside seccomp's set, a
 * load outside seccomp_data, a jump past the end, no return), so that a
 * program this cannot run is never taken for a good one. */
int seccomp_emulate(const struct sock_filter *p, size_t n, const struct seccomp_data *d,
		    struct seccomp_verdict *out);

#endif
