/* linux.seccomp: compiled to BPF with libseccomp, installed with seccomp(2).
 *
 * Compiling is split from installing so that the parent compiles (and
 * later caches) while the container process only installs, as its very
 * last step before execve. */
#ifndef BERTH_ISOLATION_SECCOMP_H
#define BERTH_ISOLATION_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "spec/base/err.h"

struct seccomp_filter_prog {
	struct sock_filter *insns; /* malloc'd */
	size_t len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;        /* some rule uses SCMP_ACT_NOTIFY */
};

/* Check the profile (errnoRet only where the action takes one, a
 * listenerPath for SCMP_ACT_NOTIFY, flags this kernel knows...), then
 * build the filter for the native architecture plus the listed ones.
 * Syscall names this libseccomp does not know are skipped, as runc does. */
int seccomp_filter_compile(const struct spec_seccomp *s,
			   struct seccomp_filter_prog *out, struct berr *err);

/* The two halves of seccomp_filter_compile, for a cache in between:
 * prepare checks the profile and sets out->flags and out->notify (no
 * program yet); build adds the program, from libseccomp's compiler. */
int seccomp_filter_prepare(const struct spec_seccomp *s,
			   struct seccomp_filter_prog *out, struct berr *err);
int seccomp_filter_build(const struct spec_seccomp *s,
			 struct seccomp_filter_prog *out, struct berr *err);

/* Besides the profile, what decides the program build makes of it. */
struct seccomp_compiler {
	uint32_t major, minor, micro; /* libseccomp's version */
	uint32_t api;                 /* its API level (what this kernel offers) */
	uint32_t native_arch;         /* SCMP_ARCH_* */
	uint32_t berth;               /* how berth drives the compiler */
};
void seccomp_compiler_id(struct seccomp_compiler *c);

/* Does the kernel accept these SECCOMP_FILTER_FLAG_* bits together?  The
 * message names the first one it refuses. */
int seccomp_check_flags(unsigned int flags, struct berr *err);

/* The names of the profile flags this kernel accepts (at most max). */
size_t seccomp_supported_flags(const char **names, size_t max);

/* Install the filter in the calling thread.  *listener receives the
 * notification fd when the filter has SCMP_ACT_NOTIFY rules. */
int seccomp_filter_install(const struct seccomp_filter_prog *p, int *listener,
			   struct berr *err);

void seccomp_filter_release(struct seccomp_filter_prog *p);

#endif
