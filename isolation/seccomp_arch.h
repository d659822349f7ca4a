/* The architectures of a seccomp profile, as libseccomp names them. */
#ifndef BERTH_ISOLATION_SECCOMP_ARCH_H
#define BERTH_ISOLATION_SECCOMP_ARCH_H

#include <stdint.h>

/* libseccomp's token (SCMP_ARCH_*, which is the AUDIT_ARCH_* value the
 * filter sees) of a profile's "SCMP_ARCH_X86_64"; 0 for a name this
 * libseccomp does not know. */
uint32_t seccomp_arch_token(const char *spec_name);

#endif
