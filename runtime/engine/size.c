/* docker ps --size: what a container wrote, read from its writable
 * layer only when a client asks (size=1); the default listing answers
 * from memory. */
#include "runtime/engine/internal.h"

#include <stdlib.h>

#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"

int daemon_container_size(struct daemon *d, const char *ref, long long *rw, long long *root_fs,
			  struct berr *err)
{
	cleanup_free char *upper = NULL;
	struct image_rec img;
	int ret = daemon_layers_of(d, ref, &upper, &img, err);

	if (ret < 0)
		return ret;
	*rw = (long long)daemon_tree_bytes(upper);
	*root_fs = img.size + *rw;
	image_rec_free(&img);
	return 0;
}
