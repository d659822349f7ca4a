/* The container log file: what the container wrote to stdout and stderr,
 * in the CRI logging format that the kubelet and containerd use, one
 * record per line:
 *
 *   <time RFC 3339, nanoseconds, UTC> <stdout|stderr> <F|P> <content>\n
 *
 * F closes a line (the newline the container wrote is the record's own);
 * P is a partial line (the container wrote no newline yet, or the line was
 * longer than one read), whose content continues in the next record of the
 * same stream.  Content is the raw bytes; a container with a terminal
 * writes everything as stdout.  The shim writes records with single
 * write(2)s to a file opened O_APPEND, so readers see whole records. */
#ifndef BERTH_ENGINE_LOG_H
#define BERTH_ENGINE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

enum daemon_log_stream { LOG_STDOUT = 1, LOG_STDERR = 2 };

/* Write data as records (partial lines as P). */
int daemon_log_write(int fd, enum daemon_log_stream s, const char *data, size_t len);

struct daemon_log_record {
	enum daemon_log_stream stream;
	int64_t time_nano; /* unix ns */
	const char *time;  /* the RFC 3339 text */
	size_t time_len;
	const char *content;
	size_t len;
	bool partial;
};

/* Parse one record line (without its newline); -EINVAL when malformed. */
int daemon_log_parse(const char *line, size_t len, struct daemon_log_record *r);

/* RFC 3339 with nanoseconds to unix ns; also accepts docker's "since"
 * forms: unix seconds with optional fraction. -EINVAL when neither. */
int daemon_log_time(const char *s, int64_t *ns);

#endif
