/* Pushing an image: not there yet, and it says so. */
#include "runtime/images/registry.h"

int registry_push(const char *data_root, const char *ref, const struct registry_opts *o,
		  image_load_report_fn report, void *arg, struct berr *err)
{
	return berr_unsupported(err, "pushing %s: pushing images is not supported by berthd yet",
				ref);
}
