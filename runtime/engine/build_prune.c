/* The build cache as docker system df and docker builder prune see it:
 * each file under <data-root>/build-cache is one record, a step's entry
 * (build_cache.c) or a context's memo (build_context.c, in context/).
 * A record's last use is its mtime, which a cache hit renews; the images
 * the entries name are images, not cache, and stay. */
#include "runtime/engine/build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/internal.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

/* A record's name: the sha256 of its key, in hex (anything else there,
 * like a write's temporary file, is no record). */
static bool record_name(const char *name)
{
	if (strlen(name) != 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int64_t ns_of(struct statx_timestamp t)
{
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The record dirfd/name, when it is one. */
static bool record_read(int dirfd, const char *name, bool memo,
			struct daemon_build_cache_rec *rec)
{
	struct statx st;

	if (!record_name(name) ||
	    statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &st) < 0 ||
	    !S_ISREG(st.stx_mode))
		return false;
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->id, name, 65);
	rec->memo = memo;
	rec->size = (int64_t)st.stx_size;
	rec->last_used_ns = ns_of(st.stx_mtime);
	/* Without a birth time (some filesystems keep none), the last use
	 * is the best known. */
	rec->created_ns = (st.stx_mask & STATX_BTIME) ? ns_of(st.stx_btime) : rec->last_used_ns;
	if (!memo) {
		int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, rec->image, sizeof(rec->image) - 1) : -1;

		rec->image[n > 0 ? n : 0] = '\0';
		rec->image[strcspn(rec->image, "\n")] = '\0';
		if (fd >= 0)
			close(fd);
	}
	return true;
}

static int list_dir(const char *path, bool memo, struct daemon_build_cache_rec **recs,
		    size_t *n, struct berr *err)
{
	DIR *dir = opendir(path);
	struct dirent *e;

	if (!dir)
		return errno == ENOENT ? 0 : berr_sys(err, "build cache: open %s", path);
	while ((e = readdir(dir))) {
		struct daemon_build_cache_rec rec, *more;

		if (!record_read(dirfd(dir), e->d_name, memo, &rec))
			continue;
		more = realloc(*recs, (*n + 1) * sizeof(**recs));
		if (!more) {
			closedir(dir);
			return berr_set(err, ENOMEM, "build cache");
		}
		*recs = more;
		(*recs)[(*n)++] = rec;
	}
	closedir(dir);
	return 0;
}

int daemon_build_cache_list(struct daemon *d, struct daemon_build_cache_rec **recs, size_t *n,
			    struct berr *err)
{
	cleanup_free char *steps = NULL, *memos = NULL;
	int ret;

	*recs = NULL;
	*n = 0;
	if (asprintf(&steps, "%s/build-cache", d->o.data_root) < 0) {
		steps = NULL;
		return berr_set(err, ENOMEM, "build cache");
	}
	if (asprintf(&memos, "%s/context", steps) < 0) {
		memos = NULL;
		return berr_set(err, ENOMEM, "build cache");
	}
	ret = list_dir(steps, false, recs, n, err);
	if (ret == 0)
		ret = list_dir(memos, true, recs, n, err);
	if (ret < 0) {
		free(*recs);
		*recs = NULL;
		*n = 0;
	}
	return ret;
}

/* Least recently used first: what --keep-storage gives up first. */
static int by_last_use(const void *a, const void *b)
{
	const struct daemon_build_cache_rec *x = a, *y = b;

	if (x->last_used_ns != y->last_used_ns)
		return x->last_used_ns < y->last_used_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int remove_record(struct daemon *d, const struct daemon_build_cache_rec *rec,
			 struct berr *err)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/build-cache/%s%s", d->o.data_root, rec->memo ? "context/" : "",
		     rec->id) < 0) {
		path = NULL;
		return berr_set(err, ENOMEM, "build cache");
	}
	/* Gone meanwhile (another prune): not this one's to report. */
	if (unlink(path) < 0)
		return errno == ENOENT ? -ENOENT : berr_sys(err, "build cache: remove %s", path);
	return 0;
}

int daemon_build_cache_prune(struct daemon *d, const struct daemon_build_prune_opts *o,
			     char ***deleted, uint64_t *reclaimed, struct berr *err)
{
	struct daemon_build_cache_rec *recs = NULL;
	int64_t cutoff = o->until_ns > 0 ? o->until_ns : INT64_MAX;
	uint64_t total = 0;
	size_t n = 0;
	int ret;

	*reclaimed = 0;
	ret = daemon_build_cache_list(d, &recs, &n, err);
	if (ret < 0)
		return ret;
	qsort(recs, n, sizeof(*recs), by_last_use);
	for (size_t i = 0; i < n; i++)
		total += (uint64_t)recs[i].size;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		/* Used since the cutoff (until), or what is left fits in
		 * keep-storage: kept. */
		if (recs[i].last_used_ns >= cutoff)
			continue;
		if (o->keep_storage && total <= o->keep_storage)
			break;
		ret = remove_record(d, &recs[i], err);
		if (ret == -ENOENT) {
			total -= (uint64_t)recs[i].size;
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		total -= (uint64_t)recs[i].size;
		*reclaimed += (uint64_t)recs[i].size;
		if (strv_push(deleted, recs[i].id) < 0)
			ret = berr_set(err, ENOMEM, "build cache");
	}
	free(recs);
	return ret;
}
