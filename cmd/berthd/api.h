/* The Docker Engine API handlers of berthd (one file per group). */
#ifndef BERTHD_API_H
#define BERTHD_API_H

#include <stdbool.h>

#include "http.h"
#include "spec/json_read.h"

/* api_system.c */
enum MHD_Result api_ping(struct req *r);
enum MHD_Result api_version(struct req *r);
enum MHD_Result api_info(struct req *r);
enum MHD_Result api_events(struct req *r);
enum MHD_Result api_no_such_object(struct req *r);

/* api_containers.c */
enum MHD_Result api_container_create(struct req *r);
enum MHD_Result api_container_list(struct req *r);
enum MHD_Result api_container_inspect(struct req *r);
enum MHD_Result api_container_start(struct req *r);
enum MHD_Result api_container_stop(struct req *r);
enum MHD_Result api_container_restart(struct req *r);
enum MHD_Result api_container_kill(struct req *r);
enum MHD_Result api_container_remove(struct req *r);
enum MHD_Result api_container_update(struct req *r);
enum MHD_Result api_container_pause(struct req *r);
enum MHD_Result api_container_rename(struct req *r);
enum MHD_Result api_container_unpause(struct req *r);
enum MHD_Result api_container_resize(struct req *r);

/* api_mounts.c: create's Config.Volumes and HostConfig's VolumeDriver,
 * VolumesFrom, Mounts and Tmpfs (hc may be NULL) into s; the Mounts of
 * inspect and list. */
struct daemon_spec;
struct jw;
int api_parse_mounts(struct jr *r, yajl_val doc, yajl_val hc, struct daemon_spec *s);
void api_mounts_json(struct jw *w, const char *data_root, const struct daemon_spec *s);

/* api_run_options.c: HostConfig's Init, Ulimits, Sysctls, GroupAdd,
 * Devices, DeviceCgroupRules, ShmSize, OomScoreAdj, OomKillDisable,
 * PidMode, IpcMode, UTSMode into s (the engine checks their values). */
int api_parse_run_options(struct jr *r, yajl_val hc, struct daemon_spec *s);
/* Inspect's HostConfig.Ulimits, Devices and Sysctls. */
void api_run_options_json(struct jw *w, const struct daemon_spec *s);

/* api_blkio.c: HostConfig's BlkioWeight, BlkioWeightDevice,
 * BlkioDevice{Read,Write}{Bps,IOps}, CpuRealtimePeriod and
 * CpuRealtimeRuntime into s, and back for inspect's HostConfig. */
int api_parse_blkio(struct jr *r, yajl_val hc, struct daemon_spec *s);
void api_blkio_json(struct jw *w, const struct daemon_spec *s);

/* api_run_options.c: LogConfig.Config (max-size, max-file) into s. */
int api_parse_log_options(struct jr *r, yajl_val lc, struct daemon_spec *s);

/* api_health.c: Config.Healthcheck into s; inspect's Config.Healthcheck
 * and State.Health (with the daemon's lock held). */
int api_parse_healthcheck(struct jr *r, yajl_val doc, struct daemon_spec *s);
void api_health_config_json(struct jw *w, const struct daemon_spec *s);
void api_health_state_json(struct jw *w, const struct daemon_container *c);

/* api_ps_entry.c: the keys a container's entry in a list begins with,
 * in docker ps and system df alike: Id, Names (with docker's slash),
 * Image, ImageID. */
void api_container_heading(struct jw *w, const struct daemon_container *c);
/* api_network_settings.c: NetworkSettings, with the daemon's lock held:
 * in docker ps only its Networks, in inspect (full) all of it. */
struct daemon;
void api_network_settings(struct jw *w, const struct daemon *d,
			  const struct daemon_container *c, bool full);

/* api_volumes.c */
enum MHD_Result api_volume_create(struct req *r);
enum MHD_Result api_volume_list(struct req *r);
enum MHD_Result api_volume_inspect(struct req *r);
enum MHD_Result api_volume_remove(struct req *r);
enum MHD_Result api_volume_prune(struct req *r);
enum MHD_Result api_system_df(struct req *r);

/* api_resources.c */
enum MHD_Result api_container_top(struct req *r);
enum MHD_Result api_container_stats(struct req *r);

/* api_streams.c */
enum MHD_Result api_container_wait(struct req *r);
enum MHD_Result api_container_logs(struct req *r);
enum MHD_Result api_container_attach(struct req *r);

/* api_exec.c */
enum MHD_Result api_exec_create(struct req *r);
enum MHD_Result api_exec_start(struct req *r);
enum MHD_Result api_exec_inspect(struct req *r);
enum MHD_Result api_exec_resize(struct req *r);

/* api_images.c */
enum MHD_Result api_image_load(struct req *r);
enum MHD_Result api_image_create(struct req *r);
enum MHD_Result api_image_list(struct req *r);
enum MHD_Result api_image_inspect(struct req *r);
enum MHD_Result api_image_tag(struct req *r);
enum MHD_Result api_image_remove(struct req *r);

/* api_networks.c */
enum MHD_Result api_network_list(struct req *r);
enum MHD_Result api_network_inspect(struct req *r);
enum MHD_Result api_network_create(struct req *r);
enum MHD_Result api_network_remove(struct req *r);
enum MHD_Result api_network_prune(struct req *r);
enum MHD_Result api_network_connect(struct req *r);
enum MHD_Result api_network_disconnect(struct req *r);

/* api_archive.c */
enum MHD_Result api_image_get(struct req *r);
enum MHD_Result api_image_get_one(struct req *r);
enum MHD_Result api_container_export(struct req *r);
struct daemon_archive;
/* A started helper's archive (*a, which the reply owns from here on)
 * streamed as the reply; with first_bytes, the status waits for its
 * first bytes or its end, so a helper that fails before writing is an
 * error status rather than an empty 200. */
enum MHD_Result api_archive_reply(struct req *r, struct daemon_archive *a, bool first_bytes);

/* api_image_history.c */
enum MHD_Result api_image_history(struct req *r);

/* api_prune.c */
enum MHD_Result api_container_prune(struct req *r);
enum MHD_Result api_image_prune(struct req *r);

/* api_changes.c */
enum MHD_Result api_container_changes(struct req *r);

/* api_cp.c */
enum MHD_Result api_container_archive_get(struct req *r);
enum MHD_Result api_container_archive_put(struct req *r);

/* api_build.c */
enum MHD_Result api_build(struct req *r);

/* api_build_prune.c: POST /build/prune, and system df's BuildCache. */
enum MHD_Result api_build_prune(struct req *r);
void api_build_cache_df(struct jw *w, struct req *r);

/* api_commit.c */
enum MHD_Result api_commit(struct req *r);

/* api_registry.c */
enum MHD_Result api_image_pull(struct req *r, const char *from_image, const char *tag);
enum MHD_Result api_image_push(struct req *r);
enum MHD_Result api_auth(struct req *r);

/* api_filters.c: the "filters" query parameter, {"key": ["value", ...]}
 * (or docker's older {"key": {"value": true}}). */
struct filters {
	size_t n;
	char **keys;
	char ***values; /* NULL-terminated lists */
};

int filters_parse(const char *json, struct filters *f, struct berr *err);
void filters_free(struct filters *f);
/* Every key must be one of allowed (NULL-terminated). */
int filters_check(const struct filters *f, const char *const *allowed, struct berr *err);
/* The request's filters parameter parsed and checked against allowed; on
 * failure *f is freed (and empty), so only a success needs filters_free. */
int filters_query(struct req *r, const char *const *allowed, struct filters *f,
		  struct berr *err);
bool filters_has(const struct filters *f, const char *key);
/* Key absent, or value among its values. */
bool filters_match(const struct filters *f, const char *key, const char *value);
char **filters_values(const struct filters *f, const char *key);
/* docker's label filters over "key=value" labels: each "label" value (a
 * key, or key=value) is among them, and no "label!" value is. */
bool filters_labels(const struct filters *f, char *const *labels);

#endif
