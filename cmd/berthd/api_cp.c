/* docker cp: the archive endpoints of a container.
 *
 *   HEAD /containers/{id}/archive?path=P   the path's stat, in the header
 *   GET  /containers/{id}/archive?path=P   the same header, and P as a tar
 *   PUT  /containers/{id}/archive?path=DIR a tar extracted into DIR
 *
 * The stat travels as X-Docker-Container-Path-Stat, base64 of JSON, as
 * dockerd sends it.  The work happens in the helper, chrooted into the
 * container's root (runtime/images/tree_copy.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nettle/base64.h>

#include "api.h"
#include "runtime/engine/archive.h"

#define STAT_HEADER "X-Docker-Container-Path-Stat"

/* Run the helper to its end and keep what it wrote (up to max bytes). */
static int run_all(struct req *r, const struct daemon_cp *cp, char *out, size_t max,
		   size_t *len, struct berr *err)
{
	struct daemon_archive a;
	int ret = daemon_archive_cp(r->srv->d, r->params[0], cp, &a, err);
	ssize_t n;

	if (ret < 0)
		return ret;
	*len = 0;
	while ((n = read(a.fd, out + *len, max - *len)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (*len += (size_t)n) == max)
			break;
	return daemon_archive_end(&a, err);
}

static int stat_header(struct req *r, const char *path, struct berr *err)
{
	struct daemon_cp cp = { .mode = "cp-stat", .path = path };
	char json[8192];
	size_t len;
	int ret = run_all(r, &cp, json, sizeof(json) - 1, &len, err);

	if (ret < 0)
		return ret;
	while (len && json[len - 1] == '\n')
		len--;
	r->reply_value = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
	if (!r->reply_value)
		return berr_set(err, ENOMEM, "cp");
	base64_encode_raw((char *)r->reply_value, len, (const uint8_t *)json);
	r->reply_value[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	r->reply_header = STAT_HEADER;
	return 0;
}

static const char *path_of(struct req *r)
{
	const char *p = http_query(r, "path");

	return p && *p ? p : NULL;
}

enum MHD_Result api_container_archive_get(struct req *r)
{
	struct daemon_cp cp = { .mode = "cp-out", .path = path_of(r) };
	struct daemon_archive a;
	struct berr err = { 0 };

	if (!cp.path)
		return http_reply_error(r, 400, "path is required (path=...)");
	/* The stat first: a missing path is a 404 before any byte. */
	if (stat_header(r, cp.path, &err) < 0)
		return http_reply_berr(r, &err);
	if (strcmp(r->method, "HEAD") == 0)
		return http_reply_empty(r, 200);
	if (daemon_archive_cp(r->srv->d, r->params[0], &cp, &a, &err) < 0)
		return http_reply_berr(r, &err);
	/* The stat answered already: the status need not wait. */
	return api_archive_reply(r, &a, false);
}

enum MHD_Result api_container_archive_put(struct req *r)
{
	struct daemon_cp cp = {
		.mode = "cp-in",
		.path = path_of(r),
		.file = r->body_file,
		.keep_owner = http_query_bool(r, "copyUIDGID"),
		.no_replace_dir = http_query_bool(r, "noOverwriteDirNonDir"),
	};
	struct berr err = { 0 };
	char ignored[64];
	size_t len;

	if (!cp.path)
		return http_reply_error(r, 400, "path is required (path=...)");
	if (!r->body_file)
		return http_reply_error(r, 400, "the request has no body (a tar archive)");
	if (run_all(r, &cp, ignored, sizeof(ignored), &len, &err) < 0)
		return http_reply_berr(r, &err);
	return http_reply_empty(r, 200);
}
