#include "spec/process_state.h"

#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/json_write.h"

int spec_process_state_json(const struct spec_state *state, pid_t pid,
			    const char *metadata, const char *const *fds,
			    size_t n_fds, char **out, size_t *len,
			    struct berr *err)
{
	cleanup_free char *inner = NULL;
	cleanup_jw struct jw *w = NULL;
	size_t inner_len;
	int ret;

	ret = spec_state_oci_json(state, &inner, &inner_len, err);
	if (ret < 0)
		return ret;
	w = jw_new(false);
	jw_map_open(w);
	jw_kstr(w, "ociVersion", SPEC_OCI_VERSION);
	jw_key(w, "fds");
	jw_array_open(w);
	for (size_t i = 0; i < n_fds; i++)
		jw_str(w, fds[i]);
	jw_array_close(w);
	jw_kint(w, "pid", pid);
	if (metadata && *metadata)
		jw_kstr(w, "metadata", metadata);
	jw_key(w, "state");
	jw_json(w, inner, inner_len);
	jw_map_close(w);
	return jw_finish(w, out, len, err);
}
