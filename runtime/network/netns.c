/* Containers' network namespaces, through isolation/ (which talks to the
 * kernel for this room). */
#include "runtime/network/network.h"

#include "isolation/netns_file.h"

int net_netns_create(const char *path, struct berr *err)
{
	return netns_file_create(path, err);
}

int net_netns_bind(const char *from, const char *path, struct berr *err)
{
	return netns_file_bind(from, path, err);
}

int net_netns_remove(const char *path, struct berr *err)
{
	return netns_file_remove(path, err);
}
