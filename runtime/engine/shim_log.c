/* The shim's log file rotation (--log-opt max-size, max-file, as
 * docker's json-file driver does it): when the file has grown past the
 * size, FILE.N-2 becomes FILE.N-1 ... FILE becomes FILE.1, and records go
 * on in a new FILE.  With one file kept, the file starts over.  Readers
 * (docker logs) read FILE.N-1 ... FILE.1, FILE in that order, and a
 * follower that reached the end of a renamed file goes on in the new one. */
#include "runtime/engine/shim_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rotate(struct shim *s)
{
	const char *path = s->o->log_path;
	int keep = s->o->log_max_files > 0 ? s->o->log_max_files : 1;
	char from[4096], to[4096];
	struct stat st;
	int fd;

	if (s->o->log_max_size <= 0 || fstat(s->log_fd, &st) < 0 ||
	    st.st_size < s->o->log_max_size)
		return;
	for (int i = keep - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", path);
		else
			snprintf(from, sizeof(from), "%s.%d", path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", path, i);
		rename(from, to);
	}
	if (keep == 1)
		unlink(path);
	/* Where the new file cannot be made the old one goes on growing:
	 * records are never dropped. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(s->log_fd);
	s->log_fd = fd;
}

/* Without rotation, one write of all the records; with it, a line at a
 * time, so that a file ends near max-size whatever a read brought. */
void shim_log_write(struct shim *s, enum daemon_log_stream stream, const char *buf, size_t len)
{
	if (s->o->log_max_size <= 0) {
		daemon_log_write(s->log_fd, stream, buf, len);
		return;
	}
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		daemon_log_write(s->log_fd, stream, buf, n);
		rotate(s);
		buf += n;
		len -= n;
	}
}
