#include "isolation/cgroup_devices.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

/* The devices every container gets, after its own rules (runc's list plus
 * the console): mknod of any node (using one still needs an allow rule),
 * the pseudo devices, the terminals. */
static const struct cgroup_dev_rule default_rules[] = {
	{ true, 'c', -1, -1, CGROUP_DEV_MKNOD },
	{ true, 'b', -1, -1, CGROUP_DEV_MKNOD },
	{ true, 'c', 1, 3, CGROUP_DEV_ALL },    /* null */
	{ true, 'c', 1, 5, CGROUP_DEV_ALL },    /* zero */
	{ true, 'c', 1, 7, CGROUP_DEV_ALL },    /* full */
	{ true, 'c', 1, 8, CGROUP_DEV_ALL },    /* random */
	{ true, 'c', 1, 9, CGROUP_DEV_ALL },    /* urandom */
	{ true, 'c', 5, 0, CGROUP_DEV_ALL },    /* tty */
	{ true, 'c', 5, 1, CGROUP_DEV_ALL },    /* console */
	{ true, 'c', 5, 2, CGROUP_DEV_ALL },    /* ptmx */
	{ true, 'c', 136, -1, CGROUP_DEV_ALL }, /* pts */
};

#define N_DEFAULT (sizeof(default_rules) / sizeof(default_rules[0]))

static unsigned access_bits(const char *access)
{
	unsigned bits = 0;

	for (; *access; access++)
		bits |= *access == 'r' ? CGROUP_DEV_READ :
			*access == 'w' ? CGROUP_DEV_WRITE :
			*access == 'm' ? CGROUP_DEV_MKNOD : 0;
	return bits;
}

static int check_number(int64_t v, size_t i, const char *what, struct berr *err)
{
	if (v < -1 || v > UINT32_MAX)
		return berr_fail(err, EINVAL,
				"linux.resources.devices[%zu].%s: %" PRId64 " is not a device "
				"number",
				i, what, v);
	return 0;
}

int cgroup_devices_policy(const struct spec_device_rule *rules, size_t n,
			  struct cgroup_dev_policy *out, struct berr *err)
{
	size_t first = 0, used = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct spec_device_rule *r = &rules[i];
		int ret = check_number(r->major, i, "major", err);

		if (ret == 0)
			ret = check_number(r->minor, i, "minor", err);
		if (ret < 0)
			return ret;
		/* "every device, every access" resets what came before. */
		if (r->type == 'a' && r->major == -1 && r->minor == -1 &&
		    access_bits(r->access) == CGROUP_DEV_ALL) {
			out->default_allow = r->allow;
			first = i + 1;
		}
	}
	/* 'a' rules become a 'c' and a 'b' rule: the v1 kernel reads any
	 * line starting with "a" as "all devices". */
	out->rules = calloc(2 * (n - first) + N_DEFAULT, sizeof(*out->rules));
	if (!out->rules)
		return berr_set(err, ENOMEM, "device rules");
	for (size_t i = first; i < n; i++) {
		const struct spec_device_rule *r = &rules[i];
		struct cgroup_dev_rule d = { r->allow, r->type, r->major, r->minor,
					     access_bits(r->access) };

		if (r->type == 'a') {
			d.type = 'c';
			out->rules[used++] = d;
			d.type = 'b';
		}
		out->rules[used++] = d;
	}
	for (size_t i = 0; i < N_DEFAULT; i++)
		out->rules[used++] = default_rules[i];
	out->n = used;
	return 0;
}

void cgroup_devices_policy_release(struct cgroup_dev_policy *p)
{
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

/* --- the eBPF program ------------------------------------------------ */

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	if (p->n < p->cap)
		p->v[p->n] = insn;
	p->n++;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				  .imm = imm };
}

/* Registers after the prologue: r2 device type, r3 requested access,
 * r4 major, r5 minor, r6 the device as one number (major << 32 | minor);
 * r1 is scratch.
 *
 * The program's shape keeps the kernel's verifier to one pass: it checks
 * every path, and a path that learnt a register's value by a comparison
 * (the type, the major) and then went on to the next rule made it check
 * the rest of the program once more for each such value.  Here a rule
 * tests the device with one comparison whose match leads straight to
 * the exit, and the type is tested once, before the rules of that type:
 * every path reaches each rule in the same state, the verifier prunes
 * all but the first, and the load costs a third of what it did. */
static void prologue(struct prog *p)
{
	emit(p, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0));
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
	emit(p, insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
	emit(p, insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	emit(p, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0));
	emit(p, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0));
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_4, 0, 0));
	emit(p, insn(BPF_ALU64 | BPF_LSH | BPF_K, BPF_REG_6, 0, 0, 32));
	emit(p, insn(BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_6, BPF_REG_5, 0, 0));
}

static void verdict(struct prog *p, bool allow)
{
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* Points the conditional jumps from first on at the end of the program
 * so far. */
static void patch_jumps(struct prog *p, size_t first)
{
	if (p->n > p->cap)
		return;
	for (size_t i = first; i < p->n; i++) {
		uint8_t cls = BPF_CLASS(p->v[i].code);

		if ((cls == BPF_JMP32 || cls == BPF_JMP) && BPF_OP(p->v[i].code) != BPF_EXIT)
			p->v[i].off = (int16_t)(p->n - i - 1);
	}
}

/* One rule: at most two tests (the access, then the device), each
 * jumping past the block when it does not match. */
static void rule_block(struct prog *p, const struct cgroup_dev_rule *r)
{
	size_t start = p->n;

	if (r->access != CGROUP_DEV_ALL) {
		/* An allow rule must cover every access asked for; a deny rule
		 * matches when it covers any of them. */
		emit(p, insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
		emit(p, insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
			     (int32_t)(r->allow ? ~r->access & CGROUP_DEV_ALL : r->access)));
		emit(p, insn(BPF_JMP32 | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_1, 0, 0,
			     0));
	}
	if (r->major >= 0 && r->minor >= 0) {
		uint64_t dev = (uint64_t)r->major << 32 | (uint64_t)r->minor;

		emit(p, insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, 0, 0, (int32_t)(uint32_t)dev));
		emit(p, insn(0, 0, 0, 0, (int32_t)(uint32_t)(dev >> 32)));
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0));
	} else if (r->major >= 0) {
		emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)(uint32_t)r->major));
	} else if (r->minor >= 0) {
		emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)(uint32_t)r->minor));
	}
	verdict(p, r->allow);
	patch_jumps(p, start);
}

/* The rules of one device type, for requests of that type; the others
 * jump past them. */
static void type_section(struct prog *p, const struct cgroup_dev_policy *pol, char type)
{
	size_t start = p->n;

	emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
		     type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	/* The last rule has the final word: try it first. */
	for (size_t i = pol->n; i-- > 0;)
		if (pol->rules[i].type == type)
			rule_block(p, &pol->rules[i]);
	verdict(p, pol->default_allow);
	if (p->n <= p->cap)
		p->v[start].off = (int16_t)(p->n - start - 1);
}

static void generate(struct prog *p, const struct cgroup_dev_policy *pol)
{
	p->n = 0;
	prologue(p);
	type_section(p, pol, 'c');
	type_section(p, pol, 'b');
	verdict(p, pol->default_allow);
}

int cgroup_devices_bpf(const struct cgroup_dev_policy *pol, struct bpf_insn **out,
		       size_t *n, struct berr *err)
{
	struct prog p = { 0 };

	/* Once to measure, once to write. */
	generate(&p, pol);
	if (p.n > 32767)
		return berr_fail(err, E2BIG, "linux.resources.devices: too many rules (%zu)",
				pol->n);
	p.cap = p.n;
	p.v = calloc(p.cap, sizeof(*p.v));
	if (!p.v)
		return berr_set(err, ENOMEM, "device program");
	generate(&p, pol);
	*out = p.v;
	*n = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The ids of the device programs attached to dirfd itself. */
static int attached_ids(int dirfd, uint32_t *ids, uint32_t *n, struct berr *err)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)dirfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return berr_sys(err, "query the cgroup's device programs");
	*n = a.query.prog_cnt;
	return 0;
}

static int detach_id(int dirfd, uint32_t id, struct berr *err)
{
	cleanup_close int fd = -1;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "device program %u", id);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
		return berr_sys(err, "detach the old device program");
	return 0;
}

int cgroup_devices_attach(int dirfd, const struct bpf_insn *prog, size_t n,
			  struct berr *err)
{
	cleanup_close int pfd = -1;
	uint32_t old[64];
	uint32_t n_old = 64;
	char log[1024] = "";
	union bpf_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	/* Quietly first: the verifier's log costs more than the load itself
	 * (milliseconds on every container start), and is only wanted to
	 * explain a failure. */
	pfd = sys_bpf(BPF_PROG_LOAD, &a);
	if (pfd < 0) {
		int e = errno;

		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		pfd = sys_bpf(BPF_PROG_LOAD, &a);
		if (pfd >= 0 || errno == ENOSPC)
			log[0] = '\0'; /* no better explanation than errno */
		log[sizeof(log) - 1] = '\0';
		for (size_t l = strlen(log); l > 0 && log[l - 1] == '\n'; l--)
			log[l - 1] = '\0';
		errno = e;
		return berr_sys(err, "load the device program%s%s%s", log[0] ? " (" : "",
				log[0] ? log : "", log[0] ? ")" : "");
	}
	ret = attached_ids(dirfd, old, &n_old, err);
	if (ret < 0)
		return ret;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return berr_sys(err, "attach the device program");
	for (uint32_t i = 0; i < n_old && i < 64; i++) {
		ret = detach_id(dirfd, old[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* --- cgroup v1 ------------------------------------------------------- */

void cgroup_devices_rule_text(const struct cgroup_dev_rule *r, char *out, size_t size)
{
	char major[24] = "*", minor[24] = "*", acc[4];
	int n = 0;

	if (r->major >= 0)
		snprintf(major, sizeof(major), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
	if (r->access & CGROUP_DEV_READ)
		acc[n++] = 'r';
	if (r->access & CGROUP_DEV_WRITE)
		acc[n++] = 'w';
	if (r->access & CGROUP_DEV_MKNOD)
		acc[n++] = 'm';
	acc[n] = '\0';
	snprintf(out, size, "%c %s:%s %s", r->type, major, minor, acc);
}

int cgroup_devices_v1_apply(const char *dir, const struct cgroup_dev_policy *p,
			    struct berr *err)
{
	int ret;

	ret = fsutil_write_at(AT_FDCWD, dir, p->default_allow ? "devices.allow" : "devices.deny",
			      "a", err);
	for (size_t i = 0; i < p->n && ret == 0; i++) {
		char line[64];

		cgroup_devices_rule_text(&p->rules[i], line, sizeof(line));
		ret = fsutil_write_at(AT_FDCWD, dir,
				      p->rules[i].allow ? "devices.allow" : "devices.deny", line,
				      err);
	}
	return ret;
}
