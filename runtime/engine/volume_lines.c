/* The mount lines of a container's record (volume.h) and where a
 * volume's files are: what the HTTP layer reads too (the fuzz harness
 * links this file with a fake engine). */
#include "runtime/engine/volume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *daemon_volume_path(const char *data_root, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/volumes/%s/_data", data_root, name) < 0)
		return NULL;
	return p;
}

int daemon_mount_split(char *line, struct daemon_mount *m)
{
	char *f[4];

	for (int i = 0; i < 4; i++) {
		f[i] = strsep(&line, "\t");
		if (!f[i])
			return -EINVAL;
	}
	if (line)
		return -EINVAL;
	*m = (struct daemon_mount){ f[0], f[1], f[2], f[3] };
	return 0;
}

bool daemon_mount_has(const char *options, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = options; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, opt, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}
