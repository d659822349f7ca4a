/* The engine's plain values: a container's status by name, and freeing
 * what a create or an exec request holds.  Alone in this file so that
 * code which stands in for the engine (the HTTP fuzz harness) links the
 * same functions instead of copies. */
#include "runtime/engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"

const char *daemon_status_name(enum daemon_status s)
{
	static const char *const names[] = { "created", "running", "paused", "restarting",
					     "removing", "exited", "dead" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "dead";
}

enum daemon_status daemon_status_from(const char *s)
{
	for (int i = DS_CREATED; i <= DS_DEAD; i++)
		if (s && strcmp(daemon_status_name((enum daemon_status)i), s) == 0)
			return (enum daemon_status)i;
	return DS_DEAD;
}

void daemon_spec_free(struct daemon_spec *s)
{
	free(s->image);
	free(s->image_id);
	free(s->hostname);
	free(s->domainname);
	free(s->user);
	free(s->workdir);
	free(s->stop_signal);
	strv_free(s->cmd);
	strv_free(s->entrypoint);
	strv_free(s->env);
	strv_free(s->labels);
	strv_free(s->binds);
	strv_free(s->mount_reqs);
	strv_free(s->volumes);
	strv_free(s->volumes_from);
	strv_free(s->mounts);
	strv_free(s->ulimits);
	strv_free(s->sysctls);
	strv_free(s->group_add);
	strv_free(s->devices);
	strv_free(s->device_rules);
	free(s->pid_mode);
	free(s->ipc_mode);
	free(s->uts_mode);
	free(s->cgroupns_mode);
	free(s->userns_mode);
	strv_free(s->health_test);
	free(s->log_driver);
	strv_free(s->cap_add);
	strv_free(s->cap_drop);
	strv_free(s->security_opt);
	free(s->restart_name);
	free(s->network_mode);
	strv_free(s->ports);
	strv_free(s->exposed);
	strv_free(s->aliases);
	free(s->ip);
	free(s->mac);
	strv_free(s->networks);
	strv_free(s->dns);
	strv_free(s->dns_search);
	strv_free(s->dns_options);
	strv_free(s->extra_hosts);
	free(s->cpuset_cpus);
	free(s->cpuset_mems);
	strv_free(s->annotations);
	strv_free(s->blkio_weight_device);
	strv_free(s->blkio_read_bps);
	strv_free(s->blkio_write_bps);
	strv_free(s->blkio_read_iops);
	strv_free(s->blkio_write_iops);
	memset(s, 0, sizeof(*s));
}

void daemon_exec_spec_free(struct daemon_exec_spec *s)
{
	strv_free(s->cmd);
	strv_free(s->env);
	free(s->user);
	free(s->workdir);
	memset(s, 0, sizeof(*s));
}

void daemon_network_free(struct daemon_network *n)
{
	strv_free(n->labels);
	n->labels = NULL;
}

void daemon_networks_free(struct daemon_network *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		daemon_network_free(&list[i]);
	free(list);
}

void daemon_health_free(struct daemon_health *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_log; i++)
		free(h->log[i].output);
	free(h);
}
