/* The state store: one directory per container under the root.
 *
 *   <root>/<id>/state.json   the state record (replaced atomically)
 *   <root>/<id>/config.json  the config the container was created from
 *   <root>/<id>/exec.sock    present from create until start
 *
 * Commands that change a container hold an exclusive flock on its
 * directory, so concurrent commands on one container serialize. */
#ifndef BERTH_RUNTIME_STORE_H
#define BERTH_RUNTIME_STORE_H

#include <stdbool.h>

#include "spec/base/arena.h"
#include "spec/base/err.h"
#include "spec/state.h"

#define STORE_STATE "state.json"
#define STORE_CONFIG "config.json"
#define STORE_EXEC_SOCK "exec.sock"

struct store_container {
	char *dir;
	int dirfd;
	struct arena arena;
	struct spec_state state;
	bool has_state;
	/* store_open_damaged: why the state could not be read ("" when it
	 * could, or there was none). */
	char damage[1024];
};

/* Make the directory of a new container and lock it.  An existing one is
 * -EEXIST with a message naming the id. */
int store_create(const char *root, const char *id, struct store_container *c,
		 struct berr *err);

/* Open and lock an existing container and load its state.  -ENOENT with
 * "container \"ID\" does not exist" when there is none.  A directory whose
 * create never finished has no state: has_state is false then. */
int store_open(const char *root, const char *id, bool exclusive,
	       struct store_container *c, struct berr *err);

/* The same, locked exclusively, for what must work on a container whose
 * state file is unreadable or damaged (delete --force): has_state is
 * false then, and damage says what was wrong with it. */
int store_open_damaged(const char *root, const char *id, struct store_container *c,
		       struct berr *err);

int store_save(struct store_container *c, const struct spec_state *s,
	       struct berr *err);

/* Remove the directory and everything in it. */
int store_remove(struct store_container *c, struct berr *err);

/* Let go of the lock early, keeping what was loaded: for a command that
 * must wait on something another command on the container brings about
 * (exec --ignore-paused waits for resume). */
void store_unlock(struct store_container *c);

void store_close(struct store_container *c);

/* Ids of every container directory under root (malloc'd array of
 * malloc'd strings). */
int store_list(const char *root, char ***ids, size_t *n, struct berr *err);

/* A "berth" bookkeeping value of the loaded state as a number (0 when
 * absent). */
unsigned long long store_extra_ull(const struct store_container *c,
				   const char *key);

#endif
