#!/usr/bin/env bats
# Every flag of `docker run --help` (the CLI in use: 28.x or Debian's
# 20.10) is answered: what the daemon sees of it changes the container
# (docker inspect's Config, HostConfig, Mounts or networks differ from a
# container made without it), or berthd refuses it with an error naming
# it.  A flag the daemon took and dropped without a word fails here, and
# so does a new flag of a newer CLI until it gets a line below.

load berthd_helpers

berthd_file_hooks

# What the daemon kept of a container, without what differs between any
# two (its id, its default hostname, names chosen for it).
kept() {
	dk inspect "$1" | jq -S '.[0] | .Id[0:12] as $short |
		{Config: (.Config | .Hostname |= (if . == $short then "" else . end)), HostConfig,
		Mounts: [.Mounts[]? | del(.Name, .Source)],
		Networks: (.NetworkSettings.Networks // {} | keys)}'
}

# The first disk of the machine, for the block I/O flags.
disk() {
	local d
	for d in /sys/block/*; do
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		[ -b "/dev/${d##*/}" ] && echo "/dev/${d##*/}" && return
	done
	echo /dev/null
}

@test "berthd run flags: every flag of docker run --help changes what berthd keeps, or is refused by name" {
	local dsk
	dsk=$(disk)
	echo WALK=1 >"$BATS_TEST_TMPDIR/env"
	echo walk=1 >"$BATS_TEST_TMPDIR/labels"
	dk create --name walkfrom -v /walkdata berthd-test/bb:1 true >/dev/null
	# FLAG => "ARGUMENTS|ERROR|BASE": the flag as used, then what berthd
	# answers: empty, the container is made and differs from one made
	# with BASE (default: nothing more) in what berthd keeps; else the
	# error's text.
	local -A use=(
		[add-host]="--add-host walk:10.1.2.3"
		[annotation]="--annotation walk=1"
		[attach]="-a stdin"
		[blkio-weight]="--blkio-weight 300"
		[blkio-weight-device]="--blkio-weight-device $dsk:300"
		[cap-add]="--cap-add NET_ADMIN"
		[cap-drop]="--cap-drop CHOWN"
		[cgroup-parent]="--cgroup-parent walk|a per-container cgroup parent is not supported by berthd"
		[cgroupns]="--cgroupns host"
		[cpu-count]="--cpu-count 1|CpuCount is not supported by berthd"
		[cpu-percent]="--cpu-percent 10|CpuPercent is not supported by berthd"
		[cpu-period]="--cpu-period 50000"
		[cpu-quota]="--cpu-quota 20000"
		[cpu-rt-period]="--cpu-rt-period 100000"
		[cpu-rt-runtime]="--cpu-rt-runtime 1000"
		[cpu-shares]="-c 512"
		[cpus]="--cpus 0.5"
		[cpuset-cpus]="--cpuset-cpus 0"
		[cpuset-mems]="--cpuset-mems 0"
		[device]="--device /dev/fuse"
		[device-cgroup-rule]="--device-cgroup-rule c 10:229 rwm"
		[device-read-bps]="--device-read-bps $dsk:1mb"
		[device-read-iops]="--device-read-iops $dsk:100"
		[device-write-bps]="--device-write-bps $dsk:1mb"
		[device-write-iops]="--device-write-iops $dsk:100"
		[dns]="--dns 10.1.2.3"
		[dns-option]="--dns-option ndots:2"
		[dns-search]="--dns-search walk.example"
		[domainname]="--domainname walk.example"
		[entrypoint]="--entrypoint /bin/true"
		[env]="-e WALK=1"
		[env-file]="--env-file $BATS_TEST_TMPDIR/env"
		[expose]="--expose 4242"
		[gpus]="--gpus all|device requests is not supported by berthd"
		[group-add]="--group-add 4321"
		[health-cmd]="--health-cmd true"
		[health-interval]="--health-interval 5s"
		[health-retries]="--health-retries 2"
		[health-start-interval]="--health-start-interval 1s|a start interval is not supported by berthd"
		[health-start-period]="--health-start-period 1s"
		[health-timeout]="--health-timeout 1s"
		[hostname]="-h walk"
		[init]="--init"
		[interactive]="-i"
		[io-maxbandwidth]="--io-maxbandwidth 1mb|IOMaximumBandwidth is not supported by berthd"
		[io-maxiops]="--io-maxiops 10|IOMaximumIOps is not supported by berthd"
		[ip]="--ip 10.1.2.3|a fixed address (--ip) outside a user network is not supported by berthd"
		[ip6]="--ip6 fd00::1|a fixed address (--ip6) is not supported by berthd"
		[ipc]="--ipc host"
		[isolation]="--isolation hyperv|isolation modes is not supported by berthd"
		[label]="-l walk=1"
		[label-file]="--label-file $BATS_TEST_TMPDIR/labels"
		[link]="--link walkfrom:other|links is not supported by berthd"
		[link-local-ip]="--link-local-ip 169.254.1.1|link-local addresses is not supported by berthd"
		[log-driver]="--log-driver none"
		[log-opt]="--log-opt max-size=1m"
		[mac-address]="--mac-address 02:42:ac:11:00:99"
		[memory]="-m 64m"
		[memory-reservation]="--memory-reservation 32m"
		[memory-swap]="-m 64m --memory-swap 128m||-m 64m"
		[memory-swappiness]="--memory-swappiness 10"
		[mount]="--mount type=tmpfs,dst=/walk"
		[network]="--network none"
		[network-alias]="--network-alias walk|network-scoped aliases are only supported for user-defined networks"
		[no-healthcheck]="--no-healthcheck"
		[oom-kill-disable]="--oom-kill-disable"
		[oom-score-adj]="--oom-score-adj 100"
		[pid]="--pid host"
		[pids-limit]="--pids-limit 10"
		[platform]="--platform linux/s390x|platform linux/s390x is not supported by berthd"
		[privileged]="--privileged"
		[publish]="-p 8080"
		[publish-all]="-P --expose 4242||--expose 4242"
		[read-only]="--read-only"
		[restart]="--restart always"
		[rm]="--rm"
		[runtime]="--runtime runc|choosing a runtime is not supported by berthd"
		[security-opt]="--security-opt no-new-privileges"
		[shm-size]="--shm-size 8m"
		[stop-signal]="--stop-signal USR1"
		[stop-timeout]="--stop-timeout 3"
		[storage-opt]="--storage-opt size=1g|storage options is not supported by berthd"
		[sysctl]="--sysctl net.ipv4.ip_forward=1"
		[tmpfs]="--tmpfs /walk"
		[tty]="-t"
		[ulimit]="--ulimit nofile=100:200"
		[user]="-u 1000"
		[userns]="--userns host"
		[uts]="--uts host"
		[volume]="-v /walk"
		[volume-driver]="--volume-driver walk|volume driver \"walk\" is not supported by berthd (only local is)"
		[volumes-from]="--volumes-from walkfrom"
		[workdir]="-w /tmp"
	)
	# The CLI's own: nothing of them reaches the daemon's container.
	# --kernel-memory: the CLI no longer sends it (API 1.42 and later;
	# berthd's answer to older clients is berthd_run_options.bats').
	# --use-api-socket: a bind of the CLI's own socket, which this CLI
	# talks to over DOCKER_HOST.
	local client=" detach detach-keys disable-content-trust help name pull quiet sig-proxy cidfile kernel-memory use-api-socket "
	# Debian's CLI (20.10) sends an endpoint's settings only for a user
	# network: on the default one it drops these itself.
	if [[ "$(dk version -f '{{.Client.Version}}')" == 20.* ]]; then
		client="$client ip ip6 link-local-ip network-alias "
	fi
	local flags flag spec args want base id got problems=""
	flags=$(dk run --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9-]+' | sed 's/.*--//')
	[ "$(echo "$flags" | wc -l)" -gt 80 ] || fail "docker run --help listed: $flags"
	local -A baseline=()
	for flag in $flags; do
		[[ $client == *" $flag "* ]] && continue
		spec=${use[$flag]:-}
		if [ -z "$spec" ]; then
			problems="$problems
--$flag: no line in this test"
			continue
		fi
		IFS='|' read -r args want base <<<"$spec"
		if [ -z "${baseline[_$base]:-}" ]; then
			# shellcheck disable=SC2086
			id=$(dk create $base berthd-test/bb:1 true)
			baseline[_$base]=$(kept "$id")
			dk rm -v "$id" >/dev/null
		fi
		if [ "$flag" = device-cgroup-rule ]; then
			run dk create --device-cgroup-rule 'c 10:229 rwm' berthd-test/bb:1 true
		else
			# shellcheck disable=SC2086
			run dk create $args berthd-test/bb:1 true
		fi
		if [ -n "$want" ]; then
			if [ "$status" -eq 0 ]; then
				problems="$problems
--$flag: taken, expected refused ($want)"
				dk rm -v "${lines[-1]}" >/dev/null
			elif ! grep -qF -- "$want" <<<"$output"; then
				problems="$problems
--$flag: refused as: $output"
			fi
			continue
		fi
		if [ "$status" -ne 0 ]; then
			problems="$problems
--$flag: refused: $output"
			continue
		fi
		id=${lines[-1]}
		got=$(kept "$id")
		[ "$got" != "${baseline[_$base]}" ] || problems="$problems
--$flag: taken and dropped (docker inspect shows nothing of it)"
		dk rm -v "$id" >/dev/null
	done
	dk rm -v walkfrom >/dev/null
	[ -z "$problems" ] || fail "flags of docker run --help:$problems"
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(dk volume ls -q)" ""
}

@test "berthd run flags: every flag of docker update --help changes the container, or is refused by name" {
	local rt_err="" weight_err=""
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		rt_err="not supported on cgroup v2"
	elif [ ! -e "$(v1_mount cpu)/cpu.rt_runtime_us" ]; then
		rt_err="this kernel has no cpu.rt_runtime_us"
	fi
	# The scheduler's weights: berthd_limits.bats checks both outcomes;
	# update answers as run does.
	if ! dk run --rm --blkio-weight 300 berthd-test/bb:1 true >/dev/null 2>&1; then
		weight_err="blockIO.weight"
	fi
	assert_equal "$(dk ps -aq)" ""
	local -A use=(
		[blkio-weight]="--blkio-weight 300|$weight_err"
		[cpu-period]="--cpu-period 50000"
		[cpu-quota]="--cpu-quota 20000"
		[cpu-rt-period]="--cpu-rt-period 100000|${rt_err:+realtimePeriod}"
		[cpu-rt-runtime]="--cpu-rt-runtime 1000|${rt_err:+realtimeRuntime}"
		[cpu-shares]="-c 512"
		[cpus]="--cpus 0.5"
		[cpuset-cpus]="--cpuset-cpus 0"
		[cpuset-mems]="--cpuset-mems 0"
		[kernel-memory]="--kernel-memory 10m|kernel memory limits is not supported by berthd"
		[memory]="-m 96m"
		[memory-reservation]="--memory-reservation 16m|changing the memory reservation is not supported by berthd"
		[memory-swap]="--memory-swap 256m"
		[pids-limit]="--pids-limit 10"
		[restart]="--restart always"
	)
	local flags flag args want before id problems=""
	flags=$(dk update --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9-]+' | sed 's/.*--//')
	[ "$(echo "$flags" | wc -l)" -gt 12 ] || fail "docker update --help listed: $flags"
	for flag in $flags; do
		[ "$flag" = help ] && continue
		if [ -z "${use[$flag]:-}" ]; then
			problems="$problems
--$flag: no line in this test"
			continue
		fi
		IFS='|' read -r args want <<<"${use[$flag]}"
		id=$(dk run -d -m 64m berthd-test/bb:1 sleep 1000)
		before=$(kept "$id")
		# shellcheck disable=SC2086
		run dk update $args "$id"
		if [ -n "$want" ]; then
			if [ "$status" -eq 0 ]; then
				problems="$problems
--$flag: taken, expected refused ($want)"
			elif ! grep -qF -- "$want" <<<"$output"; then
				problems="$problems
--$flag: refused as: $output"
			fi
			# A refused update changes nothing.
			[ "$(kept "$id")" = "$before" ] || problems="$problems
--$flag: refused, but the container changed"
		elif [ "$status" -ne 0 ]; then
			problems="$problems
--$flag: refused: $output"
		elif [ "$(kept "$id")" = "$before" ]; then
			problems="$problems
--$flag: taken and dropped (docker inspect shows nothing of it)"
		fi
		dk rm -f "$id" >/dev/null
	done
	[ -z "$problems" ] || fail "flags of docker update --help:$problems"
	assert_equal "$(dk ps -aq)" ""
}
