#include "isolation/seccomp_emulate.h"

#include <errno.h>
#include <string.h>

/* What the kernel's classic BPF does with the ALU instruction f. */
static int alu(const struct sock_filter *f, uint32_t *a, uint32_t x, bool *div_zero)
{
	uint32_t v = BPF_SRC(f->code) == BPF_X ? x : f->k;

	switch (BPF_OP(f->code)) {
	case BPF_ADD: *a += v; return 0;
	case BPF_SUB: *a -= v; return 0;
	case BPF_MUL: *a *= v; return 0;
	case BPF_OR: *a |= v; return 0;
	case BPF_AND: *a &= v; return 0;
	case BPF_XOR: *a ^= v; return 0;
	case BPF_NEG: *a = -*a; return 0;
	case BPF_LSH:
	case BPF_RSH:
		if (v >= 32)
			return -EINVAL;
		*a = BPF_OP(f->code) == BPF_LSH ? *a << v : *a >> v;
		return 0;
	case BPF_DIV:
	case BPF_MOD:
		/* A zero divisor in X ends the program with 0, as the kernel's
		 * conversion to eBPF makes it. */
		if (v == 0) {
			*div_zero = true;
			return 0;
		}
		*a = BPF_OP(f->code) == BPF_DIV ? *a / v : *a % v;
		return 0;
	}
	return -EINVAL;
}

static int jump(const struct sock_filter *f, uint32_t a, uint32_t x, size_t *pc)
{
	uint32_t v = BPF_SRC(f->code) == BPF_X ? x : f->k;
	bool taken;

	switch (BPF_OP(f->code)) {
	case BPF_JEQ: taken = a == v; break;
	case BPF_JGT: taken = a > v; break;
	case BPF_JGE: taken = a >= v; break;
	case BPF_JSET: taken = (a & v) != 0; break;
	default: return -EINVAL;
	}
	*pc += taken ? f->jt : f->jf;
	return 0;
}

static int load(const struct seccomp_data *d, uint32_t k, uint32_t *a, bool *reads_args)
{
	if (k % 4 || k > sizeof(*d) - 4)
		return -EINVAL;
	if (k >= offsetof(struct seccomp_data, instruction_pointer))
		*reads_args = true;
	memcpy(a, (const char *)d + k, 4);
	return 0;
}

int seccomp_emulate(const struct sock_filter *p, size_t n, const struct seccomp_data *d,
		    struct seccomp_verdict *out)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	bool div_zero = false;

	out->reads_args = false;
	/* Every jump goes forward, so this ends. */
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &p[pc];
		int ret = 0;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ret = load(d, f->k, &a, &out->reads_args);
			break;
		case BPF_LD | BPF_W | BPF_LEN: a = sizeof(*d); break;
		case BPF_LDX | BPF_W | BPF_LEN: x = sizeof(*d); break;
		case BPF_LD | BPF_IMM: a = f->k; break;
		case BPF_LDX | BPF_IMM: x = f->k; break;
		case BPF_MISC | BPF_TAX: x = a; break;
		case BPF_MISC | BPF_TXA: a = x; break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -EINVAL;
			if (f->code == (BPF_LD | BPF_MEM))
				a = mem[f->k];
			else if (f->code == (BPF_LDX | BPF_MEM))
				x = mem[f->k];
			else
				mem[f->k] = f->code == BPF_ST ? a : x;
			break;
		case BPF_RET | BPF_K:
			out->action = f->k;
			return 0;
		case BPF_RET | BPF_A:
			out->action = a;
			return 0;
		case BPF_JMP | BPF_JA:
			if (f->k >= n - pc - 1)
				return -EINVAL;
			pc += f->k;
			break;
		default:
			if (BPF_CLASS(f->code) == BPF_ALU)
				ret = alu(f, &a, x, &div_zero);
			else if (BPF_CLASS(f->code) == BPF_JMP)
				ret = jump(f, a, x, &pc);
			else
				ret = -EINVAL;
		}
		if (ret < 0 || pc >= n)
			return -EINVAL;
		if (div_zero) {
			out->action = 0;
			return 0;
		}
	}
	return -EINVAL;
}
