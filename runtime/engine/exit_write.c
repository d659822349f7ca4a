/* The exit file's writer (exit.h), apart from its reader: the shim's
 * monitor writes exit files for the container's whole life and links no
 * JSON library (see shim.h), and the record is four numbers and a time,
 * which a format string writes as the record writer would. */
#include "runtime/engine/exit.h"

#include <stdio.h>
#include <string.h>

#include "spec/base/fsutil.h"

/* What a time as timestamp_now writes it holds: nothing to escape. */
static bool plain(const char *s)
{
	return strspn(s, "0123456789-:.TZ+") == strlen(s);
}

int daemon_exit_write(const char *path, const struct daemon_exit *x, struct berr *err)
{
	char text[256], signal[32] = "", finished[80] = "";
	int n;

	if (!plain(x->finished))
		return berr_fail(err, EINVAL, "write %s: a finish time of unexpected form", path);
	if (x->signal)
		snprintf(signal, sizeof(signal), ",\"signal\":%d", x->signal);
	if (x->finished[0])
		snprintf(finished, sizeof(finished), ",\"finished\":\"%s\"", x->finished);
	n = snprintf(text, sizeof(text), "{\"code\":%d%s%s,\"oom_kills\":%llu}\n", x->code,
		     signal, finished, (unsigned long long)x->oom_kills);
	return fsutil_write_atomic(path, text, (size_t)n, 0600, err);
}
