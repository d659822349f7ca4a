/* Code that runs at a program's ELF entry, before the C library starts
 * (isolation/selfexe_entry.c, x86_64).  In a static PIE nothing is ready
 * then: no function of the C library may be called, no address that needs
 * a relocation used (literal strings are reached PC-relative; a table of
 * pointers is not), and no instrumentation may run. */
#ifndef BERTH_BASE_EARLY_H
#define BERTH_BASE_EARLY_H

#define EARLY_FN __attribute__((no_stack_protector, no_sanitize("address", "undefined"), \
				no_instrument_function))

/* Each program linked with that entry defines it: whether its command
 * line makes a container or a process in one, so that the entry first
 * executes it again from a read-only view of its binary (the defence of
 * isolation/selfexe.h).  Only words may be compared (early_same).  A false
 * yes costs one execve; a false no is caught by the program's own
 * rt_seal_self, after the C library started. */
EARLY_FN __attribute__((visibility("hidden"))) int early_wants_seal(char **argv);

EARLY_FN static inline int early_same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

#endif
