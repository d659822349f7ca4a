/* The OCI bundle berthd makes for a container at each start (see
 * bundle.c for what it contains and why). */
#ifndef BERTH_ENGINE_BUNDLE_H
#define BERTH_ENGINE_BUNDLE_H

#include <limits.h>
#include <stdbool.h>

#include "runtime/engine/engine.h"
#include "spec/base/arena.h"
#include "spec/config.h"
#include "spec/base/err.h"

/* share.c: the namespaces a container joins and the /dev/shm it binds
 * (empty: none), found at each start. */
struct daemon_share {
	char pid_ns[64], ipc_ns[64];
	char *shm_dir;
};

struct daemon_container;
int daemon_share_prepare(struct daemon *d, struct daemon_container *c,
			 struct daemon_share *out, struct berr *err);
void daemon_share_release(struct daemon_share *s);
/* At removal: the shareable /dev/shm's tmpfs. */
int daemon_share_remove(struct daemon *d, const char *id, struct berr *err);

struct daemon_bundle_in {
	const struct daemon_spec *spec;
	const char *id;
	const char *dir;           /* the container's directory; rootfs/ is mounted */
	const char *cgroup_parent; /* berthd's --cgroup-parent */
	const char *netns;         /* the network namespace to join; NULL: a new one */
	const char *ip;            /* its address on its network, for /etc/hosts; NULL none */
	const char *data_root;     /* where the volumes are */
	const char *init_path;     /* what --init runs */
	const struct daemon_share *share;
};

/* Write config.json, hostname, hosts and resolv.conf into dir. */
int daemon_bundle_write(const struct daemon_bundle_in *in, struct berr *err);

/* An exec'd process as rt_exec reads it (a process.json): the container's
 * process (capabilities, no_new_privs, environment) with the exec's
 * command, user (resolved in the container's root), environment (added
 * and replacing) and working directory. */
struct daemon_bundle_exec {
	const struct daemon_spec *spec; /* the container's */
	const char *id;                 /* the container's */
	const char *dir;                /* the container's directory; rootfs/ is mounted */
	char *const *cmd, *const *env;
	const char *user, *workdir;     /* "" or NULL: the container's */
	bool tty;
	const char *path;               /* where it goes */
};

int daemon_bundle_write_exec(const struct daemon_bundle_exec *in, struct berr *err);

struct daemon_bind {
	char source[PATH_MAX];
	char dest[PATH_MAX];
	char propagation[16];
	bool readonly;
	bool volume; /* source is a volume's name */
	bool nocopy;
};

/* HostConfig.Binds entries: "/host:/ctr[:opts]" or "name:/ctr[:opts]",
 * opts among ro, rw, a propagation, nocopy (volumes), z and Z (accepted
 * as dockerd does without SELinux: nothing to relabel), and the
 * consistency modes docker accepts and ignores on Linux. */
int daemon_bundle_parse_bind(const char *bind, struct daemon_bind *b, struct berr *err);
/* bundle_run.c: --init, --ulimit, --sysctl, --group-add, --device,
 * --device-cgroup-rule, --shm-size, --oom-score-adj, --oom-kill-disable,
 * --pid/--ipc/--uts host, checked as dockerd checks them. */
int daemon_check_run_options(const struct daemon_spec *s, struct berr *err);
int daemon_bundle_check_caps(char *const *add, char *const *drop, struct berr *err);
int daemon_bundle_check_security(char *const *opts, struct berr *err);
bool daemon_bundle_own_netns(const struct daemon_spec *s);

/* The resource limits of s, checked (as docker checks them) and as the
 * runtime takes them (res points into s). */
int daemon_check_limits(const struct daemon_spec *s, struct berr *err);
void daemon_bundle_limits(const struct daemon_spec *s, struct spec_resources *res);

/* Its block I/O limits (bundle_blkio.c): checked at create (the devices
 * named must be block devices), and put in res->blkio at each start with
 * the devices' numbers, in arrays from a. */
int daemon_check_blkio(const struct daemon_spec *s, struct berr *err);
int daemon_bundle_blkio(struct arena *a, const struct daemon_spec *s,
			struct spec_resources *res, struct berr *err);

#endif
