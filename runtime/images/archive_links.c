#include "runtime/images/archive_links.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir/target, lexically: "." dropped, ".." pops a name; popping past the
 * root, an absolute target or an empty result fails. */
static int resolve(const char *rel, const char *target, char *out, size_t size)
{
	char buf[PATH_MAX * 2];
	const char *slash = strrchr(rel, '/');
	size_t used = 0;
	char *p, *save = NULL;

	if (!*target || target[0] == '/')
		return -1;
	if ((size_t)snprintf(buf, sizeof(buf), "%.*s/%s", slash ? (int)(slash - rel) : 0, rel,
			     target) >= sizeof(buf))
		return -1;
	out[0] = '\0';
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(p);

		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			char *up = strrchr(out, '/');

			if (!used)
				return -1;
			used = up ? (size_t)(up - out) : 0;
			out[used] = '\0';
			continue;
		}
		if (used + n + 2 > size)
			return -1;
		if (used)
			out[used++] = '/';
		memcpy(out + used, p, n + 1);
		used += n;
	}
	return used ? 0 : -1;
}

int archive_links_add(struct archive_links *l, const char *rel, const char *target,
		      struct berr *err)
{
	char to[PATH_MAX];
	char **from_v, **to_v;

	if (resolve(rel, target, to, sizeof(to)) < 0)
		return berr_invalid(err, "the archive's symlink %s points outside it (to \"%s\")",
				    rel, target);
	from_v = realloc(l->from, (l->n + 1) * sizeof(char *));
	if (from_v)
		l->from = from_v;
	to_v = realloc(l->to, (l->n + 1) * sizeof(char *));
	if (to_v)
		l->to = to_v;
	if (!from_v || !to_v)
		return berr_set(err, ENOMEM, "archive links");
	l->from[l->n] = strdup(rel);
	l->to[l->n] = strdup(to);
	if (!l->from[l->n] || !l->to[l->n]) {
		free(l->from[l->n]);
		free(l->to[l->n]);
		return berr_set(err, ENOMEM, "archive links");
	}
	l->n++;
	return 0;
}

/* A link to a link is made once its target is: as many passes as links
 * at most, so a cycle ends as "names no member". */
int archive_links_apply(const struct archive_links *l, const char *dir, struct berr *err)
{
	size_t done = 0;
	char *made = calloc(l->n ? l->n : 1, 1);

	if (!made)
		return berr_set(err, ENOMEM, "archive links");
	for (size_t pass = 0; pass < l->n && done < l->n; pass++) {
		for (size_t i = 0; i < l->n; i++) {
			char from[PATH_MAX * 2], to[PATH_MAX * 2];
			struct stat st;

			if (made[i])
				continue;
			snprintf(from, sizeof(from), "%s/%s", dir, l->from[i]);
			snprintf(to, sizeof(to), "%s/%s", dir, l->to[i]);
			/* Only regular files and directories are out, and
			 * no symlink: nothing here resolves outside dir. */
			if (lstat(to, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (link(to, from) < 0) {
				int ret = berr_sys(err, "link %s to %s", l->from[i], l->to[i]);

				free(made);
				return ret;
			}
			made[i] = 1;
			done++;
		}
	}
	for (size_t i = 0; i < l->n; i++)
		if (!made[i]) {
			int ret = berr_invalid(err,
					       "the archive's symlink %s names no file of the "
					       "archive (%s)",
					       l->from[i], l->to[i]);

			free(made);
			return ret;
		}
	free(made);
	return 0;
}

void archive_links_free(struct archive_links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->from[i]);
		free(l->to[i]);
	}
	free(l->from);
	free(l->to);
	memset(l, 0, sizeof(*l));
}
