#!/bin/bash
# berth against crun and runc, side by side, on one bundle.  See README.md
# beside this script for the workloads, the options and how to read the
# report.
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
BERTH=${BERTH:-$BUILD/berth}
TIMER=${BENCH_TIMER:-$BUILD/tests/benchtime}
PACKAGES="crun runc busybox-static jq util-linux"
WORKLOADS_ALL="run,lifecycle,exec,concurrent,memory"

usage() {
	cat <<'EOF'
usage: tests/bench/bench.sh [options]

Measures berth, crun and runc side by side (interleaved) on one busybox
bundle, prints a table and writes it to a results file.

  --runs N          repetitions of the sequential workloads (100; 20 in the VM)
  --warmup N        untimed runs before each workload (3)
  --concurrent N    containers started at once in the throughput workload (100)
  --rounds N        rounds of the throughput workload (5; 2 in the VM)
  --workloads LIST  comma-separated subset of run,lifecycle,exec,concurrent,memory
  --out FILE        results file (default tests/bench/results/DATE-host.txt or
                    DATE-vm.txt); '-' for none
  --vm              run the whole benchmark in the cgroup v2 VM (tests/vm)
  --cgroups M       on a hybrid host: 'host' (the host's own hierarchies,
                    berth and runc; crun refuses them) or 'private' (cgroup2
                    alone in a private mount namespace, all three); by
                    default both, one after the other, in one report
  --crun-cgroup-manager M
                    cgroupfs (default) or disabled
  --note TEXT       a line for the report's header (what the numbers need
                    to be read with: other load on the machine, say)
EOF
}

say() {
	echo "bench: $*" >&2
}

die() {
	say "$*"
	exit 1
}

runs='' warmup=3 concurrent=100 rounds='' workloads=$WORKLOADS_ALL out='' vm=''
crun_manager=cgroupfs cgroups_mode='' user_note=''
RUNTIMES=(berth crun runc)
orig_args=("$@")

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--runs) runs=${2:?}; shift 2 ;;
		--warmup) warmup=${2:?}; shift 2 ;;
		--concurrent) concurrent=${2:?}; shift 2 ;;
		--rounds) rounds=${2:?}; shift 2 ;;
		--workloads) workloads=${2:?}; shift 2 ;;
		--out) out=${2:?}; shift 2 ;;
		--vm) vm=1; shift ;;
		--cgroups) cgroups_mode=${2:?}; shift 2 ;;
		--note) user_note=${2:?}; shift 2 ;;
		--crun-cgroup-manager) crun_manager=${2:?}; shift 2 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	local w
	for w in ${workloads//,/ }; do
		[[ ,$WORKLOADS_ALL, == *,$w,* ]] || die "unknown workload: $w"
	done
	case $crun_manager in
	cgroupfs | disabled) ;;
	*) die "--crun-cgroup-manager: cgroupfs or disabled" ;;
	esac
	case $cgroups_mode in
	'' | host | private) ;;
	*) die "--cgroups: host or private" ;;
	esac
	if [ -n "${BERTH_VM:-}" ]; then
		# Under TCG every exec costs tens of milliseconds.
		runs=${runs:-20}
		rounds=${rounds:-2}
	fi
	runs=${runs:-100}
	rounds=${rounds:-5}
}

want() {
	[[ ,$workloads, == *,$1,* ]]
}

# Installs what is missing (not in the VM, which has no network but shares
# the host's packages).
ensure_packages() {
	local p missing=()
	for p in $PACKAGES; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ -z "${BERTH_VM:-}" ] || die "missing in the VM: ${missing[*]} (install them on the host)"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; } ||
		die "cannot install ${missing[*]}"
}

ensure_built() {
	if [ ! -x "$BERTH" ] || [ ! -x "$TIMER" ]; then
		[ -z "${BERTH_VM:-}" ] || die "build berth and the timer on the host first (make all build/tests/benchtime)"
		make -s -C "$REPO" all "${TIMER#"$REPO"/}" >&2
	fi
}

# Runs the benchmark in the VM and keeps its report on the host.
run_in_vm() {
	local args=() cmd log rc=0
	set -- "${orig_args[@]}"
	while [ $# -gt 0 ]; do
		case $1 in
		--vm) shift ;;
		--out) shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	cmd=$(printf '%q ' tests/bench/bench.sh --out - "${args[@]}")
	out=${out:-$HERE/results/$(date -u +%Y-%m-%d-%H%M)-vm.txt}
	log=$(mktemp)
	# 100 runc processes at once need about a gigabyte.
	(cd "$REPO" && VM_MEM=${VM_MEM:-4096} VM_ENV="BERTH BENCH_TIMER" \
		tests/vm/run --timeout "${VM_TIMEOUT:-3600}" -- "$cmd") | tee "$log" || rc=$?
	if [ "$out" != - ] && grep -q '^=== berth benchmark' "$log"; then
		mkdir -p "$(dirname "$out")"
		sed -n '/^=== berth benchmark/,$p' "$log" | grep -v '^bench: ' >"$out"
		say "report written to $out"
	fi
	rm -f "$log"
	exit "$rc"
}

hybrid_host() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]
}

# On a hybrid host berth takes its nine-hierarchy path, which crun cannot
# run on, and the private cgroup2 namespace (below) measures a single
# hierarchy instead.  Both are measured, one after the other, into one
# report: the host's hierarchies (berth, runc, floor), then the private
# namespace (all three).
run_both() {
	local args=() parts mode rc=0
	set -- "${orig_args[@]}"
	while [ $# -gt 0 ]; do
		case $1 in
		--out) shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	export BENCH_COMMAND=${BENCH_COMMAND:-$(bench_command)}
	out=${out:-$HERE/results/$(date -u +%Y-%m-%d-%H%M)-host.txt}
	parts=$(mktemp -d)
	for mode in host private; do
		"$HERE/bench.sh" --cgroups "$mode" --out "$parts/$mode" "${args[@]}" || rc=$?
	done
	if [ "$out" != - ]; then
		mkdir -p "$(dirname "$out")"
		{
			echo "=== berth benchmark on a hybrid cgroup host: two runs, A then B"
			provenance
			echo "A. the host's own hierarchies (cgroup v1 controllers and cgroup2), as berth and runc use them here; crun cannot run there"
			echo "B. a private mount namespace with cgroup2 alone at /sys/fs/cgroup (one hierarchy), where crun runs too"
			echo
			echo "A."
			cat "$parts/host" 2>/dev/null || echo "(no report: status $rc)"
			echo
			echo "B."
			cat "$parts/private" 2>/dev/null || echo "(no report: status $rc)"
		} >"$out"
		say "report written to $out"
	fi
	rm -rf "$parts"
	exit "$rc"
}

# The command that made the report, for its first lines.
bench_command() {
	local args
	args=$(quoted_args)
	if [ -n "${MAKELEVEL:-}" ]; then
		echo "make ${BENCH_TARGET:-bench}${args:+ BENCH_ARGS=\"$args\"}"
	else
		echo "tests/bench/bench.sh${args:+ $args}"
	fi
}

# quoted_args: the options as a shell would take them back.
quoted_args() {
	local a q="'" words=()
	for a in "${orig_args[@]}"; do
		if [[ $a =~ ^[A-Za-z0-9_.,:/=+-]+$ ]]; then
			words+=("$a")
		else
			words+=("$q${a//$q/$q\\$q$q}$q")
		fi
	done
	echo "${words[*]}"
}

# provenance: the command, the commit and the date, taken when the bench
# starts (the tree may change while it runs).
provenance() {
	local commit
	if [ -n "${BENCH_PROVENANCE:-}" ]; then
		echo "$BENCH_PROVENANCE"
		return
	fi
	commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null) &&
		{ git -C "$REPO" diff --quiet HEAD 2>/dev/null || commit+=" with uncommitted changes"; } ||
		commit="$("$BERTH" --version | sed -n 's/^commit: //p') (berth --version)"
	echo "command: ${BENCH_COMMAND:-$(bench_command)}"
	echo "commit: $commit"
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC') (the start)"
	[ -z "$user_note" ] || echo "note: $user_note"
}

# The state directories get a tmpfs, as /run on a real host, in a mount
# namespace of our own (the host's mounts stay as they are).
enter_private_mounts() {
	[ -z "${BENCH_PRIVATE_MOUNTS:-}" ] || return 0
	command -v unshare >/dev/null || die "needs unshare (util-linux)"
	export BENCH_PRIVATE_MOUNTS=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare -m -- /bin/sh -c 'mount --make-rprivate / && exec "$0" "$@"' \
		"$0" "${orig_args[@]}"
}

# --cgroups host on a hybrid host: the host's hierarchies as they are.
enter_hybrid() {
	enter_private_mounts
	CG_ROOT=/sys/fs/cgroup/unified
	CGROUP_SETUP="the host's own hierarchies (hybrid: cgroup v1 controllers at /sys/fs/cgroup/NAME, cgroup2 at $CG_ROOT), as berth and runc use them here; crun refuses hybrid hosts"
	RUNTIMES=(berth runc)
	local w
	for w in run lifecycle exec concurrent; do
		NA[$w:crun]="crun refuses hybrid cgroup hosts (\"cgroups in hybrid mode not supported\"); see the run in the private cgroup2 namespace"
	done
}

# On a host whose /sys/fs/cgroup is not cgroup2 (hybrid or v1), crun refuses
# to run.  Everything then runs in a private mount namespace where cgroup2 is
# mounted at /sys/fs/cgroup; the host's mounts stay as they are.
enter_cgroup2() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		if [ -n "${BENCH_PRIVATE_CGROUP2:-}" ]; then
			CGROUP_SETUP="a private mount namespace with cgroup2 alone at /sys/fs/cgroup (one hierarchy, not the host's hybrid ones)"
		else
			CGROUP_SETUP="pure cgroup v2 at /sys/fs/cgroup"
		fi
		return 0
	fi
	[ -z "${BENCH_PRIVATE_CGROUP2:-}" ] || die "cannot mount cgroup2 at /sys/fs/cgroup"
	command -v unshare >/dev/null || die "needs unshare (util-linux)"
	say "cgroup v1 or hybrid host: running in a private mount namespace with cgroup2 at /sys/fs/cgroup"
	export BENCH_PRIVATE_CGROUP2=1 BENCH_PRIVATE_MOUNTS=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare -m -- /bin/sh -c \
		'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup && exec "$0" "$@"' \
		"$0" "${orig_args[@]}"
}

# ---------------------------------------------------------------- set-up

WORK=
STATE_FS=
CG_PARENT=berth-bench-$$
CG_ROOT=/sys/fs/cgroup
LIMITS=
HAVE_LIMITS=
NOTES=()

own_cgroup() {
	sed -n 's/^0:://p' /proc/self/cgroup | sed 's:/$::'
}

# cgroup_parent_dirs: the parent of every container's cgroup, in every
# hierarchy the runtimes use (on the host's hybrid ones, each v1 hierarchy
# too, below the caller's own cgroup there).
cgroup_parent_dirs() {
	local ctrls path dir
	while IFS=: read -r _ ctrls path; do
		if [ -z "$ctrls" ]; then
			dir=$CG_ROOT
		elif [ "$CG_ROOT" != /sys/fs/cgroup ]; then
			dir=/sys/fs/cgroup/${ctrls#name=}
		else
			continue
		fi
		[ -d "$dir$path" ] && echo "$dir${path%/}/$CG_PARENT"
	done </proc/self/cgroup
}

note() {
	NOTES+=("$*")
}

make_rootfs() {
	local dir=$1 busybox
	busybox=$(command -v busybox) || die "busybox not found"
	mkdir -p "$dir"/{bin,proc,sys,dev,tmp,etc,root}
	cp "$busybox" "$dir/bin/busybox"
	ln -s busybox "$dir/bin/true"
	ln -s busybox "$dir/bin/sleep"
	ln -s busybox "$dir/bin/sh"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\n' >"$dir/etc/group"
}

# The seccomp profile every runtime gets: berth's default once the repository
# ships it, else a copy of podman's default profile.
seccomp_profile() {
	if [ -f "$REPO/contrib/seccomp.json" ]; then
		echo "$REPO/contrib/seccomp.json"
	else
		echo "$HERE/seccomp.json"
	fi
}

# The base config: berth's default spec with the issue's bundle, and the
# placeholders @CGROUP@ and @ARGS@ filled in per container by write_config.
make_base_config() {
	local tmp=$WORK/spec profile resources=null controllers
	mkdir -p "$tmp"
	"$BERTH" spec --bundle "$tmp"
	profile=$(seccomp_profile)
	controllers=$(cat "$CG_ROOT$(own_cgroup)/cgroup.controllers" 2>/dev/null || true)
	if [[ " $controllers " == *" memory "* && " $controllers " == *" pids "* ]]; then
		resources='{"memory": {"limit": 134217728}, "pids": {"limit": 128}}'
		HAVE_LIMITS=1
	elif [ "$CG_ROOT" != /sys/fs/cgroup ]; then
		LIMITS="no memory or pids limit (the bundle of the private cgroup2 run, whose cgroup offers only '${controllers:-nothing}'), yet a cgroup in every hierarchy"
	else
		LIMITS="no memory or pids limit: the caller's cgroup offers only '${controllers:-nothing}'"
	fi
	# crun 1.8.1 refuses ociVersion 1.2.0 ("unknown version specified").
	jq --slurpfile seccomp "$profile" --argjson limits "$resources" --arg rootfs "$WORK/rootfs" '
		.ociVersion = "1.0.2"
		| .process.terminal = false
		| .process.args = ["@ARGS@"]
		| .root = {path: $rootfs, readonly: true}
		| .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"},
			{type: "uts"}, {type: "mount"}, {type: "cgroup"}]
		| .linux.cgroupsPath = "@CGROUP@"
		| .linux.seccomp = $seccomp[0]
		| if $limits then .linux.resources += $limits else . end
	' "$tmp/config.json" >"$WORK/base.json"
	BASE_CONFIG=$(cat "$WORK/base.json")
	# One bundle for both runs on a hybrid host, so that they differ in
	# their cgroups only: the private run loses the device rules to crun
	# (probe_bundle) on this kind of host.
	if [ "$CG_ROOT" != /sys/fs/cgroup ]; then
		BASE_CONFIG=$(jq 'del(.linux.resources.devices)' <<<"$BASE_CONFIG")
		note "linux.resources.devices left out, as the run in the private cgroup2 namespace leaves them out where crun cannot load its device program (this development host), so that both runs use one bundle"
	fi
}

# Every runtime must run the bundle.  A field berth does not support yet is
# left out for all of them, and the report says so.
probe_bundle() {
	local rt msg path try
	for rt in "${RUNTIMES[@]}"; do
		rt_cmd "$rt"
		for try in 1 2 3 4 5; do
			write_config "$WORK/probe" "$CG_PARENT/probe" "$ARGS_TRUE"
			msg=$("${RT[@]}" run --bundle "$WORK/probe" probe </dev/null 2>&1) && break
			"${RT[@]}" delete --force probe >/dev/null 2>&1 || true
			path=$(sed -n 's/^berth: \(linux\.[A-Za-z.]*\): not supported.*/\1/p' <<<"$msg" | head -1)
			# crun 1.8.1 raises RLIMIT_MEMLOCK before it loads its device
			# program, which a root without CAP_SYS_RESOURCE (this host's)
			# cannot do: the device rules then go for every runtime.
			if [ "$rt" = crun ] && [[ $msg == *RLIM_MEMLOCK* ]] &&
				[ "$try" != 5 ] && jq -e '.linux.resources.devices' <<<"$BASE_CONFIG" >/dev/null; then
				BASE_CONFIG=$(jq 'del(.linux.resources.devices)' <<<"$BASE_CONFIG")
				note "crun cannot raise RLIMIT_MEMLOCK here (no CAP_SYS_RESOURCE) to load its device program: linux.resources.devices left out for every runtime"
				say "crun cannot load its device program here: device rules left out for every runtime"
				continue
			fi
			if [ "$rt" != berth ] || [ -z "$path" ] || [ "$try" = 5 ]; then
				die "$rt cannot run the bundle: $msg"
			fi
			BASE_CONFIG=$(jq --arg p "$path" 'delpaths([$p | split(".")])' <<<"$BASE_CONFIG")
			note "berth refused $path ($msg): left out of the bundle for every runtime"
			say "berth refused $path: left out of the bundle for every runtime"
		done
	done
}

describe_bundle() {
	local profile
	profile=$(seccomp_profile)
	BUNDLE_DESC="busybox rootfs, read-only root, $(jq '.mounts | length' <<<"$BASE_CONFIG") mounts,"
	BUNDLE_DESC+=" $(jq '.linux.maskedPaths | length' <<<"$BASE_CONFIG") masked and"
	BUNDLE_DESC+=" $(jq '.linux.readonlyPaths | length' <<<"$BASE_CONFIG") read-only paths,"
	BUNDLE_DESC+=" namespaces pid net ipc uts mount cgroup, seccomp: ${profile#"$REPO"/}"
	BUNDLE_DESC+=" ($(jq '[.syscalls[].names | length] | add' "$profile") syscalls in"
	BUNDLE_DESC+=" $(jq '.syscalls | length' "$profile") rules, default $(jq -r .defaultAction "$profile")),"
	BUNDLE_DESC+=" device rules: $(jq -c '.linux.resources.devices // "none"' <<<"$BASE_CONFIG")"
	if [ -n "$HAVE_LIMITS" ]; then
		case $(jq -c '[.linux.resources.memory.limit, .linux.resources.pids.limit]' <<<"$BASE_CONFIG") in
		'[134217728,128]') LIMITS="memory.max 128 MiB and pids.max 128 applied" ;;
		'[134217728,null]') LIMITS="memory.max 128 MiB applied, no pids limit (see the notes)" ;;
		'[null,128]') LIMITS="pids.max 128 applied, no memory limit (see the notes)" ;;
		*) LIMITS="no memory or pids limit (see the notes)" ;;
		esac
	fi
}

# write_config DIR CGROUP ARG [MEMORY_LIMIT]: a bundle using the shared rootfs.
write_config() {
	local dir=$1 cgroup=$2 arg=$3 mem=${4:-} cfg
	mkdir -p "$dir"
	cfg=${BASE_CONFIG//@CGROUP@/$cgroup}
	cfg=${cfg//\"@ARGS@\"/$arg}
	if [ -n "$mem" ]; then
		cfg=$(jq --argjson m "$mem" '.linux.resources.memory.limit = $m' <<<"$cfg")
	fi
	printf '%s\n' "$cfg" >"$dir/config.json"
}

ARGS_TRUE='"/bin/true"'
ARGS_SLEEP='"/bin/sleep", "1000000"'

# More berth binaries by name (a script that sources this file measures
# two builds side by side: ab.sh), each with a state root of its own.
declare -A BERTH_BINS=()

# rt_cmd RT: the command line of runtime RT, its state under WORK.
rt_cmd() {
	case $1 in
	berth) RT=("$BERTH" --root "$WORK/state/berth") ;;
	crun) RT=(crun --root "$WORK/state/crun" --cgroup-manager="$crun_manager") ;;
	runc) RT=(runc --root "$WORK/state/runc") ;;
	*)
		[ -n "${BERTH_BINS[$1]:-}" ] || die "unknown runtime $1"
		RT=("${BERTH_BINS[$1]}" --root "$WORK/state/$1")
		;;
	esac
}

FLOOR=()

set_up() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
	chmod 0755 "$WORK"
	mkdir -p "$WORK/state" "$WORK/logs"
	# The runtimes' state on a tmpfs, as under /run on a real host, when the
	# mount namespace is our own (the VM's /tmp is a tmpfs already).
	if [ -n "${BENCH_PRIVATE_MOUNTS:-}" ]; then
		mount -t tmpfs -o mode=0700 bench-state "$WORK/state"
		STATE_FS="tmpfs"
	else
		STATE_FS=$(stat -f -c %T "$WORK/state")
	fi
	SAMPLES=$WORK/samples
	: >"$SAMPLES"
	make_rootfs "$WORK/rootfs"
	make_base_config
	probe_bundle
	describe_bundle
	FLOOR=(unshare -fpnimuC --mount-proc chroot "$WORK/rootfs" /bin/true)
}

# Deletes every container of RT that is left.
delete_all() {
	local state
	rt_cmd "$1"
	for state in "$WORK/state/$1"/*; do
		[ -d "$state" ] || continue
		"${RT[@]}" delete --force "${state##*/}" >/dev/null 2>&1 || true
	done
}

# Removes every container, cgroup and file the benchmark made.
# shellcheck disable=SC2317 # called by the EXIT trap
clean_up() {
	local rt dir
	[ -n "$WORK" ] || return 0
	for rt in berth crun runc "${!BERTH_BINS[@]}"; do
		delete_all "$rt"
	done
	cgroup_parent_dirs | while read -r dir; do
		[ -d "$dir" ] || continue
		# What a runtime failed to remove: kill, then remove bottom up.
		find "$dir" -depth -type d | while read -r d; do
			kill_cgroup "$d"
			rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; } ||
				say "could not remove cgroup $d"
		done
	done
	if mountpoint -q "$WORK/state"; then
		umount "$WORK/state" || umount -l "$WORK/state"
	fi
	rm -rf --one-file-system "$WORK"
}

# shellcheck disable=SC2317 # called by clean_up
kill_cgroup() {
	if [ -e "$1/cgroup.kill" ]; then
		echo 1 >"$1/cgroup.kill" 2>/dev/null
	else
		xargs -r kill -9 <"$1/cgroup.procs" 2>/dev/null
	fi
}

# ---------------------------------------------------------------- measuring

# timed LOG TIMER_ARGS...: runs the stopwatch, the command's output going to
# LOG; sets LINE to the stopwatch's line and returns the command's status.
timed() {
	local log=$1
	shift
	: >"$WORK/last"
	"$TIMER" -o "$WORK/last" "$@" </dev/null >>"$log" 2>&1 || true
	read -r LINE <"$WORK/last" || LINE="- 0 0 0 1"
	return "${LINE##* }"
}

# sample LABEL LOG [-j N] [-t S] -- COMMAND...: one timed run, kept in the
# samples; returns the command's status.
sample() {
	local label=$1 log=$2 status=0
	shift 2
	timed "$log" -l "$label" "$@" || status=$?
	echo "$LINE" >>"$SAMPLES"
	if [ "$status" != 0 ]; then
		FAILS[$label]=$((${FAILS[$label]:-0} + 1))
		[ -n "${FAIL_MSG[$label]:-}" ] ||
			FAIL_MSG[$label]="status $status: $(tail -n 1 "$log" 2>/dev/null | cut -c1-160)"
	fi
	return "$status"
}
declare -A FAILS FAIL_MSG NA

progress() {
	local w=$1 i=$2 n=$3
	if [ "$i" = 1 ] || [ $((i % 10)) = 0 ] || [ "$i" = "$n" ]; then
		say "$w: $i/$n"
	fi
}

# warm RT WORKLOAD COMMAND...: the untimed runs; a runtime that fails them is
# left out of the workload, with its message in the report.
warm() {
	local rt=$1 w=$2 i log=$WORK/logs/$2-$1.log
	shift 2
	for ((i = 0; i < warmup || i < 1; i++)); do
		if ! "$@" </dev/null >>"$log" 2>&1; then
			NA[$w:$rt]=$(tail -n 1 "$log" | cut -c1-160)
			say "$w: $rt left out: ${NA[$w:$rt]}"
			return 1
		fi
	done
}

workload_run() {
	local rt i active=()
	for rt in "${RUNTIMES[@]}"; do
		write_config "$WORK/run-$rt" "$CG_PARENT/run-$rt" "$ARGS_TRUE"
		rt_cmd "$rt"
		warm "$rt" run "${RT[@]}" run --bundle "$WORK/run-$rt" "$rt-warm" && active+=("$rt")
	done
	warm floor run "${FLOOR[@]}" && active+=(floor)
	for ((i = 1; i <= runs; i++)); do
		progress run "$i" "$runs"
		for rt in "${active[@]}"; do
			if [ "$rt" = floor ]; then
				sample run:floor "$WORK/logs/run-floor.log" -- "${FLOOR[@]}" || true
				continue
			fi
			rt_cmd "$rt"
			sample "run:$rt" "$WORK/logs/run-$rt.log" -- \
				"${RT[@]}" run --bundle "$WORK/run-$rt" "$rt-run-$i" ||
				"${RT[@]}" delete --force "$rt-run-$i" >/dev/null 2>&1 || true
		done
	done
}

workload_lifecycle() {
	local rt i id pidfile log active=()
	for rt in "${RUNTIMES[@]}"; do
		write_config "$WORK/life-$rt" "$CG_PARENT/life-$rt" "$ARGS_TRUE"
		rt_cmd "$rt"
		# shellcheck disable=SC2016 # expanded by the inner shell
		warm "$rt" lifecycle sh -c '"$@" create --bundle "$0" w && "$@" start w &&
			sleep 0.1 && "$@" delete --force w' "$WORK/life-$rt" "${RT[@]}" && active+=("$rt")
	done
	for ((i = 1; i <= runs; i++)); do
		progress lifecycle "$i" "$runs"
		for rt in "${active[@]}"; do
			rt_cmd "$rt"
			id=$rt-life-$i pidfile=$WORK/life-$rt/pid log=$WORK/logs/lifecycle-$rt.log
			rm -f "$pidfile"
			if sample "create:$rt" "$log" -- "${RT[@]}" create --bundle "$WORK/life-$rt" \
				--pid-file "$pidfile" "$id" &&
				sample "start:$rt" "$log" -- "${RT[@]}" start "$id"; then
				# Untimed: the init runs /bin/true and exits.
				"$TIMER" -t 10 -w "$(cat "$pidfile")" || true
				sample "delete:$rt" "$log" -- "${RT[@]}" delete "$id" && continue
			fi
			"${RT[@]}" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
}

workload_exec() {
	local rt i active=()
	for rt in "${RUNTIMES[@]}"; do
		write_config "$WORK/exec-$rt" "$CG_PARENT/exec-$rt" "$ARGS_SLEEP"
		rt_cmd "$rt"
		if ! "${RT[@]}" run --detach --bundle "$WORK/exec-$rt" "$rt-exec" \
			</dev/null >>"$WORK/logs/exec-$rt.log" 2>&1; then
			NA[exec:$rt]="cannot start the container: $(tail -n 1 "$WORK/logs/exec-$rt.log" | cut -c1-160)"
			say "exec: $rt left out: ${NA[exec:$rt]}"
			continue
		fi
		warm "$rt" exec "${RT[@]}" exec "$rt-exec" /bin/true && active+=("$rt")
	done
	# The kernel's floor for exec: nsenter joins every namespace of berth's
	# container (its root comes with the mount namespace) and runs the
	# same program, without a cgroup, capabilities or seccomp to apply.
	local pid nsenter=()
	rt_cmd berth
	pid=$("${RT[@]}" state berth-exec 2>/dev/null | jq -r '.pid // empty') || pid=
	if [ -n "$pid" ]; then
		nsenter=(nsenter --all -t "$pid" /bin/true)
		warm floor exec "${nsenter[@]}" && active+=(floor)
	else
		NA[exec:floor]="no berth container to enter"
	fi
	for ((i = 1; i <= runs; i++)); do
		progress exec "$i" "$runs"
		for rt in "${active[@]}"; do
			if [ "$rt" = floor ]; then
				sample exec:floor "$WORK/logs/exec-floor.log" -- "${nsenter[@]}" || true
				continue
			fi
			rt_cmd "$rt"
			sample "exec:$rt" "$WORK/logs/exec-$rt.log" -- "${RT[@]}" exec "$rt-exec" /bin/true || true
		done
	done
	for rt in berth crun runc; do
		rt_cmd "$rt"
		"${RT[@]}" delete --force "$rt-exec" >/dev/null 2>&1 || true
	done
}

workload_concurrent() {
	local rt r i active=()
	say "concurrent: writing $((concurrent * ${#RUNTIMES[@]})) bundles"
	for rt in "${RUNTIMES[@]}"; do
		for ((i = 0; i < concurrent; i++)); do
			write_config "$WORK/conc-$rt-$i" "$CG_PARENT/conc-$rt-$i" "$ARGS_TRUE"
		done
		rt_cmd "$rt"
		warm "$rt" concurrent "${RT[@]}" run --bundle "$WORK/conc-$rt-0" "$rt-conc-warm" && active+=("$rt")
	done
	active+=(floor)
	for ((r = 1; r <= rounds; r++)); do
		progress concurrent "$r" "$rounds"
		for rt in "${active[@]}"; do
			if [ "$rt" = floor ]; then
				sample conc:floor "$WORK/logs/conc-floor.log" -j "$concurrent" -t 600 -- \
					"${FLOOR[@]}" || true
				continue
			fi
			rt_cmd "$rt"
			sample "conc:$rt" "$WORK/logs/conc-$rt.log" -j "$concurrent" -t 600 -- \
				"${RT[@]}" run --bundle "$WORK/conc-$rt-{}" "$rt-c$r-{}" || true
			# Whatever failed half-way.
			delete_all "$rt"
		done
	done
}

# mem_try RT KIB: whether RT runs /bin/true under memory.max KIB, twice in a
# row (an OOM kill is not always deterministic).
mem_try() {
	local rt=$1 kib=$2 n id ok log=$WORK/logs/memory-$1.log
	rt_cmd "$rt"
	write_config "$WORK/mem-$rt" "$CG_PARENT/mem-$rt" "$ARGS_TRUE" $((kib * 1024))
	for n in 1 2; do
		id=$rt-mem-$kib-$n ok=0
		timed "$log" -t 30 -- "${RT[@]}" run --bundle "$WORK/mem-$rt" "$id" && ok=1
		"${RT[@]}" delete --force "$id" >/dev/null 2>&1 || true
		[ "$ok" = 1 ] || return 1
	done
}

workload_memory() {
	local rt lo hi mid
	if [ -z "$HAVE_LIMITS" ]; then
		NA[memory:all]="needs the memory controller (the cgroup v2 VM: tests/bench/bench.sh --vm)"
		return 0
	fi
	for rt in "${RUNTIMES[@]}"; do
		hi=65536
		if ! mem_try "$rt" "$hi"; then
			NA[memory:$rt]="fails even at $hi KiB: $(tail -n 1 "$WORK/logs/memory-$rt.log" | cut -c1-160)"
			say "memory: $rt: ${NA[memory:$rt]}"
			continue
		fi
		lo=0
		while [ $((hi - lo)) -gt 4 ]; do
			mid=$(((lo + hi) / 2 / 4 * 4))
			[ "$mid" -gt "$lo" ] || break
			if mem_try "$rt" "$mid"; then hi=$mid; else lo=$mid; fi
			say "memory: $rt: between $lo and $hi KiB"
		done
		MED[mem:mem:$rt]=$hi
	done
}

# ---------------------------------------------------------------- report

# stats LABEL: "n fails median min p25 p75 max cpu_median rss_median rss_max"
# over the successful samples, or nothing.
stats() {
	awk -v label="$1" '
		BEGIN { n = 0; f = 0 }
		$1 == label && $5 == 0 { t[n] = $2; c[n] = $3; r[n] = $4; n++ }
		$1 == label && $5 != 0 { f++ }
		function sort(a, k,   i, j, x) {
			for (i = 1; i < k; i++) { x = a[i]; for (j = i - 1; j >= 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		}
		function median(a, k) { return k % 2 ? a[int(k / 2)] : (a[k / 2 - 1] + a[k / 2]) / 2 }
		function pct(a, k, p) { return a[int(p * (k - 1) + 0.5)] }
		END {
			if (!n) exit
			sort(t, n); sort(c, n); sort(r, n)
			printf "%d %d %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", n, f, median(t, n), t[0],
				pct(t, n, 0.25), pct(t, n, 0.75), t[n - 1], median(c, n), median(r, n), r[n - 1]
		}' "$SAMPLES"
}

ms() {
	awk -v ns="$1" 'BEGIN { printf "%.2f ms", ns / 1e6 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'
}

mib() {
	awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

# Medians by "KIND:WORKLOAD:RUNTIME", KIND one of wall, cpu, rss.
declare -A MED

# latency_table TITLE GROUP PREFIX ROWS...: one table for PREFIX:ROW; GROUP
# names the workload for runtimes left out of it.
latency_table() {
	local title=$1 group=$2 prefix=$3 row s n f med mn p25 p75 mx cpu rmed rmx
	shift 3
	echo
	echo "$title"
	printf '  %-7s %4s %10s %10s %10s %10s %10s %9s %10s %9s\n' runtime n median min p25 p75 max \
		"berth/x" "cpu" "berth/x"
	for row in "$@"; do
		s=$(stats "$prefix:$row")
		if [ -z "$s" ]; then
			printf '  %-7s n/a: %s\n' "$row" "${NA[$group:$row]:-${FAIL_MSG[$prefix:$row]:-no samples}}"
			continue
		fi
		read -r n f med mn p25 p75 mx cpu rmed rmx <<<"$s"
		MED[wall:$prefix:$row]=$med MED[cpu:$prefix:$row]=$cpu
		MED[rss:$prefix:$row]=$rmed MED[rssmax:$prefix:$row]=$rmx
		printf '  %-7s %4s %10s %10s %10s %10s %10s %9s %10s %9s\n' "$row" "$n" "$(ms "$med")" \
			"$(ms "$mn")" "$(ms "$p25")" "$(ms "$p75")" "$(ms "$mx")" \
			"$(vs wall "$prefix" "$row")" "$(ms "$cpu")" "$(vs cpu "$prefix" "$row")"
		[ "$f" = 0 ] || printf '  %-7s %s\n' "" "$f failed, the first: ${FAIL_MSG[$prefix:$row]:-}"
	done
}

# vs KIND PREFIX ROW: berth's median over ROW's.
vs() {
	local b=${MED[$1:$2:berth]:-} o=${MED[$1:$2:$3]:-}
	if [ -n "$b" ] && [ -n "$o" ]; then ratio "$b" "$o"; else echo -; fi
}

rss_table() {
	local row
	echo
	echo "4. peak RSS of the runtime process during run (ru_maxrss, as time -v reports it: the process"
	echo "   and the children it reaped, so the container's init before its exec too)"
	printf '  %-7s %10s %10s %9s\n' runtime median max "berth/x"
	for row in berth crun runc floor; do
		if [ -z "${MED[rss:run:$row]:-}" ]; then
			printf '  %-7s n/a\n' "$row"
			continue
		fi
		printf '  %-7s %10s %10s %9s\n' "$row" "$(mib "${MED[rss:run:$row]}")" \
			"$(mib "${MED[rssmax:run:$row]}")" "$(vs rss run "$row")"
	done
}

concurrent_table() {
	local row s n f med mn p25 p75 mx cpu rest
	echo
	echo "6. $concurrent containers started at once (run /bin/true each), $rounds rounds"
	printf '  %-7s %6s %11s %11s %11s %9s %13s %9s\n' runtime rounds median min max "berth/x" \
		"containers/s" "cpu/ctr"
	for row in berth crun runc floor; do
		s=$(stats "conc:$row")
		if [ -z "$s" ]; then
			printf '  %-7s n/a: %s\n' "$row" "${NA[concurrent:$row]:-${FAIL_MSG[conc:$row]:-no samples}}"
			continue
		fi
		read -r n f med mn p25 p75 mx cpu rest <<<"$s"
		MED[wall:conc:$row]=$med MED[cpu:conc:$row]=$cpu
		printf '  %-7s %6s %11s %11s %11s %9s %13s %9s\n' "$row" "$n" "$(ms "$med")" "$(ms "$mn")" \
			"$(ms "$mx")" "$(vs wall conc "$row")" \
			"$(awk -v n="$concurrent" -v t="$med" 'BEGIN { printf "%.1f", n / (t / 1e9) }')" \
			"$(ms $((cpu / concurrent)))"
		[ "$f" = 0 ] || printf '  %-7s %s\n' "" "$f failed, the first: ${FAIL_MSG[conc:$row]:-}"
	done
}

memory_table() {
	local row
	echo
	echo "7. smallest memory.max at which run /bin/true succeeds twice in a row, bisected to 4 KiB"
	if [ -n "${NA[memory:all]:-}" ]; then
		echo "  n/a: ${NA[memory:all]}"
		return
	fi
	printf '  %-7s %11s %9s\n' runtime memory.max "berth/x"
	for row in berth crun runc; do
		if [ -z "${MED[mem:mem:$row]:-}" ]; then
			printf '  %-7s n/a: %s\n' "$row" "${NA[memory:$row]:-not measured}"
			continue
		fi
		printf '  %-7s %7s KiB %9s\n' "$row" "${MED[mem:mem:$row]}" "$(vs mem mem "$row")"
	done
}

summary() {
	local line key kind label p cols
	echo
	echo "summary: berth's median over each peer's (below 1.00x: berth is ahead)"
	printf '  %-24s %-26s   %-26s\n' "" "-------- wall time -------" "-------- cpu time --------"
	printf '  %-24s %8s %8s %8s   %8s %8s %8s\n' workload crun runc floor crun runc floor
	for line in "run:run /bin/true" "create:create" "start:start" "delete:delete" "exec:exec" \
		"conc:$concurrent at once" "rss-run:peak RSS during run" "mem-mem:smallest memory.max"; do
		key=${line%%:*} label=${line#*:} cols=()
		for kind in wall cpu; do
			for p in crun runc floor; do
				case $key in
				rss-run) [ "$kind" = wall ] && cols+=("$(vs rss run "$p")") || cols+=("") ;;
				mem-mem) [ "$kind" = wall ] && cols+=("$(vs mem mem "$p")") || cols+=("") ;;
				*) cols+=("$(vs "$kind" "$key" "$p")") ;;
				esac
			done
		done
		printf '  %-24s %8s %8s %8s   %8s %8s %8s\n' "$label" "${cols[@]}"
	done
}

report() {
	local n
	echo "=== berth benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	provenance
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo),"\
		"kernel $(uname -r)$([ -n "${BERTH_VM:-}" ] && echo ", the cgroup v2 VM (qemu TCG)")"
	echo "cgroups: $CGROUP_SETUP; $LIMITS; crun --cgroup-manager=$crun_manager"
	echo "runtimes: $("$BERTH" --version | head -1) ($("$BERTH" --version | sed -n 's/^commit: //p')),"\
		"$(crun --version | head -1), $(runc --version | head -1)"
	echo "floor: unshare -fpnimuC --mount-proc chroot ROOTFS /bin/true; for exec, nsenter --all -t PID /bin/true"
	echo "bundle: $BUNDLE_DESC"
	echo "state directories (--root) on $STATE_FS, rootfs on $(stat -f -c %T "$WORK/rootfs")"
	echo "method: interleaved (${RUNTIMES[*]} floor, repeated), $warmup untimed warm-up runs each,"\
		"$runs timed runs each; wall time from spawn to reap; cpu: user+system time of the runtime"\
		"and the children it reaped (for create and start not the container's init)"
	echo "load: average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"\
		"(other work on the machine inflates the wall times; cpu times and the interleaved ratios suffer less)"
	if want run; then
		latency_table "1. run /bin/true, end to end" run run berth crun runc floor
		rss_table
	fi
	if want lifecycle; then
		latency_table "2a. create" lifecycle create berth crun runc
		latency_table "2b. start (the init then runs /bin/true)" lifecycle start berth crun runc
		latency_table "2c. delete (of the stopped container)" lifecycle delete berth crun runc
	fi
	want exec && latency_table "3. exec /bin/true into a running container (floor: nsenter --all -t PID /bin/true into berth's)" exec exec berth crun runc floor
	want concurrent && concurrent_table
	want memory && memory_table
	summary
	for n in "${NOTES[@]}"; do
		echo "note: $n"
	done
}

# ---------------------------------------------------------------- main

main() {
	parse_args "$@"
	[ "$(id -u)" = 0 ] || die "run as root"
	BENCH_PROVENANCE=$(provenance)
	export BENCH_PROVENANCE
	if [ -n "$vm" ]; then
		[ -z "${BERTH_VM:-}" ] || die "--vm inside the VM"
		ensure_packages
		ensure_built
		run_in_vm
	fi
	ensure_packages
	ensure_built
	if hybrid_host && [ -z "${BENCH_PRIVATE_MOUNTS:-}" ] && [ -z "$cgroups_mode" ]; then
		run_both
	fi
	if hybrid_host && [ "$cgroups_mode" = host ]; then
		enter_hybrid
	else
		enter_cgroup2
	fi
	trap clean_up EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	set_up

	want run && workload_run
	want lifecycle && workload_lifecycle
	want exec && workload_exec
	want concurrent && workload_concurrent
	want memory && workload_memory

	local report_file
	report_file=$(mktemp)
	report >"$report_file"
	cat "$report_file"
	if [ -z "$out" ]; then
		out=$HERE/results/$(date -u +%Y-%m-%d-%H%M)-$([ -n "${BERTH_VM:-}" ] && echo vm || echo host).txt
	fi
	if [ "$out" != - ]; then
		mkdir -p "$(dirname "$out")"
		cp "$report_file" "$out"
		say "report written to $out"
	fi
	rm -f "$report_file"
}

# profile.sh sources this file for its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
