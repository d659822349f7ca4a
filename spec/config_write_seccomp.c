/* linux.seccomp, in the key order of contrib/seccomp.json (which is this
 * writer's output for the default profile). */
#include "spec/config_write_parts.h"

static void write_arg(struct cw *c, const struct spec_seccomp_arg *a)
{
	jw_map_open(c->w);
	jw_kuint(c->w, "index", a->index);
	jw_kuint(c->w, "value", a->value);
	/* Zero is valueTwo's value when absent. */
	if (a->value_two)
		jw_kuint(c->w, "valueTwo", a->value_two);
	cw_name(c, "op", names_seccomp_ops, a->op, "seccomp operator");
	jw_map_close(c->w);
}

static void write_rule(struct cw *c, const struct spec_seccomp_rule *r)
{
	jw_map_open(c->w);
	cw_str_list(c, "names", r->names, r->n_names);
	cw_name(c, "action", names_seccomp_actions, r->action, "seccomp action");
	if (r->errno_ret_set)
		jw_kuint(c->w, "errnoRet", r->errno_ret);
	if (r->n_args) {
		jw_key(c->w, "args");
		jw_array_open(c->w);
		for (size_t i = 0; i < r->n_args; i++)
			write_arg(c, &r->args[i]);
		jw_array_close(c->w);
	}
	jw_map_close(c->w);
}

void cw_seccomp(struct cw *c, const struct spec_seccomp *s)
{
	jw_map_open(c->w);
	cw_name(c, "defaultAction", names_seccomp_actions, s->default_action,
		"seccomp action");
	if (s->default_errno_ret_set)
		jw_kuint(c->w, "defaultErrnoRet", s->default_errno_ret);
	cw_str_list(c, "architectures", s->architectures, s->n_architectures);
	cw_flags(c, "flags", names_seccomp_flags, s->flags, "seccomp flags");
	cw_kstr_opt(c, "listenerPath", s->listener_path);
	cw_kstr_opt(c, "listenerMetadata", s->listener_metadata);
	if (s->syscalls) {
		jw_key(c->w, "syscalls");
		jw_array_open(c->w);
		for (size_t i = 0; i < s->n_syscalls; i++)
			write_rule(c, &s->syscalls[i]);
		jw_array_close(c->w);
	}
	jw_map_close(c->w);
}
