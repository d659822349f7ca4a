/* berthd's cgroup parent, held (runtime.h: rt_cgroup_hold). */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/config.h"

/* Take over what the record of an earlier berthd says it made, where it
 * names the same directory; an old parent's directories (the option
 * changed since) are removed where empty. */
static void adopt(struct cgroup *cg, const char *record)
{
	cleanup_free char *text = NULL;
	struct cgroup old;
	struct berr ignored;
	size_t len;

	if (fsutil_read_file(record, &text, &len, &ignored) < 0 ||
	    cgroup_deserialize(&old, text, &ignored) < 0)
		return;
	if (old.v2_dir && cg->v2_dir && strcmp(old.v2_dir, cg->v2_dir) == 0) {
		if (!cg->v2_created)
			cg->v2_created = steal_ptr(old.v2_created);
		free(old.v2_created);
		old.v2_created = NULL;
	}
	for (size_t i = 0; i < old.n_v1; i++)
		for (size_t j = 0; j < cg->n_v1; j++) {
			if (strcmp(old.v1[i].dir, cg->v1[j].dir) != 0)
				continue;
			if (!cg->v1[j].created)
				cg->v1[j].created = steal_ptr(old.v1[i].created);
			free(old.v1[i].created);
			old.v1[i].created = NULL;
		}
	cgroup_unhold(&old);
	cgroup_release(&old);
}

/* Whether a directory berthd made is still there (not empty). */
static bool left(const struct cgroup *cg)
{
	bool any = cg->v2_created && access(cg->v2_created, F_OK) == 0;

	for (size_t i = 0; i < cg->n_v1; i++)
		any |= cg->v1[i].created && access(cg->v1[i].created, F_OK) == 0;
	return any;
}

int rt_cgroup_hold(const char *parent, const char *record, struct rt_cgroup_hold *h,
		   struct berr *err)
{
	cleanup_free struct cgroup *cg = calloc(1, sizeof(*cg));
	cleanup_free char *text = NULL;
	int ret;

	memset(h, 0, sizeof(*h));
	if (!cg)
		return berr_sys(err, "cgroup parent %s", parent);
	ret = cgroup_hold(cg, parent, err);
	if (ret < 0)
		return berr_wrap(err, ret, "cgroup parent %s", parent);
	adopt(cg, record);
	text = cgroup_serialize(cg);
	ret = text ? fsutil_write_atomic(record, text, strlen(text), 0600, err)
		   : berr_set(err, ENOMEM, "cgroup parent %s", parent);
	if (ret == 0)
		h->record = strdup(record);
	if (ret == 0 && !h->record)
		ret = berr_set(err, ENOMEM, "cgroup parent %s", parent);
	if (ret < 0) {
		cgroup_unhold(cg);
		cgroup_release(cg);
		return ret;
	}
	h->cg = steal_ptr(cg);
	return 0;
}

int rt_cgroup_hold_realtime(const struct rt_cgroup_hold *h, const struct spec_cpu *c,
			    struct berr *err)
{
	return h->cg ? cgroup_hold_realtime(h->cg, c, err) : 0;
}

void rt_cgroup_unhold(struct rt_cgroup_hold *h)
{
	struct cgroup *cg = h->cg;

	if (!cg)
		return;
	cgroup_unhold(cg);
	if (!left(cg))
		unlink(h->record);
	cgroup_release(cg);
	free(cg);
	free(h->record);
	memset(h, 0, sizeof(*h));
}
