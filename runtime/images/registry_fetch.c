/* Requests to a registry through libcurl: TLS settings from the client,
 * authentication on a 401, and retries with backoff where the failure may
 * pass (the connection, 429, 5xx). */
#include "runtime/images/registry_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

#define ATTEMPTS 5
#define FIRST_BACKOFF_MS 500
/* The longest Retry-After waited for: a registry that asks for more
 * (Docker Hub's pull limits name hours) gets the error at once. */
#define RETRY_AFTER_MAX_S 60

void registry_resp_free(struct registry_resp *r)
{
	free(r->body);
	free(r->www_authenticate);
	memset(r, 0, sizeof(*r));
}

struct xfer {
	struct registry_resp *resp;
	const struct registry_req *q;
	size_t cap;
	bool too_long, sink_failed;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	/* Only a successful answer's body goes to the sink; an error's is
	 * kept to say what went wrong. */
	if (x->q->sink && x->resp->status / 100 == 2) {
		if (x->q->sink->write(x->q->sink->arg, data, len) < 0) {
			x->sink_failed = true;
			return 0;
		}
		return len;
	}
	if (x->resp->len + len > x->q->max_body) {
		x->too_long = true;
		return 0;
	}
	if (x->resp->len + len + 1 > x->cap) {
		size_t cap = (x->resp->len + len + 1) * 2;
		char *grown = realloc(x->resp->body, cap);

		if (!grown)
			return 0;
		x->resp->body = grown;
		x->cap = cap;
	}
	memcpy(x->resp->body + x->resp->len, data, len);
	x->resp->len += len;
	x->resp->body[x->resp->len] = '\0';
	return len;
}

static void header_value(const char *line, size_t len, size_t name_len, char *out,
			 size_t size)
{
	const char *v = line + name_len;
	size_t n;

	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	n = (size_t)(line + len - v);
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct registry_resp *r = x->resp;
	size_t len = size * n;

	/* A new response (after a redirect) starts afresh. */
	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		long status = 0;
		const char *sp = memchr(line, ' ', len);

		if (sp)
			status = strtol(sp + 1, NULL, 10);
		r->status = status;
		r->content_type[0] = r->digest[0] = r->range[0] = r->next[0] = '\0';
		r->chunk_min = 0;
		r->retry_after = -1;
		return len;
	}
	if (len > 13 && strncasecmp(line, "Content-Type:", 13) == 0)
		header_value(line, len, 13, r->content_type, sizeof(r->content_type));
	else if (len > 22 && strncasecmp(line, "Docker-Content-Digest:", 22) == 0)
		header_value(line, len, 22, r->digest, sizeof(r->digest));
	else if (len > 9 && strncasecmp(line, "Location:", 9) == 0)
		header_value(line, len, 9, r->location, sizeof(r->location));
	else if (len > 6 && strncasecmp(line, "Range:", 6) == 0)
		header_value(line, len, 6, r->range, sizeof(r->range));
	else if (len > 21 && strncasecmp(line, "OCI-Chunk-Min-Length:", 21) == 0) {
		char buf[32];

		header_value(line, len, 21, buf, sizeof(buf));
		r->chunk_min = strtoll(buf, NULL, 10);
	} else if (len > 5 && strncasecmp(line, "Link:", 5) == 0) {
		char buf[1100], *lt, *gt;

		/* <URL>; rel="next" (the next page of a list) */
		header_value(line, len, 5, buf, sizeof(buf));
		lt = strchr(buf, '<');
		gt = lt ? strchr(lt, '>') : NULL;
		if (gt && strstr(gt, "rel=\"next\"") && (size_t)(gt - lt - 1) < sizeof(r->next)) {
			*gt = '\0';
			snprintf(r->next, sizeof(r->next), "%s", lt + 1);
		}
	} else if (len > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		char buf[64], *end;
		long v;

		/* Seconds, or an HTTP date. */
		header_value(line, len, 12, buf, sizeof(buf));
		v = strtol(buf, &end, 10);
		if (end == buf || *end) {
			time_t at = curl_getdate(buf, NULL);

			v = at > 0 ? (long)(at - time(NULL)) : -1;
			if (at > 0 && v < 0)
				v = 0;
		}
		r->retry_after = v;
	} else if (len > 17 && strncasecmp(line, "WWW-Authenticate:", 17) == 0) {
		char buf[2048];

		header_value(line, len, 17, buf, sizeof(buf));
		free(r->www_authenticate);
		r->www_authenticate = strdup(buf);
	}
	return len;
}

/* A body read from a file: body_len bytes from body_off, by offset, so
 * that a chunk of a blob needs no copy and a retry starts it again. */
struct file_body {
	int fd;
	off_t off;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct file_body *b = arg;
	size_t want = size * n < b->left ? size * n : b->left;
	ssize_t r;

	if (want == 0)
		return 0;
	do
		r = pread(b->fd, buf, want, b->off);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return CURL_READFUNC_ABORT;
	b->off += r;
	b->left -= (size_t)r;
	return (size_t)r;
}

static bool transient_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool transient_status(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 ||
	       status == 504;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static char *authz_header(struct registry_client *c)
{
	char *h = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->authz && asprintf(&h, "Authorization: %s", c->authz) < 0)
		h = NULL;
	pthread_mutex_unlock(&c->lock);
	return h;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* One attempt; the curl result comes back, the response in resp. */
static CURLcode attempt(struct registry_client *c, CURL *h, const struct registry_req *q,
			const char *url, struct registry_resp *resp, struct xfer *x,
			char *curl_msg)
{
	struct curl_slist *headers = NULL;
	struct file_body fb = { .fd = q->body_fd, .off = q->body_off, .left = q->body_len };
	char *authz = authz_header(c);
	char ctype[160];
	CURLcode rc;

	curl_easy_reset(h);
	registry_curl_setup(c, h);
	registry_resp_free(resp);
	memset(x, 0, sizeof(*x));
	x->resp = resp;
	x->q = q;
	if (q->sink && q->sink->reset)
		q->sink->reset(q->sink->arg);
	if (q->accept)
		headers = curl_slist_append(headers, q->accept);
	if (authz)
		headers = curl_slist_append(headers, authz);
	if (q->content_type) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", q->content_type);
		headers = curl_slist_append(headers, ctype);
	}
	if (q->header)
		headers = curl_slist_append(headers, q->header);
	/* libcurl's "Expect: 100-continue" waits a second on registries that
	 * do not answer it. */
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, q->method ? 0L : 1L);
	if (q->method && strcmp(q->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (q->method && strcmp(q->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
		if (q->body_fd >= 0) {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &fb);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_len);
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)q->body_len);
		}
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(headers);
	wipe_free(authz);
	return rc;
}

static bool is_url(const char *p)
{
	return strncmp(p, "https://", 8) == 0 || strncmp(p, "http://", 7) == 0;
}

static int curl_error(struct registry_client *c, CURLcode rc, const char *curl_msg,
		      const char *what, struct berr *err)
{
	const char *hint = "";

	/* OpenSSL's word for an answer in plain HTTP. */
	if (strstr(curl_msg, "wrong version number") && strncmp(c->base, "https:", 6) == 0)
		hint = " (a registry served over plain HTTP must be named with "
		       "--insecure-registry)";
	/* A registry that wants a client certificate ends the handshake in
	 * ways that vary with timing (an alert, a reset): say where one
	 * goes when none was given. */
	else if ((rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SEND_ERROR ||
		  rc == CURLE_RECV_ERROR) &&
		 strncmp(c->base, "https:", 6) == 0 && !c->client_cert)
		hint = " (if the registry wants a client certificate: --certs-dir's "
		       "HOST:PORT/client.cert and client.key)";
	else if (rc == CURLE_PEER_FAILED_VERIFICATION)
		hint = " (a registry's own CA goes in --certs-dir's HOST:PORT/ca.crt)";
	return berr_fail(err, EIO, "%s: %s: %s%s", what, curl_easy_strerror(rc),
			 curl_msg[0] ? curl_msg : "-", hint);
}

int registry_do(struct registry_client *c, const struct registry_req *q,
		struct registry_resp *resp, const char *what, struct berr *err)
{
	CURL *h = curl_easy_init();
	char url[4096], curl_msg[CURL_ERROR_SIZE];
	long backoff = FIRST_BACKOFF_MS;
	bool authed = false;
	struct xfer x;
	int ret = 0;

	memset(resp, 0, sizeof(*resp));
	if (!h)
		return berr_fail(err, ENOMEM, "%s: cannot start a transfer", what);
	if ((size_t)snprintf(url, sizeof(url), "%s%s", is_url(q->path) ? "" : c->base,
			     q->path) >= sizeof(url)) {
		curl_easy_cleanup(h);
		return berr_invalid(err, "%s: URL too long", what);
	}
	for (int i = 0, attempts = q->once ? 1 : ATTEMPTS; i < attempts; i++) {
		CURLcode rc;

		curl_msg[0] = '\0';
		rc = attempt(c, h, q, url, resp, &x, curl_msg);
		if (x.sink_failed) {
			ret = -EIO;
			if (q->sink->err)
				ret = -q->sink->err->errnum;
			break;
		}
		if (x.too_long) {
			ret = berr_invalid(err, "%s: the registry's answer is larger than %zu bytes",
					   what, q->max_body);
			break;
		}
		if (rc != CURLE_OK && !transient_curl(rc)) {
			ret = curl_error(c, rc, curl_msg, what, err);
			break;
		}
		if (rc == CURLE_OK && resp->status == 401 && !authed && resp->www_authenticate) {
			authed = true;
			ret = registry_auth_challenge(c, resp->www_authenticate, err);
			if (ret < 0) {
				berr_wrap(err, ret, "%s", what);
				break;
			}
			i--; /* the answer to a challenge is not a retry */
			continue;
		}
		if (rc == CURLE_OK && !transient_status(resp->status))
			break;
		if (rc == CURLE_OK && resp->retry_after > RETRY_AFTER_MAX_S) {
			struct berr first;

			registry_status_error(resp, what, &first);
			ret = berr_failk(err, first.kind, first.errnum,
					 "%s, and asks to wait %ld s before trying again", first.msg,
					 resp->retry_after);
			break;
		}
		if (i + 1 == attempts) {
			if (rc != CURLE_OK)
				ret = curl_error(c, rc, curl_msg, what, err);
			break;
		}
		/* The backoff, or longer where the registry asks for it. */
		if (rc == CURLE_OK && resp->retry_after * 1000 > backoff)
			sleep_ms(resp->retry_after * 1000);
		else
			sleep_ms(backoff);
		backoff *= 2;
	}
	curl_easy_cleanup(h);
	if (ret < 0)
		registry_resp_free(resp);
	return ret;
}

int registry_status_error(const struct registry_resp *resp, const char *what,
			  struct berr *err)
{
	char detail[512];

	spec_registry_error(resp->body, resp->len, detail, sizeof(detail));
	if (resp->status == 401 || resp->status == 403)
		return berr_failk(err, BERR_INVALID, EACCES,
				  "%s: access denied by the registry (HTTP %ld%s%s); log in with "
				  "'docker login' first if it needs credentials",
				  what, resp->status, detail[0] ? ", " : "", detail);
	if (resp->status == 404)
		return berr_not_found(err, "%s: not found in the registry%s%s", what,
				      detail[0] ? ": " : "", detail);
	return berr_fail(err, EIO, "%s: the registry answered HTTP %ld%s%s", what, resp->status,
			 detail[0] ? ": " : "", detail);
}
