/* isolation/seccomp_plan: repeated rules are dropped (the first kept, in
 * profile order) without changing the program libseccomp makes, rules
 * that differ in action or arguments all stay, and a profile past
 * SECCOMP_MAX_RULES distinct rules is refused with the count. */
#include "tests/unit/seccomp_helpers.h"

#include "isolation/seccomp.h"
#include "isolation/seccomp_plan.h"
#include "spec/config.h"

/* A growing JSON text. */
struct text {
	char *s;
	size_t len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	char *more = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	t->s = realloc(t->s, t->len + (size_t)n + 1);
	assert_non_null(t->s);
	memcpy(t->s + t->len, more, (size_t)n + 1);
	t->len += (size_t)n;
	free(more);
}

static struct spec_config *parse(struct text *t)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	char *doc = NULL;

	assert_true(asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
				   "\"linux\":{\"seccomp\":%s}}",
			     t->s) > 0);
	if (spec_config_parse(doc, strlen(doc), &cfg, &err) < 0)
		fail_msg("profile does not parse: %s", err.msg);
	free(doc);
	free(t->s);
	t->s = NULL;
	t->len = 0;
	return cfg;
}

static struct seccomp_filter_prog build(struct spec_config *cfg)
{
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };

	if (seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err) < 0)
		fail_msg("compile: %s", err.msg);
	return prog;
}

static void assert_same_program(struct spec_config *a, struct spec_config *b)
{
	struct seccomp_filter_prog pa = build(a), pb = build(b);

	assert_int_equal(pa.len, pb.len);
	assert_memory_equal(pa.insns, pb.insns, pa.len * sizeof(*pa.insns));
	seccomp_filter_release(&pa);
	seccomp_filter_release(&pb);
}

/* The plan of a profile whose rules are all ERRNO(1) over an ALLOW
 * default. */
static struct seccomp_plan plan_of(const struct spec_seccomp *s)
{
	uint32_t actions[64];
	struct seccomp_plan plan;
	struct berr err = { 0 };

	assert_true(s->n_syscalls <= 64);
	for (size_t i = 0; i < s->n_syscalls; i++)
		actions[i] = s->syscalls[i].action == SECCOMP_ACT_ALLOW ? 0 : 1 + s->syscalls[i].errno_ret;
	if (seccomp_plan_make(s, actions, 0, &plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	return plan;
}

static const char *entry_name(const struct spec_seccomp *s, const struct seccomp_plan *p,
			      size_t i)
{
	return s->syscalls[p->entries[i].rule].names[p->entries[i].name];
}

/* Repeats go, the first of each stays where it was; another action or
 * other arguments are other rules. */
static void test_plan_order(void **state)
{
	struct spec_config *cfg = profile(
		"{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
		"{'names':['mkdir','rmdir','mkdir'],'action':'SCMP_ACT_ERRNO'},"
		"{'names':['socket'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':2,'op':'SCMP_CMP_EQ'}]},"
		"{'names':['rmdir','chdir'],'action':'SCMP_ACT_ERRNO'},"
		"{'names':['socket'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':10,'op':'SCMP_CMP_EQ'}]},"
		"{'names':['socket'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':2,'op':'SCMP_CMP_EQ'}]},"
		"{'names':['mkdir'],'action':'SCMP_ACT_ERRNO','errnoRet':5},"
		"{'names':['getpid'],'action':'SCMP_ACT_ALLOW'}]}");
	const struct spec_seccomp *s = &cfg->linux.seccomp;
	struct seccomp_plan p = plan_of(s);
	static const char *const want[] = { "mkdir", "rmdir", "socket", "chdir", "socket", "mkdir" };
	static const uint32_t want_rule[] = { 0, 0, 1, 2, 3, 5 };

	assert_int_equal(p.n, 6);
	for (size_t i = 0; i < p.n; i++) {
		assert_string_equal(entry_name(s, &p, i), want[i]);
		assert_int_equal(p.entries[i].rule, want_rule[i]);
	}
	seccomp_plan_release(&p);
	spec_config_free(cfg);
}

/* A profile whose two rules come copies times: one names 56 syscalls (8
 * distinct), the other the same 8 with an argument. */
static struct spec_config *repeated(int copies)
{
	static const char *const names[] = { "read", "write", "openat", "close",
					     "fstat", "mmap", "munmap", "brk" };
	struct text t = { 0 };

	add(&t, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		"[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[");
	for (int copy = 0; copy < copies; copy++) {
		add(&t, "%s{\"names\":[", copy ? "," : "");
		for (int n = 0; n < 56; n++)
			add(&t, "%s\"%s\"", n ? "," : "", names[n % 8]);
		add(&t, "],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[");
		for (int n = 0; n < 8; n++)
			add(&t, "%s\"%s\"", n ? "," : "", names[n]);
		add(&t, "],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":"
			"[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}");
	}
	add(&t, "]}");
	return parse(&t);
}

/* The profile of the hardening issue, scaled: the rules repeated a
 * thousand times build the program of the rules given once. */
static void test_repeats_same_program(void **state)
{
	struct spec_config *once = repeated(1), *many = repeated(1000);

	assert_int_equal(many->linux.seccomp.n_syscalls, 2000);
	assert_same_program(once, many);
	spec_config_free(once);
	spec_config_free(many);
}

/* Past the cap: refused before libseccomp sees a rule, with the count;
 * repeats do not count. */
static void test_cap(void **state)
{
	struct seccomp_filter_prog prog;
	struct berr err = { 0 };
	struct text t = { 0 };
	struct spec_config *cfg;
	char want[128];

	add(&t, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"ioctl\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[");
	/* Alternatives on one argument: one libseccomp rule each. */
	for (int i = 0; i <= SECCOMP_MAX_RULES; i++)
		add(&t, "%s{\"index\":1,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}", i ? "," : "", i);
	add(&t, "]},{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[");
	for (int i = 0; i <= SECCOMP_MAX_RULES; i++)
		add(&t, "%s{\"index\":1,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}", i ? "," : "", i);
	add(&t, "]}]}");
	cfg = parse(&t);
	assert_true(seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err) == -E2BIG);
	snprintf(want, sizeof(want), "%d distinct rules", SECCOMP_MAX_RULES + 1);
	if (!strstr(err.msg, want) || !strstr(err.msg, "at most 4096"))
		fail_msg("unexpected message: %s", err.msg);
	assert_null(prog.insns);
	spec_config_free(cfg);
}

/* A big profile of distinct rules just under the cap still builds. */
static void test_under_cap(void **state)
{
	struct seccomp_filter_prog prog;
	struct text t = { 0 };
	struct spec_config *cfg;

	add(&t, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	for (int i = 0; i < SECCOMP_MAX_RULES / 4; i++)
		add(&t, "%s{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
			"\"args\":[{\"index\":0,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}]}",
		    i ? "," : "", i + 1);
	add(&t, "]}");
	cfg = parse(&t);
	prog = build(cfg);
	assert_true(prog.len > 0);
	seccomp_filter_release(&prog);
	spec_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_repeats_same_program),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_under_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
