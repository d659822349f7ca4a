/* berthd's HTTP handling without a listening socket: each input is the
 * bytes a client sends on one connection (request line, headers, query
 * string, a body plain or chunked, maybe several requests), handed to
 * libmicrohttpd over a socketpair and run in this thread, through
 * berthd's own request handling (http.c, included below for its static
 * access handler), its routes and every API handler, down to a fake
 * engine (fake_engine.c) that starts nothing.  Images are real: a store
 * on the sandbox's tmpfs holding one image, put back whenever a request
 * changed it.
 *
 * Covered: the HTTP parsing (libmicrohttpd's, uninstrumented), version
 * prefixes, routing and path captures, query parameters, header and body
 * bounds, the JSON bodies of create, exec, update..., filters, the image
 * store's lookups, tags and removal, streamed replies (logs, events,
 * stats, wait) and the switch to a raw stream (attach, exec start).
 * Not covered: the real engine (supervision, shims, bundles), the unpack
 * helper (the image_load harness has what it runs) and anything that
 * takes longer than one pass (follow streams end when the client's half
 * of the connection is closed, which it is at once).
 *
 * Beyond no crash: every connection ends within a bounded number of
 * passes (a request that never completes is a hang), and what comes back
 * is HTTP. */
/* clang, unlike gcc, counts libmicrohttpd's log format (a parameter of
 * mhd_log) as a non-literal format. */
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#include "../../cmd/berthd/http.c"

#include <ftw.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fake_engine.h"
#include "fuzz.h"
#include "runtime/images/image_digest.h"
#include "runtime/images/image_store.h"
#include "sandbox.h"

/* Passes of libmicrohttpd's loop one connection may take. */
#define MAX_PASSES 10000


/* The harness's own names start with fz_: http.c's statics share this
 * file. */

static struct daemon fz_engine;
static struct srv fz_srv;
static char fz_data_root[128];
static unsigned long long fz_store_print;

static void fz_die(const char *what)
{
	perror(what);
	abort();
}

/* One image, without layers, tagged fuzz:latest and busybox:1. */
static void fz_store_fill(void)
{
	static const char config[] =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
		"\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"],\"Labels\":{\"a\":\"b\"}},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	char id[IMAGE_DIGEST_LEN + 1];
	char *tags[] = { "fuzz:latest", "busybox:1", NULL };
	struct berr err = { 0 };
	int lock;

	image_digest_buf(config, strlen(config), id);
	if (image_store_init(fz_data_root, &err) < 0)
		goto fail;
	lock = image_store_lock(fz_data_root, true, &err);
	if (lock < 0)
		goto fail;
	if (image_store_add_locked(fz_data_root, id, config, strlen(config), NULL, 0,
				   "2024-01-01T00:00:00Z", tags, 2, &err) < 0)
		goto fail;
	close(lock);
	return;
fail:
	fprintf(stderr, "image store: %s\n", err.msg);
	abort();
}

static int fz_print_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path;
	(void)flag;
	(void)f;
	fz_store_print = fz_store_print * 1000003u + (unsigned long long)st->st_ino * 31u +
		      (unsigned long long)st->st_size + (unsigned long long)st->st_mtim.tv_nsec;
	return 0;
}

/* A fingerprint of the store's image records. */
static unsigned long long fz_store_fingerprint(void)
{
	char images[160];

	snprintf(images, sizeof(images), "%s/images", fz_data_root);
	fz_store_print = 0;
	nftw(images, fz_print_one, 16, FTW_PHYS);
	return fz_store_print;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct berr fz_err = { 0 };
	const char *top = sandbox_init("http");

	(void)argc;
	(void)argv;
	berthd_log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	snprintf(fz_data_root, sizeof(fz_data_root), "%s/data", top);
	fz_store_fill();
	fake_engine_init(&fz_engine, top);
	fz_srv.d = &fz_engine;
	fz_srv.data_root = fz_data_root;
	fz_srv.log_level = 3; /* every log line is formatted, then dropped */
	/* The connection bookkeeping berthd keeps (deadlines, the body
	 * budget), as http_start makes it. */
	if (conns_new(&fz_srv, 64, &fz_srv.conns, &fz_err) < 0)
		fz_die("conns_new");
	fz_srv.mhd = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_UPGRADE |
					   MHD_USE_ERROR_LOG,
				   0, NULL, NULL, access_handler, &fz_srv,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				   MHD_OPTION_NOTIFY_COMPLETED, completed, &fz_srv,
				   MHD_OPTION_NOTIFY_CONNECTION, conns_notify, fz_srv.conns,
				   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &fz_srv, MHD_OPTION_END);
	if (!fz_srv.mhd)
		fz_die("MHD_start_daemon");
	return 0;
}

static unsigned fz_connections(void)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(fz_srv.mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

/* Read what came back; the first bytes must be a status line. */
static void fz_drain(int fd, size_t *got, char *head, size_t head_size)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (*got < head_size) {
			size_t k = head_size - *got < (size_t)n ? head_size - *got : (size_t)n;

			memcpy(head + *got, buf, k);
		}
		*got += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "data", "container.log", NULL };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char head[4096] = { 0 };
	size_t sent = 0, got = 0;
	unsigned long long print = fz_store_fingerprint();
	int sv[2], passes;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		fz_die("socketpair");
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (MHD_add_connection(fz_srv.mhd, sv[0], (struct sockaddr *)&addr, sizeof(addr)) != MHD_YES)
		fz_die("MHD_add_connection");
	for (passes = 0; passes < MAX_PASSES; passes++) {
		if (sent < size) {
			ssize_t n = write(sv[1], data + sent, size - sent);

			if (n > 0)
				sent += (size_t)n;
			if (sent == size)
				shutdown(sv[1], SHUT_WR);
		} else if (sent == 0 && passes == 0) {
			shutdown(sv[1], SHUT_WR);
		}
		MHD_run(fz_srv.mhd);
		fz_drain(sv[1], &got, head, sizeof(head) - 1);
		if (sent == size && fz_connections() == 0)
			break;
	}
	if (passes == MAX_PASSES) {
		fprintf(stderr, "the connection did not end in %d passes (%zu of %zu bytes "
				"taken, %zu answered)\n", MAX_PASSES, sent, size, got);
		abort();
	}
	close(sv[1]);
	/* To see what a seed gets: BERTH_FUZZ_VERBOSE=1 fuzz_http FILE */
	if (getenv("BERTH_FUZZ_VERBOSE"))
		fprintf(stderr, "%zu bytes back:\n%s\n", got, head);
	if (got && strncmp(head, "HTTP/1.", 7) != 0) {
		fprintf(stderr, "the reply is not HTTP: %.8s\n", head);
		abort();
	}
	sandbox_check(allowed);
	if (fz_store_fingerprint() != print) {
		sandbox_rmtree(fz_data_root);
		fz_store_fill();
	}
	return 0;
}
