/* linux.seccomp to BPF: the profile, as a config's linux.seccomp object,
 * through the parser and the compile create runs (seccomp_filter_compile:
 * the checks, libseccomp's rules, its BPF export), stopping before the
 * filter would be installed.
 *
 * libseccomp's time grows much faster than the rule count (a profile
 * naming tens of thousands of syscalls takes minutes), so a profile with
 * more than MAX_NAMES syscall names is parsed but not compiled: the
 * harness looks for wrong programs, not for that known slowness. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "isolation/seccomp.h"
#include "spec/config.h"

#define MAX_NAMES 256

static const char head[] =
	"{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":";
static const char tail[] = "}}";

static size_t names(const struct spec_seccomp *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_syscalls; i++)
		n += s->syscalls[i].n_names + s->syscalls[i].n_args;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_filter_prog prog = { 0 };
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	char *json = malloc(sizeof(head) + size + sizeof(tail));
	size_t len = 0;
	int ret;

	if (!json)
		return 0;
	memcpy(json, head, sizeof(head) - 1);
	len += sizeof(head) - 1;
	memcpy(json + len, data, size);
	len += size;
	memcpy(json + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	ret = spec_config_parse(json, len, &cfg, &err);
	free(json);
	fuzz_check_failure(ret, &err);
	if (ret < 0 && getenv("BERTH_FUZZ_VERBOSE"))
		fprintf(stderr, "parse: %s\n", err.msg);
	if (ret < 0)
		return 0;
	if (cfg->linux.seccomp.set && names(&cfg->linux.seccomp) <= MAX_NAMES) {
		ret = seccomp_filter_compile(&cfg->linux.seccomp, &prog, &err);
		fuzz_check_failure(ret, &err);
		/* To see what a seed does: BERTH_FUZZ_VERBOSE=1 fuzz_seccomp FILE */
		if (getenv("BERTH_FUZZ_VERBOSE"))
			fprintf(stderr, "compile: %s\n", ret < 0 ? err.msg : "ok");
		if (ret == 0) {
			fuzz_assert(prog.insns && prog.len > 0 && prog.len <= 4096);
			seccomp_filter_release(&prog);
		}
	}
	spec_config_free(cfg);
	return 0;
}
