/* A layer's archive, kept as it came beside its unpacked files:
 *
 *   <data-root>/layers/<hex>/archive   the layer tar (compressed or not)
 *                                      whose uncompressed bytes hash to
 *                                      the diff id
 *
 * `docker save` must give back the very tar a layer was made from: its
 * bytes are the image's identity (the config lists their digests), and a
 * tar written again from the unpacked files would differ (order, times,
 * headers).  Layers stored before berthd kept archives have none; an
 * image using one cannot be saved. */
#ifndef BERTH_IMAGES_LAYER_ARCHIVE_H
#define BERTH_IMAGES_LAYER_ARCHIVE_H

#include "spec/base/err.h"

/* <data-root>/layers/<hex>/archive (malloc'd). */
char *layer_archive_path(const char *data_root, const char *diff_id);

/* Keep blob as tmp_dir/archive: a hard link where it can, else a copy. */
int layer_archive_keep(const char *blob, const char *tmp_dir, struct berr *err);

#endif
