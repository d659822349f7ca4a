/* slirp4netns for a rootless berthd's containers (slirp.h). */
#include "runtime/network/slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/proc.h"
#include "spec/base/cleanup.h"
#include "spec/record.h"

/* Its first start in a loaded machine may take a while. */
#define READY_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 5000

extern char **environ;

static void file_of(const char *dir, const char *id, const char *suffix, char *out, size_t n)
{
	snprintf(out, n, "%s/%s.slirp%s", dir, id, suffix);
}

static void remove_files(const char *dir, const char *id)
{
	static const char *const suffixes[] = { "", ".sock", ".log" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		file_of(dir, id, suffixes[i], path, sizeof(path));
		unlink(path);
	}
}

/* The helper's own stderr, for an error that says why it failed. */
static void log_tail(const char *dir, const char *id, char *out, size_t n)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	ssize_t got;

	out[0] = '\0';
	file_of(dir, id, ".log", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	got = read(fd, out, n - 1);
	out[got > 0 ? got : 0] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = *(p + 1) ? ' ' : '\0';
}

/* Run in dir, so that the API socket's name stays short (a socket's path
 * is at most 107 bytes), in a session of its own; fd 3 is its ready fd. */
static int spawn_helper(const char *dir, const char *id, const char *netns, int ready,
			pid_t *pid, struct berr *err)
{
	char sock[128], log[PATH_MAX];
	char *argv[] = { "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
			 "--enable-sandbox", "--enable-seccomp", "--api-socket", sock,
			 "--ready-fd=3", "--netns-type=path", (char *)netns, "tap0", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int ret;

	snprintf(sock, sizeof(sock), "%s.slirp.sock", id);
	file_of(dir, id, ".log", log, sizeof(log));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, ready, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
	ret = posix_spawnp(pid, "slirp4netns", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return berr_set(err, ret, "start slirp4netns (Debian package slirp4netns)");
	return 0;
}

static int wait_ready(int fd, const char *dir, const char *id, struct berr *err)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c = 0, why[512];
	int n = poll(&p, 1, READY_TIMEOUT_MS);

	if (n > 0 && read(fd, &c, 1) == 1 && c == '1')
		return 0;
	log_tail(dir, id, why, sizeof(why));
	if (n == 0)
		return berr_fail(err, ETIMEDOUT, "slirp4netns was not ready after %d s%s%s",
				 READY_TIMEOUT_MS / 1000, why[0] ? ": " : "", why);
	return berr_fail(err, EIO, "slirp4netns failed%s%s", why[0] ? ": " : "",
			 why[0] ? why : " before it was ready");
}

/* One request to the helper's API socket, reached through the directory
 * (its full path may be too long for a socket address). */
static int api_call(const char *dir, const char *id, const char *req, char *resp, size_t n,
		    struct berr *err)
{
	cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t r;

	if (dfd < 0)
		return berr_sys(err, "open %s", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s.slirp.sock", dfd, id);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return berr_sys(err, "connect to slirp4netns's API socket");
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) || shutdown(fd, SHUT_WR) < 0)
		return berr_sys(err, "write to slirp4netns's API socket");
	while (got < n - 1 && (r = read(fd, resp + got, n - 1 - got)) > 0)
		got += (size_t)r;
	resp[got] = '\0';
	return 0;
}

static int forward(const char *dir, const char *id, const struct net_port *p, struct berr *err)
{
	char req[256], resp[1024];
	struct record r;
	struct berr ignored;
	int ret;

	snprintf(req, sizeof(req),
		 "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", "
		 "\"host_addr\": \"%s\", \"host_port\": %u, \"guest_port\": %u}}",
		 p->protocol, p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port,
		 p->container_port);
	ret = api_call(dir, id, req, resp, sizeof(resp), err);
	if (ret < 0)
		return ret;
	if (record_parse(resp, strlen(resp), &r, &ignored) == 0) {
		bool ok = record_has(&r, "return");

		record_free(&r);
		if (ok)
			return 0;
	}
	return berr_fail(err, EIO, "publish port %u/%s on %s:%u through slirp4netns: %s",
			 p->container_port, p->protocol, p->host_ip[0] ? p->host_ip : "0.0.0.0",
			 p->host_port, resp[0] ? resp : "no answer");
}

static int write_record(const char *dir, const char *id, pid_t pid, uint64_t start,
			const struct net_port *ports, size_t n, struct berr *err)
{
	char path[PATH_MAX], **list = calloc(n + 1, sizeof(char *));
	struct record_writer w;
	int ret;

	if (!list)
		return berr_set(err, ENOMEM, "slirp4netns record");
	for (size_t i = 0; i < n; i++)
		if (asprintf(&list[i], "%s/%s/%u/%u", ports[i].protocol, ports[i].host_ip,
			     ports[i].host_port, ports[i].container_port) < 0)
			list[i] = NULL;
	ret = record_begin(&w, err);
	if (ret == 0) {
		record_put_int(&w, "pid", pid);
		record_put_int(&w, "start_time", (int64_t)start);
		record_put_list(&w, "ports", list, n);
		file_of(dir, id, "", path, sizeof(path));
		ret = record_commit(&w, path, err);
	}
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ret;
}

static void endpoint(struct net_endpoint *ep)
{
	*ep = (struct net_endpoint){ .ip = "10.0.2.100", .prefix = 24, .gateway = "10.0.2.2" };
}

/* End the helper: TERM, then KILL if it lingers; reaped when it is our
 * child (after a restart of berthd it is not, and init reaps it). */
static int end_helper(pid_t pid, uint64_t start, struct berr *err)
{
	cleanup_close int fd = proc_pidfd(pid, start, err);
	int ret;

	if (fd == -ESRCH)
		return 0;
	if (fd < 0)
		return fd;
	ret = proc_signal(fd, SIGTERM, err);
	if (ret == 0 && proc_wait_exit(fd, STOP_TIMEOUT_MS) != 0) {
		ret = proc_signal(fd, SIGKILL, err);
		if (ret == 0)
			proc_wait_exit(fd, -1);
	}
	waitpid(pid, NULL, WNOHANG);
	return ret;
}

int net_slirp_start(const char *dir, const char *id, const char *netns,
		    const struct net_port *ports, size_t n_ports, struct net_endpoint *ep,
		    struct berr *err)
{
	int ready[2], ret;
	uint64_t start = 0;
	bool zombie;
	pid_t pid;

	remove_files(dir, id);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	ret = spawn_helper(dir, id, netns, ready[1], &pid, err);
	close(ready[1]);
	if (ret == 0) {
		ret = wait_ready(ready[0], dir, id, err);
		if (ret == 0 && proc_stat(pid, &start, &zombie) < 0)
			ret = berr_fail(err, ESRCH, "slirp4netns ended at once");
		for (size_t i = 0; ret == 0 && i < n_ports; i++)
			ret = forward(dir, id, &ports[i], err);
		if (ret == 0)
			ret = write_record(dir, id, pid, start, ports, n_ports, err);
		if (ret < 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	close(ready[0]);
	if (ret < 0) {
		remove_files(dir, id);
		return ret;
	}
	endpoint(ep);
	return 0;
}

int net_slirp_stop(const char *dir, const char *id, struct berr *err)
{
	char path[PATH_MAX];
	struct record r;
	int ret;

	file_of(dir, id, "", path, sizeof(path));
	ret = record_load(path, &r, err);
	if (ret == -ENOENT) {
		remove_files(dir, id);
		return 0;
	}
	if (ret < 0)
		return ret;
	ret = end_helper((pid_t)record_ll(&r, "pid", 0), (uint64_t)record_ll(&r, "start_time", 0),
			 err);
	record_free(&r);
	if (ret == 0)
		remove_files(dir, id);
	return ret;
}

static int parse_port(const char *s, struct net_port *p)
{
	char proto[sizeof(p->protocol)] = "", ip[sizeof(p->host_ip)] = "";
	unsigned hp = 0, cp = 0;

	/* proto/[ip]/host/container */
	if (sscanf(s, "%3[a-z]/%47[^/]/%u/%u", proto, ip, &hp, &cp) != 4 &&
	    sscanf(s, "%3[a-z]//%u/%u", proto, &hp, &cp) != 3)
		return -EINVAL;
	*p = (struct net_port){ .host_port = (uint16_t)hp, .container_port = (uint16_t)cp };
	memcpy(p->protocol, proto, sizeof(proto));
	memcpy(p->host_ip, ip, sizeof(ip));
	return 0;
}

int net_slirp_load(const char *dir, const char *id, struct net_endpoint *ep,
		   struct net_port **ports, size_t *n_ports, struct berr *err)
{
	char path[PATH_MAX], **list = NULL;
	struct record r;
	size_t n = 0, kept = 0;
	int ret;

	file_of(dir, id, "", path, sizeof(path));
	ret = record_load(path, &r, err);
	if (ret < 0)
		return ret;
	ret = record_strv(&r, "ports", &list, &n);
	record_free(&r);
	if (ret < 0)
		return berr_set(err, -ret, "slirp4netns record");
	*ports = calloc(n ? n : 1, sizeof(**ports));
	if (!*ports) {
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		free(list);
		return berr_set(err, ENOMEM, "slirp4netns record");
	}
	for (size_t i = 0; i < n; i++) {
		if (parse_port(list[i], &(*ports)[kept]) == 0)
			kept++;
		free(list[i]);
	}
	free(list);
	*n_ports = kept;
	endpoint(ep);
	return 0;
}
