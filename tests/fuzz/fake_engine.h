/* The fake engine of the HTTP harness (fake_engine.c). */
#ifndef BERTH_FUZZ_FAKE_ENGINE_H
#define BERTH_FUZZ_FAKE_ENGINE_H

#include "runtime/engine/engine.h"

/* One container and one exec session in d; the container's log file in
 * dir. */
void fake_engine_init(struct daemon *d, const char *dir);

#endif
