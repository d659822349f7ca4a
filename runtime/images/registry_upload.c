/* A blob's upload: the session (POST, or a mount), then the blob whole
 * with the closing PUT, or in chunks (PATCH with Content-Range, each
 * answered with the session's next location), then the PUT with the
 * digest.
 *
 * Chunks for a blob above CHUNKED_ABOVE, and for any blob whose whole
 * PUT the registry (or a proxy in front of it, as nginx's
 * client_max_body_size does) refused as too large (413).  A whole PUT
 * that fails late sends everything again; a chunk bounds that loss to
 * itself, and keeps each request under the caps proxies put on bodies.
 * It costs one round trip per chunk: at 16 MiB that is under 1% of the
 * chunk's own time up to about 1 Gbit/s with a millisecond's round trip,
 * and layers below 16 MiB (most of them) go whole, in one request.
 *
 * A chunk that fails (the connection, 429, 5xx) is not simply sent
 * again: the registry may hold part of it.  Its session says how much it
 * holds (GET, Range) and the upload resumes from there; a session the
 * registry dropped or refuses to resume (404, 416: distribution's
 * registry cancels a session whose data no longer matches its state)
 * starts again with a new one. */
#include "runtime/images/registry_upload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spec/base/cleanup.h"

#define CHUNKED_ABOVE (16 << 20)
#define CHUNK (16 << 20)
#define CHUNK_FLOOR (256 << 10) /* halving after 413s stops here */
#define CHUNK_ATTEMPTS 5        /* failures of one chunk in a row */
#define RESTARTS 2              /* new sessions after lost ones */
#define FIRST_BACKOFF_MS 500
#define ANSWER_MAX (64 << 10)

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

int registry_upload_start(struct registry_upload *u, const char *from, bool *mounted,
			  struct berr *err)
{
	cleanup_free char *path = NULL;
	struct registry_req q = { .method = "POST", .body_fd = -1, .max_body = ANSWER_MAX };
	struct registry_resp resp;
	int ret;

	*mounted = false;
	if (from ? asprintf(&path, "/v2/%s/blobs/uploads/?mount=%s&from=%s", u->c->repo,
			    u->digest, from) < 0
		 : asprintf(&path, "/v2/%s/blobs/uploads/", u->c->repo) < 0)
		return berr_sys(err, "%s", u->what);
	q.path = path;
	ret = registry_do(u->c, &q, &resp, u->what, err);
	if (ret < 0)
		return ret;
	if (resp.status == 201 && from) {
		*mounted = true;
	} else if (resp.status != 202 || !resp.location[0]) {
		ret = registry_status_error(&resp, u->what, err);
	} else {
		snprintf(u->location, sizeof(u->location), "%s", resp.location);
		u->chunk_min = resp.chunk_min;
	}
	registry_resp_free(&resp);
	return ret;
}

/* The session's location with the digest added: the closing PUT's URL. */
static char *closing_url(const struct registry_upload *u)
{
	char *url;

	if (asprintf(&url, "%s%sdigest=%s", u->location, strchr(u->location, '?') ? "&" : "?",
		     u->digest) < 0)
		return NULL;
	return url;
}

/* The closing PUT, with the whole blob or (whole false) none of it. */
static int put_closing(struct registry_upload *u, bool whole, long *status, struct berr *err)
{
	cleanup_free char *url = closing_url(u);
	struct registry_req q = { .method = "PUT", .content_type = "application/octet-stream",
				  .body_fd = -1, .max_body = ANSWER_MAX };
	struct registry_resp resp;
	int ret;

	if (!url)
		return berr_sys(err, "%s", u->what);
	q.path = url;
	if (whole) {
		q.body_fd = u->fd;
		q.body = u->data;
		q.body_len = u->len;
	}
	ret = registry_do(u->c, &q, &resp, u->what, err);
	if (ret < 0)
		return ret;
	*status = resp.status;
	if (resp.status != 201 && !(whole && resp.status == 413))
		ret = registry_status_error(&resp, u->what, err);
	registry_resp_free(&resp);
	return ret;
}

/* "0-N" (inclusive): N + 1 bytes held.  distribution's registry says
 * "0-0" for an empty session too: taken as empty (were it one byte, the
 * next chunk's 416 starts a new session). */
static bool range_end(const char *range, off_t *held)
{
	long long a, b;

	if (sscanf(range, "%lld-%lld", &a, &b) != 2 || a != 0 || b < 0)
		return false;
	*held = b == 0 ? 0 : (off_t)b + 1;
	return true;
}

/* GET the session: how much it holds, and its location now.  *gone when
 * the registry no longer has it. */
static int session_status(struct registry_upload *u, off_t *held, bool *gone,
			  struct berr *err)
{
	struct registry_req q = { .path = u->location, .body_fd = -1, .max_body = ANSWER_MAX };
	struct registry_resp resp;
	int ret;

	*gone = false;
	ret = registry_do(u->c, &q, &resp, u->what, err);
	if (ret < 0)
		return ret;
	if (resp.status == 404 || resp.status == 416)
		*gone = true;
	else if (resp.status != 204 && resp.status != 200)
		ret = registry_status_error(&resp, u->what, err);
	else if (!range_end(resp.range, held))
		ret = berr_fail(err, EPROTO, "%s: the registry's upload session answered "
					     "without a Range (\"%s\")",
				u->what, resp.range);
	else if (resp.location[0])
		snprintf(u->location, sizeof(u->location), "%s", resp.location);
	registry_resp_free(&resp);
	return ret;
}

static int patch(struct registry_upload *u, off_t off, size_t n, struct registry_resp *resp,
		 struct berr *err)
{
	char range[80];
	struct registry_req q = { .method = "PATCH", .path = u->location,
				  .content_type = "application/octet-stream", .header = range,
				  .body_fd = u->fd, .body_off = off, .body_len = n,
				  .max_body = ANSWER_MAX, .once = true };

	snprintf(range, sizeof(range), "Content-Range: %lld-%lld", (long long)off,
		 (long long)(off + (off_t)n - 1));
	if (u->fd < 0)
		q.body = (const char *)u->data + off;
	return registry_do(u->c, &q, resp, u->what, err);
}

static bool transient(long status)
{
	return status == 429 || status / 100 == 5;
}

static int chunked(struct registry_upload *u, size_t chunk, struct berr *err)
{
	off_t off = 0;
	long backoff = FIRST_BACKOFF_MS, status;
	int failures = 0, ret;

	if (u->chunk_min > 0 && (size_t)u->chunk_min > chunk)
		chunk = (size_t)u->chunk_min;
	while ((size_t)off < u->len) {
		size_t n = u->len - (size_t)off < chunk ? u->len - (size_t)off : chunk;
		struct registry_resp resp;
		bool gone = false, mounted;
		long got;
		off_t held;

		ret = patch(u, off, n, &resp, err);
		got = ret == 0 ? resp.status : 0;
		if (got == 202) {
			if (resp.location[0])
				snprintf(u->location, sizeof(u->location), "%s", resp.location);
			off = range_end(resp.range, &held) && held > off ? held : off + (off_t)n;
			u->chunks++;
			if (u->progress)
				u->progress(u->arg, (size_t)off, u->len);
			failures = 0;
			backoff = FIRST_BACKOFF_MS;
		} else if (got == 413 && n > CHUNK_FLOOR && n / 2 >= (size_t)u->chunk_min) {
			/* Nothing of it was taken: smaller chunks, same place. */
			chunk = n / 2 > CHUNK_FLOOR ? n / 2 : CHUNK_FLOOR;
		} else if (got == 404 || got == 416) {
			gone = true;
		} else if (got && !transient(got)) {
			ret = registry_status_error(&resp, u->what, err);
		} else if (++failures >= CHUNK_ATTEMPTS) {
			struct berr last;

			/* ret < 0 holds the connection's error already. */
			if (ret == 0)
				registry_status_error(&resp, u->what, err);
			last = *err;
			ret = berr_failk(err, last.kind, last.errnum,
					 "%s (the chunk at byte %lld, %d attempts)", last.msg,
					 (long long)off, failures);
		} else {
			/* A transient failure: the chunk is lost in part or
			 * whole; the session says how much it holds. */
			sleep_ms(backoff);
			backoff *= 2;
			ret = session_status(u, &off, &gone, err);
		}
		registry_resp_free(&resp);
		if (ret < 0)
			return ret;
		if (!gone)
			continue;
		if (++u->restarts > RESTARTS)
			return berr_fail(err, EIO, "%s: the registry lost the upload session %d times",
					 u->what, u->restarts);
		ret = registry_upload_start(u, NULL, &mounted, err);
		if (ret < 0)
			return ret;
		off = 0;
	}
	return put_closing(u, false, &status, err);
}

int registry_upload_blob(struct registry_upload *u, struct berr *err)
{
	long status = 0;
	int ret;

	if (u->len > CHUNKED_ABOVE)
		return chunked(u, CHUNK, err);
	ret = put_closing(u, true, &status, err);
	if (ret < 0 || status != 413)
		return ret;
	/* Too large for the registry in one request: halves of it, halved
	 * again while still refused. */
	return chunked(u, u->len / 2 > CHUNK_FLOOR ? u->len / 2 : CHUNK_FLOOR, err);
}
