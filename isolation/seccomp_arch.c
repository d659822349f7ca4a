#include "isolation/seccomp_arch.h"

#include <seccomp.h>
#include <string.h>

uint32_t seccomp_arch_token(const char *spec_name)
{
	const char *name = spec_name;
	char lower[32];
	size_t j;

	if (strncmp(name, "SCMP_ARCH_", strlen("SCMP_ARCH_")) == 0)
		name += strlen("SCMP_ARCH_");
	for (j = 0; name[j] && j < sizeof(lower) - 1; j++)
		lower[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j]);
	lower[j] = '\0';
	return seccomp_arch_resolve_name(lower);
}
