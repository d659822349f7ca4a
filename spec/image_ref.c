/* Docker's image reference grammar (see image_ref.h). */
#include "image_ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_DOMAIN "docker.io"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool any_alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)* */
static bool path_component(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (!lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false; /* a separator must be followed */
	}
	return n > 0;
}

/* Letters and digits, dashes inside. */
static bool domain_label(const char *s, size_t n)
{
	if (n == 0 || !any_alnum(s[0]) || !any_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!any_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool port(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* host [":" port], host being labels joined by dots or "[" IPv6 "]". */
static bool domain(const char *s, size_t n)
{
	const char *colon;
	size_t host;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		size_t inner;

		if (!close)
			return false;
		inner = (size_t)(close - s) - 1;
		if (inner == 0)
			return false;
		for (size_t i = 1; i <= inner; i++)
			if (!hex_digit(s[i]) && s[i] != ':')
				return false;
		host = inner + 2;
		return host == n || (s[host] == ':' && port(s + host + 1, n - host - 1));
	}
	colon = memchr(s, ':', n);
	host = colon ? (size_t)(colon - s) : n;
	if (colon && !port(colon + 1, n - host - 1))
		return false;
	for (size_t start = 0, i = 0; i <= host; i++) {
		if (i < host && s[i] != '.')
			continue;
		if (!domain_label(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* Every "/"-separated component of s[0..n) a path component. */
static bool path(const char *s, size_t n)
{
	for (size_t start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		if (!path_component(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* [\w][\w.-]{0,127} */
static bool tag(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IMAGE_REF_TAG_MAX || !(any_alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!any_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* algorithm ":" hex, of an algorithm docker knows, at its length. */
static const char *digest_problem(const char *s)
{
	static const struct {
		const char *alg;
		size_t hex;
	} known[] = { { "sha256", 64 }, { "sha384", 96 }, { "sha512", 128 } };
	const char *colon = strchr(s, ':');

	if (!colon)
		return "a digest is algorithm:hex";
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t n = strlen(known[i].alg);

		if ((size_t)(colon - s) != n || strncmp(s, known[i].alg, n) != 0)
			continue;
		if (strlen(colon + 1) != known[i].hex)
			return "the digest has the wrong length for its algorithm";
		for (const char *p = colon + 1; *p; p++)
			if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'f'))
				return "a digest's hex digits are lowercase 0-9a-f";
		return NULL;
	}
	return "unsupported digest algorithm (sha256, sha384 and sha512 are)";
}

static bool all_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

static int bad(struct berr *err, const char *s, const char *why)
{
	return berr_invalid(err, "invalid reference format: \"%.300s\": %s", s, why);
}

/* Split name into the domain and the rest as docker does: the first
 * component is a domain when it has a "." or ":", is localhost, or has
 * capitals (which no path component may have). */
static void split_domain(const char *name, size_t n, struct image_ref *r, const char **rest,
			 size_t *rest_n)
{
	const char *slash = memchr(name, '/', n);
	size_t first = slash ? (size_t)(slash - name) : n;

	if (!slash || (!memchr(name, '.', first) && !memchr(name, ':', first) &&
		       !(first == 9 && strncmp(name, "localhost", 9) == 0) &&
		       !has_upper(name, first))) {
		strcpy(r->domain, DEFAULT_DOMAIN);
		*rest = name;
		*rest_n = n;
		return;
	}
	snprintf(r->domain, sizeof(r->domain), "%.*s", (int)first, name);
	if (strcmp(r->domain, "index.docker.io") == 0)
		strcpy(r->domain, DEFAULT_DOMAIN);
	*rest = slash + 1;
	*rest_n = n - first - 1;
}

int image_ref_parse(const char *s, struct image_ref *out, struct berr *err)
{
	const char *at, *slash, *colon, *rest;
	size_t name_n, rest_n, full;
	bool library;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return bad(err, "", "the name is empty");
	if (all_hex64(s))
		return berr_invalid(err,
				 "invalid repository name (%s): a 64-character hexadecimal string "
				 "is an image id, not a name",
				 s);
	at = strchr(s, '@');
	name_n = at ? (size_t)(at - s) : strlen(s);
	if (at) {
		const char *why = digest_problem(at + 1);

		if (why)
			return bad(err, s, why);
		snprintf(out->digest, sizeof(out->digest), "%s", at + 1);
	}
	slash = memrchr(s, '/', name_n);
	colon = memrchr(s, ':', name_n);
	if (colon && (!slash || colon > slash)) {
		size_t tag_n = name_n - (size_t)(colon - s) - 1;

		if (tag_n > IMAGE_REF_TAG_MAX)
			return bad(err, s, "a tag has at most 128 characters");
		snprintf(out->tag, sizeof(out->tag), "%.*s", (int)tag_n, colon + 1);
		if (!tag(out->tag))
			return bad(err, s,
				   "a tag is letters, digits and _ followed by those, . and -");
		name_n = (size_t)(colon - s);
	}
	split_domain(s, name_n, out, &rest, &rest_n);
	if (has_upper(rest, rest_n))
		return bad(err, s, "repository names must be lowercase");
	library = strcmp(out->domain, DEFAULT_DOMAIN) == 0 && !memchr(rest, '/', rest_n);
	full = strlen(out->domain) + 1 + (library ? 8 : 0) + rest_n;
	if (full > IMAGE_REF_NAME_MAX)
		return bad(err, s, "a repository name has at most 255 characters");
	/* The grammar also reads a name whose first component fails as a
	 * domain as one made of path components only ("a_b.c/d"). */
	if (!path(rest, rest_n) ||
	    (rest != s && !domain(s, (size_t)(rest - s) - 1) && !path(s, name_n)))
		return bad(err, s,
			   "a repository name is components of lowercase letters and digits "
			   "joined by single separators (., _, __ or dashes), split by /, after "
			   "an optional registry host[:port]");
	snprintf(out->path, sizeof(out->path), "%s%.*s", library ? "library/" : "", (int)rest_n,
		 rest);
	return 0;
}

int image_ref_familiar(const struct image_ref *r, char *buf, size_t size)
{
	const char *p = r->path;
	bool docker = strcmp(r->domain, DEFAULT_DOMAIN) == 0;
	int n;

	if (docker && strncmp(p, "library/", 8) == 0 && !strchr(p + 8, '/'))
		p += 8;
	n = snprintf(buf, size, "%s%s%s%s%s%s%s", docker ? "" : r->domain, docker ? "" : "/", p,
		     r->tag[0] || !r->digest[0] ? ":" : "",
		     r->tag[0] ? r->tag : r->digest[0] ? "" : "latest", r->digest[0] ? "@" : "",
		     r->digest);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}
