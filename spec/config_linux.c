/* config.json's "linux", except resources and seccomp which have files of
 * their own. */
#include "spec/config_parts.h"

#include <string.h>

static int read_namespace(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_namespace *ns = elem;
	uint32_t *seen = ctx;
	long type;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_enum(r, v, "type", names_namespaces, "namespace type",
			   &type));
	/* One process can be in only one namespace of each type. */
	if (*seen & (UINT32_C(1) << type))
		return jr_fail_key(r, "type", "duplicate namespace type \"%s\"",
				   names_name(names_namespaces, type));
	*seen |= UINT32_C(1) << type;
	ns->type = (enum spec_ns_type)type;
	JR_TRY(jr_str(r, v, "path", &ns->path));
	return 0;
}

static int read_id_mapping(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_id_mapping *m = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_u32(r, v, "containerID", &m->container_id));
	JR_TRY(jr_req_u32(r, v, "hostID", &m->host_id));
	JR_TRY(jr_req_u32(r, v, "size", &m->size));
	return 0;
}

int config_linux_id_mappings(struct jr *r, yajl_val obj, const char *key,
			     struct spec_id_mapping **out, size_t *n)
{
	return jr_list(r, obj, key, *out, n, read_id_mapping, NULL);
}

static int read_time_offset(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_time_offset *t = elem;

	JR_TRY(jr_val_object(r, v));
	t->set = true;
	JR_TRY(jr_i64(r, v, "secs", &t->secs));
	JR_TRY(jr_u32(r, v, "nanosecs", &t->nanosecs));
	return 0;
}

static int read_time_offsets(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_linux *l = elem;

	JR_TRY(jr_val_object(r, v));
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *clock = v->u.object.keys[i];
		struct spec_time_offset *t;

		if (strcmp(clock, "monotonic") == 0)
			t = &l->time_monotonic;
		else if (strcmp(clock, "boottime") == 0)
			t = &l->time_boottime;
		else
			/* The kernel offsets only these two clocks. */
			return jr_fail_key(r, clock, "unknown clock \"%s\"", clock);
		JR_TRY(jr_section(r, v, clock, read_time_offset, t, NULL));
	}
	return 0;
}

static int read_device(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_device *d = elem;
	const char *type;
	uint32_t mode = 0;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_str(r, v, "type", &type));
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return jr_fail_key(r, "type", "unknown device type \"%s\"", type);
	d->type = type[0];
	JR_TRY(jr_req_str(r, v, "path", &d->path));
	/* A fifo has no device number. */
	if (d->type == 'p') {
		JR_TRY(jr_i64(r, v, "major", &d->major));
		JR_TRY(jr_i64(r, v, "minor", &d->minor));
	} else {
		JR_TRY(jr_req_i64(r, v, "major", &d->major));
		JR_TRY(jr_req_i64(r, v, "minor", &d->minor));
	}
	JR_TRY_SET(d->file_mode_set, jr_u32(r, v, "fileMode", &mode));
	d->file_mode = mode;
	JR_TRY_SET(d->uid_set, jr_u32(r, v, "uid", &d->uid));
	JR_TRY_SET(d->gid_set, jr_u32(r, v, "gid", &d->gid));
	return 0;
}

static int read_resources(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	return config_resources_read(r, v, elem);
}

static int read_seccomp(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	return config_seccomp_read(r, v, elem);
}

static int read_personality(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_personality *p = elem;
	long domain;

	JR_TRY(jr_val_object(r, v));
	p->set = true;
	JR_TRY(jr_req_enum(r, v, "domain", names_personality_domains,
			   "personality domain", &domain));
	p->domain = (unsigned long)domain;
	JR_TRY(jr_str_array(r, v, "flags", &p->flags, &p->n_flags));
	return 0;
}

static int read_intel_rdt(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_intel_rdt *rdt = elem;

	JR_TRY(jr_val_object(r, v));
	rdt->set = true;
	JR_TRY(jr_str(r, v, "closID", &rdt->clos_id));
	JR_TRY(jr_str(r, v, "l3CacheSchema", &rdt->l3_cache_schema));
	JR_TRY(jr_str(r, v, "memBwSchema", &rdt->mem_bw_schema));
	JR_TRY(jr_bool(r, v, "enableCMT", &rdt->enable_cmt));
	JR_TRY(jr_bool(r, v, "enableMBM", &rdt->enable_mbm));
	return 0;
}

static int read_net_device(struct jr *r, const char *host, yajl_val v,
			   void *elem)
{
	struct spec_net_device *d = elem;

	JR_TRY(jr_val_object(r, v));
	d->host_name = host;
	JR_TRY(jr_str(r, v, "name", &d->name));
	/* The spec keeps the host's name when none is given. */
	if (!d->name)
		d->name = host;
	return 0;
}

int config_linux_read(struct jr *r, yajl_val v, struct spec_linux *l)
{
	uint32_t seen_ns = 0;
	long prop;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_list(r, v, "namespaces", l->namespaces, &l->n_namespaces,
		       read_namespace, &seen_ns));
	JR_TRY(config_linux_id_mappings(r, v, "uidMappings", &l->uid_mappings,
					&l->n_uid_mappings));
	JR_TRY(config_linux_id_mappings(r, v, "gidMappings", &l->gid_mappings,
					&l->n_gid_mappings));
	JR_TRY(jr_section(r, v, "timeOffsets", read_time_offsets, l, NULL));
	JR_TRY(jr_list(r, v, "devices", l->devices, &l->n_devices, read_device,
		       NULL));
	JR_TRY(jr_str(r, v, "cgroupsPath", &l->cgroups_path));
	JR_TRY(jr_section(r, v, "resources", read_resources, &l->resources, NULL));
	JR_TRY_SET(l->rootfs_propagation_set,
		   jr_enum(r, v, "rootfsPropagation", names_propagation,
			   "rootfs propagation", &prop));
	if (l->rootfs_propagation_set)
		l->rootfs_propagation = (unsigned long)prop;
	JR_TRY(jr_str_array(r, v, "maskedPaths", &l->masked_paths,
			    &l->n_masked_paths));
	JR_TRY(jr_str_array(r, v, "readonlyPaths", &l->readonly_paths,
			    &l->n_readonly_paths));
	JR_TRY(jr_str(r, v, "mountLabel", &l->mount_label));
	JR_TRY(jr_str_map(r, v, "sysctl", &l->sysctl, &l->n_sysctl));
	JR_TRY(jr_section(r, v, "seccomp", read_seccomp, &l->seccomp, NULL));
	JR_TRY(jr_section(r, v, "personality", read_personality,
			  &l->personality, NULL));
	JR_TRY(jr_section(r, v, "intelRdt", read_intel_rdt, &l->intel_rdt, NULL));
	JR_TRY(jr_map(r, v, "netDevices", l->net_devices, &l->n_net_devices,
		      read_net_device));
	return 0;
}
