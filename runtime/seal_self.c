/* rt_seal_self: see runtime.h. */
#include "runtime/runtime.h"

#include "isolation/selfexe.h"

int rt_seal_self(char *const *argv, char *const *envp, struct berr *err)
{
	int ret = selfexe_seal(argv, envp, err);

	return ret < 0 ? berr_wrap(err, ret, "protect the runtime's binary") : 0;
}
