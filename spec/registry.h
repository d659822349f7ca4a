/* The small JSON documents of registry traffic: the credentials the docker
 * CLI sends (X-Registry-Auth, the body of POST /auth), a token server's
 * answer, and what kind of manifest a registry returned. */
#ifndef BERTH_SPEC_REGISTRY_H
#define BERTH_SPEC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

/* docker's AuthConfig; every field malloc'd or NULL.  "auth" (base64 of
 * user:password) is decoded into username and password when they are
 * not given themselves. */
struct spec_registry_auth {
	char *username;
	char *password;
	char *identity_token; /* a refresh token from an earlier login */
	char *registry_token; /* a bearer token to send as it is */
	char *server_address;
};

int spec_registry_auth_parse(const char *json, size_t len, struct spec_registry_auth *out,
			     struct berr *err);
/* Wipes the secrets before freeing them. */
void spec_registry_auth_free(struct spec_registry_auth *a);

/* A token server's answer: "token", or else "access_token" (malloc'd);
 * with refresh not NULL, its OAuth2 "refresh_token" too (malloc'd, or
 * NULL when there is none). */
int spec_registry_token_parse(const char *json, size_t len, char **token, char **refresh,
			      struct berr *err);

/* A repository's tags list ({"name": ..., "tags": [...]}): its tags,
 * appended to *tags (a NULL-terminated malloc'd string vector). */
int spec_registry_tags_parse(const char *json, size_t len, char ***tags, struct berr *err);

/* The top-level mediaType and schemaVersion of a manifest, and whether it
 * lists other manifests (an OCI index or a docker manifest list). */
struct spec_manifest_kind {
	char media_type[128];
	long schema_version;
	bool is_index;
};

int spec_manifest_kind(const char *json, size_t len, struct spec_manifest_kind *out,
		       struct berr *err);

/* base64 (standard or URL alphabet, padding optional) into a malloc'd,
 * NUL-terminated buffer. */
int spec_base64_decode(const char *in, size_t len, char **out, size_t *out_len);

/* The first error of a registry's error body ({"errors":[{"code":...,
 * "message":...}]}) as "code: message" in buf; "" when there is none. */
void spec_registry_error(const char *json, size_t len, char *buf, size_t size);

/* base64 (standard alphabet, padded) of len bytes (malloc'd). */
char *spec_base64_encode(const void *in, size_t len);

#endif
