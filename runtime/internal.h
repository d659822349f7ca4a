/* Helpers shared by the files of runtime/, not part of its API. */
#ifndef BERTH_RUNTIME_INTERNAL_H
#define BERTH_RUNTIME_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "isolation/cgroup.h"
#include "isolation/seccomp.h"
#include "runtime/runtime.h"
#include "runtime/store.h"
#include "spec/config.h"
#include "spec/state.h"

/* The OCI state of a container being created. */
void internal_state_fill(struct spec_state *s, const char *id, const char *status,
			 pid_t pid, const char *bundle, const char *rootfs,
			 const char *created, const struct spec_config *cfg);

/* Compile a seccomp profile, through the cache of compiled programs; name
 * (NULL: not wanted) as seccomp_cache_compile gives it. */
int internal_seccomp_compile(const struct rt_ctx *ctx, const struct spec_seccomp *s,
			     struct seccomp_filter_prog *out, char *name, struct berr *err);

/* The seccomp cache's directory for ctx. */
const char *internal_seccomp_cache_dir(const struct rt_ctx *ctx);

/* The state's record of a container's seccomp program, for exec: "none"
 * when the config has no linux.seccomp, "FLAGS:NAME" (seccomp(2)'s flags
 * in hex, the cache entry's name) when the program is in the cache and
 * needs no listener; absent otherwise (exec reads the profile then). */
#define STATE_SECCOMP "seccomp_program"

/* memory.kernel and kernelTCP: the kernel ignores them (or soon will)
 * and the runtime-spec deprecates them, so they are dropped with a
 * warning, as runc does, and the other memory fields still apply. */
void internal_drop_kernel_memory(const struct rt_ctx *ctx, struct spec_memory *m);

/* pidfd_open with an error message. */
int sys_pidfd_open_checked(pid_t pid, struct berr *err);

/* The live status of a stored container: creating, created, running,
 * paused or stopped, from its init process and exec socket. */
const char *internal_status(struct store_container *c);

/* The container named id, its id checked, opened (and locked exclusively
 * when exclusive): how every command on an existing container begins. */
int internal_open(const struct rt_ctx *ctx, const char *id, bool exclusive,
		  struct store_container *c, struct berr *err);

/* A --pid-file: digits only, no newline (containerd parses a bare
 * integer), written atomically. */
int internal_write_pid_file(const char *path, pid_t pid, struct berr *err);

/* The container's cgroup, from its state. */
int internal_cgroup(const struct store_container *c, struct cgroup *cg,
		    struct berr *err);

/* A pidfd of the container's init, or -ESRCH when it is gone. */
int internal_init_pidfd(const struct store_container *c, struct berr *err);

/* The stored config of a container (its copy of config.json). */
int internal_load_config(const struct store_container *c,
			 struct spec_config **cfg, struct berr *err);

/* Only the sections at paths of it (spec_config_parse_only). */
int internal_load_config_only(const struct store_container *c, const char *const *paths,
			      struct spec_config **cfg, struct berr *err);

/* The names of the hook kinds a config has, space-separated, for the
 * state ("hooks"): start and delete read the config only when it has
 * theirs. */
void internal_hooks_summary(const struct spec_hooks *h, char *buf, size_t size);

/* The hooks of the stored config (the rest of *cfg is zero), or *cfg NULL
 * when the state says it has none of kind. */
int internal_load_hooks(const struct store_container *c, enum spec_hook_kind kind,
			struct spec_config **cfg, struct berr *err);

/* The start of a created container (runtime/start.c), in pieces that
 * run shares: connect to its exec socket, send the start message (the
 * state JSON for startContainer hooks), then wait for the program to run
 * and record it (cfg may be NULL: what is needed of it is read then). */
int internal_start_connect(const struct store_container *c, struct berr *err);
int internal_start_send(int fd, const char *json, size_t len, struct berr *err);
int internal_start_finish(const struct rt_ctx *ctx, struct store_container *c,
			  const struct spec_config *cfg, int fd, struct berr *err);

#endif
