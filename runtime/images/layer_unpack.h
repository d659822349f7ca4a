/* Unpacking one layer tar (compressed or not) into a new directory, in the
 * form overlayfs stacks: whiteouts (".wh.NAME") become 0/0 character
 * devices and opaque markers (".wh..wh..opq") the trusted.overlay.opaque
 * xattr of their directory.
 *
 * The extraction runs in a child process chrooted into the new directory,
 * so no entry of the archive (absolute paths, "..", symlinks planted by
 * earlier entries) can write outside it.  The parent decompresses, and
 * hashes the uncompressed stream: that digest is the layer's diff id. */
#ifndef BERTH_IMAGES_LAYER_UNPACK_H
#define BERTH_IMAGES_LAYER_UNPACK_H

#include "runtime/images/image_digest.h"
#include "spec/base/err.h"

/* Unpack blob into tmp_dir (created here, holding diff/ and size; the
 * caller keeps the blob beside them, see layer_store_keep_blob).
 * blob_digest, when not NULL, is checked against the blob's own bytes. */
int layer_unpack(const char *blob, const char *blob_digest, const char *tmp_dir,
		 char diff_id[IMAGE_DIGEST_LEN + 1], struct berr *err);

/* The extraction itself: the uncompressed tar read from fd into the
 * current directory, which must be the root (layer_unpack chroots its
 * child into the new diff directory first): the archive's absolute
 * symlinks resolve against it.  Exposed for the fuzz harness. */
int layer_unpack_tar(int fd, struct berr *err);

/* Extract the regular files and directories of an archive (a docker save
 * or OCI layout, maybe compressed) into dir, refusing unsafe paths; a
 * symlink between members becomes a hard link (archive_links.h), other
 * entry types are skipped.  Used for the outer archive of `docker load`. */
int layer_unpack_plain(const char *archive, const char *dir, struct berr *err);

#endif
