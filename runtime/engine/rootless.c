/* berthd started by a user other than root: its defaults in the user's
 * own directories, and the user namespace it then runs in. */
#include "runtime/engine/rootless.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/runtime.h"

/* mkdir -p, the last component 0700. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int daemon_rootless_defaults(struct daemon_rootless *r, struct berr *err)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int ret;

	ret = rt_default_root(r->run, sizeof(r->run), err);
	if (ret < 0)
		return ret;
	snprintf(r->sock, sizeof(r->sock), "%s/berthd.sock", r->run);
	if (data && data[0] == '/')
		snprintf(r->data, sizeof(r->data), "%s/berth", data);
	else if (home && home[0] == '/')
		snprintf(r->data, sizeof(r->data), "%s/.local/share/berth", home);
	else
		return berr_invalid(err, "neither XDG_DATA_HOME nor HOME is set: give --data-root");
	return 0;
}

/* Where the holder of a rootless berthd's namespaces is named: beside
 * its state, which lives as long (both go with the user's session). */
static void hold_file(const char *root, char *out, size_t n)
{
	snprintf(out, n, "%s/berthd-userns", root);
}

int daemon_rootless_enter(const char *data_root, const char *root, struct berr *err)
{
	char path[4200], name[64];
	struct passwd *pw = getpwuid(geteuid());

	/* The data root's parents are the user's to make, before the user
	 * namespace (where they would still be, but less plainly); the
	 * state root holds the name of the namespaces' holder. */
	snprintf(path, sizeof(path), "%s", data_root);
	if (make_dirs(path) < 0)
		return berr_sys(err, "create %s", data_root);
	snprintf(path, sizeof(path), "%s", root);
	if (make_dirs(path) < 0)
		return berr_sys(err, "create %s", root);
	hold_file(root, path, sizeof(path));
	snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "");
	return rt_rootless_enter(name, path, err);
}

void daemon_rootless_leave(const char *root)
{
	char path[4200];

	hold_file(root, path, sizeof(path));
	rt_rootless_leave(path);
}
