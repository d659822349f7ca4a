/* docker commit: POST /commit?container=ID&repo=R&tag=T&comment=M&author=A
 * &pause=1&changes=INSTRUCTION (repeated). */
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "api.h"
#include "runtime/engine/commit.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

struct changes {
	char **v;
	bool oom;
};

static enum MHD_Result add_change(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct changes *c = cls;

	(void)kind;
	if (!key || strcmp(key, "changes") != 0 || !value || !*value)
		return MHD_YES;
	if (strv_push(&c->v, value) < 0) {
		c->oom = true;
		return MHD_NO;
	}
	return MHD_YES;
}

/* The request's container config: only null or {} (the CLI's); the
 * SDKs' conf= is refused rather than dropped. */
static bool config_given(struct req *r)
{
	yajl_val doc;
	bool given;

	if (!r->body || !r->body_len)
		return false;
	doc = yajl_tree_parse(r->body, NULL, 0);
	given = !doc || !(YAJL_IS_NULL(doc) || (YAJL_IS_OBJECT(doc) && !doc->u.object.len));
	yajl_tree_free(doc);
	return given;
}

enum MHD_Result api_commit(struct req *r)
{
	const char *ctr = http_query(r, "container"), *repo = http_query(r, "repo");
	const char *tag = http_query(r, "tag"), *pause = http_query(r, "pause");
	cleanup_jw struct jw *w = jw_new(false);
	cleanup_free char *ref = NULL;
	struct changes ch = { 0 };
	struct daemon_commit o = { 0 };
	struct berr err = { 0 };
	char id[80];
	int ret;

	if (!ctr || !*ctr)
		return http_reply_error(r, 400, "container is required (container=...)");
	if (config_given(r))
		return http_reply_error(r, 501,
					"a container config in the commit request is not "
					"supported by berthd (use changes)");
	if (tag && *tag && (!repo || !*repo))
		return http_reply_error(r, 400, "a tag needs a repository (repo=...)");
	if (repo && *repo &&
	    asprintf(&ref, "%s%s%s", repo, tag && *tag ? ":" : "", tag ? tag : "") < 0)
		return MHD_NO;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_change, &ch);
	if (ch.oom) {
		strv_free(ch.v);
		return MHD_NO;
	}
	o.tag = ref;
	o.comment = http_query(r, "comment");
	o.author = http_query(r, "author");
	o.changes = ch.v;
	/* dockerd pauses unless told not to. */
	o.pause = !pause || http_query_bool(r, "pause");
	ret = daemon_commit(r->srv->d, ctr, &o, id, sizeof(id), &err);
	strv_free(ch.v);
	if (ret < 0)
		return http_reply_berr(r, &err);
	jw_map_open(w);
	jw_kstr(w, "Id", id);
	jw_map_close(w);
	return http_reply_json(r, 201, w);
}
