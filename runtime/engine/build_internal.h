/* What the builder's files share (build.h is the engine's API). */
#ifndef BERTH_ENGINE_BUILD_INTERNAL_H
#define BERTH_ENGINE_BUILD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/engine/build.h"
#include "spec/dockerfile.h"

/* An image's run config as the build changes it (lists NULL-terminated,
 * NULL unset). */
struct bcfg {
	char *user, *workdir, *stop_signal;
	char **env, **cmd, **entrypoint, **labels, **ports, **volumes, **onbuild, **shell;
	char **health_test;
	int64_t health_interval, health_timeout, health_start_period;
	int health_retries;
};

void bcfg_free(struct bcfg *c);
/* The config of image id ("" for scratch: an empty one). */
int bcfg_load(const char *data_root, const char *id, struct bcfg *c, struct berr *err);
int bcfg_json(const struct bcfg *c, char **out, struct berr *err);
/* "KEY=value" set in a list of them. */
int bcfg_set_kv(char ***v, const char *key, const char *value);
const char *bcfg_get_kv(char *const *v, const char *key);

struct bstage {
	char *name;     /* AS name, NULL none */
	char image[80]; /* the image so far; "" scratch before a step */
	struct bcfg cfg;
	char **args;    /* the ARGs in scope, "NAME=value" (or "NAME" unset) */
	char **predef;  /* predefined ARGs given (the proxies): RUN's env only */
	char *author;   /* MAINTAINER */
	bool cmd_set;   /* a CMD in this stage: ENTRYPOINT keeps it */
};

struct builder {
	struct daemon *d;
	const struct daemon_build_opts *o;
	void (*out)(void *arg, const char *text);
	void *arg;
	char *work; /* <data-root>/tmp/build-XXXXXX */
	char *ctx;  /* the context, extracted; NULL until a step needs its files */
	char ctx_digest[80]; /* sha256 of the context tar's bytes */
	char escape;
	char **global_args; /* ARGs before the first FROM */
	char **used_args;   /* build args some ARG consumed */
	struct bstage *stages;
	size_t n_stages;
	int step, n_steps, seq;
};

/* The context extracted into b->ctx by the unpack helper, the first
 * time a step needs its files (a build whose every step is a cache hit
 * never does). */
int build_context(struct builder *b, struct berr *err);

/* Say text (printf-like) on the build's stream. */
void build_say(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Has the client gone away? */
bool build_cancelled(const struct builder *b);

/* Variable lookup for dockerfile_words: the stage's ENV, then its ARGs. */
const char *build_lookup(void *stage, const char *name);

/* One instruction of a stage (build_dispatch.c); FROM is build.c's. */
int build_inst(struct builder *b, struct bstage *st, const struct df_inst *in,
	       struct berr *err);
/* A build arg's value (marking it used); NULL when not given. */
const char *build_arg(struct builder *b, const char *name);

/* The steps (build_steps.c): st's image advances to the new one. */
int build_run(struct builder *b, struct bstage *st, const struct df_inst *in,
	      struct berr *err);
int build_copy(struct builder *b, struct bstage *st, const struct df_inst *in, bool add,
	       struct berr *err);
/* WORKDIR: the directory made in a layer of its own, as dockerd's
 * classic builder makes it (an existing one: an empty layer). */
int build_workdir(struct builder *b, struct bstage *st, const char *created_by,
		  struct berr *err);
/* A metadata step: st->cfg (changed by the caller) on the same layers. */
int build_meta(struct builder *b, struct bstage *st, const char *created_by,
	       struct berr *err);

/* argv's strings with sep between (malloc'd, NULL when out of memory). */
char *build_join(char *const *v, const char *sep);
/* A line of the helper's commit: "committed ID" into arg (char[80]). */
void build_committed_line(void *arg, const char *text);

/* The checksum of what COPY or ADD reads: srcs in the context, or in
 * the image from_id (its id stands for its files). */
int build_sum(struct builder *b, const char *from_id, char *const *srcs, char **sum,
	      struct berr *err);

/* The cache (build_cache.c): the image an earlier build made from parent
 * with this config and created-by line (and for COPY and ADD, sum). */
bool build_cache_find(struct builder *b, const char *parent, const char *config,
		      const char *created_by, const char *sum, char id[80]);
/* A step made image id: parent recorded as its parent in the store (an
 * intermediate image, as docker images shows it), and the cache entry. */
int build_cache_keep(struct builder *b, const char *parent, const char *config,
		     const char *created_by, const char *sum, const char *id, struct berr *err);

/* What was learnt from a context before, by the digest of its tar: the
 * same bytes extract to the same files, so a text derived from them (the
 * Dockerfile, a COPY's checksum) is kept under (ctx_digest, kind, name)
 * and found again without extracting the context.  get: 0 and *text
 * (malloc'd), or -ENOENT. */
int build_memo_get(struct builder *b, const char *kind, const char *name, char **text);
void build_memo_put(struct builder *b, const char *kind, const char *name, const char *text,
		    size_t len);

#endif
