/* The small writers every section of config.json uses: names of
 * enumerations, flag lists, optional strings, lists and maps. */
#include "spec/config_write_parts.h"

void cw_name(struct cw *c, const char *key, const struct name_value *table,
	     long value, const char *what)
{
	const char *name = names_name(table, value);

	if (!name && !c->unnamed) {
		c->unnamed = what;
		c->unnamed_value = value;
	}
	if (key)
		jw_key(c->w, key);
	jw_str(c->w, name);
}

void cw_flags(struct cw *c, const char *key, const struct name_value *table,
	      uint64_t flags, const char *what)
{
	uint64_t named = 0;

	if (!flags)
		return;
	jw_key(c->w, key);
	jw_array_open(c->w);
	for (const struct name_value *t = table; t->name; t++) {
		if (flags & (uint64_t)t->value) {
			jw_str(c->w, t->name);
			named |= (uint64_t)t->value;
		}
	}
	jw_array_close(c->w);
	if ((flags & ~named) && !c->unnamed) {
		c->unnamed = what;
		c->unnamed_value = (long)(flags & ~named);
	}
}

void cw_str_list(struct cw *c, const char *key, const char *const *list, size_t n)
{
	if (!list)
		return;
	jw_key(c->w, key);
	jw_array_open(c->w);
	for (size_t i = 0; i < n; i++)
		jw_str(c->w, list[i]);
	jw_array_close(c->w);
}

void cw_str_map(struct cw *c, const char *key, const struct spec_kv *kv, size_t n)
{
	if (!n)
		return;
	jw_key(c->w, key);
	jw_map_open(c->w);
	for (size_t i = 0; i < n; i++)
		jw_kstr(c->w, kv[i].key, kv[i].value);
	jw_map_close(c->w);
}

void cw_kstr_opt(struct cw *c, const char *key, const char *s)
{
	if (s)
		jw_kstr(c->w, key, s);
}
