#include "runtime/engine/exit.h"

#include <stdio.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/record_legacy.h"
#include "spec/record.h"

static int read_legacy(const char *path, const char *text, size_t len,
		       struct daemon_exit *x, struct berr *err)
{
	struct record_legacy kv;
	const char *finished;
	int ret;

	ret = record_legacy_parse(text, len, &kv, err);
	if (ret < 0)
		return ret;
	finished = record_legacy_get(&kv, "finished");
	ret = record_legacy_get(&kv, "code") ? 0 : berr_fail(err, EINVAL, "%s: no exit code", path);
	x->code = (int)record_legacy_ll(&kv, "code", 255);
	x->signal = (int)record_legacy_ll(&kv, "signal", 0);
	snprintf(x->finished, sizeof(x->finished), "%s", finished ? finished : "");
	x->oom_kills = (uint64_t)record_legacy_ll(&kv, "oom_kill", 0);
	record_legacy_free(&kv);
	return ret;
}

int daemon_exit_read(const char *path, struct daemon_exit *x, struct berr *err)
{
	cleanup_free char *text = NULL;
	struct record r;
	const char *finished;
	size_t len;
	int ret;

	memset(x, 0, sizeof(*x));
	x->code = 255;
	ret = fsutil_read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	if (record_legacy_is(text, len))
		return read_legacy(path, text, len, x, err);
	ret = record_parse(text, len, &r, err);
	if (ret < 0)
		return berr_wrap(err, ret, "%s", path);
	finished = record_str(&r, "finished");
	ret = record_has(&r, "code") ? 0 : berr_fail(err, EINVAL, "%s: no exit code", path);
	x->code = (int)record_ll(&r, "code", 255);
	x->signal = (int)record_ll(&r, "signal", 0);
	snprintf(x->finished, sizeof(x->finished), "%s", finished ? finished : "");
	x->oom_kills = (uint64_t)record_ll(&r, "oom_kills", 0);
	record_free(&r);
	return ret;
}
