#include <string.h>

#include "runtime/runtime.h"

#define ID_MAX 1024

/* Ids become directory names under the root: nothing that could climb
 * out of it or hide as a dot file. */
int rt_check_id(const char *id, struct berr *err)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0)
		return berr_fail(err, EINVAL, "container id must not be empty");
	if (len > ID_MAX)
		return berr_fail(err, EINVAL, "container id is longer than %d bytes", ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return berr_fail(err, EINVAL, "invalid container id \"%s\"", id);
	if (strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-.") !=
	    len)
		return berr_fail(err, EINVAL,
				"invalid container id \"%s\": only letters, digits and _ + - . "
				"are allowed",
				id);
	return 0;
}
