#include "runtime/systemd.h"

#include <errno.h>
#include <sys/stat.h>

int systemd_cgroup_refuse(struct berr *err)
{
	struct stat st;

	/* sd_booted()'s own test: this directory exists only while systemd
	 * runs as init. */
	if (stat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode))
		return berr_fail(err, EOPNOTSUPP,
				 "--systemd-cgroup: systemd is not running on this host, so "
				 "there is no systemd cgroup driver to use; drop --systemd-cgroup "
				 "(use the cgroupfs driver: SystemdCgroup = false, "
				 "--cgroup-manager cgroupfs, native.cgroupdriver=cgroupfs)");
	return berr_fail(err, EOPNOTSUPP,
			 "--systemd-cgroup: the systemd cgroup driver is not supported by "
			 "berth; drop --systemd-cgroup (use the cgroupfs driver: "
			 "SystemdCgroup = false, --cgroup-manager cgroupfs, "
			 "native.cgroupdriver=cgroupfs)");
}
