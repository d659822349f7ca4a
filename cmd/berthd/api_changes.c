/* docker diff: GET /containers/{id}/changes. */
#include "api.h"
#include "runtime/engine/changes.h"

enum MHD_Result api_container_changes(struct req *r)
{
	cleanup_jw struct jw *w = jw_new(false);
	struct daemon_change *c;
	struct berr err = { 0 };
	size_t n;

	if (daemon_changes(r->srv->d, r->params[0], &c, &n, &err) < 0)
		return http_reply_berr(r, &err);
	jw_array_open(w);
	for (size_t i = 0; i < n; i++) {
		jw_map_open(w);
		jw_kstr(w, "Path", c[i].path);
		jw_kint(w, "Kind", c[i].kind);
		jw_map_close(w);
	}
	jw_array_close(w);
	daemon_changes_free(c, n);
	return http_reply_json(r, 200, w);
}
