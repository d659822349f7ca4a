/* The build cache, keyed as the classic builder keys it: the parent
 * image, the step's resulting config and created-by line (which holds the
 * instruction and the build args RUN sees), and for COPY and ADD a
 * checksum of the files read.  <data-root>/build-cache/<sha256 of the
 * key> holds the image id; an entry whose image is gone is a miss.
 * build_prune.c lists and prunes the entries. */
#include "runtime/engine/build_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/images/image_digest.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/image.h"

static char *entry_path(struct builder *b, const char *parent, const char *config,
			const char *created_by, const char *sum)
{
	struct image_digest_ctx c;
	char key[IMAGE_DIGEST_LEN + 1];
	char *path = NULL;

	image_digest_init(&c);
	image_digest_update(&c, parent, strlen(parent) + 1);
	image_digest_update(&c, config, strlen(config) + 1);
	image_digest_update(&c, created_by, strlen(created_by) + 1);
	if (sum)
		image_digest_update(&c, sum, strlen(sum) + 1);
	image_digest_final(&c, key);
	if (asprintf(&path, "%s/build-cache/%s", b->d->o.data_root, key + 7) < 0)
		return NULL;
	return path;
}

bool build_cache_find(struct builder *b, const char *parent, const char *config,
		      const char *created_by, const char *sum, char id[80])
{
	cleanup_free char *path = entry_path(b, parent, config, created_by, sum);
	cleanup_free char *text = NULL, *record = NULL;
	struct berr ignored;
	struct stat st;
	size_t len;

	if (!path || fsutil_read_file(path, &text, &len, &ignored) < 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	/* The image's record (image_store.h's layout), looked at directly:
	 * a lookup by name would read every record, at every step. */
	if (!spec_image_digest_valid(text) ||
	    asprintf(&record, "%s/images/%s", b->d->o.data_root, text + 7) < 0) {
		record = NULL;
		return false;
	}
	if (stat(record, &st) < 0)
		return false;
	/* The entry's mtime is its last use: what prune's until and
	 * keep-storage go by. */
	utimensat(AT_FDCWD, path, NULL, 0);
	snprintf(id, 80, "%s", text);
	return true;
}

int build_cache_keep(struct builder *b, const char *parent, const char *config,
		     const char *created_by, const char *sum, const char *id, struct berr *err)
{
	cleanup_free char *path = entry_path(b, parent, config, created_by, sum);
	cleanup_free char *dir = NULL;
	struct berr ignored;
	int ret = *parent ? image_store_set_parent(b->d->o.data_root, id, parent, err) : 0;

	if (ret < 0)
		return berr_wrap(err, ret, "build");
	if (!path || asprintf(&dir, "%s/build-cache", b->d->o.data_root) < 0) {
		dir = NULL;
		return 0;
	}
	mkdir(dir, 0700);
	/* A cache that cannot be written only costs the next build time. */
	fsutil_write_atomic(path, id, strlen(id), 0600, &ignored);
	return 0;
}

static int open_in(int root, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof(how));
}

/* Names, modes, owners, link targets and contents under dirfd/name, in
 * name order (mtimes left out, as docker's checksum leaves them). */
static void sum_tree(struct image_digest_ctx *c, int dirfd, const char *name, int depth)
{
	struct stat st;
	char head[PATH_MAX + 64];

	/* name "": dirfd itself (the source, opened readable). */
	if (depth > 256 ||
	    fstatat(dirfd, name, &st, *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
		return;
	snprintf(head, sizeof(head), "%s %o %u %u %lld\n", name, st.st_mode, st.st_uid,
		 st.st_gid, S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL);
	image_digest_update(c, head, strlen(head));
	if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, t, sizeof(t));

		if (n > 0)
			image_digest_update(c, t, (size_t)n);
	} else if (S_ISREG(st.st_mode)) {
		cleanup_close int fd = *name ? openat(dirfd, name, O_RDONLY | O_NOFOLLOW |
								 O_CLOEXEC)
					     : dup(dirfd);
		char buf[65536];
		ssize_t n;
		off_t off = 0;

		while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
			image_digest_update(c, buf, (size_t)n);
			off += n;
		}
	} else if (S_ISDIR(st.st_mode)) {
		cleanup_close int fd = openat(dirfd, *name ? name : ".",
					      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct dirent **list = NULL;
		int n = fd >= 0 ? scandirat(fd, ".", &list, NULL, alphasort) : -1;

		for (int i = 0; i < n; i++) {
			if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
				sum_tree(c, fd, list[i]->d_name, depth + 1);
			free(list[i]);
		}
		free(list);
	}
}

/* The checksum of srcs in the context: the context's files summed. */
static int sum_context(struct builder *b, char *const *srcs, char out[IMAGE_DIGEST_LEN + 1],
		       struct berr *err)
{
	struct image_digest_ctx c;
	cleanup_close int root = -1;
	int ret = build_context(b, err);

	if (ret < 0)
		return ret;
	image_digest_init(&c);
	{
		root = open(b->ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return berr_sys(err, "open the build context");
		for (size_t i = 0; srcs[i]; i++) {
			/* A glob's matches are the helper's to find: the whole
			 * context stands for them. */
			const char *s = strpbrk(srcs[i], "*?[") ? "" : srcs[i];
			cleanup_close int fd = -1;

			while (*s == '/')
				s++;
			image_digest_update(&c, srcs[i], strlen(srcs[i]) + 1);
			fd = open_in(root, s, O_RDONLY);
			if (fd >= 0)
				sum_tree(&c, fd, "", 0);
		}
	}
	image_digest_final(&c, out);
	return 0;
}

int build_sum(struct builder *b, const char *from_id, char *const *srcs, char **sum,
	      struct berr *err)
{
	struct image_digest_ctx c;
	char out[IMAGE_DIGEST_LEN + 1], name[IMAGE_DIGEST_LEN + 1];
	int ret;

	*sum = NULL;
	if (from_id) {
		image_digest_init(&c);
		image_digest_update(&c, from_id, strlen(from_id));
		image_digest_final(&c, out);
		*sum = strdup(out);
		return *sum ? 0 : berr_set(err, ENOMEM, "build");
	}
	/* Summed once per context: a rebuild of the same tar finds it by
	 * the tar's digest, with no extraction. */
	image_digest_init(&c);
	for (size_t i = 0; srcs[i]; i++)
		image_digest_update(&c, srcs[i], strlen(srcs[i]) + 1);
	image_digest_final(&c, name);
	if (build_memo_get(b, "sum", name, sum) == 0 && spec_image_digest_valid(*sum))
		return 0;
	free(*sum);
	*sum = NULL;
	ret = sum_context(b, srcs, out, err);
	if (ret < 0)
		return ret;
	build_memo_put(b, "sum", name, out, strlen(out));
	*sum = strdup(out);
	return *sum ? 0 : berr_set(err, ENOMEM, "build");
}
