/* What every harness shares: the libFuzzer entry point, and the checks
 * that hold for any input (a failure always says why). */
#ifndef BERTH_FUZZ_H
#define BERTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "spec/base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Every failure fills the error with a message for the user; an empty one
 * would reach the user as a bare "error". */
static inline void fuzz_check_failure(int ret, const struct berr *err)
{
	if (ret < 0 && err->msg[0] == '\0') {
		fprintf(stderr, "failure %d without a message\n", ret);
		abort();
	}
}

/* A harness's own invariant, broken: a crash libFuzzer keeps. */
#define fuzz_assert(cond)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                \
		}                                                               \
	} while (0)

#endif
