/* Where the CLI's messages go: stderr always, and the --log file in text
 * or in the JSON lines containerd and podman read
 * ({"level":"error","msg":"...","time":"..."}). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spec/base/timestamp.h"

static void json_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static bool json_format(const struct cli *cli)
{
	return cli->log_format && strcmp(cli->log_format, "json") == 0;
}

static void json_line(FILE *f, const char *level, const char *msg, const char *stamp)
{
	fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
	json_escaped(f, msg);
	fprintf(f, "\",\"time\":\"%s\"}\n", stamp);
}

static void log_line(const struct cli *cli, const char *level, const char *msg)
{
	char stamp[64];
	FILE *f;

	if (!cli->log_path)
		return;
	f = fopen(cli->log_path, "ae");
	if (!f)
		return;
	timestamp_now(stamp, sizeof(stamp));
	if (json_format(cli))
		json_line(f, level, msg, stamp);
	else
		fprintf(f, "%s %s %s\n", stamp, level, msg);
	fclose(f);
}

int cli_fail(const struct cli *cli, const struct berr *err)
{
	fprintf(stderr, "berth: %s\n", err->msg);
	log_line(cli, "error", err->msg);
	return 1;
}

void cli_warn(void *arg, const struct berr *w)
{
	const struct cli *cli = arg;

	fprintf(stderr, "berth: warning: %s\n", w->msg);
	log_line(cli, "warning", w->msg);
}

int cli_failf(const struct cli *cli, const char *fmt, ...)
{
	struct berr err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return cli_fail(cli, &err);
}

/* Debug lines go where runc's do: to the --log file when there is one,
 * else to stderr; in JSON, or in runc's text form
 * (time="..." level=debug msg="..."), which tools grep for. */
void cli_debug_line(void *arg, const char *msg)
{
	const struct cli *cli = arg;
	char stamp[64];
	FILE *f = stderr;

	if (!cli->debug)
		return;
	if (cli->log_path && !(f = fopen(cli->log_path, "ae")))
		return;
	timestamp_now(stamp, sizeof(stamp));
	if (json_format(cli)) {
		json_line(f, "debug", msg, stamp);
	} else {
		fprintf(f, "time=\"%s\" level=debug msg=\"", stamp);
		json_escaped(f, msg);
		fputs("\"\n", f);
	}
	if (f != stderr)
		fclose(f);
}

void cli_debug(const struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!cli->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_debug_line((void *)cli, msg);
}
