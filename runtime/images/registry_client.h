/* One registry's connection settings and the requests made to it
 * (registry_fetch.c), with authentication (registry_auth.c) and the
 * mapping from a reference to where it lives (registry_ref.c). */
#ifndef BERTH_IMAGES_REGISTRY_CLIENT_H
#define BERTH_IMAGES_REGISTRY_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/images/image_digest.h"
#include "runtime/images/registry.h"
#include "spec/image_ref.h"

struct registry_client {
	const struct registry_opts *o;
	char host[IMAGE_REF_NAME_MAX + 1]; /* where the API is: host[:port] */
	char base[IMAGE_REF_NAME_MAX + 16]; /* "https://" host */
	char repo[IMAGE_REF_NAME_MAX + 1];  /* "library/busybox" */
	const char *scope_actions;          /* "pull" or "pull,push" */
	char *ca_bundle;                    /* the system's CAs and certs_dir's */
	size_t ca_len;
	char *client_cert, *client_key;     /* paths, or NULL */
	pthread_mutex_t lock;               /* authz: parallel downloads share it */
	char *authz;                        /* "Basic ..." or "Bearer ..." */
	/* A login asks a token server for offline access (an OAuth2
	 * password grant); the refresh token it gives is the identity
	 * token the docker CLI keeps in place of the password. */
	bool login;
	char *refresh_token;
};

/* Set the client up for the repository of ref (docker.io's API host is
 * registry-1.docker.io); scope_actions as the token server wants them. */
int registry_client_init(struct registry_client *c, const struct image_ref *ref,
			 const struct registry_opts *o, const char *scope_actions,
			 struct berr *err);
/* The same for a bare server, for a login. */
int registry_client_init_host(struct registry_client *c, const char *host,
			      const struct registry_opts *o, struct berr *err);
void registry_client_release(struct registry_client *c);

/* Where a response body goes: write(arg, data, len) returns 0 or a
 * negative errno (set the error itself); reset(arg) starts it again for a
 * retry. */
struct registry_sink {
	int (*write)(void *arg, const void *data, size_t len);
	void (*reset)(void *arg);
	void *arg;
	struct berr *err; /* where write's failures are described */
};

struct registry_resp {
	long status;
	char *body; /* when no sink was given (NUL-terminated, malloc'd) */
	size_t len;
	char content_type[128];
	char digest[IMAGE_DIGEST_LEN + 1]; /* Docker-Content-Digest */
	char location[2048];
	char range[64];          /* Range: what an upload session holds */
	long long chunk_min;     /* OCI-Chunk-Min-Length, or 0 */
	long retry_after;        /* Retry-After in seconds, or -1 */
	char next[1024];         /* a Link header's rel="next" target */
	char *www_authenticate;
};

void registry_resp_free(struct registry_resp *r);

struct registry_req {
	const char *method; /* GET when NULL */
	const char *path;   /* below the base ("/v2/..."), or a full URL */
	const char *accept; /* a whole "Accept: ..." list, or NULL */
	const char *content_type;
	const char *header; /* one more header line ("Content-Range: ..."), or NULL */
	const void *body; /* for PUT/POST/PATCH */
	size_t body_len;
	int body_fd;      /* >= 0: the body is body_len bytes of this file */
	off_t body_off;   /* from this offset */
	struct registry_sink *sink;
	size_t max_body;  /* without a sink: refuse longer bodies */
	/* One attempt (besides answering a 401): the caller recovers, as
	 * a chunk of an upload must, by asking the registry what it got. */
	bool once;
};

/* Make the request, authenticating on a 401 and retrying with backoff on
 * connection failures, 429 and 5xx (unless q->once); what comes back is
 * the last response, whatever its status.  what names the object for
 * errors. */
int registry_do(struct registry_client *c, const struct registry_req *q,
		struct registry_resp *resp, const char *what, struct berr *err);

/* An error from a response's status and its body's first error
 * ("manifest unknown", "unauthorized: ..."). */
int registry_status_error(const struct registry_resp *resp, const char *what,
			  struct berr *err);

/* registry_auth.c: answer a 401's challenge by setting c->authz (a
 * Bearer token from the realm, or Basic credentials). */
int registry_auth_challenge(struct registry_client *c, const char *challenge,
			    struct berr *err);

/* A curl handle with the client's settings: TLS, timeouts, redirects
 * (registry_ref.c); registry_curl_setup applies them to a handle again
 * after a curl_easy_reset. */
void *registry_curl_new(struct registry_client *c);
void registry_curl_setup(struct registry_client *c, void *handle);

#endif
