/* Unpacked image layers, content-addressed by their diff id (the sha256 of
 * the uncompressed layer tar):
 *
 *   <data-root>/layers/<hex>/diff   the layer's files, overlayfs-ready
 *                                   (whiteouts as 0/0 character devices,
 *                                   opaque directories marked with the
 *                                   trusted.overlay.opaque xattr)
 *   <data-root>/layers/<hex>/size   its size in bytes (decimal)
 *   <data-root>/layers/<hex>/blob   the layer as it came (compressed or
 *                                   not): a push sends these bytes, since
 *                                   a tar made again from diff/ would not
 *                                   have the same diff id
 *   <data-root>/layers/<hex>/blob-digest   their digest
 *
 * A layer belongs to every image whose config lists it; it is removed with
 * the last of them (the image store counts the references under its lock).
 * Containers stack the layers read-only under their own upper directory. */
#ifndef BERTH_IMAGES_LAYER_STORE_H
#define BERTH_IMAGES_LAYER_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/images/image_digest.h"
#include "spec/base/err.h"

/* <data-root>/layers/<hex> for "sha256:<hex>" (malloc'd). */
char *layer_store_dir(const char *data_root, const char *diff_id);

bool layer_store_has(const char *data_root, const char *diff_id);

/* Move an unpacked tree (tmp_dir holds diff/, size and archive) into
 * place; a layer that is already there wins (taking the archive if it had
 * none) and tmp_dir is removed. */
int layer_store_commit(const char *data_root, const char *diff_id, const char *tmp_dir,
		       struct berr *err);

/* The blob a layer came as (path malloc'd) and its digest; -ENOENT when
 * the layer was stored before berthd kept them. */
int layer_store_blob(const char *data_root, const char *diff_id, char **path,
		     char digest[IMAGE_DIGEST_LEN + 1], struct berr *err);

/* Keep blob (hard-linked where it can be, else copied) with its digest in
 * an unpacked layer's tmp_dir, before layer_store_commit. */
int layer_store_keep_blob(const char *tmp_dir, const char *blob, const char *digest,
			  struct berr *err);

long long layer_store_size(const char *data_root, const char *diff_id);

int layer_store_remove(const char *data_root, const char *diff_id, struct berr *err);

/* Mount the layers (bottom first) read-only under upper/work at target.
 *
 * throwaway: the upper directory dies with the container (docker run
 * --rm), so it is mounted "volatile" where the kernel has it, as podman
 * does for --rm: overlayfs then never syncs the upper filesystem, whose
 * sync on unmount otherwise flushes everything dirty on that disk, other
 * programs' data included, while the caller waits.  The price, a
 * crash-torn upper directory, is nothing for a container that is removed
 * anyway. */
int layer_store_mount(const char *data_root, char *const *diff_ids, size_t n,
		      const char *upper, const char *work, const char *target,
		      bool throwaway, struct berr *err);

/* Unmount target if something is mounted there (detached, so a busy mount
 * does not hold the caller). */
int layer_store_umount(const char *target, struct berr *err);

/* Remove a directory tree without following symlinks. */
int layer_store_rmtree(const char *path, struct berr *err);

#endif
