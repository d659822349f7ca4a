/* docker ps --size: what a container wrote, read from its writable
 * layer only when a client asks (size=1); the default listing answers
 * from memory. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"

/* Deeper than this a tree is not walked further (each level holds an
 * fd). */
#define SIZE_MAX_DEPTH 128

/* The bytes of every file below the directory dfd (consumed), as
 * docker counts a writable layer: file sizes, directories as nothing. */
static long long tree_bytes(int dfd, int depth)
{
	DIR *dp = fdopendir(dfd);
	struct dirent *de;
	long long n = 0;

	if (!dp) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(dp))) {
		struct stat st;
		int fd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			n += st.st_size;
			continue;
		}
		if (depth >= SIZE_MAX_DEPTH)
			continue;
		fd = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			n += tree_bytes(fd, depth + 1);
	}
	closedir(dp);
	return n;
}

int daemon_container_size(struct daemon *d, const char *ref, long long *rw, long long *root_fs,
			  struct berr *err)
{
	cleanup_free char *upper = NULL;
	struct image_rec img;
	int ret = daemon_layers_of(d, ref, &upper, &img, err);
	int fd;

	if (ret < 0)
		return ret;
	fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*rw = fd >= 0 ? tree_bytes(fd, 0) : 0;
	*root_fs = img.size + *rw;
	image_rec_free(&img);
	return 0;
}
