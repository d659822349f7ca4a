#include "isolation/seccomp_plan.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"

bool seccomp_plan_all_of(const struct spec_seccomp_rule *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		for (size_t j = i + 1; j < r->n_args; j++)
			if (r->args[i].index == r->args[j].index)
				return false;
	return true;
}

/* How many rules libseccomp gets for one name of r. */
static size_t cost(const struct spec_seccomp_rule *r)
{
	return r->n_args == 0 || seccomp_plan_all_of(r) ? 1 : r->n_args;
}

struct sort_ctx {
	const struct spec_seccomp *s;
	const uint32_t *actions;
	const struct seccomp_plan_entry *entries;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_args(const struct spec_seccomp_rule *a, const struct spec_seccomp_rule *b)
{
	int c = cmp_u64(a->n_args, b->n_args);

	for (size_t i = 0; c == 0 && i < a->n_args; i++) {
		const struct spec_seccomp_arg *x = &a->args[i], *y = &b->args[i];

		c = cmp_u64(x->index, y->index);
		if (c == 0)
			c = cmp_u64((uint64_t)x->op, (uint64_t)y->op);
		if (c == 0)
			c = cmp_u64(x->value, y->value);
		if (c == 0)
			c = cmp_u64(x->value_two, y->value_two);
	}
	return c;
}

/* Orders (rule, name) entries by name, action and arguments: 0 for the
 * same rule given twice. */
static int cmp_rule(const struct sort_ctx *ctx, uint32_t pa, uint32_t pb)
{
	const struct seccomp_plan_entry *a = &ctx->entries[pa];
	const struct seccomp_plan_entry *b = &ctx->entries[pb];
	const struct spec_seccomp_rule *ra = &ctx->s->syscalls[a->rule];
	const struct spec_seccomp_rule *rb = &ctx->s->syscalls[b->rule];
	int c = strcmp(ra->names[a->name], rb->names[b->name]);

	if (c == 0)
		c = cmp_u64(ctx->actions[a->rule], ctx->actions[b->rule]);
	if (c == 0 && ra != rb)
		c = cmp_args(ra, rb);
	return c;
}

/* Equal rules side by side, each run in profile order: the first of a
 * run is the one kept. */
static int cmp_entry(const void *pa, const void *pb, void *arg)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = cmp_rule(arg, a, b);

	return c ? c : cmp_u64(a, b);
}

/* Every (rule, name) whose action is not the default, in profile order. */
static int list_entries(const struct spec_seccomp *s, const uint32_t *actions, uint32_t def,
			struct seccomp_plan *plan, struct berr *err)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_syscalls; i++)
		if (actions[i] != def)
			n += s->syscalls[i].n_names;
	/* Positions are 32 bits: no config holds four billion names. */
	if (n > UINT32_MAX || s->n_syscalls > UINT32_MAX)
		return berr_fail(err, E2BIG, ".linux.seccomp.syscalls: %zu syscall names", n);
	plan->entries = calloc(n ? n : 1, sizeof(*plan->entries));
	if (!plan->entries)
		return berr_sys(err, "seccomp: %zu syscall names", n);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		if (actions[i] == def)
			continue;
		for (size_t j = 0; j < s->syscalls[i].n_names; j++)
			plan->entries[plan->n++] = (struct seccomp_plan_entry){
				.rule = (uint32_t)i,
				.name = (uint32_t)j,
			};
	}
	return 0;
}

/* Keep the first of each run of equal entries, in profile order. */
static int drop_repeats(const struct spec_seccomp *s, const uint32_t *actions,
			struct seccomp_plan *plan, struct berr *err)
{
	cleanup_free uint32_t *order = NULL;
	cleanup_free bool *repeat = NULL;
	struct sort_ctx ctx = { s, actions, plan->entries };
	size_t kept = 0;

	if (plan->n < 2)
		return 0;
	order = malloc(plan->n * sizeof(*order));
	repeat = calloc(plan->n, sizeof(*repeat));
	if (!order || !repeat)
		return berr_sys(err, "seccomp: %zu syscall names", plan->n);
	for (size_t i = 0; i < plan->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, plan->n, sizeof(*order), cmp_entry, &ctx);
	for (size_t i = 1; i < plan->n; i++)
		if (cmp_rule(&ctx, order[i - 1], order[i]) == 0)
			repeat[order[i]] = true;
	for (size_t i = 0; i < plan->n; i++)
		if (!repeat[i])
			plan->entries[kept++] = plan->entries[i];
	plan->n = kept;
	return 0;
}

int seccomp_plan_make(const struct spec_seccomp *s, const uint32_t *actions, uint32_t def,
		      struct seccomp_plan *plan, struct berr *err)
{
	size_t rules = 0;
	int ret;

	memset(plan, 0, sizeof(*plan));
	ret = list_entries(s, actions, def, plan, err);
	if (ret == 0)
		ret = drop_repeats(s, actions, plan, err);
	for (size_t i = 0; ret == 0 && i < plan->n; i++)
		rules += cost(&s->syscalls[plan->entries[i].rule]);
	if (ret == 0 && rules > SECCOMP_MAX_RULES)
		ret = berr_fail(err, E2BIG,
				".linux.seccomp.syscalls: %zu distinct rules (after repeats are "
				"dropped), berth takes at most %d",
				rules, SECCOMP_MAX_RULES);
	if (ret < 0)
		seccomp_plan_release(plan);
	return ret;
}

void seccomp_plan_release(struct seccomp_plan *plan)
{
	free(plan->entries);
	plan->entries = NULL;
	plan->n = 0;
}
