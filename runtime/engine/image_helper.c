/* The image helper (berthd-unpack, cmd/berthd/helpers/unpack.c): loads,
 * imports and registry traffic run there, in a process of their own, so
 * that berthd links no archive library, no HTTP client and no TLS for
 * them, and a pull's memory goes when it ends. */
#include "runtime/engine/internal.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

#define MAX_ARGS 64

static void close_pipe(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* Note a running helper, for daemon_shutdown_begin; one started after the
 * stop began ends at once.  -1: no slot (it is then not ended early). */
static int helper_track(struct daemon *d, pid_t pid)
{
	int slot = -1;

	daemon_lock(d);
	if (d->stopping)
		kill(pid, SIGTERM);
	for (int i = 0; i < DAEMON_HELPERS && slot < 0; i++)
		if (d->helpers[i] == 0) {
			d->helpers[i] = pid;
			slot = i;
		}
	daemon_unlock(d);
	return slot;
}

static void helper_untrack(struct daemon *d, int slot)
{
	if (slot < 0)
		return;
	daemon_lock(d);
	d->helpers[slot] = 0;
	daemon_unlock(d);
}

/* Run the helper with argv, feeding it input (when not NULL) on stdin;
 * stdout's lines go to line(), the last line of stderr is the error. */
static int run_helper(struct daemon *d, const char **argv, const char *input,
		      size_t input_len, void (*line)(void *arg, const char *text), void *arg,
		      struct berr *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 }, status = 0;
	char errbuf[1024];
	size_t errlen = 0;
	FILE *f;
	char *buf = NULL;
	size_t cap = 0;
	pid_t pid;
	int slot, ret;

	/* The credentials must fit the pipe, written before the helper
	 * reads: the API layer caps them far below. */
	if (input && input_len > 60 * 1024)
		return berr_invalid(err, "registry credentials are too large");
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (input && pipe2(in, O_CLOEXEC) < 0)) {
		ret = berr_sys(err, "pipe");
		close_pipe(out);
		close_pipe(errp);
		close_pipe(in);
		return ret;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (input)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	/* berthd blocks the signals its signalfd reads and ignores SIGPIPE:
	 * the helper must not inherit that, or the SIGTERM of a stopping
	 * berthd would never end it. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawn(&pid, d->o.unpack_path, &fa, &attr, (char *const *)argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(errp[1]);
	if (input)
		close(in[0]);
	if (ret != 0) {
		close(out[0]);
		close(errp[0]);
		if (input)
			close(in[1]);
		return berr_set(err, ret, "run %s", d->o.unpack_path);
	}
	slot = helper_track(d, pid);
	if (input) {
		ssize_t w = write(in[1], input, input_len);

		(void)w; /* a short write fails the helper's parse, which says so */
		close(in[1]);
	}
	f = fdopen(out[0], "r");
	while (f && getline(&buf, &cap, f) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (line)
			line(arg, buf);
	}
	/* A login's line holds an identity token. */
	if (buf)
		explicit_bzero(buf, cap);
	free(buf);
	if (f)
		fclose(f);
	else
		close(out[0]);
	for (ssize_t r; errlen < sizeof(errbuf) - 1 &&
			(r = read(errp[0], errbuf + errlen, sizeof(errbuf) - 1 - errlen)) > 0;)
		errlen += (size_t)r;
	close(errp[0]);
	errbuf[errlen] = '\0';
	errbuf[strcspn(errbuf, "\n")] = '\0';
	/* Off the list before it is reaped, so that its pid is never
	 * signalled once it could be another process's. */
	helper_untrack(d, slot);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status) && d->stopping)
		return berr_fail(err, EINTR, "berthd is stopping: the image helper was ended");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 10 &&
	    WEXITSTATUS(status) <= 10 + BERR_UNSUPPORTED)
		return berr_failk(err, (enum berr_kind)(WEXITSTATUS(status) - 10), EIO, "%s",
				  errlen ? errbuf : "the image helper failed");
	return berr_invalid(err, "%s", errlen ? errbuf : "the image could not be unpacked");
}

int daemon_image_helper(struct daemon *d, const char *mode, const char *file,
			const char *repo, const char *message,
			void (*line)(void *arg, const char *text), void *arg,
			struct berr *err)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = "berthd-unpack";
	argv[n++] = mode;
	argv[n++] = "--data-root";
	argv[n++] = d->o.data_root;
	argv[n++] = "--file";
	argv[n++] = file;
	if (repo) {
		argv[n++] = "--repo";
		argv[n++] = repo;
	}
	if (message) {
		argv[n++] = "--message";
		argv[n++] = message;
	}
	argv[n] = NULL;
	return run_helper(d, argv, NULL, 0, line, arg, err);
}

int daemon_image_registry(struct daemon *d, const char *mode, const char *ref,
			  const char *auth_json, size_t auth_len,
			  void (*line)(void *arg, const char *text), void *arg,
			  struct berr *err)
{
	const char *argv[MAX_ARGS];
	bool login = strcmp(mode, "login") == 0;
	int n = 0;

	if (strv_len(d->o.insecure) > (MAX_ARGS - 12) / 2)
		return berr_invalid(err, "too many insecure registries (at most %d)",
				    (MAX_ARGS - 12) / 2);

	argv[n++] = "berthd-unpack";
	argv[n++] = mode;
	argv[n++] = login ? "--server" : "--ref";
	argv[n++] = ref;
	argv[n++] = "--data-root";
	argv[n++] = d->o.data_root;
	if (d->o.certs_dir) {
		argv[n++] = "--certs-dir";
		argv[n++] = d->o.certs_dir;
	}
	for (size_t i = 0; d->o.insecure && d->o.insecure[i]; i++) {
		argv[n++] = "--insecure-registry";
		argv[n++] = d->o.insecure[i];
	}
	if (auth_json)
		argv[n++] = "--auth-stdin";
	argv[n] = NULL;
	return run_helper(d, argv, auth_json, auth_len, line, arg, err);
}

int daemon_helper_run(struct daemon *d, const char *const *argv,
		      void (*line)(void *arg, const char *text), void *arg, struct berr *err)
{
	return run_helper(d, (const char **)argv, NULL, 0, line, arg, err);
}
