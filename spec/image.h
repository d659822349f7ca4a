/* Container image documents: the OCI image config (which docker images
 * share), OCI image indexes and manifests, and the manifest.json of a
 * `docker save` archive.  Parsed into arena-allocated C; unknown fields are
 * ignored, as image tools add their own. */
#ifndef BERTH_SPEC_IMAGE_H
#define BERTH_SPEC_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/arena.h"
#include "spec/config.h"
#include "spec/base/err.h"

/* The run defaults of an image (its config's "config" object). */
struct spec_image_run {
	const char *user;
	const char *working_dir;
	const char *stop_signal;
	const char **env;
	size_t n_env;
	bool cmd_set, entrypoint_set;
	const char **cmd;
	size_t n_cmd;
	const char **entrypoint;
	size_t n_entrypoint;
	struct spec_kv *labels;
	size_t n_labels;
	const char **exposed_ports; /* keys of ExposedPorts */
	size_t n_exposed_ports;
	const char **volumes; /* keys of Volumes */
	size_t n_volumes;
	/* Healthcheck: Test (n_health_test 0: none), durations in ns */
	const char **health_test;
	size_t n_health_test;
	int64_t health_interval, health_timeout, health_start_period;
	int32_t health_retries;
	const char **onbuild; /* kept for a build; a run ignores them, as docker */
	size_t n_onbuild;
};

struct spec_image_config {
	struct arena arena;
	const char *architecture;
	const char *os;
	const char *created;
	const char *author;
	const char *comment;
	struct spec_image_run run;
	const char **diff_ids; /* rootfs.diff_ids, bottom layer first */
	size_t n_diff_ids;
};

int spec_image_config_parse(const char *json, size_t len, struct spec_image_config **out,
			    struct berr *err);
void spec_image_config_free(struct spec_image_config *c);

/* One entry of a docker-archive manifest.json. */
struct spec_archive_image {
	const char *config; /* path of the config blob inside the archive */
	const char **repo_tags;
	size_t n_repo_tags;
	const char **layers; /* paths of the layer tars, bottom first */
	size_t n_layers;
};

int spec_archive_manifest_parse(const char *json, size_t len, struct arena *a,
				struct spec_archive_image **out, size_t *n,
				struct berr *err);

struct spec_oci_descriptor {
	const char *media_type;
	const char *digest;
	int64_t size;
	const char *ref_name;   /* annotation org.opencontainers.image.ref.name */
	const char *image_name; /* annotation io.containerd.image.name */
	const char *os, *architecture, *variant; /* platform, when given */
};

/* index.json of an OCI layout, or a nested image index. */
int spec_oci_index_parse(const char *json, size_t len, struct arena *a,
			 struct spec_oci_descriptor **out, size_t *n, struct berr *err);

struct spec_oci_manifest {
	struct spec_oci_descriptor config;
	struct spec_oci_descriptor *layers;
	size_t n_layers;
};

int spec_oci_manifest_parse(const char *json, size_t len, struct arena *a,
			    struct spec_oci_manifest *out, struct berr *err);

/* Is s "sha256:" followed by 64 lowercase hex digits? */
bool spec_image_digest_valid(const char *s);

#endif
