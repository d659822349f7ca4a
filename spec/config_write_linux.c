/* config.json's "linux", except resources and seccomp which have files of
 * their own. */
#include "spec/config_write_parts.h"

void cw_id_mappings(struct cw *c, const char *key, const struct spec_id_mapping *m,
		    size_t n)
{
	if (!n)
		return;
	jw_key(c->w, key);
	jw_array_open(c->w);
	for (size_t i = 0; i < n; i++) {
		jw_map_open(c->w);
		jw_kuint(c->w, "containerID", m[i].container_id);
		jw_kuint(c->w, "hostID", m[i].host_id);
		jw_kuint(c->w, "size", m[i].size);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_namespaces(struct cw *c, const struct spec_linux *l)
{
	if (!l->namespaces)
		return;
	jw_key(c->w, "namespaces");
	jw_array_open(c->w);
	for (size_t i = 0; i < l->n_namespaces; i++) {
		jw_map_open(c->w);
		cw_name(c, "type", names_namespaces, l->namespaces[i].type, "namespace type");
		cw_kstr_opt(c, "path", l->namespaces[i].path);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_time_offset(struct cw *c, const char *clock,
			      const struct spec_time_offset *t)
{
	if (!t->set)
		return;
	jw_key(c->w, clock);
	jw_map_open(c->w);
	jw_kint(c->w, "secs", t->secs);
	jw_kuint(c->w, "nanosecs", t->nanosecs);
	jw_map_close(c->w);
}

static void write_time_offsets(struct cw *c, const struct spec_linux *l)
{
	if (!l->time_monotonic.set && !l->time_boottime.set)
		return;
	jw_key(c->w, "timeOffsets");
	jw_map_open(c->w);
	write_time_offset(c, "monotonic", &l->time_monotonic);
	write_time_offset(c, "boottime", &l->time_boottime);
	jw_map_close(c->w);
}

static void write_device(struct cw *c, const struct spec_device *d)
{
	char type[2] = { d->type, '\0' };

	jw_map_open(c->w);
	jw_kstr(c->w, "type", type);
	jw_kstr(c->w, "path", d->path);
	jw_kint(c->w, "major", d->major);
	jw_kint(c->w, "minor", d->minor);
	if (d->file_mode_set)
		jw_kuint(c->w, "fileMode", d->file_mode);
	if (d->uid_set)
		jw_kuint(c->w, "uid", d->uid);
	if (d->gid_set)
		jw_kuint(c->w, "gid", d->gid);
	jw_map_close(c->w);
}

static void write_devices(struct cw *c, const struct spec_linux *l)
{
	if (!l->n_devices)
		return;
	jw_key(c->w, "devices");
	jw_array_open(c->w);
	for (size_t i = 0; i < l->n_devices; i++)
		write_device(c, &l->devices[i]);
	jw_array_close(c->w);
}

static void write_personality(struct cw *c, const struct spec_personality *p)
{
	if (!p->set)
		return;
	jw_key(c->w, "personality");
	jw_map_open(c->w);
	cw_name(c, "domain", names_personality_domains, (long)p->domain,
		"personality domain");
	cw_str_list(c, "flags", p->flags, p->n_flags);
	jw_map_close(c->w);
}

static void write_intel_rdt(struct cw *c, const struct spec_intel_rdt *rdt)
{
	if (!rdt->set)
		return;
	jw_key(c->w, "intelRdt");
	jw_map_open(c->w);
	cw_kstr_opt(c, "closID", rdt->clos_id);
	cw_kstr_opt(c, "l3CacheSchema", rdt->l3_cache_schema);
	cw_kstr_opt(c, "memBwSchema", rdt->mem_bw_schema);
	if (rdt->enable_cmt)
		jw_kbool(c->w, "enableCMT", true);
	if (rdt->enable_mbm)
		jw_kbool(c->w, "enableMBM", true);
	jw_map_close(c->w);
}

static void write_net_devices(struct cw *c, const struct spec_linux *l)
{
	if (!l->n_net_devices)
		return;
	jw_key(c->w, "netDevices");
	jw_map_open(c->w);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		jw_key(c->w, l->net_devices[i].host_name);
		jw_map_open(c->w);
		jw_kstr(c->w, "name", l->net_devices[i].name);
		jw_map_close(c->w);
	}
	jw_map_close(c->w);
}

void cw_linux(struct cw *c, const struct spec_linux *l)
{
	jw_map_open(c->w);
	cw_id_mappings(c, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	cw_id_mappings(c, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	cw_str_map(c, "sysctl", l->sysctl, l->n_sysctl);
	cw_kstr_opt(c, "cgroupsPath", l->cgroups_path);
	if (l->resources.set) {
		jw_key(c->w, "resources");
		cw_resources(c, &l->resources);
	}
	write_namespaces(c, l);
	write_time_offsets(c, l);
	write_devices(c, l);
	if (l->seccomp.set) {
		jw_key(c->w, "seccomp");
		cw_seccomp(c, &l->seccomp);
	}
	if (l->rootfs_propagation_set)
		cw_name(c, "rootfsPropagation", names_propagation, (long)l->rootfs_propagation,
			"rootfs propagation");
	cw_str_list(c, "maskedPaths", l->masked_paths, l->n_masked_paths);
	cw_str_list(c, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
	cw_kstr_opt(c, "mountLabel", l->mount_label);
	write_personality(c, &l->personality);
	write_intel_rdt(c, &l->intel_rdt);
	write_net_devices(c, l);
	jw_map_close(c->w);
}
