/* Images from and to registries that speak the OCI distribution API (the
 * Docker Registry HTTP API v2), over HTTPS through libcurl.
 *
 * Runs in berthd's unpack helper, like tarball loads (image_load.h): the
 * daemon links neither libcurl nor a TLS library for it, and a pull's
 * memory goes with the helper.  Credentials come in a struct that the
 * caller wipes; nothing here writes them anywhere. */
#ifndef BERTH_IMAGES_REGISTRY_H
#define BERTH_IMAGES_REGISTRY_H

#include "runtime/images/image_load.h"
#include "spec/base/err.h"
#include "spec/registry.h"

struct registry_opts {
	/* docker's layout: <certs_dir>/<host[:port]>/ca.crt (and any other
	 * *.crt: CAs added to the system's), client.cert with client.key */
	const char *certs_dir;
	/* NULL-terminated host[:port]s reached over plain HTTP */
	char *const *insecure;
	const struct spec_registry_auth *auth; /* NULL: anonymous */
};

/* Pull ref into the store.  Reports, through report(arg, kind, value):
 *   "from"     "<tag or digest> <repository path>", first
 *   "layer"    "<12 hex> <status>" or "<12 hex> Downloading <current> <total>"
 *   "digest"   the manifest's digest ("sha256:...")
 *   "tag"      the tag or repo digest that now names the image
 *   "id"       the image's id */
int registry_pull(const char *data_root, const char *ref, const struct registry_opts *o,
		  image_load_report_fn report, void *arg, struct berr *err);

/* docker pull --all-tags: every tag of the repository ref names (a name
 * without tag or digest), one after the other, reported as above. */
int registry_pull_all_tags(const char *data_root, const char *ref,
			   const struct registry_opts *o, image_load_report_fn report, void *arg,
			   struct berr *err);

/* Check credentials against server ("host[:port]", or docker's index URL
 * for Docker Hub) as `docker login` does: the registry's /v2/ answers with
 * them.  *identity_token: the refresh token a token server gave for
 * them (OAuth2 offline access), which the caller wipes and frees, or
 * NULL. */
int registry_login(const char *server, const struct registry_opts *o, char **identity_token,
		   struct berr *err);

/* Push the image that ref names in the store to its registry; reports as
 * registry_pull does, "digest" being the manifest's digest as pushed. */
int registry_push(const char *data_root, const char *ref, const struct registry_opts *o,
		  image_load_report_fn report, void *arg, struct berr *err);

#endif
