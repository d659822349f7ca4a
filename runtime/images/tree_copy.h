/* docker cp: files into and out of a container's root, from berthd's
 * unpack helper.  The helper first enters the root (tree_copy_enter): a
 * mount namespace of its own, the container's overlay mounted there when
 * the container is not running (a running one's is mounted already), then
 * chroot into it.  Every path, every archive entry, every symlink and hard
 * link target then resolves inside the root, whatever ".." or absolute
 * names or planted symlinks say; entries and hard links named with ".."
 * or absolutely are refused besides, and symlinks are followed (inside
 * the root) as dockerd follows them. */
#ifndef BERTH_IMAGES_TREE_COPY_H
#define BERTH_IMAGES_TREE_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

/* upper NULL: rootfs is mounted already.  Else mount upper (and work)
 * over the layers (diff ids, bottom first) at rootfs first. */
int tree_copy_enter(const char *data_root, const char *rootfs, const char *upper,
		    const char *work, char *const *diff_ids, size_t n, struct berr *err);

/* docker's container path stat, as JSON: name, size, mode (Go's
 * os.FileMode bits), mtime, linkTarget.  -ENOENT (not found) when path is
 * not there. */
int tree_copy_stat(const char *path, char **json, struct berr *err);

/* The tar of path (a file, a directory with its contents, a symlink
 * itself), its top entry named as path's last component. */
int tree_copy_out(const char *path, int fd, struct berr *err);

/* Extract the tar read from in into the directory dir.  keep_owner keeps
 * the archive's uid and gid (docker cp -a), else files belong to root;
 * no_replace_dir refuses to put a non-directory where a directory is or
 * the reverse. */
int tree_copy_in(const char *dir, int in, bool keep_owner, bool no_replace_dir,
		 struct berr *err);

#endif
