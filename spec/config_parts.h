/* The readers of config.json's sections, one file each, shared by the
 * entry points in config_parse.c.  Each takes the section's value with the
 * reader's path already inside it, and fills a zeroed struct. */
#ifndef BERTH_SPEC_CONFIG_PARTS_H
#define BERTH_SPEC_CONFIG_PARTS_H

#include "spec/config.h"
#include "spec/json_read.h"

/* config_process.c */
int config_process_read(struct jr *r, yajl_val v, struct spec_process *p);

/* config_linux.c */
int config_linux_read(struct jr *r, yajl_val v, struct spec_linux *l);
int config_linux_id_mappings(struct jr *r, yajl_val obj, const char *key,
			     struct spec_id_mapping **out, size_t *n);

/* config_resources.c */
int config_resources_read(struct jr *r, yajl_val v, struct spec_resources *res);

/* config_seccomp.c */
int config_seccomp_read(struct jr *r, yajl_val v, struct spec_seccomp *s);
/* One of a rule's args (docker's seccomp profiles share the form). */
int config_seccomp_read_arg(struct jr *r, yajl_val v, void *elem, void *ctx);

/* The message for sections that only other platforms use. */
#define CONFIG_NOT_LINUX "unsupported: berth runs Linux containers"

#endif
