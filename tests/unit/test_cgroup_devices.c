/* isolation/cgroup_devices: the device policy (user rules, defaults,
 * resets) and the eBPF program built from it, run here by a small
 * interpreter of the instructions the builder emits, so the program's
 * decisions are checked without a kernel. */
#include "helpers.h"

#include "isolation/cgroup_devices.h"

/* --- a tiny eBPF interpreter ------------------------------------------ */

static int run_prog(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access,
		    uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	uint64_t r[11] = { 0 };
	size_t pc = 0, steps = 0;

	r[1] = (uint64_t)(uintptr_t)ctx;
	while (pc < n) {
		const struct bpf_insn *i = &p[pc++];
		uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
		uint64_t src = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;

		assert_true(++steps < 100000);
		switch (cls) {
		case BPF_LD:
			/* The one BPF_LD form: a 64-bit immediate in two slots. */
			assert_int_equal(i->code, BPF_LD | BPF_DW | BPF_IMM);
			assert_true(pc < n);
			assert_int_equal(p[pc].code, 0);
			r[i->dst_reg] = (uint64_t)(uint32_t)p[pc].imm << 32 | (uint32_t)i->imm;
			pc++;
			break;
		case BPF_LDX:
			assert_int_equal(i->code, BPF_LDX | BPF_W | BPF_MEM);
			assert_int_equal(i->src_reg, BPF_REG_1);
			assert_true(i->off == 0 || i->off == 4 || i->off == 8);
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU:
		case BPF_ALU64: {
			uint64_t v = r[i->dst_reg];

			if (op == BPF_MOV)
				v = src;
			else if (op == BPF_AND)
				v &= src;
			else if (op == BPF_OR)
				v |= src;
			else if (op == BPF_LSH)
				v <<= src;
			else if (op == BPF_RSH)
				v >>= src;
			else
				fail_msg("unexpected ALU op %#x", i->code);
			r[i->dst_reg] = cls == BPF_ALU ? (uint32_t)v : v;
			break;
		}
		case BPF_JMP32:
		case BPF_JMP: {
			uint64_t a = r[i->dst_reg], b = src;
			bool jump = false;

			if (op == BPF_EXIT) {
				assert_int_equal(cls, BPF_JMP);
				return (int)r[0];
			}
			if (cls == BPF_JMP32) {
				a = (uint32_t)a;
				b = (uint32_t)b;
			}
			if (op == BPF_JNE)
				jump = a != b;
			else if (op == BPF_JEQ)
				jump = a == b;
			else
				fail_msg("unexpected jump op %#x", i->code);
			if (jump) {
				assert_true(i->off >= 0); /* forward only: no loops */
				pc += (size_t)i->off;
			}
			break;
		}
		default:
			fail_msg("unexpected instruction class %#x", cls);
		}
	}
	fail_msg("the program ran off its end");
	return -1;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

struct built {
	struct cgroup_dev_policy pol;
	struct bpf_insn *prog;
	size_t n;
};

static void build(struct built *b, const struct spec_device_rule *rules, size_t n)
{
	struct berr err = { 0 };

	assert_int_equal(cgroup_devices_policy(rules, n, &b->pol, &err), 0);
	assert_int_equal(cgroup_devices_bpf(&b->pol, &b->prog, &b->n, &err), 0);
}

static void release(struct built *b)
{
	free(b->prog);
	cgroup_devices_policy_release(&b->pol);
}

static int allowed(struct built *b, uint32_t type, uint32_t access, uint32_t major,
		   uint32_t minor)
{
	return run_prog(b->prog, b->n, type, access, major, minor);
}

#define DENY_ALL { false, 'a', -1, -1, "rwm" }
#define ALLOW_ALL { true, 'a', -1, -1, "rwm" }

static void podman_deny_all_gets_defaults(void **state)
{
	const struct spec_device_rule rules[] = { DENY_ALL };
	struct built b;

	(void)state;
	build(&b, rules, 1);
	assert_false(b.pol.default_allow);
	/* The defaults every container needs. */
	assert_int_equal(allowed(&b, CHR, R | W, 1, 3), 1);  /* null */
	assert_int_equal(allowed(&b, CHR, R, 1, 5), 1);      /* zero */
	assert_int_equal(allowed(&b, CHR, W, 1, 7), 1);      /* full */
	assert_int_equal(allowed(&b, CHR, R, 1, 8), 1);      /* random */
	assert_int_equal(allowed(&b, CHR, R, 1, 9), 1);      /* urandom */
	assert_int_equal(allowed(&b, CHR, R | W, 5, 0), 1);  /* tty */
	assert_int_equal(allowed(&b, CHR, R | W, 5, 1), 1);  /* console */
	assert_int_equal(allowed(&b, CHR, R | W, 5, 2), 1);  /* ptmx */
	assert_int_equal(allowed(&b, CHR, R | W, 136, 7), 1); /* pts, any minor */
	assert_int_equal(allowed(&b, CHR, M, 10, 229), 1);   /* mknod of anything */
	assert_int_equal(allowed(&b, BLK, M, 8, 0), 1);
	/* Everything else is denied. */
	assert_int_equal(allowed(&b, CHR, R, 10, 229), 0);
	assert_int_equal(allowed(&b, CHR, R | M, 10, 229), 0);
	assert_int_equal(allowed(&b, BLK, R, 8, 0), 0);
	assert_int_equal(allowed(&b, CHR, R, 1, 1), 0); /* /dev/mem */
	assert_int_equal(allowed(&b, CHR, R, 137, 0), 0);
	release(&b);
}

static void no_rules_is_deny_by_default(void **state)
{
	struct built b;

	(void)state;
	build(&b, NULL, 0);
	assert_false(b.pol.default_allow);
	assert_int_equal(allowed(&b, CHR, R, 1, 3), 1);
	assert_int_equal(allowed(&b, CHR, R, 10, 229), 0);
	release(&b);
}

static void docker_denies_after_allows(void **state)
{
	const struct spec_device_rule rules[] = {
		DENY_ALL,
		{ true, 'c', 10, 229, "rwm" },
		{ true, 'c', 10, -1, "r" }, /* an omitted minor is a wildcard */
		{ false, 'c', 10, 200, "rwm" },
	};
	struct built b;

	(void)state;
	build(&b, rules, 4);
	assert_int_equal(allowed(&b, CHR, R | W, 10, 229), 1);
	assert_int_equal(allowed(&b, CHR, R, 10, 1), 1);
	assert_int_equal(allowed(&b, CHR, W, 10, 1), 0);  /* the rule gives r only */
	assert_int_equal(allowed(&b, CHR, R, 10, 200), 0); /* the later deny wins */
	assert_int_equal(allowed(&b, BLK, R, 10, 229), 0); /* a 'c' rule is char only */
	release(&b);
}

static void privileged_allow_all_with_a_deny(void **state)
{
	const struct spec_device_rule rules[] = {
		ALLOW_ALL,
		{ false, 'c', 10, -1, "r" },
		{ false, 'a', 8, 0, "w" }, /* 'a' with numbers: char and block */
	};
	struct built b;

	(void)state;
	build(&b, rules, 3);
	assert_true(b.pol.default_allow);
	assert_int_equal(allowed(&b, BLK, R | W, 7, 0), 1);
	assert_int_equal(allowed(&b, CHR, W, 10, 229), 1);
	assert_int_equal(allowed(&b, CHR, R, 10, 229), 0);
	assert_int_equal(allowed(&b, CHR, R | W, 10, 229), 0); /* any denied access */
	assert_int_equal(allowed(&b, BLK, W, 8, 0), 0);
	assert_int_equal(allowed(&b, CHR, W, 8, 0), 0);
	assert_int_equal(allowed(&b, BLK, R, 8, 0), 1);
	release(&b);
}

static void a_later_reset_drops_earlier_rules(void **state)
{
	const struct spec_device_rule rules[] = {
		{ true, 'c', 10, 229, "rwm" },
		DENY_ALL,
		{ true, 'b', 8, 0, "r" },
		ALLOW_ALL,
		DENY_ALL,
	};
	struct built b;

	(void)state;
	build(&b, rules, 5);
	assert_false(b.pol.default_allow);
	/* Only the defaults remain after the last reset. */
	assert_int_equal(b.pol.n, 11);
	assert_int_equal(allowed(&b, CHR, R, 10, 229), 0);
	assert_int_equal(allowed(&b, BLK, R, 8, 0), 0);
	assert_int_equal(allowed(&b, CHR, R, 1, 3), 1);
	release(&b);
}

static void defaults_come_last_as_in_runc(void **state)
{
	/* runc appends its defaults: a user's deny of /dev/null loses. */
	const struct spec_device_rule rules[] = { DENY_ALL, { false, 'c', 1, 3, "rwm" } };
	struct built b;

	(void)state;
	build(&b, rules, 2);
	assert_int_equal(b.pol.rules[0].major, 1);
	assert_int_equal(b.pol.rules[0].minor, 3);
	assert_false(b.pol.rules[0].allow);
	assert_int_equal(b.pol.rules[1].access, CGROUP_DEV_MKNOD);
	assert_int_equal(allowed(&b, CHR, R, 1, 3), 1);
	release(&b);
}

static void bad_numbers(void **state)
{
	const struct spec_device_rule rules[] = { { true, 'c', 1, 5000000000LL, "r" } };
	struct cgroup_dev_policy pol;
	struct berr err = { 0 };

	(void)state;
	assert_int_equal(cgroup_devices_policy(rules, 1, &pol, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.devices[0].minor"));
}

static void large_numbers_compare_exactly(void **state)
{
	const struct spec_device_rule rules[] = { DENY_ALL, { true, 'c', 4000000000LL, 1, "r" } };
	struct built b;

	(void)state;
	build(&b, rules, 2);
	assert_int_equal(allowed(&b, CHR, R, 4000000000u, 1), 1);
	assert_int_equal(allowed(&b, CHR, R, 4000000001u, 1), 0);
	release(&b);
}

static void wildcards_in_either_number(void **state)
{
	const struct spec_device_rule rules[] = {
		DENY_ALL,
		{ true, 'c', -1, 7, "r" },  /* any major, minor 7 */
		{ true, 'b', 8, -1, "rw" }, /* major 8, any minor */
	};
	struct built b;

	(void)state;
	build(&b, rules, 3);
	assert_int_equal(allowed(&b, CHR, R, 9, 7), 1);
	assert_int_equal(allowed(&b, CHR, R, 0, 7), 1);
	assert_int_equal(allowed(&b, CHR, R, 9, 6), 0);
	assert_int_equal(allowed(&b, BLK, R, 9, 7), 0);
	assert_int_equal(allowed(&b, BLK, R | W, 8, 16), 1);
	assert_int_equal(allowed(&b, BLK, R | W, 7, 16), 0);
	assert_int_equal(allowed(&b, CHR, R, 8, 16), 0);
	/* A type the kernel does not send gets the default. */
	assert_int_equal(allowed(&b, 3, R, 1, 3), 0);
	release(&b);
}

static bool is_verdict(const struct bpf_insn *p, size_t n, size_t at)
{
	return at + 1 < n && p[at].code == (BPF_ALU64 | BPF_MOV | BPF_K) &&
	       p[at].dst_reg == BPF_REG_0 && p[at + 1].code == (BPF_JMP | BPF_EXIT);
}

/* The shape that lets the kernel's verifier check each rule once: a
 * comparison that teaches it a register's value (anything but the
 * scratch r1, and the type at the head of its section) goes on to the
 * verdict when it matches, never to another rule with that knowledge. */
static void comparisons_lead_to_verdicts(void **state)
{
	const struct spec_device_rule rules[] = {
		DENY_ALL,
		{ true, 'c', 10, 229, "rwm" },
		{ true, 'c', 10, -1, "r" },
		{ false, 'c', -1, 200, "w" },
		{ true, 'b', 8, 0, "rw" },
	};
	struct built b;
	size_t type_tests = 0;

	(void)state;
	build(&b, rules, 5);
	for (size_t i = 0; i < b.n; i++) {
		const struct bpf_insn *in = &b.prog[i];
		uint8_t cls = BPF_CLASS(in->code);

		if (cls == BPF_LD)
			i++; /* the immediate's second slot */
		if ((cls != BPF_JMP && cls != BPF_JMP32) || BPF_OP(in->code) == BPF_EXIT ||
		    in->dst_reg == BPF_REG_1)
			continue;
		if (in->dst_reg == BPF_REG_2) {
			type_tests++;
			continue;
		}
		if (!is_verdict(b.prog, b.n, i + 1))
			fail_msg("instruction %zu compares r%u and goes on to another test", i,
				 in->dst_reg);
	}
	assert_int_equal(type_tests, 2);
	release(&b);
}

static void v1_text(void **state)
{
	const struct cgroup_dev_rule r1 = { true, 'c', 136, -1, CGROUP_DEV_ALL };
	const struct cgroup_dev_rule r2 = { false, 'b', -1, -1, CGROUP_DEV_MKNOD };
	const struct cgroup_dev_rule r3 = { true, 'c', 1, 3, CGROUP_DEV_READ | CGROUP_DEV_WRITE };
	char buf[64];

	(void)state;
	cgroup_devices_rule_text(&r1, buf, sizeof(buf));
	assert_string_equal(buf, "c 136:* rwm");
	cgroup_devices_rule_text(&r2, buf, sizeof(buf));
	assert_string_equal(buf, "b *:* m");
	cgroup_devices_rule_text(&r3, buf, sizeof(buf));
	assert_string_equal(buf, "c 1:3 rw");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(podman_deny_all_gets_defaults),
		cmocka_unit_test(no_rules_is_deny_by_default),
		cmocka_unit_test(docker_denies_after_allows),
		cmocka_unit_test(privileged_allow_all_with_a_deny),
		cmocka_unit_test(a_later_reset_drops_earlier_rules),
		cmocka_unit_test(defaults_come_last_as_in_runc),
		cmocka_unit_test(bad_numbers),
		cmocka_unit_test(large_numbers_compare_exactly),
		cmocka_unit_test(wildcards_in_either_number),
		cmocka_unit_test(comparisons_lead_to_verdicts),
		cmocka_unit_test(v1_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
