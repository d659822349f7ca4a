/* Users of a container's image: docker's --user resolved in the
 * container's /etc/passwd and /etc/group (read as the container sees
 * them), with the supplementary groups that list the user. */
#include "runtime/engine/user.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/host.h"
#include "spec/base/cleanup.h"

/* Open a file of the container's root as the container would see it:
 * symlinks resolve inside the root. */
static FILE *open_in_root(int rootfd, const char *path)
{
	int fd = rt_open_in_root(rootfd, path, O_RDONLY);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "re");
	if (!f)
		close(fd);
	return f;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Find name (or uid) in /etc/passwd: fields 0 name, 2 uid, 3 gid. */
static int passwd_lookup(int rootfd, const char *who, bool numeric, unsigned *uid,
			 unsigned *gid, char *name, size_t name_size)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/passwd");
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *fields[7] = { 0 };
		char *save = NULL, *p = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		for (char *tok; n < 7 && (tok = strsep(&p, ":")); n++)
			fields[n] = tok;
		(void)save;
		if (n < 4 || !all_digits(fields[2]) || !all_digits(fields[3]))
			continue;
		if (numeric ? strcmp(fields[2], who) != 0 : strcmp(fields[0], who) != 0)
			continue;
		*uid = (unsigned)strtoul(fields[2], NULL, 10);
		*gid = (unsigned)strtoul(fields[3], NULL, 10);
		snprintf(name, name_size, "%s", fields[0]);
		return 0;
	}
	return -ENOENT;
}

static int group_lookup(int rootfd, const char *group, unsigned *gid)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/group");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line, *name, *pw, *id;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		pw = strsep(&p, ":");
		id = strsep(&p, ":");
		(void)pw;
		if (!name || !id || !all_digits(id) || strcmp(name, group) != 0)
			continue;
		*gid = (unsigned)strtoul(id, NULL, 10);
		return 0;
	}
	return -ENOENT;
}

int user_group(int rootfd, const char *group, unsigned *gid, struct berr *err)
{
	if (all_digits(group)) {
		*gid = (unsigned)strtoul(group, NULL, 10);
		return 0;
	}
	if (group_lookup(rootfd, group, gid) < 0)
		return berr_invalid(err,
				 "unable to find group %s: no matching entries in group file",
				 group);
	return 0;
}

/* Supplementary groups: every group that lists user as a member. */
static size_t member_groups(int rootfd, const char *user, unsigned primary, unsigned *out,
			    size_t max)
{
	cleanup_fclose FILE *f = open_in_root(rootfd, "/etc/group");
	char line[4096];
	size_t n = 0;

	while (user[0] && f && fgets(line, sizeof(line), f) && n < max) {
		char *p = line, *name, *pw, *id, *members, *m;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		pw = strsep(&p, ":");
		id = strsep(&p, ":");
		members = p;
		(void)name;
		(void)pw;
		if (!id || !all_digits(id) || !members)
			continue;
		while ((m = strsep(&members, ","))) {
			unsigned g = (unsigned)strtoul(id, NULL, 10);

			if (strcmp(m, user) == 0 && g != primary) {
				out[n++] = g;
				break;
			}
		}
	}
	return n;
}

int user_resolve(int rootfd, const char *spec, struct user_ids *u, struct berr *err)
{
	char user[256] = "", name[256] = "";
	const char *colon;
	const char *group = NULL;

	memset(u, 0, sizeof(*u));
	if (!spec || !*spec)
		spec = "0";
	colon = strchr(spec, ':');
	snprintf(user, sizeof(user), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec),
		 spec);
	if (colon)
		group = colon + 1;
	if (passwd_lookup(rootfd, user, all_digits(user), &u->uid, &u->gid, name,
			  sizeof(name)) < 0) {
		if (!all_digits(user))
			return berr_invalid(err,
					 "unable to find user %s: no matching entries in passwd "
					 "file",
					 user);
		u->uid = (unsigned)strtoul(user, NULL, 10);
		u->gid = 0;
	}
	if (group && *group) {
		if (all_digits(group))
			u->gid = (unsigned)strtoul(group, NULL, 10);
		else if (group_lookup(rootfd, group, &u->gid) < 0)
			return berr_invalid(err,
					 "unable to find group %s: no matching entries in group "
					 "file",
					 group);
	}
	u->n_groups = member_groups(rootfd, name, u->gid, u->groups, USER_MAX_GROUPS);
	return 0;
}
