/* A berthd container's confinement: its capabilities (docker's default
 * set, then --cap-add and --cap-drop) and its security options. */
#include "runtime/engine/bundle.h"
#include "runtime/engine/bundle_parts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "spec/names.h"
#include "spec/seccomp_docker.h"

static const char *const default_caps[] = {
	"CAP_CHOWN",	   "CAP_DAC_OVERRIDE", "CAP_FSETID",	 "CAP_FOWNER",
	"CAP_MKNOD",	   "CAP_NET_RAW",      "CAP_SETGID",	 "CAP_SETUID",
	"CAP_SETFCAP",	   "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	   "CAP_AUDIT_WRITE",  NULL,
};

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcasecmp(v[i], s) == 0)
			return true;
	return false;
}

/* "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN" as "CAP_NET_ADMIN"; NULL
 * when it names no capability ("ALL" is handled by the caller). */
static bool cap_canonical(const char *in, char *out, size_t size)
{
	long v;

	snprintf(out, size, "%s%s", strncasecmp(in, "CAP_", 4) == 0 ? "" : "CAP_", in);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return names_lookup(names_capabilities, out, &v) == 0;
}

int daemon_bundle_check_caps(char *const *add, char *const *drop, struct berr *err)
{
	char buf[64];

	for (size_t i = 0; add && add[i]; i++)
		if (strcasecmp(add[i], "ALL") != 0 && !cap_canonical(add[i], buf, sizeof(buf)))
			return berr_invalid(err, "unknown capability to add: \"%s\"", add[i]);
	for (size_t i = 0; drop && drop[i]; i++)
		if (strcasecmp(drop[i], "ALL") != 0 && !cap_canonical(drop[i], buf, sizeof(buf)))
			return berr_invalid(err, "unknown capability to drop: \"%s\"",
					 drop[i]);
	return 0;
}

static bool cap_in(char *const *v, const char *cap)
{
	char buf[64];

	for (size_t i = 0; v && v[i]; i++) {
		if (strcasecmp(v[i], "ALL") == 0)
			return true;
		if (cap_canonical(v[i], buf, sizeof(buf)) && strcmp(buf, cap) == 0)
			return true;
	}
	return false;
}

static bool has_cap(const struct daemon_spec *s, const char *cap)
{
	bool dflt = false;

	for (size_t i = 0; default_caps[i]; i++)
		dflt |= strcmp(default_caps[i], cap) == 0;
	if (cap_in(s->cap_drop, cap) && !cap_in(s->cap_add, cap))
		return false;
	if (strv_has(s->cap_drop, "ALL") && !cap_in(s->cap_add, cap))
		return false;
	return dflt || cap_in(s->cap_add, cap);
}

uint64_t bundle_caps(const struct daemon_spec *s)
{
	uint64_t caps = 0;

	/* Every capability berthd holds, less those dropped (as dockerd
	 * applies --cap-drop to a privileged container). */
	if (s->privileged) {
		caps = bundle_privileged_caps();
		for (const struct name_value *nv = names_capabilities; nv->name; nv++)
			if (cap_in(s->cap_drop, nv->name) && !cap_in(s->cap_add, nv->name))
				caps &= ~(UINT64_C(1) << nv->value);
		return caps;
	}
	for (const struct name_value *nv = names_capabilities; nv->name; nv++)
		if (has_cap(s, nv->name))
			caps |= UINT64_C(1) << nv->value;
	return caps;
}

bool bundle_seccomp_unconfined(const struct daemon_spec *s)
{
	return strv_has(s->security_opt, "seccomp=unconfined") ||
	       strv_has(s->security_opt, "seccomp:unconfined");
}

/* The docker CLI sends the profile's content: "seccomp={...}". */
const char *bundle_seccomp_profile(const struct daemon_spec *s)
{
	for (size_t i = 0; s->security_opt && s->security_opt[i]; i++) {
		const char *o = s->security_opt[i];

		if ((!strncmp(o, "seccomp=", 8) || !strncmp(o, "seccomp:", 8)) &&
		    strcmp(o + 8, "unconfined") != 0)
			return o + 8;
	}
	return NULL;
}

void bundle_seccomp_target(uint64_t caps, struct spec_seccomp_target *t)
{
	struct utsname u;
	bool arm = uname(&u) == 0 && strcmp(u.machine, "aarch64") == 0;

	*t = (struct spec_seccomp_target){
		.scmp_arch = arm ? "SCMP_ARCH_AARCH64" : "SCMP_ARCH_X86_64",
		.go_arch = arm ? "arm64" : "amd64",
		.caps = caps,
	};
	sscanf(u.release, "%u.%u", &t->kernel_major, &t->kernel_minor);
}

static int check_profile(const char *json, struct berr *err)
{
	struct arena a = { 0 };
	struct spec_seccomp_target t;
	struct spec_seccomp s;
	int ret;

	if (*json != '{')
		return berr_invalid(err,
				 "security option seccomp: expected unconfined or a profile's "
				 "JSON (the docker CLI sends the file's content)");
	bundle_seccomp_target(0, &t);
	ret = spec_seccomp_docker(&a, json, strlen(json), &t, &s, err);
	arena_release(&a);
	if (ret < 0)
		return berr_as(err, berr_wrap(err, ret, "security option seccomp"), BERR_INVALID);
	return 0;
}

int daemon_bundle_check_security(char *const *opts, struct berr *err)
{
	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];

		if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
			continue;
		if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
		    !strcmp(o, "no-new-privileges:true") || !strcmp(o, "no-new-privileges=false"))
			continue;
		/* berthd gives no AppArmor profile and no SELinux label: these
		 * ask for what a container has anyway. */
		if (!strcmp(o, "apparmor=unconfined") || !strcmp(o, "apparmor:unconfined") ||
		    !strcmp(o, "label=disable") || !strcmp(o, "label:disable"))
			continue;
		if (!strncmp(o, "seccomp=", 8) || !strncmp(o, "seccomp:", 8)) {
			int ret = check_profile(o + 8, err);

			if (ret < 0)
				return ret;
			continue;
		}
		return berr_unsupported(err, "security option \"%s\" is not supported by berthd",
				 o);
	}
	return 0;
}

bool bundle_no_new_privs(const struct daemon_spec *s)
{
	return strv_has(s->security_opt, "no-new-privileges") ||
	       strv_has(s->security_opt, "no-new-privileges=true") ||
	       strv_has(s->security_opt, "no-new-privileges:true");
}
