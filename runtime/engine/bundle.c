/* The OCI bundle of a berthd container: config.json from what docker's
 * create asked for, in the shape dockerd gives containerd, plus the
 * files bind-mounted at /etc/hostname, /etc/hosts and /etc/resolv.conf.
 *
 * Choices, documented here and in the README:
 * - Privileged containers get every capability berthd holds, every host
 *   device, no seccomp filter, no masked or read-only paths
 *   (bundle_privileged.c).
 * - The default capability set is docker's: CAP_MKNOD is granted, so a
 *   container can make device nodes, and the device rules (berth's one
 *   default policy, spec/config_default.h: deny all, then the runtime
 *   allows mknod of any node, the pseudo devices and the terminals) keep
 *   it from opening any other.  Masked and read-only paths are the same
 *   policy's.
 * - Seccomp: SecurityOpt seccomp=unconfined runs without a filter, and
 *   seccomp={...} (the docker CLI sends the file) a profile of docker's
 *   format (spec/seccomp_docker.c); by default the container gets berth's one
 *   default profile (spec/seccomp_default.c, an allow list like docker's)
 *   for the capabilities it holds, so --cap-add SYS_ADMIN also allows
 *   mount, as docker's profile does.
 * - Networks: host shares the host's; none gets a new network namespace
 *   with only loopback (the shim brings lo up); a container on a network
 *   joins the namespace berthd made and attached for it (net.c), and its
 *   /etc/hosts names its address (and --add-host's).  /etc/resolv.conf
 *   is the host's, without loopback resolvers in a namespace of its own,
 *   which cannot reach them (docker's defaults when none is left, as
 *   docker does), with --dns, --dns-search, --dns-option in place of the
 *   host's lines of their kind. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "spec/config_build.h"
#include "spec/config_default.h"
#include "spec/config_write.h"
#include "spec/seccomp_default.h"
#include "spec/seccomp_docker.h"

static bool loopback_server(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

static void put_words(FILE *f, const char *key, char *const *v)
{
	fprintf(f, "%s", key);
	for (size_t i = 0; v[i]; i++)
		fprintf(f, " %s", v[i]);
	fprintf(f, "\n");
}

/* The host's resolv.conf for the container: with a network namespace of
 * its own (own_netns), without loopback resolvers, which it cannot reach
 * (docker's public defaults if none is left, as docker does); the
 * request's --dns, --dns-search and --dns-option replacing the host's
 * lines of their kind. */
static char *resolv_conf(const struct daemon_spec *s, const char *host, size_t len,
			 bool own_netns)
{
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	const char *p = host, *end = host + len;
	bool servers = false;
	bool dns = s->dns && s->dns[0], search = s->dns_search && s->dns_search[0];
	bool options = s->dns_options && s->dns_options[0];

	if (!f)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char word[64] = "", addr[64] = "";

		sscanf(p, "%63s %63s", word, addr);
		if ((!strcmp(word, "nameserver") && (dns || (own_netns && loopback_server(addr)))) ||
		    ((!strcmp(word, "search") || !strcmp(word, "domain")) && search) ||
		    (!strcmp(word, "options") && options)) {
			p += n;
			continue;
		}
		servers |= !strcmp(word, "nameserver");
		fprintf(f, "%.*s%s", (int)n, p, n && p[n - 1] != '\n' ? "\n" : "");
		p += n;
	}
	if (dns)
		for (size_t i = 0; s->dns[i]; i++)
			fprintf(f, "nameserver %s\n", s->dns[i]);
	else if (!servers && own_netns)
		fprintf(f, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	if (search)
		put_words(f, "search", s->dns_search);
	if (options)
		put_words(f, "options", s->dns_options);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --add-host lines, "ADDRESS\tNAME", after the container's own. */
static char *with_extra_hosts(const struct daemon_spec *s, const char *hosts)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s", hosts);
	for (size_t i = 0; s->extra_hosts && s->extra_hosts[i]; i++) {
		const char *colon = strchr(s->extra_hosts[i], ':');

		if (colon)
			fprintf(f, "%s\t%.*s\n", colon + 1, (int)(colon - s->extra_hosts[i]),
				s->extra_hosts[i]);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int write_files(const struct daemon_bundle_in *in, const char *hostname,
		       struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	const char *dir = in->dir;
	cleanup_free char *hosts = NULL, *host_resolv = NULL, *full = NULL;
	char path[PATH_MAX], line[512];
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/hostname", dir);
	snprintf(line, sizeof(line), "%s\n", hostname);
	ret = fsutil_write_atomic(path, line, strlen(line), 0644, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (daemon_bundle_own_netns(s) || fsutil_read_file("/etc/hosts", &hosts, &len, err) < 0) {
		if (asprintf(&hosts,
			     "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "%s\t%s\n",
			     in->ip ? in->ip : "127.0.1.1", hostname) < 0) {
			hosts = NULL;
			return berr_sys(err, "hosts");
		}
	}
	berr_clear(err);
	full = with_extra_hosts(s, hosts);
	if (!full)
		return berr_set(err, ENOMEM, "hosts");
	ret = fsutil_write_atomic(path, full, strlen(full), 0644, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if (fsutil_read_file("/etc/resolv.conf", &host_resolv, &len, err) < 0) {
		host_resolv = strdup("");
		len = 0;
	}
	berr_clear(err);
	if (host_resolv) {
		char *own = resolv_conf(s, host_resolv, len, daemon_bundle_own_netns(s));

		free(host_resolv);
		host_resolv = own;
		len = own ? strlen(own) : 0;
	}
	return fsutil_write_atomic(path, host_resolv ? host_resolv : "", len, 0644, err);
}

/* With the host's network, the container has no namespace of its own. */
static void drop_network_namespace(struct spec_linux *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type != NS_NETWORK)
			l->namespaces[n++] = l->namespaces[i];
	l->n_namespaces = n;
}

/* A namespace berthd made (and attached) before the container. */
static void join_network_namespace(struct spec_linux *l, const char *path)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == NS_NETWORK)
			l->namespaces[i].path = path;
}

/* Rootless with the host's network: a new sysfs needs a network
 * namespace berthd's user namespace owns, so /sys is the host's, bound
 * read-only (as berth spec --rootless has it). */
static void bind_host_sys(struct spec_config *cfg)
{
	static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/sys") != 0)
			continue;
		m->type = "none";
		m->source = "/sys";
		m->options = (const char **)opts;
		m->n_options = sizeof(opts) / sizeof(opts[0]);
	}
}

/* The default device rules, then the request's limits. */
static int set_resources(struct arena *a, struct spec_linux *l, const struct daemon_spec *s,
			 struct berr *err)
{
	struct spec_resources res;

	daemon_bundle_limits(s, &res);
	res.devices = l->resources.devices;
	res.n_devices = l->resources.n_devices;
	l->resources = res;
	return daemon_bundle_blkio(a, s, &l->resources, err);
}

static int build_linux(struct spec_config *cfg, const struct daemon_bundle_in *in,
		       struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	struct spec_linux *l = &cfg->linux;
	char cgpath[PATH_MAX];
	int ret;

	snprintf(cgpath, sizeof(cgpath), "%s/%s", in->cgroup_parent, in->id);
	l->cgroups_path = arena_strdup(&cfg->arena, cgpath);
	if (!l->cgroups_path)
		return berr_set(err, ENOMEM, "config.json");
	if (!daemon_bundle_own_netns(s)) {
		drop_network_namespace(l);
		if (rt_rootless())
			bind_host_sys(cfg);
	} else if (in->netns) {
		join_network_namespace(l, in->netns);
	}
	ret = set_resources(&cfg->arena, l, s, err);
	if (ret < 0)
		return ret;
	if (bundle_seccomp_profile(s)) {
		const char *json = bundle_seccomp_profile(s);
		struct spec_seccomp_target t;

		bundle_seccomp_target(cfg->process.caps.bounding, &t);
		return spec_seccomp_docker(&cfg->arena, json, strlen(json), &t, &l->seccomp, err);
	}
	/* docker gives a privileged container no filter unless asked. */
	if (bundle_seccomp_unconfined(s) || s->privileged)
		return 0;
	/* The one default profile, for the capabilities this container
	 * holds. */
	return spec_seccomp_default(&cfg->arena, cfg->process.caps.bounding, &l->seccomp, err);
}

/* --annotation: the config's annotations, as dockerd puts them. */
static int set_annotations(struct spec_config *cfg, char *const *kv, struct berr *err)
{
	size_t n = strv_len(kv);
	struct spec_kv *a;

	if (!n)
		return 0;
	a = spec_build_array(&cfg->arena, n, sizeof(*a));
	if (!a)
		return berr_set(err, ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char *key = arena_strdup(&cfg->arena, kv[i]);

		if (!eq || !key)
			return berr_set(err, eq ? ENOMEM : EINVAL, "annotation \"%s\"", kv[i]);
		key[eq - kv[i]] = '\0';
		a[i].key = key;
		a[i].value = key + (eq - kv[i]) + 1;
	}
	cfg->annotations = a;
	cfg->n_annotations = n;
	return 0;
}

/* The default config with the request's changes. */
static int build_config(struct spec_config *cfg, const struct daemon_bundle_in *in,
			const char *hostname, int rootfd, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	struct bundle_process_in p = {
		.spec = s,
		.hostname = hostname,
		.rootfd = rootfd,
		.args = { s->entrypoint, s->cmd },
		.tty = s->tty,
	};
	int ret;

	/* berth spec's process is a shell with its rlimit; docker's comes
	 * from the image and the request alone. */
	ret = bundle_process(&cfg->arena, &p, &cfg->process, err);
	if (ret < 0)
		return ret;
	cfg->root.readonly = s->readonly_rootfs;
	cfg->hostname = arena_strdup(&cfg->arena, hostname);
	if (!cfg->hostname)
		return berr_set(err, ENOMEM, "config.json");
	if (s->domainname && *s->domainname)
		cfg->domainname = s->domainname;
	ret = set_annotations(cfg, s->annotations, err);
	if (ret == 0)
		ret = bundle_mounts(cfg, in, rootfd, err);
	if (ret == 0)
		ret = build_linux(cfg, in, err);
	if (ret < 0)
		return ret;
	return bundle_run_options(cfg, in, rootfd, err);
}

int daemon_bundle_write(const struct daemon_bundle_in *in, struct berr *err)
{
	const struct daemon_spec *s = in->spec;
	const struct spec_default_opts dflt = { 0 };
	cleanup_config struct spec_config *cfg = NULL;
	cleanup_free char *json = NULL;
	cleanup_close int rootfd = -1;
	char path[PATH_MAX], hostname[256];
	size_t len;
	int ret;

	rootfd = bundle_open_rootfs(in->dir, err);
	if (rootfd < 0)
		return rootfd;
	bundle_hostname(s, in->id, hostname, sizeof(hostname));
	ret = write_files(in, hostname, err);
	if (ret < 0)
		return ret;
	ret = spec_config_default(&dflt, &cfg, err);
	if (ret < 0)
		return ret;
	/* Rootless, no device program can be attached (the lifecycle
	 * library refuses device rules then): the default ones go, and the
	 * user namespace berthd runs in keeps device nodes from being made. */
	if (rt_rootless()) {
		cfg->linux.resources.devices = NULL;
		cfg->linux.resources.n_devices = 0;
	}
	ret = build_config(cfg, in, hostname, rootfd, err);
	if (ret < 0)
		return ret;
	ret = spec_config_write(cfg, &json, &len, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/config.json", in->dir);
	return fsutil_write_atomic(path, json, len, 0600, err);
}
