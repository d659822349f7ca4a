/* rt_seal_self, rt_readonly_view: see runtime.h. */
#include "runtime/runtime.h"

#include "isolation/selfexe.h"

int rt_seal_self(char *const *argv, char *const *envp, struct berr *err)
{
	int ret = selfexe_seal(argv, envp, err);

	return ret < 0 ? berr_wrap(err, ret, "protect the runtime's binary") : 0;
}

int rt_readonly_view(const char *path, int min_fd, struct berr *err)
{
	return selfexe_view(path, min_fd, err);
}
