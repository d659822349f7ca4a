/* Images, content-addressed:
 *
 *   <data-root>/blobs/sha256/<hex>   image configs, by digest (an image's
 *                                    id is the digest of its config)
 *   <data-root>/images/<hex>         the image record: its layers (diff
 *                                    ids, bottom first), tags, size, when
 *                                    it was added (a JSON record,
 *                                    spec/record.h)
 *   <data-root>/layers/...           see layer_store.h
 *   <data-root>/images.lock          flock: shared to read, exclusive to
 *                                    change records, layers or blobs
 *
 * Tags are kept in their familiar form ("busybox:latest",
 * "localhost/bb:1"): docker.io/library/ is dropped and a missing tag is
 * "latest".  Repo digests (what a registry named the image's manifest,
 * recorded by pulls) are kept as "name@sha256:<hex>" in the same familiar
 * form.  A layer is referenced by every image that lists it and removed
 * with the last one. */
#ifndef BERTH_IMAGES_IMAGE_STORE_H
#define BERTH_IMAGES_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/images/image_digest.h"
#include "spec/base/err.h"

struct image_rec {
	char id[IMAGE_DIGEST_LEN + 1];
	char **tags; /* NULL-terminated */
	char **layers;
	char **digests; /* repo digests, "name@sha256:..." (NULL-terminated) */
	size_t n_tags, n_layers, n_digests;
	long long size;
	long long added; /* unix seconds */
	char *created;   /* from the config */
	/* The image docker build made this one's step on ("" none): an
	 * untagged parent is an intermediate image, hidden by docker images
	 * and removed with its last child. */
	char parent[IMAGE_DIGEST_LEN + 1];
};

void image_rec_free(struct image_rec *r);
void image_recs_free(struct image_rec *r, size_t n);

/* Create the store's directories. */
int image_store_init(const char *data_root, struct berr *err);

/* Lock the store (returns the lock fd, to close when done). */
int image_store_lock(const char *data_root, bool exclusive, struct berr *err);

/* The familiar, tagged form of a reference; -EINVAL with a message when it
 * is not a valid reference.  Digest references (name@sha256:...) are
 * refused: a tag cannot be one (image_store_digest_ref reads them). */
int image_store_normalize(const char *ref, char **out, struct berr *err);

/* Every image (unordered). */
int image_store_list(const char *data_root, struct image_rec **out, size_t *n,
		     struct berr *err);

/* The tags a name without a tag or digest means: every tag of its
 * repository in the store (NULL-terminated, malloc'd), as docker save
 * takes such a name; *tags NULL for an id, a name with a tag or digest,
 * or a repository with no tag here. */
int image_store_repository_tags(const char *data_root, const char *ref, char ***tags,
				struct berr *err);

/* An image by tag, repo digest, full id, or unique id prefix.  -ENOENT with
 * "No such image: REF". */
int image_store_find(const char *data_root, const char *ref, struct image_rec *out,
		     struct berr *err);

/* The raw config of an image (malloc'd). */
int image_store_config(const char *data_root, const char *id, char **json, size_t *len,
		       struct berr *err);

/* Point tag (a reference, normalized here) at the image ref names. */
int image_store_tag(const char *data_root, const char *ref, const char *tag,
		    struct berr *err);

/* Add an image, with the store locked exclusively by the caller: the
 * config blob, the record, and the tags (moved away from any image that
 * had them).  Layers must already be in the layer store. */
int image_store_add_locked(const char *data_root, const char *id, const char *config,
			   size_t config_len, char *const *layers, size_t n_layers,
			   const char *created, char *const *tags, size_t n_tags,
			   struct berr *err);

/* The familiar "name@sha256:..." form of a reference by digest (its tag,
 * if any, dropped): -EINVAL when ref is invalid or has no digest. */
int image_store_digest_ref(const char *ref, char **out, struct berr *err);

/* Record repo_digest ("name@sha256:...") for the image id, with the store
 * locked exclusively; a digest another image had for the same repository
 * moves here, as a tag does. */
int image_store_add_digest_locked(const char *data_root, const char *id,
				  const char *repo_digest, struct berr *err);

/* Record parent as the parent of the image id (docker build's step). */
int image_store_set_parent(const char *data_root, const char *id, const char *parent,
			   struct berr *err);

/* Has the image id a child among recs (an image whose parent it is)? */
bool image_store_has_child(const struct image_rec *recs, size_t n, const char *id);

/* Write an image's record, with the store locked exclusively. */
int image_store_save_locked(const char *data_root, const struct image_rec *r,
			    struct berr *err);

/* Rewrite as JSON the image records that berthd's earlier versions wrote
 * as key=value lines (image_migrate.c); berthd does it once, on start. */
int image_store_migrate(const char *data_root, struct berr *err);

/* Remove a reference.  A tag of an image with other tags only loses the
 * tag; otherwise the image goes, with the layers no other image uses, and
 * then, as with dockerd, its parent if that is now an intermediate image
 * nothing else needs (no tag, no repo digest, no other child, no
 * container), and so on up.  An image with a child is refused
 * (-ENOTEMPTY), even forced; by its last tag, it is only untagged.
 * in_use(id) tells whether a container uses the image: such an image is
 * refused (-EBUSY) unless force, which only untags it.  What was untagged
 * and deleted is appended to the NULL-terminated lists (malloc'd). */
int image_store_remove(const char *data_root, const char *ref, bool force,
		       bool (*in_use)(const char *id, void *arg), void *arg,
		       char ***untagged, char ***deleted, struct berr *err);

/* Remove layers no image references and leftovers in <data-root>/tmp. */
int image_store_gc(const char *data_root, struct berr *err);

#endif
