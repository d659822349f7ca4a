/* Where the CLI's messages go: stderr always, and the --log file in text
 * or in the JSON lines containerd and podman read
 * ({"level":"error","msg":"...","time":"..."}). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

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

static void log_line(const struct cli *cli, const char *level, const char *msg)
{
	char stamp[64];
	struct timespec ts;
	struct tm tm;
	FILE *f;

	if (!cli->log_path)
		return;
	f = fopen(cli->log_path, "ae");
	if (!f)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (cli->log_format && strcmp(cli->log_format, "json") == 0) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
		json_escaped(f, msg);
		fprintf(f, "\",\"time\":\"%s.%09ldZ\"}\n", stamp, ts.tv_nsec);
	} else {
		fprintf(f, "%s.%09ldZ %s %s\n", stamp, ts.tv_nsec, level, msg);
	}
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

void cli_debug(const struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!cli->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->log_path)
		log_line(cli, "debug", msg);
	else
		fprintf(stderr, "berth: debug: %s\n", msg);
}
