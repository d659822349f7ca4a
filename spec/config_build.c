#include "spec/config_build.h"

#include <errno.h>
#include <stdint.h>
#include <sys/sysmacros.h>

#include "spec/config.h"

const char **spec_build_strv(struct arena *a, const char *const *list, size_t n, size_t *n_out)
{
	const char **out;

	if (n == (size_t)-1)
		for (n = 0; list && list[n]; n++)
			;
	out = spec_build_array(a, n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = list[i];
	*n_out = n;
	return out;
}

void *spec_build_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	/* Never NULL for an empty list: present-and-empty is not absent. */
	return arena_alloc(a, n && size ? n * size : 1);
}

int spec_build_device(struct arena *a, const char *path, const struct stat *st,
		      struct spec_device *out)
{
	*out = (struct spec_device){
		.type = S_ISCHR(st->st_mode) ? 'c' : 'b',
		.path = arena_strdup(a, path),
		.major = major(st->st_rdev),
		.minor = minor(st->st_rdev),
		.file_mode_set = true,
		.file_mode = st->st_mode & 07777,
		.uid_set = true,
		.uid = st->st_uid,
		.gid_set = true,
		.gid = st->st_gid,
	};
	return out->path ? 0 : -ENOMEM;
}
