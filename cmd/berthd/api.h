/* The Docker Engine API handlers of berthd (one file per group). */
#ifndef BERTHD_API_H
#define BERTHD_API_H

#include <stdbool.h>

#include "http.h"

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
enum MHD_Result api_container_unpause(struct req *r);
enum MHD_Result api_container_resize(struct req *r);

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
bool filters_has(const struct filters *f, const char *key);
/* Key absent, or value among its values. */
bool filters_match(const struct filters *f, const char *key, const char *value);
char **filters_values(const struct filters *f, const char *key);

#endif
