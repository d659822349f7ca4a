/* docker pull --all-tags: every tag the repository lists (GET
 * /v2/NAME/tags/list, page after page as its Link header names them),
 * each pulled as registry_pull pulls one, in the registry's order; the
 * first failure ends it. */
#include "runtime/images/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/images/registry_client.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

#define TAGS_MAX (4 << 20) /* one page of the list */
#define PAGES_MAX 100

static int list_tags(struct registry_client *c, const char *name, char ***tags,
		     struct berr *err)
{
	cleanup_free char *what = NULL;
	char path[1100];
	int ret = 0;

	if (asprintf(&what, "%s: tags list", name) < 0)
		return berr_sys(err, "tags");
	snprintf(path, sizeof(path), "/v2/%s/tags/list", c->repo);
	for (int page = 0; page < PAGES_MAX && path[0] && ret == 0; page++) {
		struct registry_req q = { .path = path, .body_fd = -1, .max_body = TAGS_MAX };
		struct registry_resp resp;

		ret = registry_do(c, &q, &resp, what, err);
		if (ret < 0)
			return ret;
		if (resp.status != 200)
			ret = registry_status_error(&resp, what, err);
		else
			ret = spec_registry_tags_parse(resp.body ? resp.body : "{}", resp.len, tags,
						       err);
		if (ret < 0)
			ret = berr_wrap(err, ret, "%s", what);
		snprintf(path, sizeof(path), "%s", resp.next);
		registry_resp_free(&resp);
	}
	return ret;
}

int registry_pull_all_tags(const char *data_root, const char *refstr,
			   const struct registry_opts *o, image_load_report_fn report, void *arg,
			   struct berr *err)
{
	struct registry_client c;
	struct image_ref ref;
	char **tags = NULL;
	int ret;

	ret = image_ref_parse(refstr, &ref, err);
	if (ret < 0)
		return ret;
	if (ref.tag[0] || ref.digest[0])
		return berr_invalid(err, "pull of every tag of %s: name the repository alone, "
					 "without a tag or digest",
				    refstr);
	ret = registry_client_init(&c, &ref, o, "pull", err);
	if (ret == 0)
		ret = list_tags(&c, refstr, &tags, err);
	registry_client_release(&c);
	if (ret == 0 && !tags)
		ret = berr_not_found(err, "%s: the repository has no tags", refstr);
	for (size_t i = 0; ret == 0 && tags && tags[i]; i++) {
		cleanup_free char *one = NULL;

		if (asprintf(&one, "%s:%s", refstr, tags[i]) < 0)
			ret = berr_sys(err, "pull");
		else
			ret = registry_pull(data_root, one, o, report, arg, err);
	}
	strv_free(tags);
	return ret;
}
