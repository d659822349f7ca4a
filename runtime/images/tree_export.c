#include "runtime/images/tree_export.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

static int copy_data(struct archive *disk, struct archive *out, struct berr *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(disk, &buf, &size, &off)) == ARCHIVE_OK)
		if (archive_write_data(out, buf, size) != (la_ssize_t)size)
			return berr_fail(err, EIO, "export: %s", archive_error_string(out));
	if (r != ARCHIVE_EOF)
		return berr_fail(err, EIO, "export: %s", archive_error_string(disk));
	return 0;
}

int tree_export_dir(const char *dir, int fd, struct berr *err)
{
	return tree_export_path(dir, ".", fd, err);
}

int tree_export_path(const char *dir, const char *name, int fd, struct berr *err)
{
	struct archive *disk = archive_read_disk_new(), *out = archive_write_new();
	struct archive_entry_linkresolver *links = archive_entry_linkresolver_new();
	struct archive_entry *e;
	int r, ret = 0;

	if (!disk || !out || !links) {
		ret = berr_set(err, ENOMEM, "export");
		goto done;
	}
	if (chdir(dir) < 0) {
		ret = berr_sys(err, "export: enter %s", dir);
		goto done;
	}
	archive_read_disk_set_standard_lookup(disk);
	/* Symlinks stay symlinks; only this filesystem (nothing else is
	 * mounted below in this namespace anyway). */
	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(out, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(out, fd) != ARCHIVE_OK ||
	    archive_read_disk_open(disk, name) != ARCHIVE_OK) {
		ret = berr_fail(err, EIO, "export: %s", archive_error_string(out));
		goto done;
	}
	/* The second name of a file is written as a hard link to the first. */
	archive_entry_linkresolver_set_strategy(links, archive_format(out));
	for (;;) {
		struct archive_entry *spare = NULL;

		const char *entry;

		e = archive_entry_new();
		if (!e) {
			ret = berr_set(err, ENOMEM, "export");
			break;
		}
		r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			ret = berr_fail(err, EIO, "export: %s", archive_error_string(disk));
			archive_entry_free(e);
			break;
		}
		archive_read_disk_descend(disk);
		entry = archive_entry_pathname(e);
		while (entry[0] == '.' && entry[1] == '/')
			entry += 2;
		if (!*entry || !strcmp(entry, ".")) {
			archive_entry_free(e);
			continue;
		}
		{
			cleanup_free char *rel = strdup(entry);

			if (!rel) {
				ret = berr_set(err, ENOMEM, "export");
				archive_entry_free(e);
				break;
			}
			archive_entry_set_pathname(e, rel);
		}
		archive_entry_linkify(links, &e, &spare);
		/* tar formats give every entry back at once, none spare. */
		if (spare)
			archive_entry_free(spare);
		if (!e)
			continue;
		r = archive_write_header(out, e);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			ret = berr_fail(err, EIO, "export: %s", archive_error_string(out));
			archive_entry_free(e);
			break;
		}
		if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
		    archive_entry_size(e) > 0)
			ret = copy_data(disk, out, err);
		archive_entry_free(e);
		if (ret < 0)
			break;
	}
	if (ret == 0 && archive_write_close(out) != ARCHIVE_OK)
		ret = berr_fail(err, EIO, "export: %s", archive_error_string(out));
done:
	if (links)
		archive_entry_linkresolver_free(links);
	if (disk)
		archive_read_free(disk);
	if (out)
		archive_write_free(out);
	return ret;
}

/* lowerdir=upper:top:...:bottom, read-only: no upper, no work dir. */
static int mount_view(const char *data_root, const char *upper, char *const *diff_ids,
		      size_t n, const char *target, struct berr *err)
{
	cleanup_free char *opts = NULL;
	size_t len;
	FILE *f = open_memstream(&opts, &len);

	if (!f)
		return berr_sys(err, "mount options");
	fprintf(f, "lowerdir=%s", upper);
	for (size_t i = n; i-- > 0;) {
		cleanup_free char *dir = layer_store_dir(data_root, diff_ids[i]);

		fprintf(f, ":%s/diff", dir ? dir : "");
	}
	if (fclose(f) != 0)
		return berr_sys(err, "mount options");
	if (len >= 4096)
		return berr_invalid(err, "the image has too many layers (%zu) to export", n);
	if (mount("overlay", target, "overlay", MS_RDONLY | MS_NODEV | MS_NOSUID, opts) < 0)
		return berr_sys(err, "export: mount the container's files");
	return 0;
}

int tree_export(const char *data_root, const char *upper, char *const *diff_ids, size_t n,
		int fd, struct berr *err)
{
	cleanup_free char *target = NULL;
	struct berr ignored;
	int ret;

	if (unshare(CLONE_NEWNS) < 0)
		return berr_sys(err, "export: a mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return berr_sys(err, "export: make mounts private");
	if (asprintf(&target, "%s/tmp/export-XXXXXX", data_root) < 0) {
		target = NULL;
		return berr_set(err, ENOMEM, "export");
	}
	if (!mkdtemp(target))
		return berr_sys(err, "create %s", target);
	ret = mount_view(data_root, upper, diff_ids, n, target, err);
	if (ret == 0) {
		ret = tree_export_dir(target, fd, err);
		if (chdir("/") == 0)
			layer_store_umount(target, &ignored);
	}
	rmdir(target);
	return ret;
}
