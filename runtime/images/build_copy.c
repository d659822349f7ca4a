#include "runtime/images/build_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/images/tree_copy.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static int open_in_ctx(int ctx, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, ctx, *rel ? rel : ".", &how, sizeof(how));
}

/* A context path made relative and clean: leading / and ./ dropped. */
static const char *relative(const char *s)
{
	for (;;) {
		if (*s == '/')
			s++;
		else if (!strncmp(s, "./", 2))
			s += 2;
		else if (!strcmp(s, "."))
			s++;
		else
			return s;
	}
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The context paths matching pattern, component by component. */
static int glob_ctx(int ctx, const char *dir, const char *pattern, char ***out)
{
	const char *slash = strchr(pattern, '/');
	size_t n = slash ? (size_t)(slash - pattern) : strlen(pattern);
	cleanup_free char *part = strndup(pattern, n);
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;
	int fd;

	if (!part)
		return -ENOMEM;
	if (!*part)
		return slash ? glob_ctx(ctx, dir, slash + 1, out) : 0;
	fd = open_in_ctx(ctx, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d))) {
		char path[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fnmatch(part, e->d_name, 0) != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", e->d_name);
		if (slash && slash[1]) {
			int ret = glob_ctx(ctx, path, slash + 1, out);

			if (ret < 0)
				return ret;
		} else if (strv_push(out, path) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* --chown's names looked up in the root's /etc/passwd or /etc/group
 * (field 2 the id, field 3 a user's group). */
static int lookup_id(const char *file, const char *name, long *id, long *gid)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *fields[4] = { 0 }, *p = line;
		int n = 0;

		for (char *t = strsep(&p, ":"); t && n < 4; t = strsep(&p, ":"))
			fields[n++] = t;
		if (n >= 3 && !strcmp(fields[0], name)) {
			*id = strtol(fields[2], NULL, 10);
			if (gid && n >= 4)
				*gid = strtol(fields[3], NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

static int parse_id(const char *s, const char *file, long *id, long *gid, struct berr *err)
{
	char *end;

	*id = strtol(s, &end, 10);
	if (*s && !*end && *id >= 0)
		return 0;
	if (lookup_id(file, s, id, gid) < 0)
		return berr_invalid(err, "unable to convert uid/gid chown string to host mapping: "
					 "can't find %s with name %s in %s",
				    strstr(file, "group") ? "gid for group" : "uid for user", s, file);
	return 0;
}

static int owner(const char *spec, uid_t *uid, gid_t *gid, struct berr *err)
{
	cleanup_free char *user = NULL;
	char *colon;
	long u = 0, g = -1;
	int ret;

	*uid = 0;
	*gid = 0;
	if (!spec || !*spec)
		return 0;
	user = strdup(spec);
	if (!user)
		return berr_set(err, ENOMEM, "chown");
	colon = strchr(user, ':');
	if (colon)
		*colon++ = '\0';
	ret = parse_id(user, "/etc/passwd", &u, &g, err);
	if (ret == 0 && colon)
		ret = parse_id(colon, "/etc/group", &g, NULL, err);
	if (ret < 0)
		return ret;
	*uid = (uid_t)u;
	*gid = (gid_t)(g >= 0 ? g : u);
	return 0;
}

/* mkdir -p path (absolute): new directories 0755, uid's and gid's (as
 * dockerd gives COPY --chown's new directories its owner). */
static int mkdirs_owned(const char *path, uid_t uid, gid_t gid, struct berr *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return berr_fail(err, ENAMETOOLONG, "%s: name too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			struct stat st;

			*p = '\0';
			if (mkdir(buf, 0755) == 0) {
				if ((uid || gid) && lchown(buf, uid, gid) < 0)
					return berr_sys(err, "chown %s", buf);
			} else if (errno != EEXIST) {
				return berr_sys(err, "mkdir %s", buf);
			}
			if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
				return berr_invalid(err, "%s is not a directory", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int mkdirs(const char *path, struct berr *err)
{
	return mkdirs_owned(path, 0, 0, err);
}

struct copy_ctx {
	uid_t uid;
	gid_t gid;
	bool keep_owner; /* COPY --from without --chown: the source's owners */
	struct berr *err;
};

static int copy_node(struct copy_ctx *cc, int dirfd, const char *name, const char *dst, int depth);

static int set_meta(struct copy_ctx *cc, const char *dst, const struct stat *st, bool link)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	uid_t uid = cc->keep_owner ? st->st_uid : cc->uid;
	gid_t gid = cc->keep_owner ? st->st_gid : cc->gid;

	if (lchown(dst, uid, gid) < 0)
		return berr_sys(cc->err, "chown %s", dst);
	if (!link && chmod(dst, st->st_mode & 07777) < 0)
		return berr_sys(cc->err, "chmod %s", dst);
	utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int copy_file(struct copy_ctx *cc, int fd, const char *dst, const struct stat *st)
{
	cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;
	struct stat old;

	if (lstat(dst, &old) == 0 && S_ISDIR(old.st_mode))
		return berr_invalid(cc->err, "cannot copy a file over the directory %s", dst);
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return berr_sys(cc->err, "create %s", dst);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return berr_sys(cc->err, "write %s", dst);
	if (n < 0)
		return berr_sys(cc->err, "read the context's file for %s", dst);
	return set_meta(cc, dst, st, false);
}

static int copy_dir_contents(struct copy_ctx *cc, int fd, const char *dst, int depth)
{
	cleanup_closedir DIR *d = fdopendir(dup(fd));
	struct dirent *e;
	int ret = 0;

	if (!d)
		return berr_sys(cc->err, "read the context's directory for %s", dst);
	while (ret == 0 && (e = readdir(d))) {
		char child[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", strcmp(dst, "/") ? dst : "",
				     e->d_name) >= sizeof(child))
			return berr_fail(cc->err, ENAMETOOLONG, "%s: name too long", dst);
		ret = copy_node(cc, fd, e->d_name, child, depth + 1);
	}
	return ret;
}

static int copy_node(struct copy_ctx *cc, int dirfd, const char *name, const char *dst, int depth)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (depth > 256)
		return berr_fail(cc->err, ELOOP, "%s is nested too deep", dst);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(cc->err, "stat the context's %s", name);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		struct stat old;

		if (n < 0)
			return berr_sys(cc->err, "readlink the context's %s", name);
		target[n] = '\0';
		if (lstat(dst, &old) == 0 && !S_ISDIR(old.st_mode))
			unlink(dst);
		if (symlink(target, dst) < 0)
			return berr_sys(cc->err, "symlink %s", dst);
		return set_meta(cc, dst, &st, true);
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return 0; /* devices, fifos, sockets: not in a build context's tar anyway */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(cc->err, "open the context's %s", name);
	if (S_ISREG(st.st_mode))
		return copy_file(cc, fd, dst, &st);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return berr_sys(cc->err, "mkdir %s", dst);
	{
		int ret = copy_dir_contents(cc, fd, dst, depth);

		return ret < 0 ? ret : set_meta(cc, dst, &st, false);
	}
}

/* Does the file start as an archive ADD extracts (tar, or compressed)? */
static bool is_archive(int fd)
{
	unsigned char b[512];
	ssize_t n = pread(fd, b, sizeof(b), 0);

	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return true;
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return true;
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return true;
	return n >= 262 && !memcmp(b + 257, "ustar", 5);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static int copy_one(struct copy_ctx *cc, const struct build_copy *c, const char *src,
		    bool to_dir)
{
	cleanup_close int fd = open_in_ctx(c->ctx, src, O_RDONLY);
	char dst[PATH_MAX];
	struct stat st;
	size_t dl = strlen(c->dest);

	if (fd < 0 || fstat(fd, &st) < 0)
		return berr_not_found(cc->err, "%s failed: file not found in build context or "
					       "excluded by .dockerignore: stat %s: file does "
					       "not exist", c->inst, src);
	if (S_ISDIR(st.st_mode)) {
		/* A directory's contents, not the directory itself. */
		int ret = mkdirs_owned(c->dest, cc->uid, cc->gid, cc->err);

		if (ret == 0)
			ret = copy_dir_contents(cc, fd, c->dest, 0);
		return ret;
	}
	if (c->extract && S_ISREG(st.st_mode) && is_archive(fd)) {
		int ret = mkdirs(c->dest, cc->err);

		return ret < 0 ? ret : tree_copy_in(c->dest, fd, true, false, cc->err);
	}
	if (to_dir)
		snprintf(dst, sizeof(dst), "%s%s%s", c->dest,
			 dl && c->dest[dl - 1] == '/' ? "" : "/", base_name(src));
	else
		snprintf(dst, sizeof(dst), "%s", c->dest);
	{
		char parent[PATH_MAX];
		char *slash;
		int ret;

		snprintf(parent, sizeof(parent), "%s", dst);
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			ret = mkdirs_owned(parent, cc->uid, cc->gid, cc->err);
			if (ret < 0)
				return ret;
		}
	}
	return copy_file(cc, fd, dst, &st);
}

int build_copy_run(const struct build_copy *c, struct berr *err)
{
	struct copy_ctx cc = { .err = err, .keep_owner = c->keep_owner && !c->chown };
	char **srcs = calloc(1, sizeof(char *));
	size_t dl = strlen(c->dest);
	bool to_dir;
	struct stat st;
	int ret;

	if (!srcs)
		return berr_set(err, ENOMEM, "copy");
	if (c->mkdir) {
		free(srcs);
		return mkdirs(c->dest, err);
	}
	ret = owner(c->chown, &cc.uid, &cc.gid, err);
	for (size_t i = 0; ret == 0 && i < c->n_srcs; i++) {
		const char *s = relative(c->srcs[i]);
		size_t before = strv_len(srcs);

		if (has_glob(s)) {
			if (glob_ctx(c->ctx, "", s, &srcs) < 0)
				ret = berr_set(err, ENOMEM, "copy");
			else if (strv_len(srcs) == before)
				ret = berr_not_found(err, "%s failed: no source files were specified",
						     c->inst);
		} else if (strv_push(&srcs, s) < 0) {
			ret = berr_set(err, ENOMEM, "copy");
		}
	}
	to_dir = strv_len(srcs) > 1 || (dl && c->dest[dl - 1] == '/') ||
		 (stat(c->dest, &st) == 0 && S_ISDIR(st.st_mode));
	if (ret == 0 && strv_len(srcs) > 1 && !(dl && c->dest[dl - 1] == '/') &&
	    !(stat(c->dest, &st) == 0 && S_ISDIR(st.st_mode)))
		ret = berr_invalid(err, "When using %s with more than one source file, the "
					"destination must be a directory and end with a /",
				   c->inst);
	for (size_t i = 0; ret == 0 && srcs[i]; i++)
		ret = copy_one(&cc, c, srcs[i], to_dir);
	strv_free(srcs);
	return ret;
}

int build_context_extract(const char *dir, int in, struct berr *err)
{
	if (chroot(dir) < 0 || chdir("/") < 0)
		return berr_sys(err, "enter the build context %s", dir);
	return tree_copy_in("/", in, true, false, err);
}
