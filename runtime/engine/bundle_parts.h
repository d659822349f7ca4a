/* What the files of a berthd bundle share (bundle.c puts them together),
 * not part of the engine's API. */
#ifndef BERTH_ENGINE_BUNDLE_PARTS_H
#define BERTH_ENGINE_BUNDLE_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/engine/engine.h"
#include "spec/base/arena.h"
#include "spec/base/err.h"
#include "spec/config.h"

/* bundle_security.c: the capabilities the container holds (bit n =
 * capability n): docker's fourteen with the request's cap-add and
 * cap-drop; whether it asked for no seccomp filter, or no_new_privs. */
uint64_t bundle_caps(const struct daemon_spec *s);
bool bundle_seccomp_unconfined(const struct daemon_spec *s);
/* A profile of docker's format the request gave (NULL: none), and the
 * host it is matched against. */
const char *bundle_seccomp_profile(const struct daemon_spec *s);
struct spec_seccomp_target;
void bundle_seccomp_target(uint64_t caps, struct spec_seccomp_target *t);
bool bundle_no_new_privs(const struct daemon_spec *s);

/* bundle_process.c */

/* What a process of the container runs with (its init, or an exec'd
 * one): who, what, where, with which environment and capabilities. */
struct bundle_process_in {
	const struct daemon_spec *spec; /* the container's */
	const char *hostname;
	int rootfd;
	const char *user;        /* "" or NULL: the container's */
	char *const *args[2];    /* concatenated */
	char *const *extra_env;  /* replaces or adds to the container's */
	const char *cwd;
	bool tty;
};

/* p filled from in, allocated from a. */
int bundle_process(struct arena *a, const struct bundle_process_in *in,
		   struct spec_process *p, struct berr *err);
void bundle_hostname(const struct daemon_spec *s, const char *id, char *buf, size_t size);
int bundle_open_rootfs(const char *dir, struct berr *err);

/* bundle_mounts.c: the default mounts as docker gives them, then the
 * container's /etc/hostname, /etc/hosts and /etc/resolv.conf (files of
 * its directory), its binds, volumes (the image's content copied into
 * empty ones from the root rootfd) and tmpfs. */
struct daemon_bundle_in;
int bundle_mounts(struct spec_config *cfg, const struct daemon_bundle_in *in, int rootfd,
		  struct berr *err);

/* bundle_privileged.c: the capabilities berthd may give (its bounding
 * set), and the rest of --privileged on cfg. */
uint64_t bundle_privileged_caps(void);
int bundle_privileged(struct spec_config *cfg, struct berr *err);

/* bundle_run.c: the rest of docker run's options on top of cfg. */
int bundle_run_options(struct spec_config *cfg, const struct daemon_bundle_in *in, int rootfd,
		       struct berr *err);

#endif
