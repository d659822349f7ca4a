/* docker load's archive reader (runtime/images/image_load.c): archives
 * that fail, and what they leave in the store (nothing). */
#include "tests/unit/helpers.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "runtime/images/image_load.h"

/* A plain tar holding the given members (name, content pairs). */
static void write_tar(const char *path, const char *const *members)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; members[0]; members += 2) {
		struct archive_entry *e = archive_entry_new();
		size_t len = strlen(members[1]);

		archive_entry_set_pathname(e, members[0]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, members[1], len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* A manifest.json whose image config is not in the archive: the load
 * fails saying so, and leaves no image and no work directory.  (The
 * failure once did pointer arithmetic on the still-empty image list,
 * which the fuzz harness's UBSan reported.) */
static void test_missing_config(void **state)
{
	static const char *const members[] = {
		"manifest.json", "[{\"Config\":\"missing.json\",\"RepoTags\":[\"x:1\"],"
				 "\"Layers\":[\"l/layer.tar\"]}]",
		NULL,
	};
	char dir[] = "/tmp/berth-unit-load.XXXXXX", archive[64], root[64], sub[96];
	struct berr err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(archive, sizeof(archive), "%s/image.tar", dir);
	snprintf(root, sizeof(root), "%s/data", dir);
	write_tar(archive, members);
	assert_true(image_load_archive(root, archive, NULL, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "missing.json"));
	snprintf(sub, sizeof(sub), "%s/tmp", root);
	assert_int_equal(count_entries(sub), 0);
	snprintf(sub, sizeof(sub), "%s/images", root);
	assert_int_equal(count_entries(sub), 0);
	snprintf(sub, sizeof(sub), "%s/layers", root);
	assert_int_equal(count_entries(sub), 0);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
