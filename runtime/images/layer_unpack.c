#include "runtime/images/layer_unpack.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/archive_links.h"
#include "spec/base/cleanup.h"

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"

/* Paths inside an archive: relative, no "..", no empty name. */
static int clean_path(const char *in, char *out, size_t size)
{
	const char *p = in;
	size_t used = 0;

	while (*p == '/' || (p[0] == '.' && p[1] == '/'))
		p += *p == '/' ? 1 : 2;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n && !(n == 1 && p[0] == '.')) {
			if (used + n + 2 > size)
				return -1;
			if (used)
				out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
		}
		p = *end ? end + 1 : end;
	}
	out[used] = '\0';
	return used ? 0 : -1;
}

static int mkdir_parents(char *path)
{
	for (char *p = path; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static void remove_any(const char *path)
{
	if (unlink(path) < 0 && errno == EISDIR) {
		/* A whiteout replaces a whole directory of a lower layer; in
		 * this layer it is empty or the archive is odd: try rmdir. */
		rmdir(path);
	}
}

/* One whiteout entry: returns 1 when handled. */
static int whiteout(const char *path, struct berr *err)
{
	char buf[PATH_MAX];
	const char *base = strrchr(path, '/');
	size_t dirlen = base ? (size_t)(base - path) : 0;

	base = base ? base + 1 : path;
	if (strncmp(base, WHITEOUT, strlen(WHITEOUT)) != 0)
		return 0;
	if (strcmp(base, OPAQUE) == 0) {
		snprintf(buf, sizeof(buf), "%.*s", (int)(dirlen ? dirlen : 1),
			 dirlen ? path : ".");
		if (dirlen) {
			char tmp[PATH_MAX + 4];

			snprintf(tmp, sizeof(tmp), "%s/x", buf);
			mkdir_parents(tmp);
		}
		if (lsetxattr(buf, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return berr_sys(err, "mark %s opaque", buf);
		return 1;
	}
	/* ".wh.", ".wh.." and ".wh..." would white out the directory itself
	 * or its parent. */
	if (!base[strlen(WHITEOUT)] || strcmp(base + strlen(WHITEOUT), ".") == 0 ||
	    strcmp(base + strlen(WHITEOUT), "..") == 0)
		return berr_invalid(err, "layer: unsafe whiteout \"%s\"", path);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)dirlen, path, dirlen ? "/" : "",
		 base + strlen(WHITEOUT));
	if (mkdir_parents(buf) < 0)
		return berr_sys(err, "whiteout %s", buf);
	remove_any(buf);
	if (mknod(buf, S_IFCHR | 0, makedev(0, 0)) < 0)
		return berr_sys(err, "whiteout %s", buf);
	return 1;
}

/* The child: chrooted into the layer's diff directory, reading the
 * uncompressed tar from fd. */
int layer_unpack_tar(int fd, struct berr *err)
{
	struct archive *in = archive_read_new();
	struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	int flags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
		    ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_UNLINK;
	int ret = 0, r;

	if (!in || !out)
		return berr_set(err, ENOMEM, "unpack layer");
	archive_read_support_format_tar(in);
	archive_read_support_format_gnutar(in);
	archive_write_disk_set_options(out, flags);
	if (archive_read_open_fd(in, fd, 65536) != ARCHIVE_OK) {
		ret = berr_invalid(err, "layer: %s", archive_error_string(in));
		goto done;
	}
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		char path[PATH_MAX];
		const char *link;

		if (clean_path(archive_entry_pathname(e), path, sizeof(path)) < 0) {
			if (strcmp(archive_entry_pathname(e), "./") == 0 ||
			    strcmp(archive_entry_pathname(e), ".") == 0 ||
			    strcmp(archive_entry_pathname(e), "/") == 0)
				continue; /* the root itself */
			ret = berr_invalid(err, "layer: unsafe path \"%s\"",
					archive_entry_pathname(e));
			goto done;
		}
		ret = whiteout(path, err);
		if (ret < 0)
			goto done;
		if (ret == 1) {
			ret = 0;
			continue;
		}
		archive_entry_set_pathname(e, path);
		link = archive_entry_hardlink(e);
		if (link) {
			char target[PATH_MAX];

			if (clean_path(link, target, sizeof(target)) < 0) {
				ret = berr_invalid(err, "layer: unsafe hard link \"%s\"", link);
				goto done;
			}
			archive_entry_set_hardlink(e, target);
		}
		if (archive_write_header(out, e) < ARCHIVE_WARN) {
			ret = berr_fail(err, EIO, "layer: %s: %s", path,
					archive_error_string(out));
			goto done;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;

			while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
				if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN) {
					ret = berr_fail(err, EIO, "layer: %s: %s", path,
							archive_error_string(out));
					goto done;
				}
			}
			if (r != ARCHIVE_EOF) {
				ret = berr_fail(err, EIO, "layer: %s: %s", path,
						archive_error_string(in));
				goto done;
			}
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
			ret = berr_fail(err, EIO, "layer: %s: %s", path,
					archive_error_string(out));
			goto done;
		}
	}
	if (r != ARCHIVE_EOF)
		ret = berr_invalid(err, "layer: %s", archive_error_string(in));
done:
	/* Closing the writer applies the deferred directory times and modes. */
	if (archive_write_close(out) < ARCHIVE_WARN && ret == 0)
		ret = berr_fail(err, EIO, "layer: %s", archive_error_string(out));
	archive_write_free(out);
	archive_read_free(in);
	return ret;
}

_Noreturn static void child(const char *diff, int tar_fd, int err_fd)
{
	struct berr err = { 0 };

	if (chroot(diff) < 0 || chdir("/") < 0) {
		berr_sys(&err, "chroot into %s", diff);
	} else {
		umask(0);
		layer_unpack_tar(tar_fd, &err);
	}
	if (err.msg[0] && write(err_fd, err.msg, strlen(err.msg)) < 0)
		_exit(2);
	_exit(err.msg[0] ? 1 : 0);
}

/* Decompress blob into fd, hashing what is written. */
static int feed(const char *blob, int fd, char diff_id[IMAGE_DIGEST_LEN + 1],
		long long *size, struct berr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct image_digest_ctx ctx;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r, ret = 0;

	if (!a)
		return berr_set(err, ENOMEM, "read layer");
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	image_digest_init(&ctx);
	*size = 0;
	if (archive_read_open_filename(a, blob, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		ret = berr_invalid(err, "layer %s: %s", blob, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;

		image_digest_update(&ctx, buf, len);
		*size += (long long)len;
		while (len) {
			ssize_t n = write(fd, p, len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				/* The extractor stopped early: its error says why. */
				ret = -EPIPE;
				goto out;
			}
			p += n;
			len -= (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF)
		ret = berr_invalid(err, "layer %s: %s", blob, archive_error_string(a));
	image_digest_final(&ctx, diff_id);
out:
	archive_read_free(a);
	return ret;
}

int layer_unpack(const char *blob, const char *blob_digest, const char *tmp_dir,
		 char diff_id[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_free char *diff = NULL;
	char msg[sizeof(err->msg)];
	int data[2], errp[2];
	long long size = 0;
	char sizebuf[32];
	void (*old)(int);
	ssize_t n;
	pid_t pid;
	int status, ret;

	if (blob_digest) {
		char got[IMAGE_DIGEST_LEN + 1];

		ret = image_digest_file(blob, got, err);
		if (ret < 0)
			return ret;
		if (strcmp(got, blob_digest) != 0)
			return berr_invalid(err, "blob %s has digest %s, not %s", blob, got,
					 blob_digest);
	}
	if (mkdir(tmp_dir, 0700) < 0 || asprintf(&diff, "%s/diff", tmp_dir) < 0 ||
	    mkdir(diff, 0755) < 0)
		return berr_sys(err, "create %s", tmp_dir);
	if (pipe2(data, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(data[0]);
		close(data[1]);
		return berr_sys(err, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		ret = berr_sys(err, "fork");
		close(data[0]);
		close(data[1]);
		close(errp[0]);
		close(errp[1]);
		return ret;
	}
	if (pid == 0) {
		close(data[1]);
		close(errp[0]);
		child(diff, data[0], errp[1]);
	}
	close(data[0]);
	close(errp[1]);
	old = signal(SIGPIPE, SIG_IGN);
	ret = feed(blob, data[1], diff_id, &size, err);
	close(data[1]);
	signal(SIGPIPE, old);
	n = read(errp[0], msg, sizeof(msg) - 1);
	close(errp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n > 0) {
		msg[n] = '\0';
		return berr_invalid(err, "%s", msg);
	}
	if (ret == -EPIPE || (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status))))
		return berr_fail(err, EIO, "unpacking %s failed", blob);
	if (ret < 0)
		return ret;
	snprintf(sizebuf, sizeof(sizebuf), "%lld", size);
	{
		cleanup_free char *p = NULL;
		FILE *f;

		if (asprintf(&p, "%s/size", tmp_dir) < 0 || !(f = fopen(p, "we")))
			return berr_sys(err, "layer size");
		fputs(sizebuf, f);
		fclose(f);
	}
	return 0;
}

int layer_unpack_plain(const char *archive, const char *dir, struct berr *err)
{
	struct archive *a = archive_read_new();
	struct archive_links links = { 0 };
	struct archive_entry *e;
	int r, ret = 0;

	if (!a)
		return berr_set(err, ENOMEM, "read archive");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, archive, 65536) != ARCHIVE_OK) {
		ret = berr_invalid(err, "not an image archive: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char rel[PATH_MAX], path[PATH_MAX * 2];
		mode_t type = archive_entry_filetype(e);
		int fd;

		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
			continue;
		if (clean_path(archive_entry_pathname(e), rel, sizeof(rel)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		/* Parents below dir only: rel has no "..", and this extraction
		 * makes no symlinks to follow. */
		for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
			*s = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				ret = berr_sys(err, "create %s", path);
				goto out;
			}
			*s = '/';
		}
		if (type == AE_IFLNK) {
			const char *target = archive_entry_symlink(e);

			ret = archive_links_add(&links, rel, target ? target : "", err);
			if (ret < 0)
				goto out;
			continue;
		}
		if (type == AE_IFDIR) {
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				ret = berr_sys(err, "create %s", path);
				goto out;
			}
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = berr_sys(err, "create %s", path);
			goto out;
		}
		if (archive_read_data_into_fd(a, fd) != ARCHIVE_OK) {
			ret = berr_fail(err, EIO, "read %s from the archive: %s", rel,
					archive_error_string(a));
			close(fd);
			goto out;
		}
		close(fd);
	}
	if (r != ARCHIVE_EOF)
		ret = berr_invalid(err, "not an image archive: %s", archive_error_string(a));
	else
		ret = archive_links_apply(&links, dir, err);
out:
	archive_links_free(&links);
	archive_read_free(a);
	return ret;
}
