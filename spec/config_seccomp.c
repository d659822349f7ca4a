/* linux.seccomp.  Syscall names stay strings: libseccomp resolves them for
 * the target architecture when the filter is built. */
#include "spec/config_parts.h"

/* A syscall has six argument registers. */
#define SECCOMP_MAX_ARG 5

int config_seccomp_read_arg(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_seccomp_arg *a = elem;
	long op;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req_u32(r, v, "index", &a->index));
	if (a->index > SECCOMP_MAX_ARG)
		return jr_fail_key(r, "index",
				   "argument index %u is out of range 0 to %d",
				   a->index, SECCOMP_MAX_ARG);
	JR_TRY(jr_req_u64(r, v, "value", &a->value));
	JR_TRY(jr_u64(r, v, "valueTwo", &a->value_two));
	JR_TRY(jr_req_enum(r, v, "op", names_seccomp_ops, "seccomp operator",
			   &op));
	a->op = (enum spec_seccomp_op)op;
	return 0;
}

static int read_syscall(struct jr *r, yajl_val v, void *elem, void *ctx)
{
	struct spec_seccomp_rule *s = elem;
	long action;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(jr_req(r, jr_str_array(r, v, "names", &s->names, &s->n_names),
		      "names"));
	JR_TRY(jr_req_enum(r, v, "action", names_seccomp_actions,
			   "seccomp action", &action));
	s->action = (enum spec_seccomp_action)action;
	JR_TRY_SET(s->errno_ret_set, jr_u32(r, v, "errnoRet", &s->errno_ret));
	JR_TRY(jr_list(r, v, "args", s->args, &s->n_args, config_seccomp_read_arg, NULL));
	return 0;
}

static int check_archs(struct jr *r, const char **archs, size_t n)
{
	size_t mark = jr_enter_key(r, "architectures");

	for (size_t i = 0; i < n; i++) {
		long unused;

		if (names_lookup(names_seccomp_archs, archs[i], &unused) == 0)
			continue;
		jr_enter_index(r, i);
		return jr_fail(r, "unknown seccomp architecture \"%s\"", archs[i]);
	}
	jr_leave(r, mark);
	return 0;
}

int config_seccomp_read(struct jr *r, yajl_val v, struct spec_seccomp *s)
{
	long action;

	JR_TRY(jr_val_object(r, v));
	s->set = true;
	JR_TRY(jr_req_enum(r, v, "defaultAction", names_seccomp_actions,
			   "seccomp action", &action));
	s->default_action = (enum spec_seccomp_action)action;
	JR_TRY_SET(s->default_errno_ret_set,
		   jr_u32(r, v, "defaultErrnoRet", &s->default_errno_ret));
	JR_TRY(jr_str_array(r, v, "architectures", &s->architectures,
			    &s->n_architectures));
	JR_TRY(check_archs(r, s->architectures, s->n_architectures));
	JR_TRY(jr_enum_flags(r, v, "flags", names_seccomp_flags,
			     "seccomp flag", &s->flags));
	JR_TRY(jr_str(r, v, "listenerPath", &s->listener_path));
	JR_TRY(jr_str(r, v, "listenerMetadata", &s->listener_metadata));
	JR_TRY(jr_list(r, v, "syscalls", s->syscalls, &s->n_syscalls,
		       read_syscall, NULL));
	return 0;
}
