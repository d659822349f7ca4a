/* Device access of a container: linux.resources.devices plus the devices
 * every container needs, as a policy; the policy as a cgroup v2 eBPF
 * program (BPF_PROG_TYPE_CGROUP_DEVICE) and as cgroup v1 devices.allow /
 * devices.deny lines.
 *
 * The kernel runs the device programs of a task's cgroup v2 directory on
 * every layout, hybrid ones included, so a container with a v2 directory
 * gets the program even when a v1 devices hierarchy exists too. */
#ifndef BERTH_ISOLATION_CGROUP_DEVICES_H
#define BERTH_ISOLATION_CGROUP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Access bits, the kernel's BPF_DEVCG_ACC_* values. */
#define CGROUP_DEV_MKNOD 1u
#define CGROUP_DEV_READ 2u
#define CGROUP_DEV_WRITE 4u
#define CGROUP_DEV_ALL 7u

struct cgroup_dev_rule {
	bool allow;
	char type;            /* 'c' or 'b' ('a' is split into both) */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* CGROUP_DEV_* bits */
};

struct cgroup_dev_policy {
	/* What a device no rule matches gets: set by the last rule that
	 * names every device with every access ("a *:* rwm"), deny when
	 * there is none. */
	bool default_allow;
	/* The rules after that one, in order; a later rule overrides an
	 * earlier one for the devices and accesses it matches. */
	struct cgroup_dev_rule *rules;
	size_t n;
};

/* The policy for rules (maybe none): runc's default devices (null, zero,
 * full, random, urandom, tty, console, ptmx, pts, and mknod of any node)
 * are appended, so a client that sends only "deny all" (podman) still
 * gets a working /dev.  A node listed in linux.devices is not allowed by
 * that alone.  Release with cgroup_devices_policy_release. */
int cgroup_devices_policy(const struct spec_device_rule *rules, size_t n,
			  struct cgroup_dev_policy *out, struct berr *err);
void cgroup_devices_policy_release(struct cgroup_dev_policy *p);

/* The eBPF program for p (malloc'd instructions).  It reads the device
 * from struct bpf_cgroup_dev_ctx, tries the rules from the last to the
 * first and returns 1 (allow) or 0 (the opener gets EPERM). */
int cgroup_devices_bpf(const struct cgroup_dev_policy *p, struct bpf_insn **prog,
		       size_t *n, struct berr *err);

/* Load prog and attach it to the cgroup v2 directory dirfd with
 * BPF_F_ALLOW_MULTI, then detach the device programs attached there
 * before (an update replaces the policy; never a moment without one). */
int cgroup_devices_attach(int dirfd, const struct bpf_insn *prog, size_t n,
			  struct berr *err);

/* The v1 form of p, written into the devices controller directory dir:
 * "a" to devices.deny or devices.allow for the default, then each rule
 * to devices.allow or devices.deny in order. */
int cgroup_devices_v1_apply(const char *dir, const struct cgroup_dev_policy *p,
			    struct berr *err);

/* "c 1:3 rwm" for a rule. */
void cgroup_devices_rule_text(const struct cgroup_dev_rule *r, char *out, size_t size);

#endif
