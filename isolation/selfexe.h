/* The runtime's own binary, out of the container's reach (the class of
 * CVE-2019-5736).
 *
 * A container's init is a clone of the runtime, so until it executes the
 * container's program its /proc/PID/exe is the runtime's binary on the
 * host; and a program that starts "#!/proc/self/exe" makes the kernel run
 * that binary again inside the container, where any of the container's
 * processes can open it through /proc and, once it exits, write to it:
 * the next runtime on the host would run the attacker's code as root.
 *
 * The defence: before making a container or a process in one, the
 * runtime executes itself again from a copy of its binary that cannot be
 * written.  First choice, a detached read-only bind mount of the same file
 * (no copy, so it costs one execve); for a caller that may not make mounts
 * (no CAP_SYS_ADMIN), a sealed memfd copy, as runc does.  berth's ELF
 * entry (selfexe_entry.c, x86_64) makes the first choice before the C
 * library starts; selfexe_seal() then finds itself sealed, or applies the
 * defence where the entry could not. */
#ifndef BERTH_ISOLATION_SELFEXE_H
#define BERTH_ISOLATION_SELFEXE_H

#include <stdbool.h>

#include "spec/base/err.h"

/* Whether /proc/self/exe is a file that nobody can write through it: on a
 * read-only mount, or a memfd sealed against writes. */
bool selfexe_sealed(void);

/* Execute the running binary again, with argv and envp, from a read-only
 * view of it.  Returns 0 at once when it is one already; does not return
 * when it executes; a negative errno with err set when no read-only view
 * could be made (the caller must not go on to make a container then). */
int selfexe_seal(char *const *argv, char *const *envp, struct berr *err);

/* A read-only view of the binary at path (the detached read-only bind
 * mount selfexe_seal() makes of its own), as a close-on-exec fd numbered
 * min_fd or above, or a negative errno with err set where none can be
 * made (no CAP_SYS_ADMIN).  A program executed through it
 * ("/proc/self/fd/N") finds itself sealed, and needs no second start. */
int selfexe_view(const char *path, int min_fd, struct berr *err);

#endif
