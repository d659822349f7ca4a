/* docker's seccomp profile format into linux.seccomp, as dockerd turns
 * one into the config it gives the runtime: the architectures of the
 * archMap entry of the target's architecture (with its sub-architectures),
 * and each syscall rule whose includes hold and whose excludes do not
 * (capabilities held, architectures, minimum kernel).  A rule names its
 * syscalls in "names" or, in older profiles, "name". */
#include "spec/seccomp_docker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/config_parts.h"
#include "spec/names.h"

/* includes or excludes into *verdict, as dockerd reads them: includes
 * hold (1) when every capability named is held, the architecture is among
 * those named and the kernel is recent enough; excludes hold when any
 * capability named is held or the architecture is among those named;
 * -1 when it names nothing. */
static int conditions(struct jr *r, yajl_val v, const char *key,
		      const struct spec_seccomp_target *t, int *verdict)
{
	bool excludes = strcmp(key, "excludes") == 0, some = false;
	yajl_val c = jr_get(v, key);
	const char **caps = NULL, **arches = NULL, *min = NULL;
	size_t n_caps = 0, n_arches = 0;
	size_t mark;
	bool any = false, all = true;

	*verdict = -1;
	if (!c || YAJL_IS_NULL(c))
		return 0;
	mark = jr_enter_key(r, key);
	JR_TRY(jr_val_object(r, c));
	JR_TRY(jr_str_array(r, c, "caps", &caps, &n_caps));
	JR_TRY(jr_str_array(r, c, "arches", &arches, &n_arches));
	JR_TRY(jr_str(r, c, "minKernel", &min));
	for (size_t i = 0; i < n_caps; i++) {
		long cap;

		if (names_lookup(names_capabilities, caps[i], &cap) < 0)
			return jr_fail_key(r, "caps", "unknown capability \"%s\"", caps[i]);
		any = true;
		all &= (t->caps >> cap) & 1;
		some |= (t->caps >> cap) & 1;
	}
	if (n_arches) {
		bool found = false;

		for (size_t i = 0; i < n_arches; i++)
			found |= strcmp(arches[i], t->go_arch) == 0;
		any = true;
		all &= found;
		some |= found;
	}
	if (min && *min) {
		unsigned maj = 0, minor = 0;

		if (sscanf(min, "%u.%u", &maj, &minor) < 1)
			return jr_fail_key(r, "minKernel", "invalid kernel version \"%s\"", min);
		any = true;
		all &= t->kernel_major > maj || (t->kernel_major == maj && t->kernel_minor >= minor);
	}
	jr_leave(r, mark);
	*verdict = !any ? -1 : excludes ? some : all;
	return 0;
}

struct rules {
	const struct spec_seccomp_target *t;
	struct spec_seccomp_rule *v;
	size_t n;
};

static int read_rule(struct jr *r, yajl_val v, struct spec_seccomp_rule *s,
		     const struct spec_seccomp_target *t, bool *keep)
{
	const char *one = NULL;
	long action;
	int inc, exc;

	JR_TRY(jr_val_object(r, v));
	JR_TRY(conditions(r, v, "includes", t, &inc));
	JR_TRY(conditions(r, v, "excludes", t, &exc));
	*keep = inc != 0 && exc != 1;
	JR_TRY(jr_str_array(r, v, "names", &s->names, &s->n_names));
	JR_TRY(jr_str(r, v, "name", &one));
	if (one && *one) {
		const char **names = jr_alloc(r, s->n_names + 1, sizeof(*names));

		if (!names)
			return -ENOMEM;
		if (s->n_names)
			memcpy(names, s->names, s->n_names * sizeof(*names));
		names[s->n_names++] = one;
		s->names = names;
	}
	if (!s->n_names)
		return jr_fail(r, "a rule names no syscall (\"names\" or \"name\")");
	JR_TRY(jr_req_enum(r, v, "action", names_seccomp_actions, "seccomp action", &action));
	s->action = (enum spec_seccomp_action)action;
	JR_TRY_SET(s->errno_ret_set, jr_u32(r, v, "errnoRet", &s->errno_ret));
	JR_TRY(jr_list(r, v, "args", s->args, &s->n_args, config_seccomp_read_arg, NULL));
	return 0;
}

static int read_rules(struct jr *r, yajl_val doc, struct rules *out)
{
	yajl_val arr = jr_get(doc, "syscalls");
	size_t mark;

	if (!arr || YAJL_IS_NULL(arr))
		return 0;
	mark = jr_enter_key(r, "syscalls");
	JR_TRY(jr_val_array(r, arr));
	out->v = jr_alloc(r, arr->u.array.len + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (size_t i = 0; i < arr->u.array.len; i++) {
		size_t m2 = jr_enter_index(r, i);
		bool keep;

		memset(&out->v[out->n], 0, sizeof(out->v[out->n]));
		JR_TRY(read_rule(r, arr->u.array.values[i], &out->v[out->n], out->t, &keep));
		if (keep)
			out->n++;
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	return 0;
}

/* The archMap entry of the target's architecture, or "architectures". */
static int read_archs(struct jr *r, yajl_val doc, const struct spec_seccomp_target *t,
		      struct spec_seccomp *s)
{
	yajl_val map = jr_get(doc, "archMap");
	size_t mark;

	if (!map || YAJL_IS_NULL(map))
		return jr_str_array(r, doc, "architectures", &s->architectures,
				    &s->n_architectures) < 0 ? -EINVAL : 0;
	mark = jr_enter_key(r, "archMap");
	JR_TRY(jr_val_array(r, map));
	for (size_t i = 0; i < map->u.array.len; i++) {
		yajl_val e = map->u.array.values[i];
		size_t m2 = jr_enter_index(r, i);
		const char *arch = NULL, **subs = NULL;
		size_t n_subs = 0;

		JR_TRY(jr_val_object(r, e));
		JR_TRY(jr_req_str(r, e, "architecture", &arch));
		JR_TRY(jr_str_array(r, e, "subArchitectures", &subs, &n_subs));
		if (strcmp(arch, t->scmp_arch) == 0) {
			s->architectures = jr_alloc(r, n_subs + 1, sizeof(*s->architectures));
			if (!s->architectures)
				return -ENOMEM;
			s->architectures[0] = arch;
			if (n_subs)
				memcpy(s->architectures + 1, subs, n_subs * sizeof(*subs));
			s->n_architectures = n_subs + 1;
		}
		jr_leave(r, m2);
	}
	jr_leave(r, mark);
	for (size_t i = 0; i < s->n_architectures; i++) {
		long unused;

		if (names_lookup(names_seccomp_archs, s->architectures[i], &unused) < 0)
			return jr_fail(r, "unknown seccomp architecture \"%s\"",
				       s->architectures[i]);
	}
	return 0;
}

int spec_seccomp_docker(struct arena *a, const char *json, size_t len,
			const struct spec_seccomp_target *t, struct spec_seccomp *s,
			struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	struct rules rules = { .t = t };
	struct jr r;
	long action;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = jr_parse(json, len, &doc, err);
	if (ret < 0)
		return berr_wrap(err, ret, "seccomp profile");
	jr_init(&r, a, err);
	JR_TRY(jr_val_object(&r, doc));
	s->set = true;
	JR_TRY(jr_req_enum(&r, doc, "defaultAction", names_seccomp_actions, "seccomp action",
			   &action));
	s->default_action = (enum spec_seccomp_action)action;
	JR_TRY_SET(s->default_errno_ret_set,
		   jr_u32(&r, doc, "defaultErrnoRet", &s->default_errno_ret));
	JR_TRY(read_archs(&r, doc, t, s));
	JR_TRY(jr_enum_flags(&r, doc, "flags", names_seccomp_flags, "seccomp flag", &s->flags));
	JR_TRY(jr_str(&r, doc, "listenerPath", &s->listener_path));
	JR_TRY(jr_str(&r, doc, "listenerMetadata", &s->listener_metadata));
	JR_TRY(read_rules(&r, doc, &rules));
	s->syscalls = rules.v;
	s->n_syscalls = rules.n;
	return 0;
}
