#include "runtime/images/layer_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

char *layer_archive_path(const char *data_root, const char *diff_id)
{
	cleanup_free char *dir = layer_store_dir(data_root, diff_id);
	char *p;

	if (!dir || asprintf(&p, "%s/archive", dir) < 0)
		return NULL;
	return p;
}

static int copy_file(const char *from, const char *to, struct berr *err)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return berr_sys(err, "open %s", from);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return berr_sys(err, "create %s", to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0, w; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return berr_sys(err, "write %s", to);
		}
	if (n < 0)
		return berr_sys(err, "read %s", from);
	return 0;
}

int layer_archive_keep(const char *blob, const char *tmp_dir, struct berr *err)
{
	cleanup_free char *to = NULL;

	if (asprintf(&to, "%s/archive", tmp_dir) < 0)
		return berr_sys(err, "layer archive");
	/* The blob is the caller's, on its way out: a link costs nothing
	 * where the store and the upload share a filesystem. */
	if (link(blob, to) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return berr_sys(err, "keep the layer archive %s", blob);
	return copy_file(blob, to, err);
}
