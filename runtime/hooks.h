/* OCI hooks: programs run at the lifecycle points the spec names, each
 * with the container's state JSON on its stdin. */
#ifndef BERTH_RUNTIME_HOOKS_H
#define BERTH_RUNTIME_HOOKS_H

#include <stddef.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Run every hook of kind in order; the first failure (non-zero exit,
 * signal, timeout) stops the list and names the hook.  Its output is
 * part of the message.  A readable cancel_fd (see rt_ctx; 0: none)
 * kills the running hook and fails with ECANCELED. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind,
	      const char *state_json, size_t len, int cancel_fd, struct berr *err);

/* hooks_run, where a hook without an env of its own gets env (runc's
 * startContainer hooks inherit the container process's environment). */
int hooks_run_env(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		  const char *state_json, size_t len, const char *const *env,
		  size_t n_env, struct berr *err);

/* Run every hook of kind, whatever happens: each failure goes to warn
 * (when not NULL) and the next hook still runs, as the spec wants for
 * poststart and poststop. */
void hooks_run_all(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		   const char *state_json, size_t len,
		   void (*warn)(void *arg, const struct berr *w), void *arg);

/* Does the config have any hook of kind? */
static inline bool hooks_any(const struct spec_hooks *hooks,
			     enum spec_hook_kind kind)
{
	return hooks->n[kind] > 0;
}

#endif
