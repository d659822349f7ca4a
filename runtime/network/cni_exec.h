/* One CNI plugin run: the protocol of the CNI specification's section
 * "Execution Protocol". */
#ifndef BERTH_NETWORK_CNI_EXEC_H
#define BERTH_NETWORK_CNI_EXEC_H

#include <stddef.h>

#include "spec/base/err.h"

struct cni_call {
	const char *cni_path; /* plugin directories, ':'-separated */
	const char *command;  /* ADD | DEL | CHECK */
	const char *container_id;
	const char *netns;
	const char *ifname;
};

/* Run the plugin named type with config on its stdin; *out gets its
 * stdout (malloc'd, NUL-terminated; may be empty).  A plugin that fails
 * gives an error with the message of its error result. */
int cni_exec(const struct cni_call *call, const char *type, const char *config,
	     size_t config_len, char **out, struct berr *err);

#endif
