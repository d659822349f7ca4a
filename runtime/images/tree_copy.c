#include "runtime/images/tree_copy.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/layer_store.h"
#include "runtime/images/tree_export.h"
#include "spec/base/cleanup.h"
#include "spec/json_write.h"

int tree_copy_enter(const char *data_root, const char *rootfs, const char *upper,
		    const char *work, char *const *diff_ids, size_t n, struct berr *err)
{
	int ret;

	if (unshare(CLONE_NEWNS) < 0)
		return berr_sys(err, "cp: a mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return berr_sys(err, "cp: make mounts private");
	if (upper) {
		ret = layer_store_mount(data_root, diff_ids, n, upper, work, rootfs, false, err);
		if (ret < 0)
			return ret;
	}
	if (chroot(rootfs) < 0 || chdir("/") < 0)
		return berr_sys(err, "cp: enter the container's root");
	return 0;
}

/* Go's os.FileMode: the permission bits and a bit per type. */
static uint32_t go_mode(mode_t m)
{
	uint32_t g = m & 0777;

	if (S_ISDIR(m))
		g |= 1u << 31;
	else if (S_ISLNK(m))
		g |= 1u << 27;
	else if (S_ISBLK(m))
		g |= 1u << 26;
	else if (S_ISCHR(m))
		g |= (1u << 26) | (1u << 21);
	else if (S_ISFIFO(m))
		g |= 1u << 25;
	else if (S_ISSOCK(m))
		g |= 1u << 24;
	if (m & S_ISUID)
		g |= 1u << 23;
	if (m & S_ISGID)
		g |= 1u << 22;
	if (m & S_ISVTX)
		g |= 1u << 20;
	return g;
}

static const char *last_name(const char *path, char *buf, size_t size)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(buf, size, "%s", basename(copy));
	return buf;
}

int tree_copy_stat(const char *path, char **json, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	char name[NAME_MAX + 1], mtime[64], target[PATH_MAX] = "";
	struct stat st;
	struct tm tm;
	size_t len;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return berr_not_found(err, "Could not find the file %s in container", path);
		return berr_sys(err, "stat %s", path);
	}
	/* As dockerd: a symlink's target, resolved inside the root. */
	if (S_ISLNK(st.st_mode) && !realpath(path, target))
		target[0] = '\0';
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	snprintf(mtime, sizeof(mtime), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, st.st_mtim.tv_nsec);
	jw_map_open(w);
	jw_kstr(w, "name", last_name(path, name, sizeof(name)));
	jw_kint(w, "size", st.st_size);
	jw_kint(w, "mode", go_mode(st.st_mode));
	jw_kstr(w, "mtime", mtime);
	jw_kstr(w, "linkTarget", target);
	jw_map_close(w);
	return jw_finish(w, json, &len, err);
}

int tree_copy_out(const char *path, int fd, struct berr *err)
{
	char dir_buf[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;

	if (lstat(path, &st) < 0)
		return berr_not_found(err, "Could not find the file %s in container", path);
	snprintf(dir_buf, sizeof(dir_buf), "%s", path);
	last_name(path, name, sizeof(name));
	if (!strcmp(name, "/"))
		return tree_export_dir("/", fd, err);
	return tree_export_path(dirname(dir_buf), name, fd, err);
}

/* A directory where a non-directory would go, or the reverse. */
static int check_replace(struct archive_entry *e, struct berr *err)
{
	struct stat st;
	bool dir = archive_entry_filetype(e) == AE_IFDIR;

	if (lstat(archive_entry_pathname(e), &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode) && !dir)
		return berr_invalid(err, "cannot overwrite directory \"%s\" with non-directory",
				    archive_entry_pathname(e));
	if (!S_ISDIR(st.st_mode) && dir)
		return berr_invalid(err, "cannot overwrite non-directory \"%s\" with directory",
				    archive_entry_pathname(e));
	return 0;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK)
			return ARCHIVE_FATAL;
	return r == ARCHIVE_EOF ? ARCHIVE_OK : ARCHIVE_FATAL;
}

int tree_copy_in(const char *dir, int in, bool keep_owner, bool no_replace_dir,
		 struct berr *err)
{
	struct archive *a = archive_read_new(), *out = archive_write_disk_new();
	struct archive_entry *e;
	struct stat st;
	/* Symlinks are followed, as dockerd follows them: inside the root,
	 * which the chroot makes the only place they can lead. */
	int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
		    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
		    ARCHIVE_EXTRACT_UNLINK;
	int r, ret = 0;

	if (!a || !out) {
		ret = berr_set(err, ENOMEM, "cp");
		goto out;
	}
	if (stat(dir, &st) < 0) {
		ret = berr_not_found(err, "Could not find the file %s in container", dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		ret = berr_invalid(err, "extraction point is not a directory: %s", dir);
		goto out;
	}
	if (chdir(dir) < 0) {
		ret = berr_sys(err, "cp: enter %s", dir);
		goto out;
	}
	if (keep_owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(out, flags);
	archive_write_disk_set_standard_lookup(out);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, in, 65536) != ARCHIVE_OK) {
		ret = berr_invalid(err, "cp: not a tar archive: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (!keep_owner) {
			archive_entry_set_uid(e, 0);
			archive_entry_set_gid(e, 0);
		}
		if (no_replace_dir && (ret = check_replace(e, err)) < 0)
			goto out;
		r = archive_write_header(out, e);
		if (r == ARCHIVE_OK && archive_entry_size(e) > 0)
			r = copy_data(a, out);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			ret = berr_invalid(err, "cp: %s: %s", archive_entry_pathname(e),
					   archive_error_string(out));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		ret = berr_invalid(err, "cp: not a tar archive: %s", archive_error_string(a));
	else if (archive_write_close(out) != ARCHIVE_OK)
		ret = berr_fail(err, EIO, "cp: %s", archive_error_string(out));
out:
	if (a)
		archive_read_free(a);
	if (out)
		archive_write_free(out);
	return ret;
}
