#include "isolation/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"

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

int idmap_write_helper(pid_t pid, const char *helper, const struct spec_id_mapping *m,
		       size_t n, struct berr *err)
{
	/* pid and three numbers per mapping, each at most 10 digits. */
	char *argv[2 + 3 * 340 + 1], nums[1 + 3 * 340][12];
	posix_spawn_file_actions_t fa;
	int out[2], status, spawned;
	char msg[512] = "";
	size_t len = 0, k = 0;
	ssize_t got;
	pid_t child;

	if (n > 340)
		return berr_set(err, E2BIG, "%s: too many mappings", helper);
	argv[k++] = (char *)helper;
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	argv[k++] = nums[0];
	for (size_t i = 0; i < n; i++) {
		unsigned v[3] = { m[i].container_id, m[i].host_id, m[i].size };

		for (int f = 0; f < 3; f++) {
			snprintf(nums[1 + 3 * i + f], sizeof(nums[0]), "%u", v[f]);
			argv[k++] = nums[1 + 3 * i + f];
		}
	}
	argv[k] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0)
		return berr_sys(err, "%s", helper);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
	spawned = posix_spawnp(&child, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (spawned != 0) {
		close(out[0]);
		return berr_set(err, spawned,
				"run %s (Debian package uidmap), which maps ids other than the caller's own",
				helper);
	}
	while (len < sizeof(msg) - 1 &&
	       (got = read(out[0], msg + len, sizeof(msg) - 1 - len)) > 0)
		len += (size_t)got;
	msg[len] = '\0';
	close(out[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, "wait for %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	return berr_fail(err, EPERM, "%s %d: %s", helper, (int)pid,
			 len ? msg : "failed (are the ranges in /etc/subuid, /etc/subgid?)");
}

bool idmap_setgroups_allowed(pid_t pid)
{
	char path[64], buf[16];

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/setgroups");
	if (fsutil_read_at(AT_FDCWD, NULL, path, buf, sizeof(buf)) <= 0)
		return true;
	return strncmp(buf, "deny", 4) != 0;
}
