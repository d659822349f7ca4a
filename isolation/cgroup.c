#include "isolation/cgroup.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "isolation/cgroup_v2.h"
#include "spec/cleanup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

int cgroup_detect_layout(enum cgroup_layout *layout, struct berr *err)
{
	struct statfs fs;

	if (statfs(CGROUP_ROOT, &fs) < 0)
		return berr_sys(err, "statfs " CGROUP_ROOT);
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		*layout = CGROUP_UNIFIED;
		return 0;
	}
	if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		*layout = CGROUP_HYBRID;
	else
		*layout = CGROUP_LEGACY;
	return 0;
}

static const char *v2_mountpoint(enum cgroup_layout layout)
{
	switch (layout) {
	case CGROUP_UNIFIED:
		return CGROUP_ROOT;
	case CGROUP_HYBRID:
		return CGROUP_ROOT "/unified";
	case CGROUP_LEGACY:
		break;
	}
	return NULL;
}

static bool has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, ".."))) {
		bool start = p == path || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';

		if (start && end)
			return true;
		p += 2;
	}
	return false;
}

int cgroup_spec_path(const char *cgroups_path, const char *id, char **out,
		     struct berr *err)
{
	int n;

	if (cgroups_path && *cgroups_path) {
		if (has_dotdot(cgroups_path))
			return berr_fail(err, 0, "cgroupsPath %s: must not contain \"..\"",
					cgroups_path);
		*out = strdup(cgroups_path);
	} else {
		n = asprintf(out, "/berth/%s", id);
		if (n < 0)
			*out = NULL;
	}
	if (!*out)
		return berr_sys(err, "cgroup path");
	return 0;
}

/* The caller's own cgroup in the v2 tree ("0::/path" in /proc/self/cgroup). */
static int own_v2_path(char **out, struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return berr_sys(err, "open /proc/self/cgroup");
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			*out = strdup(line + 3);
			return *out ? 0 : berr_sys(err, "own cgroup");
		}
	}
	return berr_fail(err, ENOENT, "no cgroup v2 entry in /proc/self/cgroup");
}

/* Absolute directory of spec_path in the v2 tree mounted at mnt. */
static int v2_dir_for(const char *mnt, const char *spec_path, char **out,
		      struct berr *err)
{
	cleanup_free char *own = NULL;
	int ret, n;

	if (spec_path[0] == '/') {
		n = asprintf(out, "%s%s", mnt, spec_path);
	} else {
		ret = own_v2_path(&own, err);
		if (ret < 0)
			return ret;
		n = asprintf(out, "%s%s/%s", mnt, strcmp(own, "/") ? own : "", spec_path);
	}
	if (n < 0)
		return berr_sys(err, "cgroup path");
	/* A trailing slash would make two names for one cgroup. */
	for (size_t len = strlen(*out); len > 1 && (*out)[len - 1] == '/'; len--)
		(*out)[len - 1] = '\0';
	return 0;
}

int cgroup_create(struct cgroup *cg, const char *spec_path,
		  const struct spec_resources *res, struct berr *err)
{
	const char *mnt;
	int ret;

	memset(cg, 0, sizeof(*cg));
	ret = cgroup_detect_layout(&cg->layout, err);
	if (ret < 0)
		return ret;
	cg->spec_path = strdup(spec_path);
	if (!cg->spec_path)
		return berr_sys(err, "cgroup path");
	mnt = v2_mountpoint(cg->layout);
	if (!mnt)
		return berr_fail(err, EOPNOTSUPP,
				"cgroup v1-only hosts are not supported yet");
	ret = v2_dir_for(mnt, spec_path, &cg->v2_dir, err);
	if (ret < 0)
		goto fail;
	ret = cgroup_v2_create(cg->v2_dir, mnt, &cg->v2_created, err);
	if (ret < 0)
		goto fail;
	if (res) {
		ret = cgroup_v2_apply(cg->v2_dir, mnt, res, cg->layout != CGROUP_UNIFIED, err);
		if (ret < 0)
			goto fail;
	}
	return 0;
fail:
	{
		struct berr ignored;

		cgroup_destroy(cg, &ignored);
	}
	return ret;
}

int cgroup_open_v2(const struct cgroup *cg, struct berr *err)
{
	int fd;

	if (!cg->v2_dir)
		return -1;
	fd = open(cg->v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open cgroup %s", cg->v2_dir);
	return fd;
}

int cgroup_enter(const struct cgroup *cg, pid_t pid, struct berr *err)
{
	if (cg->v2_dir)
		return cgroup_v2_enter(cg->v2_dir, pid, err);
	return 0;
}

int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct berr *err)
{
	*pids = NULL;
	*n = 0;
	if (cg->v2_dir)
		return cgroup_v2_pids(cg->v2_dir, pids, n, err);
	return 0;
}

int cgroup_signal_all(const struct cgroup *cg, int sig, struct berr *err)
{
	if (cg->v2_dir)
		return cgroup_v2_signal_all(cg->v2_dir, sig, err);
	return 0;
}

int cgroup_destroy(struct cgroup *cg, struct berr *err)
{
	if (cg->v2_dir)
		return cgroup_v2_destroy(cg->v2_dir, cg->v2_created, err);
	return 0;
}

char *cgroup_serialize(const struct cgroup *cg)
{
	char *out = NULL;

	if (asprintf(&out, "layout=%d\nspec_path=%s\nv2_dir=%s\nv2_created=%s\n",
		     (int)cg->layout, cg->spec_path ? cg->spec_path : "",
		     cg->v2_dir ? cg->v2_dir : "",
		     cg->v2_created ? cg->v2_created : "") < 0)
		return NULL;
	return out;
}

static int take_value(char **field, const char *value)
{
	free(*field);
	*field = *value ? strdup(value) : NULL;
	return (*value && !*field) ? -ENOMEM : 0;
}

int cgroup_deserialize(struct cgroup *cg, const char *text, struct berr *err)
{
	cleanup_free char *copy = strdup(text);
	char *save = NULL, *line;
	int ret = 0;

	memset(cg, 0, sizeof(*cg));
	if (!copy)
		return berr_sys(err, "cgroup state");
	for (line = strtok_r(copy, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "layout") == 0)
			cg->layout = (enum cgroup_layout)atoi(eq);
		else if (strcmp(line, "spec_path") == 0)
			ret = take_value(&cg->spec_path, eq);
		else if (strcmp(line, "v2_dir") == 0)
			ret = take_value(&cg->v2_dir, eq);
		else if (strcmp(line, "v2_created") == 0)
			ret = take_value(&cg->v2_created, eq);
	}
	if (ret < 0) {
		cgroup_release(cg);
		return berr_set(err, -ret, "cgroup state");
	}
	return 0;
}

void cgroup_release(struct cgroup *cg)
{
	free(cg->spec_path);
	free(cg->v2_dir);
	free(cg->v2_created);
	memset(cg, 0, sizeof(*cg));
}
