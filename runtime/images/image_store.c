#include "runtime/images/image_store.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "spec/image_ref.h"
#include "spec/record.h"
#include "runtime/images/layer_store.h"
#include "spec/base/cleanup.h"

void image_rec_free(struct image_rec *r)
{
	if (!r)
		return;
	strv_free(r->tags);
	strv_free(r->layers);
	strv_free(r->digests);
	free(r->created);
	memset(r, 0, sizeof(*r));
}

void image_recs_free(struct image_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image_rec_free(&r[i]);
	free(r);
}

static int mkdirs(const char *data_root, const char *sub, struct berr *err)
{
	cleanup_free char *p = NULL;

	if (asprintf(&p, "%s%s%s", data_root, sub ? "/" : "", sub ? sub : "") < 0)
		return berr_sys(err, "image store");
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", p);
	return 0;
}

int image_store_init(const char *data_root, struct berr *err)
{
	static const char *const subs[] = { NULL, "blobs", "blobs/sha256", "images",
					    "layers", "tmp", "containers" };
	int ret;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		ret = mkdirs(data_root, subs[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int image_store_lock(const char *data_root, bool exclusive, struct berr *err)
{
	cleanup_free char *p = NULL;
	int fd;

	if (asprintf(&p, "%s/images.lock", data_root) < 0)
		return berr_sys(err, "image store lock");
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(err, "open %s", p);
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			close(fd);
			return berr_sys(err, "lock %s", p);
		}
	}
	return fd;
}

int image_store_normalize(const char *ref, char **out, struct berr *err)
{
	struct image_ref r;
	char buf[2 * IMAGE_REF_NAME_MAX + IMAGE_REF_TAG_MAX];
	int ret;

	*out = NULL;
	ret = image_ref_parse(ref, &r, err);
	if (ret < 0)
		return ret;
	if (r.digest[0])
		return berr_unsupported(err,
				 "invalid reference \"%s\": refusing to create a tag with a digest "
				 "reference (a digest names what a registry holds)", ref);
	if (image_ref_familiar(&r, buf, sizeof(buf)) < 0)
		return berr_invalid(err, "reference \"%s\" is too long", ref);
	*out = strdup(buf);
	if (!*out)
		return berr_sys(err, "reference");
	return 0;
}

int image_store_digest_ref(const char *ref, char **out, struct berr *err)
{
	struct image_ref r;
	char buf[2 * IMAGE_REF_NAME_MAX + IMAGE_REF_TAG_MAX];
	int ret;

	*out = NULL;
	ret = image_ref_parse(ref, &r, err);
	if (ret < 0)
		return ret;
	if (!r.digest[0])
		return berr_invalid(err, "reference \"%s\" has no digest", ref);
	r.tag[0] = '\0';
	if (image_ref_familiar(&r, buf, sizeof(buf)) < 0)
		return berr_invalid(err, "reference \"%s\" is too long", ref);
	*out = strdup(buf);
	if (!*out)
		return berr_sys(err, "reference");
	return 0;
}

static int load_rec(const char *data_root, const char *hex, struct image_rec *r,
		    struct berr *err)
{
	cleanup_free char *path = NULL;
	struct record rec;
	const char *id, *created;
	int ret;

	memset(r, 0, sizeof(*r));
	if (asprintf(&path, "%s/images/%s", data_root, hex) < 0)
		return berr_sys(err, "image record");
	ret = record_load(path, &rec, err);
	if (ret < 0)
		return ret;
	id = record_str(&rec, "id");
	if (!id || strlen(id) != IMAGE_DIGEST_LEN) {
		record_free(&rec);
		return berr_fail(err, EINVAL, "%s: corrupt image record", path);
	}
	strcpy(r->id, id);
	created = record_str(&rec, "created");
	/* An image without tags or layers has empty lists, not none. */
	if (record_strv(&rec, "tags", &r->tags, &r->n_tags) == 0)
		r->tags = calloc(1, sizeof(char *));
	if (record_strv(&rec, "layers", &r->layers, &r->n_layers) == 0)
		r->layers = calloc(1, sizeof(char *));
	if (record_strv(&rec, "repo_digests", &r->digests, &r->n_digests) == 0)
		r->digests = calloc(1, sizeof(char *));
	r->size = record_ll(&rec, "size", 0);
	r->added = record_ll(&rec, "added", 0);
	r->created = strdup(created ? created : "");
	{
		const char *parent = record_str(&rec, "parent");

		if (parent && strlen(parent) == IMAGE_DIGEST_LEN)
			strcpy(r->parent, parent);
	}
	record_free(&rec);
	if (!r->tags || !r->layers || !r->digests || !r->created) {
		image_rec_free(r);
		return berr_set(err, ENOMEM, "image record");
	}
	return 0;
}

int image_store_save_locked(const char *data_root, const struct image_rec *r,
			    struct berr *err)
{
	cleanup_free char *path = NULL;
	struct record_writer w;
	int ret;

	if (asprintf(&path, "%s/images/%s", data_root, r->id + 7) < 0)
		return berr_sys(err, "image record");
	ret = record_begin(&w, err);
	if (ret < 0)
		return ret;
	record_put(&w, "id", r->id);
	record_put(&w, "created", r->created);
	record_put_int(&w, "size", r->size);
	record_put_int(&w, "added", r->added);
	record_put_list(&w, "layers", r->layers, r->n_layers);
	record_put_list(&w, "tags", r->tags, r->n_tags);
	if (r->n_digests)
		record_put_list(&w, "repo_digests", r->digests, r->n_digests);
	if (r->parent[0])
		record_put(&w, "parent", r->parent);
	return record_commit(&w, path, err);
}

bool image_store_has_child(const struct image_rec *recs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (recs[i].id[0] && !strcmp(recs[i].parent, id))
			return true;
	return false;
}

static int list_locked(const char *data_root, struct image_rec **out, size_t *n,
		       struct berr *err)
{
	cleanup_free char *dir = NULL;
	cleanup_closedir DIR *d = NULL;
	struct image_rec *recs = NULL;
	size_t used = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (asprintf(&dir, "%s/images", data_root) < 0)
		return berr_sys(err, "images");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : berr_sys(err, "read %s", dir);
	while ((de = readdir(d))) {
		struct image_rec *grown;
		struct berr ignored;

		if (strlen(de->d_name) != 64 || strchr(de->d_name, '.'))
			continue;
		grown = realloc(recs, (used + 1) * sizeof(*recs));
		if (!grown) {
			image_recs_free(recs, used);
			return berr_set(err, ENOMEM, "images");
		}
		recs = grown;
		/* A record that cannot be read is skipped, not fatal. */
		if (load_rec(data_root, de->d_name, &recs[used], &ignored) == 0)
			used++;
	}
	*out = recs;
	*n = used;
	return 0;
}

int image_store_list(const char *data_root, struct image_rec **out, size_t *n,
		     struct berr *err)
{
	cleanup_close int lock = image_store_lock(data_root, false, err);

	if (lock < 0)
		return lock;
	return list_locked(data_root, out, n, err);
}

static bool has_tag(const struct image_rec *r, const char *tag)
{
	for (size_t i = 0; i < r->n_tags; i++)
		if (strcmp(r->tags[i], tag) == 0)
			return true;
	return false;
}

static bool has_digest(const struct image_rec *r, const char *digest)
{
	for (size_t i = 0; i < r->n_digests; i++)
		if (strcmp(r->digests[i], digest) == 0)
			return true;
	return false;
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

/* Index of the image ref names in recs, or -ENOENT / -EINVAL. */
static int find_in(struct image_rec *recs, size_t n, const char *ref, struct berr *err)
{
	cleanup_free char *tag = NULL;
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : NULL;
	struct berr invalid = { 0 };
	bool named = !hex;
	int found = -1;

	if (named && strchr(ref, '@')) {
		cleanup_free char *digest = NULL;

		if (image_store_digest_ref(ref, &digest, err) < 0)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			if (has_digest(&recs[i], digest))
				return (int)i;
		return berr_not_found(err, "No such image: %s", ref);
	}
	if (named && image_store_normalize(ref, &tag, &invalid) == 0) {
		for (size_t i = 0; i < n; i++)
			if (has_tag(&recs[i], tag))
				return (int)i;
	}
	if (!hex)
		hex = ref;
	/* Neither a reference nor an id: say why, as dockerd does. */
	if (named && !tag && !(is_hex(hex) && strlen(hex) <= 64)) {
		*err = invalid;
		return -EINVAL;
	}
	if (is_hex(hex) && strlen(hex) <= 64) {
		for (size_t i = 0; i < n; i++) {
			if (strncmp(recs[i].id + 7, hex, strlen(hex)) != 0)
				continue;
			if (found >= 0)
				return berr_invalid(err,
						 "image id prefix \"%s\" is ambiguous", ref);
			found = (int)i;
		}
	}
	if (found < 0)
		return berr_not_found(err, "No such image: %s", ref);
	return found;
}

/* The store's records read under its lock (*lock, which the caller closes)
 * and the index of the one ref names; the records are the caller's to
 * free only when an index comes back. */
static int lock_and_find(const char *data_root, const char *ref, bool exclusive, int *lock,
			 struct image_rec **recs, size_t *n, struct berr *err)
{
	int i, ret;

	*lock = image_store_lock(data_root, exclusive, err);
	if (*lock < 0)
		return *lock;
	ret = list_locked(data_root, recs, n, err);
	if (ret < 0)
		return ret;
	i = find_in(*recs, *n, ref, err);
	if (i < 0)
		image_recs_free(*recs, *n);
	return i;
}

int image_store_find(const char *data_root, const char *ref, struct image_rec *out,
		     struct berr *err)
{
	cleanup_close int lock = -1;
	struct image_rec *recs;
	size_t n;
	int i = lock_and_find(data_root, ref, false, &lock, &recs, &n, err);

	if (i < 0)
		return i;
	*out = recs[i];
	memset(&recs[i], 0, sizeof(recs[i]));
	image_recs_free(recs, n);
	return 0;
}

int image_store_config(const char *data_root, const char *id, char **json, size_t *len,
		       struct berr *err)
{
	cleanup_free char *path = NULL;

	if (strlen(id) != IMAGE_DIGEST_LEN)
		return berr_invalid(err, "invalid image id %s", id);
	if (asprintf(&path, "%s/blobs/sha256/%s", data_root, id + 7) < 0)
		return berr_sys(err, "image config");
	return fsutil_read_file(path, json, len, err);
}

static int drop_tag(struct image_rec *r, const char *tag)
{
	size_t j = 0;
	bool dropped = false;

	for (size_t i = 0; i < r->n_tags; i++) {
		if (strcmp(r->tags[i], tag) == 0) {
			free(r->tags[i]);
			dropped = true;
			continue;
		}
		r->tags[j++] = r->tags[i];
	}
	r->tags[j] = NULL;
	r->n_tags = j;
	return dropped;
}

static int add_tag(struct image_rec *r, const char *tag)
{
	char **grown;

	if (has_tag(r, tag))
		return 0;
	grown = realloc(r->tags, (r->n_tags + 2) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->tags = grown;
	r->tags[r->n_tags] = strdup(tag);
	if (!r->tags[r->n_tags])
		return -ENOMEM;
	r->tags[++r->n_tags] = NULL;
	return 0;
}

/* Give tag to recs[target], taking it from any other image. */
static int move_tag(const char *data_root, struct image_rec *recs, size_t n, size_t target,
		    const char *tag, struct berr *err)
{
	int ret;

	for (size_t i = 0; i < n; i++) {
		if (i == target || !drop_tag(&recs[i], tag))
			continue;
		ret = image_store_save_locked(data_root, &recs[i], err);
		if (ret < 0)
			return ret;
	}
	if (add_tag(&recs[target], tag) < 0)
		return berr_set(err, ENOMEM, "tag");
	return image_store_save_locked(data_root, &recs[target], err);
}

/* The repository part of "name@sha256:...". */
static size_t repo_len(const char *digest_ref)
{
	const char *at = strchr(digest_ref, '@');

	return at ? (size_t)(at - digest_ref) : strlen(digest_ref);
}

static void drop_digest(struct image_rec *r, const char *digest, bool whole_repo)
{
	size_t j = 0, len = repo_len(digest);

	for (size_t i = 0; i < r->n_digests; i++) {
		bool same = whole_repo ? repo_len(r->digests[i]) == len &&
						 strncmp(r->digests[i], digest, len) == 0
				       : strcmp(r->digests[i], digest) == 0;

		if (same) {
			free(r->digests[i]);
			continue;
		}
		r->digests[j++] = r->digests[i];
	}
	r->digests[j] = NULL;
	r->n_digests = j;
}

int image_store_add_digest_locked(const char *data_root, const char *id,
				  const char *repo_digest, struct berr *err)
{
	struct image_rec *recs = NULL;
	size_t n = 0;
	int ret = list_locked(data_root, &recs, &n, err);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		struct image_rec *r = &recs[i];
		size_t before = r->n_digests;
		char **grown;

		if (strcmp(r->id, id) != 0) {
			drop_digest(r, repo_digest, false);
			if (r->n_digests != before)
				ret = image_store_save_locked(data_root, r, err);
			continue;
		}
		/* One digest per repository, the latest, as docker shows. */
		drop_digest(r, repo_digest, true);
		grown = realloc(r->digests, (r->n_digests + 2) * sizeof(*grown));
		if (!grown || !(grown[r->n_digests] = strdup(repo_digest))) {
			if (grown)
				r->digests = grown;
			ret = berr_set(err, ENOMEM, "repo digest");
			break;
		}
		r->digests = grown;
		r->digests[++r->n_digests] = NULL;
		ret = image_store_save_locked(data_root, r, err);
	}
	image_recs_free(recs, n);
	return ret;
}

int image_store_tag(const char *data_root, const char *ref, const char *tag,
		    struct berr *err)
{
	cleanup_close int lock = -1;
	cleanup_free char *norm = NULL;
	struct image_rec *recs;
	size_t n;
	int i, ret;

	ret = image_store_normalize(tag, &norm, err);
	if (ret < 0)
		return ret;
	i = lock_and_find(data_root, ref, true, &lock, &recs, &n, err);
	if (i < 0)
		return i;
	ret = move_tag(data_root, recs, n, (size_t)i, norm, err);
	image_recs_free(recs, n);
	return ret;
}

int image_store_set_parent(const char *data_root, const char *id, const char *parent,
			   struct berr *err)
{
	cleanup_close int lock = image_store_lock(data_root, true, err);
	struct image_rec r;
	int ret;

	if (lock < 0)
		return lock;
	if (strlen(parent) != IMAGE_DIGEST_LEN || strlen(id) != IMAGE_DIGEST_LEN ||
	    !strcmp(id, parent))
		return berr_invalid(err, "image %s: parent %s is not another image's id", id,
				    parent);
	ret = load_rec(data_root, id + 7, &r, err);
	if (ret < 0)
		return ret;
	if (strcmp(r.parent, parent)) {
		strcpy(r.parent, parent);
		ret = image_store_save_locked(data_root, &r, err);
	}
	image_rec_free(&r);
	return ret;
}

int image_store_add_locked(const char *data_root, const char *id, const char *config,
			   size_t config_len, char *const *layers, size_t n_layers,
			   const char *created, char *const *tags, size_t n_tags,
			   struct berr *err)
{
	cleanup_free char *blob = NULL;
	struct image_rec *recs = NULL;
	size_t n = 0, target;
	int ret;

	if (asprintf(&blob, "%s/blobs/sha256/%s", data_root, id + 7) < 0)
		return berr_sys(err, "image config");
	ret = fsutil_write_atomic(blob, config, config_len, 0600, err);
	if (ret < 0)
		return ret;
	ret = list_locked(data_root, &recs, &n, err);
	if (ret < 0)
		return ret;
	for (target = 0; target < n; target++)
		if (strcmp(recs[target].id, id) == 0)
			break;
	if (target == n) {
		struct image_rec *grown = realloc(recs, (n + 1) * sizeof(*recs));

		if (!grown) {
			image_recs_free(recs, n);
			return berr_set(err, ENOMEM, "image record");
		}
		recs = grown;
		n++;
		memset(&recs[target], 0, sizeof(recs[target]));
		strcpy(recs[target].id, id);
		recs[target].layers = strv_dup(layers, n_layers);
		recs[target].n_layers = n_layers;
		recs[target].tags = calloc(1, sizeof(char *));
		recs[target].created = strdup(created ? created : "");
		recs[target].added = (long long)time(NULL);
		for (size_t i = 0; i < n_layers; i++)
			recs[target].size += layer_store_size(data_root, layers[i]);
		if (!recs[target].layers || !recs[target].tags || !recs[target].created) {
			image_recs_free(recs, n);
			return berr_set(err, ENOMEM, "image record");
		}
		ret = image_store_save_locked(data_root, &recs[target], err);
	}
	for (size_t i = 0; ret == 0 && i < n_tags; i++)
		ret = move_tag(data_root, recs, n, target, tags[i], err);
	image_recs_free(recs, n);
	return ret;
}

static bool layer_used(struct image_rec *recs, size_t n, size_t skip, const char *layer)
{
	for (size_t i = 0; i < n; i++) {
		if (i == skip)
			continue;
		for (size_t j = 0; j < recs[i].n_layers; j++)
			if (strcmp(recs[i].layers[j], layer) == 0)
				return true;
	}
	return false;
}

static int delete_image(const char *data_root, struct image_rec *recs, size_t n, size_t i,
			char ***deleted, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *blob = NULL;
	int ret;

	if (asprintf(&path, "%s/images/%s", data_root, recs[i].id + 7) < 0 ||
	    asprintf(&blob, "%s/blobs/sha256/%s", data_root, recs[i].id + 7) < 0)
		return berr_sys(err, "remove image");
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", path);
	unlink(blob);
	if (strv_push(deleted, recs[i].id) < 0)
		return berr_set(err, ENOMEM, "remove image");
	for (size_t j = 0; j < recs[i].n_layers; j++) {
		if (layer_used(recs, n, i, recs[i].layers[j]))
			continue;
		/* An image may list one layer twice: remove it once. */
		bool seen = false;

		for (size_t k = 0; k < j; k++)
			seen |= strcmp(recs[i].layers[k], recs[i].layers[j]) == 0;
		if (seen)
			continue;
		ret = layer_store_remove(data_root, recs[i].layers[j], err);
		if (ret < 0)
			return ret;
		if (strv_push(deleted, recs[i].layers[j]) < 0)
			return berr_set(err, ENOMEM, "remove image");
	}
	return 0;
}

/* The record of a deleted image stays in recs for the caller's loop, but
 * no longer holds its layers or counts as a child. */
static void forget(struct image_rec *r)
{
	strv_free(r->layers);
	r->layers = calloc(1, sizeof(char *));
	r->n_layers = 0;
	r->id[0] = '\0';
}

static int find_id(struct image_rec *recs, size_t n, const char *id)
{
	for (size_t i = 0; i < n && *id; i++)
		if (!strcmp(recs[i].id, id))
			return (int)i;
	return -1;
}

/* After recs[i] went: its parents that are intermediate images nothing
 * else needs, up the chain. */
static int delete_parents(const char *data_root, struct image_rec *recs, size_t n, size_t i,
			  bool (*in_use)(const char *id, void *arg), void *arg, char ***deleted,
			  struct berr *err)
{
	char parent[IMAGE_DIGEST_LEN + 1];
	int p, ret;

	snprintf(parent, sizeof(parent), "%s", recs[i].parent);
	forget(&recs[i]);
	while ((p = find_id(recs, n, parent)) >= 0) {
		struct image_rec *r = &recs[p];

		if (r->n_tags || r->n_digests || image_store_has_child(recs, n, r->id) ||
		    (in_use && in_use(r->id, arg)))
			return 0;
		ret = delete_image(data_root, recs, n, (size_t)p, deleted, err);
		if (ret < 0)
			return ret;
		snprintf(parent, sizeof(parent), "%s", r->parent);
		forget(r);
	}
	return 0;
}

/* Has r a tag of the repository of tag ("name:tag")? */
static bool repo_tagged(const struct image_rec *r, const char *tag)
{
	size_t len = (size_t)(strrchr(tag, ':') - tag);

	for (size_t i = 0; i < r->n_tags; i++)
		if (strncmp(r->tags[i], tag, len) == 0 && r->tags[i][len] == ':' &&
		    !strchr(r->tags[i] + len + 1, '/'))
			return true;
	return false;
}

/* Drop r's repo digests of the repository of tag, reporting each. */
static int drop_repo_digests(struct image_rec *r, const char *tag, char ***untagged,
			     struct berr *err)
{
	size_t len = (size_t)(strrchr(tag, ':') - tag), j = 0;
	int ret = 0;

	for (size_t i = 0; i < r->n_digests; i++) {
		if (strncmp(r->digests[i], tag, len) == 0 && r->digests[i][len] == '@') {
			if (ret == 0 && strv_push(untagged, r->digests[i]) < 0)
				ret = berr_set(err, ENOMEM, "untag");
			free(r->digests[i]);
			continue;
		}
		r->digests[j++] = r->digests[i];
	}
	r->digests[j] = NULL;
	r->n_digests = j;
	return ret;
}

int image_store_remove(const char *data_root, const char *ref, bool force,
		       bool (*in_use)(const char *id, void *arg), void *arg,
		       char ***untagged, char ***deleted, struct berr *err)
{
	cleanup_close int lock = -1;
	cleanup_free char *norm = NULL, *digest = NULL;
	struct image_rec *recs;
	struct image_rec *r;
	size_t n;
	bool by_tag = false, by_digest = false;
	int i, ret = 0;

	i = lock_and_find(data_root, ref, true, &lock, &recs, &n, err);
	if (i < 0)
		return i;
	r = &recs[i];
	if (image_store_normalize(ref, &norm, err) == 0 && has_tag(r, norm))
		by_tag = true;
	else if (strchr(ref, '@') && image_store_digest_ref(ref, &digest, err) == 0)
		by_digest = true;
	berr_clear(err);
	if (by_digest && r->n_tags + r->n_digests > 1) {
		drop_digest(r, digest, false);
		ret = image_store_save_locked(data_root, r, err);
		if (ret == 0 && strv_push(untagged, digest) < 0)
			ret = berr_set(err, ENOMEM, "untag");
		goto out;
	}
	if (by_tag && r->n_tags > 1) {
		/* One name of several goes; the image stays. */
		drop_tag(r, norm);
		if (strv_push(untagged, norm) < 0)
			ret = berr_set(err, ENOMEM, "untag");
		/* With the repository's last tag go its repo digests, as
		 * with dockerd. */
		if (ret == 0 && !repo_tagged(r, norm))
			ret = drop_repo_digests(r, norm, untagged, err);
		if (ret == 0)
			ret = image_store_save_locked(data_root, r, err);
		goto out;
	}
	if (in_use && in_use(r->id, arg)) {
		if (!force) {
			ret = berr_conflict(err, EBUSY,
					"conflict: unable to remove image %s (must be forced) - "
					"image is being used by a container",
					by_tag ? norm : ref);
			goto out;
		}
		/* Forced: the names go, the image stays for its containers. */
		for (size_t t = 0; t < r->n_tags && ret == 0; t++)
			if (strv_push(untagged, r->tags[t]) < 0)
				ret = berr_set(err, ENOMEM, "untag");
		while (r->n_tags)
			drop_tag(r, r->tags[0]);
		if (ret == 0)
			ret = image_store_save_locked(data_root, r, err);
		goto out;
	}
	if (image_store_has_child(recs, n, r->id)) {
		if (!by_tag) {
			ret = berr_conflict(err, ENOTEMPTY,
					"conflict: unable to delete %.12s (cannot be forced) - "
					"image has dependent child images",
					r->id + 7);
			goto out;
		}
		/* Its last name goes; it stays for its children, as an
		 * intermediate image (dockerd does the same). */
		drop_tag(r, norm);
		if (strv_push(untagged, norm) < 0)
			ret = berr_set(err, ENOMEM, "untag");
		if (ret == 0)
			ret = drop_repo_digests(r, norm, untagged, err);
		if (ret == 0)
			ret = image_store_save_locked(data_root, r, err);
		goto out;
	}
	for (size_t t = 0; t < r->n_tags && ret == 0; t++)
		if (strv_push(untagged, r->tags[t]) < 0)
			ret = berr_set(err, ENOMEM, "untag");
	for (size_t t = 0; t < r->n_digests && ret == 0; t++)
		if (strv_push(untagged, r->digests[t]) < 0)
			ret = berr_set(err, ENOMEM, "untag");
	if (ret == 0)
		ret = delete_image(data_root, recs, n, (size_t)i, deleted, err);
	if (ret == 0)
		ret = delete_parents(data_root, recs, n, (size_t)i, in_use, arg, deleted, err);
out:
	image_recs_free(recs, n);
	return ret;
}

int image_store_gc(const char *data_root, struct berr *err)
{
	cleanup_close int lock = image_store_lock(data_root, true, err);
	cleanup_free char *dir = NULL;
	cleanup_closedir DIR *d = NULL;
	struct image_rec *recs;
	struct dirent *de;
	size_t n;
	int ret;

	if (lock < 0)
		return lock;
	ret = list_locked(data_root, &recs, &n, err);
	if (ret < 0)
		return ret;
	if (asprintf(&dir, "%s/layers", data_root) < 0) {
		image_recs_free(recs, n);
		return berr_sys(err, "layers");
	}
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		char id[IMAGE_DIGEST_LEN + 1];
		struct berr ignored;

		if (strlen(de->d_name) != 64)
			continue;
		snprintf(id, sizeof(id), "sha256:%.64s", de->d_name);
		if (!layer_used(recs, n, (size_t)-1, id))
			layer_store_remove(data_root, id, &ignored);
	}
	image_recs_free(recs, n);
	free(dir);
	if (asprintf(&dir, "%s/tmp", data_root) < 0) {
		dir = NULL;
		return berr_sys(err, "tmp");
	}
	/* Loads work below tmp without the lock until they commit: gc runs
	 * only when berthd starts, before any load can. */
	closedir(d);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		cleanup_free char *p = NULL;
		struct berr ignored;

		if (de->d_name[0] == '.' || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		layer_store_rmtree(p, &ignored);
	}
	return 0;
}

int image_store_repository_tags(const char *data_root, const char *ref, char ***tags,
				struct berr *err)
{
	cleanup_free char *norm = NULL;
	struct image_rec *imgs = NULL;
	struct image_ref parsed;
	struct berr ignored;
	size_t n = 0, repo_len;
	int ret;

	*tags = NULL;
	if (image_ref_parse(ref, &parsed, &ignored) < 0 || parsed.tag[0] || parsed.digest[0] ||
	    image_store_normalize(ref, &norm, &ignored) < 0)
		return 0;
	/* norm is the familiar form with ":latest" added. */
	repo_len = strlen(norm) - strlen(":latest");
	ret = image_store_list(data_root, &imgs, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		for (size_t j = 0; ret == 0 && j < imgs[i].n_tags; j++) {
			const char *t = imgs[i].tags[j];

			if (strncmp(t, norm, repo_len) == 0 && t[repo_len] == ':' &&
			    strv_push(tags, t) < 0)
				ret = berr_set(err, ENOMEM, "images");
		}
	image_recs_free(imgs, n);
	if (ret < 0) {
		strv_free(*tags);
		*tags = NULL;
	}
	return ret;
}
