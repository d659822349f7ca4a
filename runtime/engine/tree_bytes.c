/* The bytes docker counts in a tree, for docker ps --size, container
 * prune's reclaimed space and a volume's size: one walk, so that the
 * three agree (a pruned container frees what ps -s showed).  It calls
 * nothing else of the engine, so that each of them may call it. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

/* Deeper than this a tree is not walked further (each level holds an
 * fd). */
#define SIZE_MAX_DEPTH 256

/* The bytes below the directory dfd (consumed): see daemon_tree_bytes. */
static uint64_t tree_bytes(int dfd, dev_t dev, int depth)
{
	cleanup_closedir DIR *dp = fdopendir(dfd);
	struct dirent *de;
	uint64_t n = 0;

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
			n += (uint64_t)st.st_size;
			continue;
		}
		if (st.st_dev != dev || depth >= SIZE_MAX_DEPTH)
			continue;
		fd = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			n += tree_bytes(fd, dev, depth + 1);
	}
	return n;
}

uint64_t daemon_tree_bytes(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	return tree_bytes(fd, st.st_dev, 0);
}
