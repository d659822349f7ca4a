/* A container's block I/O limits as docker takes them: a weight, and
 * weights and throttles per device, named by the device's path on the
 * host ("HOSTPATH:VALUE").  The path is turned into the device's numbers
 * at each start, as dockerd does: the numbers belong to the boot, the
 * path to the user. */
#include "runtime/engine/bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "spec/config_build.h"

struct blkio_line {
	char path[4096];
	uint64_t value;
};

static int parse_line(const char *line, struct blkio_line *out, struct berr *err)
{
	const char *colon = strrchr(line, ':');
	char *end;

	if (!colon || colon == line || (size_t)(colon - line) >= sizeof(out->path) ||
	    !colon[1] || colon[1] == '-')
		return berr_invalid(err, "invalid block I/O device limit \"%s\"", line);
	out->value = strtoull(colon + 1, &end, 10);
	if (*end)
		return berr_invalid(err, "invalid block I/O device limit \"%s\"", line);
	memcpy(out->path, line, (size_t)(colon - line));
	out->path[colon - line] = '\0';
	return 0;
}

static int device_numbers(const char *path, int64_t *major_out, int64_t *minor_out,
			  struct berr *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return berr_failk(err, BERR_INVALID, errno, "block I/O device %s: %s", path,
				  strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return berr_invalid(err, "block I/O device %s is not a block device", path);
	*major_out = major(st.st_rdev);
	*minor_out = minor(st.st_rdev);
	return 0;
}

static int check_weight(uint64_t w, struct berr *err)
{
	if (w && (w < 10 || w > 1000))
		return berr_invalid(err, "Range of blkio weight is from 10 to 1000");
	return 0;
}

static int check_list(char *const *list, bool weights, struct berr *err)
{
	for (size_t i = 0; list && list[i]; i++) {
		struct blkio_line l;
		int64_t maj, min;
		int ret = parse_line(list[i], &l, err);

		if (ret == 0 && weights)
			ret = check_weight(l.value, err);
		if (ret == 0)
			ret = device_numbers(l.path, &maj, &min, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int daemon_check_blkio(const struct daemon_spec *s, struct berr *err)
{
	int ret;

	if (s->blkio_weight < 0 || s->blkio_weight > 1000)
		return berr_invalid(err, "Range of blkio weight is from 10 to 1000");
	ret = check_weight((uint64_t)s->blkio_weight, err);
	if (ret == 0)
		ret = check_list(s->blkio_weight_device, true, err);
	if (ret == 0)
		ret = check_list(s->blkio_read_bps, false, err);
	if (ret == 0)
		ret = check_list(s->blkio_write_bps, false, err);
	if (ret == 0)
		ret = check_list(s->blkio_read_iops, false, err);
	if (ret == 0)
		ret = check_list(s->blkio_write_iops, false, err);
	return ret;
}

static int throttles(struct arena *a, char *const *list, struct spec_throttle_device **out,
		     size_t *n, struct berr *err)
{
	size_t len = 0;

	while (list && list[len])
		len++;
	if (!len)
		return 0;
	*out = spec_build_array(a, len, sizeof(**out));
	if (!*out)
		return berr_set(err, ENOMEM, "block I/O limits");
	for (size_t i = 0; i < len; i++) {
		struct spec_throttle_device *t = &(*out)[i];
		struct blkio_line l;
		int ret = parse_line(list[i], &l, err);

		if (ret == 0)
			ret = device_numbers(l.path, &t->major, &t->minor, err);
		if (ret < 0)
			return ret;
		t->rate = l.value;
	}
	*n = len;
	return 0;
}

static int weight_devices(struct arena *a, char *const *list, struct spec_blkio *b,
			  struct berr *err)
{
	size_t len = 0;

	while (list && list[len])
		len++;
	if (!len)
		return 0;
	b->weight_device = spec_build_array(a, len, sizeof(*b->weight_device));
	if (!b->weight_device)
		return berr_set(err, ENOMEM, "block I/O limits");
	for (size_t i = 0; i < len; i++) {
		struct spec_weight_device *w = &b->weight_device[i];
		struct blkio_line l;
		int ret = parse_line(list[i], &l, err);

		if (ret == 0)
			ret = device_numbers(l.path, &w->major, &w->minor, err);
		if (ret < 0)
			return ret;
		w->weight_set = true;
		w->weight = (uint16_t)l.value;
	}
	b->n_weight_device = len;
	return 0;
}

int daemon_bundle_blkio(struct arena *a, const struct daemon_spec *s,
			struct spec_resources *res, struct berr *err)
{
	struct spec_blkio *b = &res->blkio;
	int ret;

	if (s->blkio_weight) {
		b->weight_set = true;
		b->weight = (uint16_t)s->blkio_weight;
	}
	ret = weight_devices(a, s->blkio_weight_device, b, err);
	if (ret == 0)
		ret = throttles(a, s->blkio_read_bps, &b->throttle_read_bps,
				&b->n_throttle_read_bps, err);
	if (ret == 0)
		ret = throttles(a, s->blkio_write_bps, &b->throttle_write_bps,
				&b->n_throttle_write_bps, err);
	if (ret == 0)
		ret = throttles(a, s->blkio_read_iops, &b->throttle_read_iops,
				&b->n_throttle_read_iops, err);
	if (ret == 0)
		ret = throttles(a, s->blkio_write_iops, &b->throttle_write_iops,
				&b->n_throttle_write_iops, err);
	if (ret < 0)
		return ret;
	res->blkio_set = b->weight_set || b->n_weight_device || b->n_throttle_read_bps ||
			 b->n_throttle_write_bps || b->n_throttle_read_iops ||
			 b->n_throttle_write_iops;
	return 0;
}
