/* The writers of config.json's sections, one file each as the readers
 * are (config_parts.h), shared by the entry points in config_write.c. */
#ifndef BERTH_SPEC_CONFIG_WRITE_PARTS_H
#define BERTH_SPEC_CONFIG_WRITE_PARTS_H

#include "spec/config.h"
#include "spec/json_write.h"
#include "spec/names.h"

/* A writer and the first value it could not name: an enumeration holding
 * a number the tables do not know would otherwise come out as null and
 * fail only when read back. */
struct cw {
	struct jw *w;
	const char *unnamed; /* what it was ("rlimit"...), or NULL */
	long unnamed_value;
};

/* config_write_values.c */

/* The name of value in table as the value of key (key NULL: an array
 * item). */
void cw_name(struct cw *c, const char *key, const struct name_value *table,
	     long value, const char *what);
/* Bits of flags as a list of names from table. */
void cw_flags(struct cw *c, const char *key, const struct name_value *table,
	      uint64_t flags, const char *what);
/* A string list, when present (an empty list stays an empty list). */
void cw_str_list(struct cw *c, const char *key, const char *const *list, size_t n);
/* key/value pairs as a JSON object, when there are any. */
void cw_str_map(struct cw *c, const char *key, const struct spec_kv *kv, size_t n);
void cw_kstr_opt(struct cw *c, const char *key, const char *s); /* NULL: absent */

/* config_write_process.c */
void cw_process(struct cw *c, const struct spec_process *p);

/* config_write_linux.c */
void cw_linux(struct cw *c, const struct spec_linux *l);
void cw_id_mappings(struct cw *c, const char *key, const struct spec_id_mapping *m,
		    size_t n);

/* config_write_resources.c */
void cw_resources(struct cw *c, const struct spec_resources *r);

/* config_write_seccomp.c */
void cw_seccomp(struct cw *c, const struct spec_seccomp *s);

#endif
