#!/bin/bash
# berthd's footprint and speed, measured side by side with dockerd.
#
#   tests/bench/berthd.sh [N [ROUNDS]]
#
# 1. berthd alone: RSS, its anonymous part and PSS (/proc/PID/smaps_rollup)
#    and open fds right after its start; the baseline after one run (the
#    first run pages in berthd's code for containers: file-backed memory
#    that stays); then after N `docker run --rm IMAGE true` (default 1000)
#    and a pause: memory and fds should be back at that baseline, give or
#    take the events berthd keeps (the last 256, as dockerd).
# 2. berthd against dockerd (Debian's docker.io, with its containerd and
#    runc, own data and exec roots, --iptables=false --bridge=none; berthd
#    with --bridge none too): the idle RSS of dockerd plus its containerd,
#    then ROUNDS (default 30) interleaved rounds (tests/bench/api_run.py)
#    of: the requests `docker run --rm IMAGE true` sends, on the Engine
#    API directly, to berthd and to dockerd (the daemons' own latency);
#    `berth run` of the bundle berthd writes for that container (the
#    runtime's own work); and the docker CLI's `docker run --rm IMAGE
#    true` against berthd, dockerd and docker_floor.py, a server that
#    answers at once and runs nothing (the CLI's own cost, which no daemon
#    can go below).  Medians, their ratios and the API runs' phases.
#
# Run as root from the repository root after `make`.  Nothing here is a
# test: it prints numbers.  N=0 skips part 1.  DOCKERD=0 leaves dockerd
# and the docker CLI out of part 2 (berthd against `berth run` only).
# BERTHD_BEFORE=DIR (the build directory of an earlier commit) adds that
# berthd (with its own berthd-shim and berthd-monitor) to every round of
# part 2, on its own socket and roots: figures before and after a change
# from one run under one load.  SETTLE=SECONDS (default 0) is an untimed
# pause before every run of part 2 (api_run.py --settle): on two cores
# whatever follows dockerd's run is timed while its containerd and shim
# still tear that container down, and a pause lets that end, but the
# CPUs then idle and every run starts cold (see README.md beside this
# script): neither way is free of the other daemon.  SETTLE=idle waits
# before every run until the host's CPUs are idle (api_run.py prints how
# long each target kept them busy after its answer, its tail).
set -eu
N=${1:-1000}
ROUNDS=${2:-30}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# What made the numbers, first, so that a saved output says so.
echo "=== berthd benchmark"
echo "command: tests/bench/berthd.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
BUSYBOX=$(command -v busybox)
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-bench.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
FSOCK=unix://$DIR/floor.sock
ASOCK=unix://$DIR/before.sock
DPID=
FPID=
APID=
BEFORE=${BERTHD_BEFORE:-}

# The state roots (berthd's --root, berth's, dockerd's --exec-root with its
# containerd's state) on a tmpfs, as /run is on a real host: where it is a
# disk (this development host's), every state file's fdatasync costs
# milliseconds that a host does not pay.  STATE_TMPFS=0 keeps them on
# /tmp's filesystem.
mkdir -p "$DIR/state"
if [ "${STATE_TMPFS:-1}" = 1 ]; then
	mount -t tmpfs -o mode=0755 berthd-bench "$DIR/state"
fi
echo "state roots: $(stat -f -c %T "$DIR/state")"

# Each daemon has a cgroup parent of its own: berthd keeps its own made
# while it runs, and dockerd's runc leaves its own in place.
"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/state/run" --data-root "$DIR/data" \
	--cgroup-parent "berthd-bench-$$" --bridge none --log-level error --log-file "$DIR/berthd.log" &
PID=$!

cleanup() {
	DOCKER_HOST=$BSOCK "$DOCKER" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$BSOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	if [ -n "$APID" ]; then
		DOCKER_HOST=$ASOCK "$DOCKER" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$ASOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
		kill "$APID" 2>/dev/null || true
		wait "$APID" 2>/dev/null || true
	fi
	if [ -n "$FPID" ]; then
		kill "$FPID" 2>/dev/null || true
		wait "$FPID" 2>/dev/null || true
	fi
	if [ -n "$DPID" ]; then
		DOCKER_HOST=$DSOCK "$DOCKER" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$DSOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "berthd-bench-$$*" -o -path "*berthd-bench-$$*/*" \) \
			-exec rmdir {} \; 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }
f() { DOCKER_HOST=$FSOCK "$DOCKER" "$@"; }
a() { DOCKER_HOST=$ASOCK "$DOCKER" "$@"; }

rollup() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/smaps_rollup"; }
fds() { ls "/proc/$1/fd" | wc -l; }
mem() { echo "Rss $(rollup "$1" Rss) kB (anonymous $(rollup "$1" Anonymous) kB), Pss $(rollup "$1" Pss) kB, open fds $(fds "$1")"; }
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }

for _ in $(seq 100); do [ -S "$DIR/berthd.sock" ] && break; sleep 0.01; done
start_mem=$(mem "$PID")
for _ in $(seq 100); do b version >/dev/null 2>&1 && break; sleep 0.05; done

mkdir -p "$DIR/rootfs/bin"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/true"
ln -s busybox "$DIR/rootfs/bin/sleep"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
b import "$DIR/rootfs.tar" bench:1 >/dev/null

# --- 1. berthd alone -----------------------------------------------------
b run --rm bench:1 true
sleep 2 # berthd gives freed memory back a second after the last exit
base_mem=$(mem "$PID")
times=$DIR/berthd.times
[ "$N" -gt 0 ] && for i in $(seq "$N"); do
	s=$(now_us)
	b run --rm bench:1 true
	e=$(now_us)
	echo $((e - s)) >>"$times"
	[ $((i % 200)) -eq 0 ] && echo "  after $i runs: $(mem "$PID")" >&2
done
if [ "$N" -gt 0 ]; then
	sleep 2
	echo "berthd at its start:      $start_mem"
	echo "berthd after one run:     $base_mem"
	echo "berthd after $N more runs: $(mem "$PID")"
	echo "berthd docker run --rm IMAGE true: median $(median "$times") us over $N runs"
fi

# --- 2. berthd against dockerd -------------------------------------------
DOCKERD=${DOCKERD:-1}
if [ "$DOCKERD" = 1 ] && ! command -v dockerd >/dev/null; then
	echo "dockerd is not installed (apt-get install docker.io): no comparison"
	DOCKERD=0
fi
if [ -n "$BEFORE" ]; then
	echo "before: berthd at $(git -C "$BEFORE/.." rev-parse --short=12 HEAD 2>/dev/null || echo unknown) ($BEFORE)"
	"$BEFORE/berthd" --socket "$DIR/before.sock" --root "$DIR/state/before-run" \
		--data-root "$DIR/before-data" --cgroup-parent "berthd-bench-$$-before" --bridge none \
		--log-level error --log-file "$DIR/before.log" &
	APID=$!
	for _ in $(seq 200); do a version >/dev/null 2>&1 && break; sleep 0.1; done
	a version >/dev/null
	a import "$DIR/rootfs.tar" bench:1 >/dev/null
	a run --rm bench:1 true
fi
if [ "$DOCKERD" = 1 ]; then
	dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/state/dockerd-exec" \
		--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --iptables=false --ip6tables=false \
		--bridge=none --cgroup-parent "berthd-bench-$$-dockerd" >"$DIR/dockerd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 200); do d version >/dev/null 2>&1 && break; sleep 0.1; done
	d version >/dev/null
	d import "$DIR/rootfs.tar" bench:1 >/dev/null
	d run --rm bench:1 true # the first run sets up what dockerd keeps
	b run --rm bench:1 true
	python3 "$REPO/tests/bench/docker_floor.py" "$DIR/floor.sock" &
	FPID=$!
	for _ in $(seq 100); do [ -S "$DIR/floor.sock" ] && break; sleep 0.05; done
	f run --rm bench:1 true
	sleep 1
	cpid=$(pgrep -P "$DPID" -x containerd || true)
	drss=$(rollup "$DPID" Rss)
	crss=$([ -n "$cpid" ] && rollup "$cpid" Rss || echo 0)
	echo "dockerd idle:             Rss ${drss} kB (dockerd) + ${crss} kB (its containerd)"
fi

# `berth run` of the bundle berthd writes for the same container: its
# config.json (argv made `true`, a cgroup of its own) over the rootfs of a
# running one, so the overlay berthd mounts is there as it is for berthd.
bid=$(b run -d bench:1 sleep 1000000)
mkdir -p "$DIR/bundle"
jq --arg root "$DIR/data/containers/$bid/rootfs" --arg cg "berthd-bench-$$/berth-run" \
	'.root.path = $root | .process.args = ["true"] | .linux.cgroupsPath = $cg' \
	"$DIR/data/containers/$bid/config.json" >"$DIR/bundle/config.json"
BERTH_RUN="$REPO/build/berth --root $DIR/state/berth run --bundle $DIR/bundle bench-{n}"

# One run, interleaved: the Engine API alone (tests/bench/api_run.py sends
# what `docker run --rm bench:1 true` sends), `berth run` of the bundle,
# and the docker CLI against each daemon and against the floor server.
targets=("api-berthd=unix:$DIR/berthd.sock")
ratios=()
[ -z "$BEFORE" ] || targets+=("api-before=unix:$DIR/before.sock")
[ "$DOCKERD" = 0 ] || targets+=("api-dockerd=unix:$DIR/dockerd.sock")
targets+=("berth-run=cmd:$BERTH_RUN")
[ -z "$BEFORE" ] || ratios+=(--ratio api-berthd/api-before)
[ "$DOCKERD" = 0 ] || ratios+=(--ratio api-berthd/api-dockerd)
[ -z "$BEFORE" ] || [ "$DOCKERD" = 0 ] || ratios+=(--ratio api-before/api-dockerd)
ratios+=(--ratio api-berthd/berth-run)
if [ "$DOCKERD" = 1 ]; then
	targets+=("cli-berthd=cmd:DOCKER_HOST=$BSOCK $DOCKER run --rm bench:1 true"
		"cli-dockerd=cmd:DOCKER_HOST=$DSOCK $DOCKER run --rm bench:1 true"
		"cli-floor=cmd:DOCKER_HOST=$FSOCK $DOCKER run --rm bench:1 true")
	ratios+=(--ratio cli-berthd/cli-dockerd --ratio cli-floor/cli-dockerd)
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${SETTLE:-0}" = idle ] || echo "settle: ${SETTLE:-0} s before every run"
python3 "$REPO/tests/bench/api_run.py" --rounds "$ROUNDS" --image bench:1 \
	--settle "${SETTLE:-0}" "${ratios[@]}" "${targets[@]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
