#include "isolation/idmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

static int write_proc(pid_t pid, const char *file, const char *data, size_t len,
		      struct berr *err)
{
	char path[64];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	/* The kernel takes a map in one write only. */
	if (write(fd, data, len) != (ssize_t)len)
		return berr_sys(err, "write %s", path);
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct spec_id_mapping *m,
		     size_t n, struct berr *err)
{
	char buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
				 m[i].container_id, m[i].host_id, m[i].size);

		if (k < 0 || (size_t)k >= sizeof(buf) - len)
			return berr_set(err, E2BIG, "%s: too many mappings", file);
		len += (size_t)k;
	}
	return write_proc(pid, file, buf, len, err);
}

int idmap_write(pid_t pid, const struct spec_id_mapping *uids, size_t n_uids,
		const struct spec_id_mapping *gids, size_t n_gids,
		bool deny_setgroups, struct berr *err)
{
	int ret;

	if (deny_setgroups) {
		ret = write_proc(pid, "setgroups", "deny", 4, err);
		if (ret < 0)
			return ret;
	}
	if (n_uids) {
		ret = write_map(pid, "uid_map", uids, n_uids, err);
		if (ret < 0)
			return ret;
	}
	if (n_gids)
		return write_map(pid, "gid_map", gids, n_gids, err);
	return 0;
}
