/* The runtime's first instructions: the read-only view of its binary
 * (selfexe.h) taken before the C library starts.
 *
 * A command that makes a container (create, run, exec) executes itself
 * again from a read-only view of its binary, so the process starts twice.
 * glibc's start-up is the dearest part of a start on a virtual machine:
 * it asks the CPU for its cache geometry with dozens of cpuid
 * instructions, each a trap to the hypervisor (about 0.4 ms of the 0.7 ms
 * `berth --version` costs on the development host).  This entry point,
 * linked as the ELF entry before glibc's _start, makes the view and
 * executes it with raw system calls, so only the second start pays glibc's.
 *
 * Every program that seals itself links it (berth, berthd-shim): which
 * command lines seal is the program's own early_wants_seal()
 * (spec/base/early.h); the system calls are here, once.
 *
 * It is an optimisation only: it never fails a command.  Whatever it
 * cannot do (no CAP_SYS_ADMIN for the mount, an unknown command line), it
 * leaves to selfexe_seal() in main, which applies the defence with its
 * fallback (the sealed memfd) and reports errors.
 *
 * Nothing here may call the C library or use an address that needs a
 * relocation: in a static PIE neither is ready before _start.  Literal
 * strings are reached PC-relative; there are no tables of pointers. */
#if defined(__x86_64__)

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "spec/base/early.h"

#define ENTRY_FN EARLY_FN __attribute__((used, noinline))

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

ENTRY_FN static long sys(long nr, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

/* fd's mount is read-only, or fd is a memfd sealed against writes: the
 * test selfexe_sealed() makes. */
ENTRY_FN static int unwritable(long fd)
{
	struct statfs st;
	long seals = sys(SYS_fcntl, fd, F_GET_SEALS, 0, 0, 0);

	if (seals >= 0 && (seals & F_SEAL_WRITE))
		return 1;
	return sys(SYS_fstatfs, fd, (long)&st, 0, 0, 0) == 0 && (st.f_flags & ST_RDONLY);
}

ENTRY_FN static void seal(long *sp)
{
	char **argv = (char **)(sp + 1);
	char **envp = argv + sp[0] + 1;
	struct mount_attr attr;
	long fd;
	int done;

	if (!early_wants_seal(argv))
		return;
	fd = sys(SYS_open, (long)"/proc/self/exe", O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		return;
	done = unwritable(fd);
	sys(SYS_close, fd, 0, 0, 0, 0);
	if (done)
		return;
	fd = sys(SYS_open_tree, AT_FDCWD, (long)"/proc/self/exe",
		 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0, 0);
	if (fd < 0)
		return;
	attr.attr_set = MOUNT_ATTR_RDONLY;
	attr.attr_clr = 0;
	attr.propagation = 0;
	attr.userns_fd = 0;
	if (sys(SYS_mount_setattr, fd, (long)"", AT_EMPTY_PATH, (long)&attr, sizeof(attr)) == 0 &&
	    unwritable(fd))
		sys(SYS_execveat, fd, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH);
	/* Still here: main tries again and says why it cannot. */
	sys(SYS_close, fd, 0, 0, 0, 0);
}

/* The ELF entry: the stack holds argc, argv, envp.  glibc's _start gets
 * the stack and %rdx (a function for atexit: zero from the kernel, the
 * loader's clean-up when a dynamic loader ran first) as they came. */
__asm__(".text\n"
	".globl selfexe_entry\n"
	".type selfexe_entry, @function\n"
	"selfexe_entry:\n"
	"	endbr64\n"
	"	mov %rsp, %r12\n"
	"	mov %rdx, %rbx\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call seal\n"
	"	mov %r12, %rsp\n"
	"	mov %rbx, %rdx\n"
	"	jmp _start\n"
	".size selfexe_entry, . - selfexe_entry\n");

#endif
