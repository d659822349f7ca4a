#!/bin/bash
# berthd's footprint: idle RSS and open fds, then the same after N
# `docker run --rm IMAGE true` (default 1000), and the median latency of a
# run.  Ratios against dockerd belong to the bench harness; this measures
# berthd alone.  Run as root from the repository root after `make`.
#
#   tests/bench/berthd.sh [N]
set -eu
N=${1:-1000}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUSYBOX=$(command -v busybox)
DIR=$(mktemp -d /tmp/berthd-bench.XXXXXX)
export DOCKER_HOST=unix://$DIR/berthd.sock
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"

"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" --data-root "$DIR/data" \
	--cgroup-parent "berthd-bench-$$" --log-level error --log-file "$DIR/berthd.log" &
PID=$!
cleanup() {
	docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	rmdir "/sys/fs/cgroup/unified/berthd-bench-$$" "/sys/fs/cgroup/berthd-bench-$$" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.05; done

mkdir -p "$DIR/rootfs/bin"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/true"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
docker import "$DIR/rootfs.tar" bench:1 >/dev/null

rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
fds() { ls "/proc/$PID/fd" | wc -l; }

sleep 0.5
rss0=$(rss)
fds0=$(fds)
times=$DIR/times
for i in $(seq "$N"); do
	[ $((i % 100)) -eq 0 ] && echo "after $i runs: RSS $(rss) KiB" >&2
	s=$(date +%s%N)
	docker run --rm bench:1 true
	e=$(date +%s%N)
	echo $(((e - s) / 1000)) >>"$times"
done
sleep 1
rss1=$(rss)
fds1=$(fds)
median=$(sort -n "$times" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
echo "idle RSS: ${rss0} KiB, open fds: ${fds0}"
echo "after $N runs: RSS ${rss1} KiB, open fds: ${fds1}"
echo "docker run --rm IMAGE true: median ${median} us (with the docker CLI)"
