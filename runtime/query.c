/* state, list, ps: reading containers without changing them. */
#include <stdlib.h>
#include <string.h>

#include "isolation/cgroup.h"
#include "runtime/internal.h"
#include "runtime/rootless.h"

/* Copy a string into the caller's arena (the store's goes away). */
static const char *keep(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int copy_state(struct arena *a, struct store_container *c, const char *id,
		      struct spec_state *out)
{
	const struct spec_state *s = &c->state;
	const char *status = internal_status(c);

	memset(out, 0, sizeof(*out));
	out->oci_version = keep(a, s->oci_version ? s->oci_version : SPEC_OCI_VERSION);
	out->id = keep(a, id);
	out->status = keep(a, status);
	/* A stopped container has no pid worth showing. */
	out->pid = strcmp(status, "stopped") == 0 ? 0 : s->pid;
	out->bundle = keep(a, s->bundle);
	out->rootfs = keep(a, s->rootfs);
	out->created = keep(a, s->created);
	out->owner = keep(a, s->owner);
	if (s->n_annotations) {
		out->annotations = arena_alloc(a, s->n_annotations * sizeof(*out->annotations));
		if (!out->annotations)
			return -ENOMEM;
		for (size_t i = 0; i < s->n_annotations; i++) {
			out->annotations[i].key = keep(a, s->annotations[i].key);
			out->annotations[i].value = keep(a, s->annotations[i].value);
		}
		out->n_annotations = s->n_annotations;
	}
	return out->id && out->status ? 0 : -ENOMEM;
}

int rt_state(const struct rt_ctx *ctx, const char *id, struct arena *arena,
	     struct spec_state *out, struct berr *err)
{
	struct store_container c;
	int ret;

	ret = internal_open(ctx, id, false, &c, err);
	if (ret < 0)
		return ret;
	if (!c.has_state)
		ret = berr_fail(err, ENOENT, "container \"%s\" is still being created", id);
	else if (copy_state(arena, &c, id, out) < 0)
		ret = berr_set(err, ENOMEM, "state of %s", id);
	store_close(&c);
	return ret;
}

int rt_list(const struct rt_ctx *ctx, struct arena *arena,
	    struct spec_state **out, size_t *n, struct berr *err)
{
	char **ids = NULL;
	size_t count = 0, used = 0;
	int ret;

	ret = store_list(ctx->root, &ids, &count, err);
	if (ret < 0)
		return ret;
	*out = count ? arena_alloc(arena, count * sizeof(**out)) : NULL;
	for (size_t i = 0; i < count; i++) {
		struct store_container c;
		struct berr ignored;

		/* Containers that vanish or are half-made are not listed. */
		if (store_open(ctx->root, ids[i], false, &c, &ignored) == 0) {
			if (c.has_state && copy_state(arena, &c, ids[i], &(*out)[used]) == 0)
				used++;
			store_close(&c);
		}
		free(ids[i]);
	}
	free(ids);
	*n = used;
	return 0;
}

int rt_pids(const struct rt_ctx *ctx, const char *id, pid_t **pids, size_t *n,
	    struct berr *err)
{
	struct store_container c;
	struct cgroup cg;
	int ret;

	*pids = NULL;
	*n = 0;
	ret = internal_open(ctx, id, false, &c, err);
	if (ret < 0)
		return ret;
	if (strcmp(internal_status(&c), "stopped") == 0) {
		store_close(&c);
		return 0;
	}
	ret = internal_cgroup(&c, &cg, err);
	if (ret == 0) {
		ret = cg.none ? rootless_pids(c.state.pid, pids, n, err)
			      : cgroup_pids(&cg, pids, n, err);
		cgroup_release(&cg);
	}
	store_close(&c);
	return ret;
}
