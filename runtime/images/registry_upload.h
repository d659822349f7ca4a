/* A blob's upload into a registry, as the distribution spec describes it:
 * a session opened with a POST (or a cross-repository mount that makes
 * the session needless), the blob sent whole with the closing PUT or in
 * chunks (PATCH with Content-Range), and the PUT that names its digest. */
#ifndef BERTH_IMAGES_REGISTRY_UPLOAD_H
#define BERTH_IMAGES_REGISTRY_UPLOAD_H

#include "runtime/images/registry_client.h"

struct registry_upload {
	struct registry_client *c;
	const char *what;   /* "NAME: upload of blob DIGEST", for errors */
	const char *digest;
	int fd;             /* >= 0: the blob is len bytes of this file */
	const void *data;   /* else these */
	size_t len;
	/* after each chunk the registry took, when not NULL */
	void (*progress)(void *arg, size_t sent, size_t total);
	void *arg;
	/* set by registry_upload_start */
	char location[2048];
	long long chunk_min; /* the registry's OCI-Chunk-Min-Length */
	/* counted by registry_upload_blob, for the caller's report */
	unsigned chunks, restarts;
};

/* Open a session; with from (another repository of the same registry),
 * ask for a mount instead: *mounted when the registry did it. */
int registry_upload_start(struct registry_upload *u, const char *from, bool *mounted,
			  struct berr *err);

/* Send the blob into the open session and close it with its digest. */
int registry_upload_blob(struct registry_upload *u, struct berr *err);

#endif
