/* The shim's command line, both ways: berthd starts set-up with one, and
 * each stage passes its options on to the next (shim.h) the same way, so
 * that one parser serves every stage and `ps` shows what each one is. */
#include "runtime/engine/shim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct argv_buf {
	char **argv;
	size_t n;
	char *buf;
	size_t size, used;
	bool full;
};

static void put(struct argv_buf *a, const char *s)
{
	if (a->n + 1 >= SHIM_ARGV_MAX) {
		a->full = true;
		return;
	}
	a->argv[a->n++] = (char *)s;
}

/* A number, kept in buf until the execve. */
static void put_num(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_num(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(a->buf + a->used, a->size - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= a->size - a->used) {
		a->full = true;
		return;
	}
	put(a, a->buf + a->used);
	a->used += (size_t)n + 1;
}

static void put_opt(struct argv_buf *a, const char *name, const char *value)
{
	if (!value)
		return;
	put(a, name);
	put(a, value);
}

int shim_argv(const struct shim_opts *o, const char *mode, char **argv, char *buf, size_t size)
{
	struct argv_buf a = { .argv = argv, .buf = buf, .size = size };

	put(&a, "berthd-shim");
	if (mode)
		put(&a, mode);
	put_opt(&a, "--root", o->oci_root);
	put_opt(&a, "--id", o->id);
	put_opt(&a, "--bundle", o->bundle);
	put_opt(&a, "--log", o->log_path);
	put_opt(&a, "--exit-file", o->exit_path);
	put_opt(&a, "--socket", o->socket_path);
	put_opt(&a, "--rootfs", o->rootfs_mount);
	if (!mode)
		put_opt(&a, "--removal", o->removal);
	if (o->tty)
		put(&a, "--tty");
	if (o->open_stdin)
		put(&a, "--stdin");
	if (o->stdin_once)
		put(&a, "--stdin-once");
	if (o->log_max_size > 0) {
		put(&a, "--log-max-size");
		put_num(&a, "%lld", o->log_max_size);
		put(&a, "--log-max-files");
		put_num(&a, "%d", o->log_max_files);
	}
	if (o->init > 0) {
		put(&a, "--init");
		put_num(&a, "%d", (int)o->init);
		put(&a, "--fds");
		put_num(&a, "%d,%d,%d,%d,%d,%d,%d", o->fds.log, o->fds.listen, o->fds.out,
			o->fds.err, o->fds.in, o->fds.tty, o->fds.exe);
	}
	put_opt(&a, "--process", o->process_path);
	if (o->process_path) {
		put(&a, "--stdio");
		put_num(&a, "%d,%d,%d", o->stdio[0], o->stdio[1], o->stdio[2]);
		put(&a, "--reply");
		put_num(&a, "%d", o->reply_fd);
	}
	if (mode && strcmp(mode, "--finish") == 0) {
		put(&a, "--status");
		put_num(&a, "%d", o->status);
	}
	a.argv[a.n] = NULL;
	return a.full ? -E2BIG : 0;
}

static bool ints(const char *s, int *out, int n)
{
	char *end;

	for (int i = 0; i < n; i++) {
		long v = strtol(s, &end, 10);

		if (end == s || v < -1 || v > 1 << 30 || *end != (i == n - 1 ? '\0' : ','))
			return false;
		out[i] = (int)v;
		s = end + 1;
	}
	return true;
}

int shim_parse(int argc, char **argv, struct shim_opts *o)
{
	int fds[7];

	for (int i = 1; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool took = true;

		if (strcmp(k, "--tty") == 0)
			o->tty = true, took = false;
		else if (strcmp(k, "--stdin") == 0)
			o->open_stdin = true, took = false;
		else if (strcmp(k, "--stdin-once") == 0)
			o->stdin_once = true, took = false;
		else if (strcmp(k, "--loopback") == 0)
			o->loopback = true, took = false;
		else if (strcmp(k, "--exec-helper") == 0 || strcmp(k, "--finish") == 0)
			took = false; /* the mode: main's */
		else if (!v)
			return -EINVAL;
		else if (strcmp(k, "--root") == 0)
			o->oci_root = v;
		else if (strcmp(k, "--id") == 0)
			o->id = v;
		else if (strcmp(k, "--bundle") == 0)
			o->bundle = v;
		else if (strcmp(k, "--log") == 0)
			o->log_path = v;
		else if (strcmp(k, "--exit-file") == 0)
			o->exit_path = v;
		else if (strcmp(k, "--socket") == 0)
			o->socket_path = v;
		else if (strcmp(k, "--rootfs") == 0)
			o->rootfs_mount = v;
		else if (strcmp(k, "--removal") == 0)
			o->removal = v;
		else if (strcmp(k, "--monitor") == 0)
			o->monitor_path = v;
		else if (strcmp(k, "--process") == 0)
			o->process_path = v;
		else if (strcmp(k, "--log-max-size") == 0)
			o->log_max_size = atoll(v);
		else if (strcmp(k, "--log-max-files") == 0)
			o->log_max_files = atoi(v);
		else if (strcmp(k, "--init") == 0)
			o->init = (pid_t)atoi(v);
		else if (strcmp(k, "--reply") == 0)
			o->reply_fd = atoi(v);
		else if (strcmp(k, "--status") == 0)
			o->status = atoi(v);
		else if (strcmp(k, "--stdio") == 0) {
			if (!ints(v, o->stdio, 3))
				return -EINVAL;
		} else if (strcmp(k, "--fds") == 0) {
			if (!ints(v, fds, 7))
				return -EINVAL;
			o->fds = (struct shim_fds){ fds[0], fds[1], fds[2], fds[3],
						    fds[4], fds[5], fds[6] };
		} else
			return -EINVAL;
		if (took)
			i++;
	}
	return o->oci_root && o->id ? 0 : -EINVAL;
}
