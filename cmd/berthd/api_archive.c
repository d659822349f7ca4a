/* Archives out of berthd: docker save (GET /images/get and
 * /images/{name}/get) and docker export (GET /containers/{id}/export),
 * streamed from the helper that writes them; docker cp's tar (api_cp.c)
 * streams the same way. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "runtime/engine/archive.h"
#include "runtime/images/image_store.h"
#include "spec/base/strv.h"

struct archive_stream {
	struct srv *srv;
	struct daemon_archive a;
	bool ended;
	char head[4096]; /* read before the status was sent */
	size_t head_len, head_off;
};

static void stream_end(struct archive_stream *s)
{
	struct berr err;

	if (s->ended)
		return;
	s->ended = true;
	if (daemon_archive_end(&s->a, &err) < 0)
		http_log(s->srv, 1, "archive: %s", err.msg);
}

/* A second without bytes returns 0, so that a client that left is seen. */
static ssize_t stream_read(void *cls, char *buf, size_t max)
{
	struct archive_stream *s = cls;
	struct pollfd p = { .fd = s->a.fd, .events = POLLIN };
	ssize_t n;

	if (s->head_off < s->head_len)
		return (ssize_t)http_stream_pending(buf, max, s->head, s->head_len, &s->head_off);
	if (s->ended)
		return -1;
	if (poll(&p, 1, 1000) == 0)
		return 0;
	n = read(s->a.fd, buf, max);
	if (n > 0)
		return n;
	stream_end(s);
	return -1;
}

static void stream_free(void *cls)
{
	struct archive_stream *s = cls;

	/* A client gone midway: closing the pipe ends the helper. */
	stream_end(s);
	free(s);
}

/* The helper writes nothing before everything it needs is found and
 * open: the first bytes, or its end, decide the status. */
static enum MHD_Result stream(struct req *r, struct archive_stream *s)
{
	struct berr err = { 0 };

	for (ssize_t got;;) {
		got = read(s->a.fd, s->head, sizeof(s->head));
		if (got > 0) {
			s->head_len = (size_t)got;
			break;
		}
		if (got < 0 && errno == EINTR)
			continue;
		s->ended = true;
		if (daemon_archive_end(&s->a, &err) == 0)
			berr_fail(&err, EIO, "the archive came out empty");
		free(s);
		return http_reply_berr(r, &err);
	}
	return http_reply_stream(r, 200, "application/x-tar", stream_read, s, stream_free);
}

enum MHD_Result api_archive_reply(struct req *r, struct daemon_archive *a, bool first_bytes)
{
	struct archive_stream *s = calloc(1, sizeof(*s));
	struct berr err;

	if (!s) {
		daemon_archive_end(a, &err);
		return MHD_NO;
	}
	s->srv = r->srv;
	s->a = *a;
	if (first_bytes)
		return stream(r, s);
	return http_reply_stream(r, 200, "application/x-tar", stream_read, s, stream_free);
}

/* Does ref name something docker save would save: a repository with tags
 * here (named without a tag), or an image? */
static int saved_name(const char *data_root, const char *ref, struct berr *err)
{
	struct image_rec img;
	char **tags;
	int ret = image_store_repository_tags(data_root, ref, &tags, err);

	if (ret < 0 || tags) {
		strv_free(tags);
		return ret;
	}
	ret = image_store_find(data_root, ref, &img, err);
	if (ret == 0)
		image_rec_free(&img);
	return ret;
}

static enum MHD_Result save(struct req *r, char *const *refs, size_t n)
{
	struct daemon_archive a;
	struct berr err = { 0 };

	if (n == 0)
		return http_reply_error(r, 400, "no image named (give names=NAME)");
	/* Every name is checked first: once the archive streams, its status
	 * is sent. */
	for (size_t i = 0; i < n; i++)
		if (saved_name(r->srv->data_root, refs[i], &err) < 0)
			return http_reply_berr(r, &err);
	if (daemon_archive_save(r->srv->d, refs, n, &a, &err) < 0)
		return http_reply_berr(r, &err);
	return api_archive_reply(r, &a, true);
}

struct names {
	char **v;
	bool oom;
};

/* Each names= of the query (docker save A B sends names=A&names=B). */
static enum MHD_Result add_name(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct names *names = cls;

	(void)kind;
	if (!key || strcmp(key, "names") != 0 || !value || !*value)
		return MHD_YES;
	if (strv_push(&names->v, value) < 0) {
		names->oom = true;
		return MHD_NO;
	}
	return MHD_YES;
}

enum MHD_Result api_image_get(struct req *r)
{
	struct names names = { 0 };
	enum MHD_Result ret;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_name, &names);
	if (names.oom) {
		strv_free(names.v);
		return MHD_NO;
	}
	ret = save(r, names.v, strv_len(names.v));
	strv_free(names.v);
	return ret;
}

enum MHD_Result api_image_get_one(struct req *r)
{
	char *refs[2] = { r->params[0], NULL };

	return save(r, refs, 1);
}

enum MHD_Result api_container_export(struct req *r)
{
	struct daemon_archive a;
	struct berr err = { 0 };

	if (daemon_archive_export(r->srv->d, r->params[0], &a, &err) < 0)
		return http_reply_berr(r, &err);
	return api_archive_reply(r, &a, true);
}
