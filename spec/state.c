/* The container state in its JSON shapes: the OCI state document, runc's
 * `state` and `list --format json` entries, and berth's state file. */
#include "spec/state.h"

#include <string.h>

#include "spec/json_read.h"
#include "spec/json_write.h"

static const char *const state_statuses[] = {
	"creating", "created", "running", "paused", "stopped", NULL,
};

static const char *version_of(const struct spec_state *s)
{
	return s->oci_version ? s->oci_version : SPEC_OCI_VERSION;
}

static void write_kv_map(struct jw *w, const char *key,
			 const struct spec_kv *kv, size_t n)
{
	jw_key(w, key);
	jw_map_open(w);
	for (size_t i = 0; i < n; i++)
		jw_kstr(w, kv[i].key, kv[i].value);
	jw_map_close(w);
}

int spec_state_oci_json(const struct spec_state *s, char **out, size_t *len,
			struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);

	jw_map_open(w);
	jw_kstr(w, "ociVersion", version_of(s));
	jw_kstr(w, "id", s->id);
	jw_kstr(w, "status", s->status);
	/* The spec asks for pid only while the container has a process. */
	if (s->pid > 0)
		jw_kint(w, "pid", s->pid);
	jw_kstr(w, "bundle", s->bundle);
	if (s->n_annotations)
		write_kv_map(w, "annotations", s->annotations, s->n_annotations);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}

int spec_state_file_json(const struct spec_state *s, char **out, size_t *len,
			 struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_kstr(w, "ociVersion", version_of(s));
	jw_kstr(w, "id", s->id);
	jw_kstr(w, "status", s->status);
	jw_kint(w, "pid", s->pid);
	jw_kstr(w, "bundle", s->bundle);
	jw_kstr(w, "rootfs", s->rootfs);
	jw_kstr(w, "created", s->created);
	jw_kstr(w, "owner", s->owner);
	write_kv_map(w, "annotations", s->annotations, s->n_annotations);
	write_kv_map(w, "berth", s->extra, s->n_extra);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}

static int read_status(struct jr *r, yajl_val doc, const char **status)
{
	JR_TRY(jr_req_str(r, doc, "status", status));
	for (const char *const *known = state_statuses; *known; known++)
		if (strcmp(*known, *status) == 0)
			return 0;
	return jr_fail_key(r, "status", "unknown status \"%s\"", *status);
}

static int read_state(struct jr *r, yajl_val doc, struct spec_state *s)
{
	int32_t pid = 0;

	JR_TRY(jr_val_object(r, doc));
	JR_TRY(jr_req_str(r, doc, "ociVersion", &s->oci_version));
	JR_TRY(jr_req_str(r, doc, "id", &s->id));
	JR_TRY(read_status(r, doc, &s->status));
	JR_TRY(jr_i32(r, doc, "pid", &pid));
	if (pid < 0)
		return jr_fail_key(r, "pid", "negative pid %d", pid);
	s->pid = pid;
	JR_TRY(jr_req_str(r, doc, "bundle", &s->bundle));
	JR_TRY(jr_str(r, doc, "rootfs", &s->rootfs));
	JR_TRY(jr_str(r, doc, "created", &s->created));
	JR_TRY(jr_str(r, doc, "owner", &s->owner));
	JR_TRY(jr_str_map(r, doc, "annotations", &s->annotations,
			  &s->n_annotations));
	JR_TRY(jr_str_map(r, doc, "berth", &s->extra, &s->n_extra));
	return 0;
}

int spec_state_file_parse(const char *json, size_t len, struct arena *a,
			  struct spec_state *s, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct jr r;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return ret;
	jr_init(&r, a, err);
	return read_state(&r, doc, s);
}

/* One container as runc's state and list print it: the OCI fields plus
 * rootfs, created and owner (containerd and podman read these). */
static void write_runc_entry(struct jw *w, const struct spec_state *s)
{
	jw_map_open(w);
	jw_kstr(w, "ociVersion", version_of(s));
	jw_kstr(w, "id", s->id);
	jw_kint(w, "pid", s->pid);
	jw_kstr(w, "status", s->status);
	jw_kstr(w, "bundle", s->bundle);
	jw_kstr(w, "rootfs", s->rootfs ? s->rootfs : "");
	/* Go parses "created" as a time, which "" is not. */
	if (s->created)
		jw_kstr(w, "created", s->created);
	if (s->n_annotations)
		write_kv_map(w, "annotations", s->annotations, s->n_annotations);
	jw_kstr(w, "owner", s->owner ? s->owner : "");
	jw_map_close(w);
}

int spec_state_runc_json(const struct spec_state *s, char **out, size_t *len,
			 struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(true);

	write_runc_entry(w, s);
	return jw_finish(w, out, len, err);
}

int spec_state_list_json(const struct spec_state *states, size_t n,
			 char **out, size_t *len, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);

	/* runc prints null for no containers; [] reads the same to Go and
	 * better to everything else. */
	jw_array_open(w);
	for (size_t i = 0; i < n; i++)
		write_runc_entry(w, &states[i]);
	jw_array_close(w);
	return jw_finish(w, out, len, err);
}

const char *spec_state_extra(const struct spec_state *s, const char *key)
{
	for (size_t i = 0; i < s->n_extra; i++)
		if (strcmp(s->extra[i].key, key) == 0)
			return s->extra[i].value;
	return NULL;
}
