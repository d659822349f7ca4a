/* docker run --privileged: every capability, every host device (and a
 * rule that allows them all), no seccomp filter, no masked or read-only
 * paths, /sys and the cgroup file system writable (bundle.c gives it no
 * seccomp filter unless the request names a profile).
 *
 * "Every capability" is every one berthd itself may hold (its bounding
 * set): dockerd asks for the full set and fails where its own root lacks
 * one (as on a host whose bounding set drops CAP_SYS_RESOURCE). */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "spec/base/cleanup.h"
#include "spec/config_build.h"

uint64_t bundle_privileged_caps(void)
{
	uint64_t caps = 0;

	for (int c = 0; c <= CAP_LAST_CAP && c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			caps |= UINT64_C(1) << c;
	return caps;
}

struct devlist {
	struct spec_device *v;
	size_t n, cap;
};

/* The device nodes below the host's dir (its /dev), not those of its
 * pseudo terminals: the container has its own devpts. */
static int scan(struct arena *a, const char *dir, struct devlist *l, int depth,
		struct berr *err)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[512];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 4 && strcmp(path, "/dev/pts") && strcmp(path, "/dev/shm") &&
			    strcmp(path, "/dev/mqueue") && scan(a, path, l, depth + 1, err) < 0)
				return -ENOMEM;
			continue;
		}
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			continue;
		/* /dev/console and the terminals are the container's own. */
		if (!strcmp(path, "/dev/console") || !strcmp(path, "/dev/ptmx") ||
		    !strcmp(path, "/dev/tty"))
			continue;
		if (l->n == l->cap) {
			struct spec_device *more;

			l->cap = l->cap ? 2 * l->cap : 64;
			more = spec_build_array(a, l->cap, sizeof(*more));
			if (!more)
				return berr_set(err, ENOMEM, "--privileged: devices");
			if (l->n)
				memcpy(more, l->v, l->n * sizeof(*more));
			l->v = more;
		}
		if (spec_build_device(a, path, &st, &l->v[l->n++]) < 0)
			return berr_set(err, ENOMEM, "--privileged: devices");
	}
	return 0;
}

static void drop_ro(struct spec_mount *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "ro") != 0)
			m->options[n++] = m->options[i];
	m->n_options = n;
}

int bundle_privileged(struct spec_config *cfg, struct berr *err)
{
	struct arena *a = &cfg->arena;
	struct spec_linux *l = &cfg->linux;
	struct spec_device_rule *all;
	struct devlist devs = { 0 };
	int ret = scan(a, "/dev", &devs, 0, err);

	if (ret < 0)
		return ret;
	/* The default nodes are among the host's: keep them once. */
	l->devices = devs.v;
	l->n_devices = devs.n;
	all = spec_build_array(a, 1, sizeof(*all));
	if (!all)
		return berr_set(err, ENOMEM, "--privileged");
	*all = (struct spec_device_rule){ .allow = true, .type = 'a', .major = -1, .minor = -1,
					  .access = "rwm" };
	l->resources.devices = all;
	l->resources.n_devices = 1;
	l->masked_paths = NULL;
	l->n_masked_paths = 0;
	l->readonly_paths = NULL;
	l->n_readonly_paths = 0;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (!strcmp(cfg->mounts[i].destination, "/sys") ||
		    !strcmp(cfg->mounts[i].destination, "/sys/fs/cgroup"))
			drop_ro(&cfg->mounts[i]);
	return 0;
}
