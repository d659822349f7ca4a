/* docker rename: a container's new name, kept in its record (docker
 * compose renames the container it replaces before it removes it). */
#include "runtime/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int daemon_rename(struct daemon *d, const char *ref, const char *name, struct berr *err)
{
	struct daemon_container *c, *other;
	char *old;
	char attr[300];
	char *attrs[] = { attr, NULL };
	int ambiguous, ret;

	if (name && *name == '/')
		name++;
	if (!name || !*name || !daemon_valid_name(name))
		return berr_invalid(err,
				 "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
				 "are allowed",
				 name ? name : "");
	ret = daemon_get(d, ref, &c, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	other = daemon_find_locked(d, name, &ambiguous);
	if (other && other != c && strcmp(other->name, name) == 0) {
		ret = berr_conflict(err, EEXIST,
				  "Conflict. The container name \"/%s\" is already in use by "
				  "container \"%s\". You have to remove (or rename) that container "
				  "to be able to reuse that name.",
				  name, other->id);
		goto out;
	}
	old = c->name;
	c->name = strdup(name);
	if (!c->name) {
		c->name = old;
		ret = berr_set(err, ENOMEM, "rename");
		goto out;
	}
	ret = daemon_save_config(d, c, err);
	if (ret < 0) {
		free(c->name);
		c->name = old;
		goto out;
	}
	snprintf(attr, sizeof(attr), "oldName=/%s", old);
	free(old);
	daemon_event_locked(d, c, "rename", attrs);
out:
	daemon_unlock(d);
	daemon_put(d, c);
	return ret;
}
