/* docker's seccomp profiles (`docker run --security-opt seccomp=FILE`
 * sends the file's content): the OCI linux.seccomp they give a container
 * that holds some capabilities, on one architecture and kernel. */
#ifndef BERTH_SPEC_SECCOMP_DOCKER_H
#define BERTH_SPEC_SECCOMP_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "spec/base/arena.h"
#include "spec/base/err.h"
#include "spec/config.h"

/* Where the profile applies: what its archMap, includes and excludes
 * are matched against. */
struct spec_seccomp_target {
	const char *scmp_arch; /* "SCMP_ARCH_X86_64" */
	const char *go_arch;   /* "amd64", as docker's "arches" name it */
	unsigned kernel_major, kernel_minor;
	uint64_t caps; /* bit n = capability n */
};

/* The profile (JSON) into s, allocated from a; errors name the profile's
 * JSON path. */
int spec_seccomp_docker(struct arena *a, const char *json, size_t len,
			const struct spec_seccomp_target *t, struct spec_seccomp *s,
			struct berr *err);

#endif
