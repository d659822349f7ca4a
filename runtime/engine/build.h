/* docker build, as dockerd's classic builder: a build context (a tar,
 * plain or compressed) with a Dockerfile, each instruction a step that
 * makes an image (RUN in a container the engine creates as for docker
 * run, then committed; COPY and ADD through the unpack helper's
 * build-copy; metadata instructions a new config on the same layers),
 * steps reused from a cache keyed by parent, instruction and the files a
 * COPY or ADD reads.  Also docker import --change, which shares the
 * instructions' reading of docker commit --change. */
#ifndef BERTH_ENGINE_BUILD_H
#define BERTH_ENGINE_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/engine/engine.h"

struct daemon_build_opts {
	const char *context;      /* the context tar's file */
	const char *dockerfile;   /* its path in the context; NULL: Dockerfile */
	char *const *tags;        /* each a reference, NULL-terminated */
	char *const *build_args;  /* "NAME=value", or "NAME" (unset) */
	char *const *labels;      /* "key=value" */
	const char *target;       /* the stage to stop at; NULL the last */
	const char *network_mode; /* NULL or "default", bridge, none, host, a network */
	bool no_cache;
	bool rm; /* remove a successful step's container (a failed one always goes) */
	/* Polled between steps and while a RUN runs: true ends the build
	 * (the client went away), its RUN container killed and removed. */
	bool (*cancelled)(void *arg);
	void *cancel_arg;
};

/* Progress comes to out(arg, text), each text the stream message docker's
 * CLI prints ("Step 1/3 : FROM busybox\n", " ---> 1a2b3c4d5e6f\n", a
 * RUN's output); id gets the image built.  A failure's message is err's. */
int daemon_build(struct daemon *d, const struct daemon_build_opts *o,
		 void (*out)(void *arg, const char *text), void *arg, char id[80],
		 struct berr *err);

/* The build cache (build_prune.c): under <data-root>/build-cache, each
 * step's entry (the image a step made, found by the step's key) and each
 * memo of a context (its Dockerfile, a COPY or ADD's checksum, by the
 * context tar's digest).  The images are not part of it. */
struct daemon_build_cache_rec {
	char id[65];     /* the record's name, a sha256 in hex */
	bool memo;       /* a context's memo, else a step's entry */
	char image[80];  /* a step's image, "" for a memo */
	int64_t size;    /* the record's bytes */
	int64_t created_ns, last_used_ns; /* a cache hit is a use */
};

int daemon_build_cache_list(struct daemon *d, struct daemon_build_cache_rec **recs, size_t *n,
			    struct berr *err);

struct daemon_build_prune_opts {
	int64_t until_ns;       /* > 0: records used at or after this time stay */
	uint64_t keep_storage;  /* > 0: the most recently used records that fit stay */
};

/* The records pruned (least recently used first) appended to *deleted
 * (NULL-terminated, malloc'd), their bytes in *reclaimed. */
int daemon_build_cache_prune(struct daemon *d, const struct daemon_build_prune_opts *o,
			     char ***deleted, uint64_t *reclaimed, struct berr *err);

/* docker import: the rootfs tarball at file as a one-layer image, its run
 * config made of changes (Dockerfile instructions, as docker commit
 * --change takes them); line() gets the helper's lines ("imported ID"). */
int daemon_image_import(struct daemon *d, const char *file, const char *repo,
			const char *message, char *const *changes,
			void (*line)(void *arg, const char *text), void *arg,
			struct berr *err);

#endif
