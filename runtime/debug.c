#include "runtime/debug.h"

#include <stdarg.h>
#include <stdio.h>

void debug_log(const struct rt_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->debug(ctx->debug_arg, msg);
}
