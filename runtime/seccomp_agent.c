#include "runtime/seccomp_agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include "isolation/fdpass.h"
#include "spec/base/cleanup.h"
#include "spec/process_state.h"

int seccomp_agent_send(const struct spec_seccomp *s, const struct spec_state *state,
		       pid_t pid, int listener, struct berr *err)
{
	static const char *const fds[] = { "seccompFd" };
	cleanup_free char *json = NULL;
	cleanup_close int sock = -1;
	size_t len;
	int ret;

	ret = spec_process_state_json(state, pid, s->listener_metadata, fds, 1, &json, &len,
				      err);
	if (ret < 0)
		return ret;
	sock = fdpass_connect(s->listener_path, err);
	if (sock < 0)
		return berr_wrap(err, sock, "seccomp agent %s", s->listener_path);
	/* One sendmsg: a blocking stream socket takes all of it, with the
	 * fd attached to the first byte. */
	ret = fdpass_send(sock, json, len, listener, err);
	if (ret < 0)
		return berr_wrap(err, ret, "seccomp agent %s", s->listener_path);
	return 0;
}

static bool notifies(const struct spec_seccomp *s)
{
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (s->syscalls[i].action == SECCOMP_ACT_NOTIFY)
			return true;
	return false;
}

int seccomp_agent_check(const struct spec_seccomp *s, struct berr *err)
{
	struct stat st;

	if (!s->set || !s->listener_path || !*s->listener_path || !notifies(s))
		return 0;
	if (stat(s->listener_path, &st) < 0)
		return berr_sys(err, "seccomp agent %s", s->listener_path);
	if (!S_ISSOCK(st.st_mode))
		return berr_fail(err, ENOTSOCK, "seccomp agent %s: not a socket", s->listener_path);
	return 0;
}
