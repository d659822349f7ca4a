// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchtime: the benchmark's stopwatch.
 *
 *   benchtime [-o FILE] [-l LABEL] [-j N] [-t SECONDS] -- COMMAND [ARG...]
 *   benchtime -w PID [-t SECONDS]
 *
 * The first form runs COMMAND (with -j, N copies at once, "{}" in every
 * argument replaced by the copy's number, 0 to N-1) and appends one line to
 * FILE (default: stdout):
 *
 *   LABEL WALL_NS CPU_NS PEAK_RSS_KIB STATUS
 *
 * WALL_NS is the monotonic time from just before the first copy is spawned
 * until the last one has been reaped, CPU_NS the user and system time of the
 * copies and of what they reaped (on a busy machine it varies much less than
 * the wall time), PEAK_RSS_KIB the largest ru_maxrss
 * among the copies (what `time -v` calls the maximum resident set size: the
 * process and every descendant it reaped), STATUS 0 when every copy exited
 * 0, else the first failure as a shell reports it (exit code, 128 + signal,
 * 124 on timeout, 127 when COMMAND could not be started).  benchtime itself
 * exits 0 once it has written the line, so that a script can go on.
 *
 * The second form waits until process PID (not a child) has exited, using a
 * pidfd: a container's init after `start`, whose parent is someone else.
 * It exits 0, or 124 on timeout.
 *
 * The copies get benchtime's standard streams and environment; the caller
 * redirects them.  A shell measuring `date +%s%N` around a command would
 * count its own fork, and its clock has a coarser grain than this.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void usage(void)
{
	fprintf(stderr,
		"usage: benchtime [-o FILE] [-l LABEL] [-j N] [-t SECONDS] -- COMMAND [ARG...]\n"
		"       benchtime -w PID [-t SECONDS]\n");
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "benchtime: bad number: %s\n", s);
		exit(2);
	}
	return v;
}

/* ARG with every "{}" replaced by N. */
static char *substitute(const char *arg, long n)
{
	char num[24], *out, *o;
	size_t count = 0, len;
	const char *p;

	for (p = arg; (p = strstr(p, "{}")); p += 2)
		count++;
	if (!count)
		return strdup(arg);
	len = (size_t)snprintf(num, sizeof(num), "%ld", n);
	out = malloc(strlen(arg) + count * len + 1);
	if (!out)
		return NULL;
	for (o = out, p = arg; *p;) {
		if (p[0] == '{' && p[1] == '}') {
			memcpy(o, num, len);
			o += len;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Waits for PID, which is not our child, to exit. */
static int wait_foreign(pid_t pid, long timeout_s)
{
	struct pollfd pfd;
	int fd, r;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) {
		if (errno == ESRCH)
			return 0;
		fprintf(stderr, "benchtime: pidfd_open %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, timeout_s > 0 ? (int)(timeout_s * 1000) : -1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "benchtime: poll: %s\n", strerror(errno));
		return 1;
	}
	return r == 0 ? 124 : 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *label = "-";
	long copies = 1, timeout_s = 0, wait_pid = 0, i;
	int opt, first_failure = 0, ret;
	sigset_t chld, empty;
	posix_spawnattr_t attr;
	long peak_kib = 0, running;
	int64_t start, end, deadline, cpu_ns = 0;
	pid_t *pids;
	FILE *out;

	while ((opt = getopt(argc, argv, "+o:l:j:t:w:h")) != -1) {
		switch (opt) {
		case 'o': out_path = optarg; break;
		case 'l': label = optarg; break;
		case 'j': copies = parse_long(optarg, 1, 100000); break;
		case 't': timeout_s = parse_long(optarg, 0, 86400); break;
		case 'w': wait_pid = parse_long(optarg, 1, INT_MAX); break;
		default: usage();
		}
	}
	if (wait_pid)
		return wait_foreign((pid_t)wait_pid, timeout_s);
	if (optind >= argc)
		usage();
	argv += optind;
	argc -= optind;

	/* Every copy's argv, built before the clock starts. */
	char ***cmds = calloc((size_t)copies, sizeof(*cmds));
	pids = calloc((size_t)copies, sizeof(*pids));
	if (!cmds || !pids)
		return 1;
	for (i = 0; i < copies; i++) {
		cmds[i] = calloc((size_t)argc + 1, sizeof(char *));
		if (!cmds[i])
			return 1;
		for (int a = 0; a < argc; a++) {
			cmds[i][a] = copies > 1 ? substitute(argv[a], i) : argv[a];
			if (!cmds[i][a])
				return 1;
		}
	}

	/* SIGCHLD stays blocked here so that sigtimedwait can sleep on it;
	 * the copies start with an empty mask. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &empty);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

	start = now_ns();
	deadline = timeout_s ? start + (int64_t)timeout_s * 1000000000 : 0;
	running = 0;
	for (i = 0; i < copies; i++) {
		ret = posix_spawnp(&pids[i], cmds[i][0], NULL, &attr, cmds[i], environ);
		if (ret) {
			fprintf(stderr, "benchtime: %s: %s\n", cmds[i][0], strerror(ret));
			pids[i] = 0;
			if (!first_failure)
				first_failure = 127;
			continue;
		}
		running++;
	}

	while (running > 0) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);

		if (pid > 0) {
			running--;
			if (ru.ru_maxrss > peak_kib)
				peak_kib = ru.ru_maxrss;
			cpu_ns += ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
				  ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
			if (!first_failure && status_code(status))
				first_failure = status_code(status);
			for (i = 0; i < copies; i++)
				if (pids[i] == pid)
					pids[i] = 0;
			continue;
		}
		if (pid < 0 && errno != EINTR)
			break;

		struct timespec ts = { .tv_sec = 1 }, *tsp = &ts;
		if (deadline) {
			int64_t left = deadline - now_ns();

			if (left <= 0) {
				for (i = 0; i < copies; i++)
					if (pids[i] > 0)
						kill(pids[i], SIGKILL);
				first_failure = 124;
				deadline = 0;
				continue;
			}
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
		} else {
			tsp = NULL;
		}
		sigtimedwait(&chld, NULL, tsp);
	}
	end = now_ns();

	out = out_path ? fopen(out_path, "ae") : stdout;
	if (!out) {
		fprintf(stderr, "benchtime: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	fprintf(out, "%s %lld %lld %ld %d\n", label, (long long)(end - start), (long long)cpu_ns,
		peak_kib, first_failure);
	return fclose(out) ? 1 : 0;
}
