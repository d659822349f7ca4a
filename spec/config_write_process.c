/* config.json's "process", which is also the whole of an exec's
 * process.json. */
#include "spec/config_write_parts.h"

static void write_user(struct cw *c, const struct spec_user *u)
{
	jw_key(c->w, "user");
	jw_map_open(c->w);
	jw_kuint(c->w, "uid", u->uid);
	jw_kuint(c->w, "gid", u->gid);
	if (u->umask_set)
		jw_kuint(c->w, "umask", u->umask);
	if (u->additional_gids) {
		jw_key(c->w, "additionalGids");
		jw_array_open(c->w);
		for (size_t i = 0; i < u->n_additional_gids; i++)
			jw_uint(c->w, u->additional_gids[i]);
		jw_array_close(c->w);
	}
	cw_kstr_opt(c, "username", u->username);
	jw_map_close(c->w);
}

static void write_cap_set(struct cw *c, const char *key, uint64_t mask)
{
	if (!mask)
		return;
	jw_key(c->w, key);
	jw_array_open(c->w);
	for (int cap = 0; cap < 64; cap++)
		if (mask & (UINT64_C(1) << cap))
			cw_name(c, NULL, names_capabilities, cap, "capability");
	jw_array_close(c->w);
}

static void write_caps(struct cw *c, const struct spec_caps *caps)
{
	if (!caps->set)
		return;
	jw_key(c->w, "capabilities");
	jw_map_open(c->w);
	write_cap_set(c, "bounding", caps->bounding);
	write_cap_set(c, "effective", caps->effective);
	write_cap_set(c, "inheritable", caps->inheritable);
	write_cap_set(c, "permitted", caps->permitted);
	write_cap_set(c, "ambient", caps->ambient);
	jw_map_close(c->w);
}

static void write_rlimits(struct cw *c, const struct spec_process *p)
{
	if (!p->n_rlimits)
		return;
	jw_key(c->w, "rlimits");
	jw_array_open(c->w);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		jw_map_open(c->w);
		cw_name(c, "type", names_rlimits, p->rlimits[i].type, "rlimit");
		jw_kuint(c->w, "hard", p->rlimits[i].hard);
		jw_kuint(c->w, "soft", p->rlimits[i].soft);
		jw_map_close(c->w);
	}
	jw_array_close(c->w);
}

static void write_scheduler(struct cw *c, const struct spec_scheduler *s)
{
	if (!s->set)
		return;
	jw_key(c->w, "scheduler");
	jw_map_open(c->w);
	cw_name(c, "policy", names_sched_policies, s->policy, "scheduler policy");
	/* Zero is each number's value when absent. */
	if (s->nice)
		jw_kint(c->w, "nice", s->nice);
	if (s->priority)
		jw_kint(c->w, "priority", s->priority);
	cw_flags(c, "flags", names_sched_flags, s->flags, "scheduler flags");
	if (s->runtime)
		jw_kuint(c->w, "runtime", s->runtime);
	if (s->deadline)
		jw_kuint(c->w, "deadline", s->deadline);
	if (s->period)
		jw_kuint(c->w, "period", s->period);
	jw_map_close(c->w);
}

static void write_io_priority(struct cw *c, const struct spec_io_priority *io)
{
	if (!io->set)
		return;
	jw_key(c->w, "ioPriority");
	jw_map_open(c->w);
	cw_name(c, "class", names_ioprio_classes, io->class, "I/O priority class");
	if (io->priority)
		jw_kint(c->w, "priority", io->priority);
	jw_map_close(c->w);
}

static void write_cpu_affinity(struct cw *c, const struct spec_cpu_affinity *a)
{
	if (!a->initial && !a->final)
		return;
	jw_key(c->w, "execCPUAffinity");
	jw_map_open(c->w);
	cw_kstr_opt(c, "initial", a->initial);
	cw_kstr_opt(c, "final", a->final);
	jw_map_close(c->w);
}

void cw_process(struct cw *c, const struct spec_process *p)
{
	jw_map_open(c->w);
	jw_kbool(c->w, "terminal", p->terminal);
	if (p->console_size_set) {
		jw_key(c->w, "consoleSize");
		jw_map_open(c->w);
		jw_kuint(c->w, "height", p->console_height);
		jw_kuint(c->w, "width", p->console_width);
		jw_map_close(c->w);
	}
	write_user(c, &p->user);
	cw_str_list(c, "args", p->args, p->n_args);
	cw_str_list(c, "env", p->env, p->n_env);
	jw_kstr(c->w, "cwd", p->cwd);
	write_caps(c, &p->caps);
	write_rlimits(c, p);
	if (p->no_new_privileges)
		jw_kbool(c->w, "noNewPrivileges", true);
	cw_kstr_opt(c, "apparmorProfile", p->apparmor_profile);
	if (p->oom_score_adj_set)
		jw_kint(c->w, "oomScoreAdj", p->oom_score_adj);
	write_scheduler(c, &p->scheduler);
	cw_kstr_opt(c, "selinuxLabel", p->selinux_label);
	write_io_priority(c, &p->io_priority);
	write_cpu_affinity(c, &p->exec_cpu_affinity);
	jw_map_close(c->w);
}
