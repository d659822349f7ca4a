/* config.json's "process", which is also the whole of an exec's
 * process.json. */
#include "spec/config_parts.h"

#include <string.h>

static int read_console_size(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_process *p = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_u32(r, v, "height", &p->console_height));
	JR_TRY(jr_u32(r, v, "width", &p->console_width));
	return 0;
}

static int read_user(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_user *u = elem;
	uint32_t umask = 0;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_u32(r, v, "uid", &u->uid));
	JR_TRY(jr_u32(r, v, "gid", &u->gid));
	JR_TRY_SET(u->umask_set, jr_u32(r, v, "umask", &umask));
	u->umask = umask;
	JR_TRY(jr_u32_array(r, v, "additionalGids", &u->additional_gids,
			    &u->n_additional_gids));
	JR_TRY(jr_str(r, v, "username", &u->username));
	return 0;
}

/* Keep an unknown name for the warning rather than refuse the config. */
static int note_unknown_cap(struct jr *r, const char **unknown, const char *name)
{
	size_t old = *unknown ? strlen(*unknown) + 1 : 0;
	char *s = arena_alloc(r->arena, old + strlen(name) + 1);

	if (!s)
		return berr_sys(r->err, "capabilities");
	if (old) {
		memcpy(s, *unknown, old - 1);
		s[old - 1] = ' ';
	}
	strcpy(s + old, name);
	*unknown = s;
	return 0;
}

static int read_cap_set(struct jr *r, yajl_val caps, const char *key,
			uint64_t *mask, const char **unknown)
{
	yajl_val list;
	size_t mark;
	int ret;

	ret = jr_array(r, caps, key, &list);
	if (ret <= 0)
		return ret;
	mark = jr_enter_key(r, key);
	for (size_t i = 0; i < list->u.array.len; i++) {
		size_t at = jr_enter_index(r, i);
		yajl_val v = list->u.array.values[i];
		long cap;

		if (YAJL_IS_STRING(v) &&
		    names_lookup(names_capabilities, v->u.string, &cap) < 0)
			JR_TRY(note_unknown_cap(r, unknown, v->u.string));
		else {
			JR_TRY(jr_val_enum(r, v, names_capabilities, "capability", &cap));
			*mask |= UINT64_C(1) << cap;
		}
		jr_leave(r, at);
	}
	jr_leave(r, mark);
	return 1;
}

static int read_caps(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_caps *c = elem;

	JR_TRY(jr_val_object(r, v));
	c->set = true;
	JR_TRY(read_cap_set(r, v, "bounding", &c->bounding, &c->unknown));
	JR_TRY(read_cap_set(r, v, "effective", &c->effective, &c->unknown));
	JR_TRY(read_cap_set(r, v, "inheritable", &c->inheritable, &c->unknown));
	JR_TRY(read_cap_set(r, v, "permitted", &c->permitted, &c->unknown));
	JR_TRY(read_cap_set(r, v, "ambient", &c->ambient, &c->unknown));
	return 0;
}

static int read_rlimit(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_rlimit *rl = elem;
	uint32_t *seen = ctx;
	long type;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_enum(r, v, "type", names_rlimits, "rlimit", &type));
	/* Two entries for one limit would silently let the last one win. */
	if (*seen & (UINT32_C(1) << type))
		return jr_fail_key(r, "type", "duplicate rlimit \"%s\"",
				   names_name(names_rlimits, type));
	*seen |= UINT32_C(1) << type;
	rl->type = (int)type;
	JR_TRY(jr_req_u64(r, v, "soft", &rl->soft));
	JR_TRY(jr_req_u64(r, v, "hard", &rl->hard));
	if (rl->soft > rl->hard)
		return jr_fail(r, "soft limit %llu is above hard limit %llu",
			       (unsigned long long)rl->soft,
			       (unsigned long long)rl->hard);
	return 0;
}

static int read_scheduler(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_scheduler *s = elem;
	long policy;

	JR_TRY(jr_val_object(r, v));
	s->set = true;
	JR_TRY(jr_req_enum(r, v, "policy", names_sched_policies,
			   "scheduler policy", &policy));
	s->policy = (int)policy;
	JR_TRY(jr_i32(r, v, "nice", &s->nice));
	JR_TRY(jr_i32(r, v, "priority", &s->priority));
	JR_TRY(jr_enum_flags(r, v, "flags", names_sched_flags, "scheduler flag",
			     &s->flags));
	JR_TRY(jr_u64(r, v, "runtime", &s->runtime));
	JR_TRY(jr_u64(r, v, "deadline", &s->deadline));
	JR_TRY(jr_u64(r, v, "period", &s->period));
	return 0;
}

static int read_io_priority(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_io_priority *io = elem;
	long class;

	JR_TRY(jr_val_object(r, v));
	io->set = true;
	JR_TRY(jr_req_enum(r, v, "class", names_ioprio_classes,
			   "I/O priority class", &class));
	io->class = (int)class;
	JR_TRY(jr_i32(r, v, "priority", &io->priority));
	return 0;
}

static int read_cpu_affinity(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_cpu_affinity *a = elem;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_str(r, v, "initial", &a->initial));
	JR_TRY(jr_str(r, v, "final", &a->final));
	return 0;
}

int config_process_read(struct jr *r, yajl_val v, struct spec_process *p)
{
	uint32_t seen_rlimits = 0;

	JR_TRY(jr_val_object(r, v));
	if (jr_get(v, "commandLine"))
		return jr_fail_key(r, "commandLine", CONFIG_NOT_LINUX);
	JR_TRY(jr_bool(r, v, "terminal", &p->terminal));
	JR_TRY_SET(p->console_size_set,
		   jr_section(r, v, "consoleSize", read_console_size, p, NULL));
	JR_TRY(jr_section(r, v, "user", read_user, &p->user, NULL));
	JR_TRY(jr_str_array(r, v, "args", &p->args, &p->n_args));
	JR_TRY(jr_str_array(r, v, "env", &p->env, &p->n_env));
	JR_TRY(jr_req_str(r, v, "cwd", &p->cwd));
	JR_TRY(jr_section(r, v, "capabilities", read_caps, &p->caps, NULL));
	JR_TRY(jr_list(r, v, "rlimits", p->rlimits, &p->n_rlimits, read_rlimit,
		       &seen_rlimits));
	JR_TRY(jr_bool(r, v, "noNewPrivileges", &p->no_new_privileges));
	JR_TRY(jr_str(r, v, "apparmorProfile", &p->apparmor_profile));
	JR_TRY_SET(p->oom_score_adj_set,
		   jr_i32(r, v, "oomScoreAdj", &p->oom_score_adj));
	JR_TRY(jr_section(r, v, "scheduler", read_scheduler, &p->scheduler, NULL));
	JR_TRY(jr_str(r, v, "selinuxLabel", &p->selinux_label));
	JR_TRY(jr_section(r, v, "ioPriority", read_io_priority, &p->io_priority,
			  NULL));
	JR_TRY(jr_section(r, v, "execCPUAffinity", read_cpu_affinity,
			  &p->exec_cpu_affinity, NULL));
	return 0;
}
