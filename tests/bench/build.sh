#!/bin/bash
# docker build with berthd against dockerd (Debian's docker.io, as
# berthd.sh starts it: own data and exec roots, --iptables=false
# --bridge=none), both through the classic builder (DOCKER_BUILDKIT=0)
# and one docker CLI: the same Dockerfile (RUN, COPY of a small tree, ENV,
# LABEL, WORKDIR, CMD) on the same busybox image, built from a cold cache
# (--no-cache) and from a warm one (an unchanged rebuild), ROUNDS times
# each (default 3), interleaved; medians and their ratios.  RUN steps use
# --network none on both (dockerd runs here without a bridge).
#
#   tests/bench/build.sh [ROUNDS]
#
# BASE=DIR adds a third daemon to the same interleaved rounds: the berthd
# (and its helpers) in DIR, an earlier build, so that a change is measured
# against what it changes under the same load; BASE_NAME says in the
# report what it is (a commit).
#
# Run as root from the repository root after `make`.  Nothing here is a
# test: it prints numbers.
set -eu
ROUNDS=${1:-3}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
echo "=== docker build benchmark"
echo "command: tests/bench/build.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
BUSYBOX=$(command -v busybox)
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-bench-build.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config DOCKER_BUILDKIT=0
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
OSOCK=unix://$DIR/base.sock
DPID=
OPID=
BASE=${BASE:-}
WHO="b d"

if ! command -v dockerd >/dev/null; then
	echo "dockerd is not installed (apt-get install docker.io): no comparison"
	exit 0
fi
"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" --data-root "$DIR/data" \
	--cgroup-parent "berthd-bench-$$" --bridge none --log-level error \
	--log-file "$DIR/berthd.log" &
PID=$!
if [ -n "$BASE" ]; then
	"$BASE/berthd" --socket "$DIR/base.sock" --root "$DIR/base-run" --data-root "$DIR/base-data" \
		--cgroup-parent "berthd-bench-$$" --bridge none --log-level error \
		--log-file "$DIR/base.log" &
	OPID=$!
	WHO="b o d"
fi

cleanup() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	if [ -n "$OPID" ]; then
		kill "$OPID" 2>/dev/null || true
		wait "$OPID" 2>/dev/null || true
	fi
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "berthd-bench-$$" -o -path "*berthd-bench-$$/*" \) \
			-exec rmdir {} \; 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
# The CLI's warnings (the legacy builder's deprecation) go to a file,
# shown when a build fails.
trap 'cat "$DIR/cli.err" 2>/dev/null >&2 || true' ERR

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }
o() { DOCKER_HOST=$OSOCK "$DOCKER" "$@"; }
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/dockerd-exec" \
	--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --iptables=false --ip6tables=false \
	--bridge=none --cgroup-parent "berthd-bench-$$" >"$DIR/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do b version >/dev/null 2>&1 && d version >/dev/null 2>&1 && break; sleep 0.1; done
b version >/dev/null
d version >/dev/null
if [ -n "$BASE" ]; then
	for _ in $(seq 200); do o version >/dev/null 2>&1 && break; sleep 0.1; done
	o version >/dev/null
fi

mkdir -p "$DIR/rootfs/bin" "$DIR/rootfs/etc" "$DIR/rootfs/tmp"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
for t in sh echo cat mkdir ls true; do ln -s busybox "$DIR/rootfs/bin/$t"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$DIR/rootfs/etc/passwd"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
for who in $WHO; do $who import "$DIR/rootfs.tar" bench:1 >/dev/null; done

ctx=$DIR/ctx
mkdir -p "$ctx/src/sub"
for i in $(seq 50); do echo "file $i" >"$ctx/src/f$i.txt"; done
head -c 1048576 /dev/urandom >"$ctx/src/sub/blob"
cat >"$ctx/Dockerfile" <<'DF'
FROM bench:1
ENV APP=/app MODE=bench
LABEL purpose=benchmark
WORKDIR /app
RUN mkdir -p /app/out && echo built >/app/out/marker
COPY src/ /app/src/
RUN ls /app/src >/app/out/listing
CMD ["cat", "/app/out/marker"]
DF

# One of each first: the CLI and the daemons paged in.
for who in $WHO; do
	: >"$DIR/$who.cold"
	: >"$DIR/$who.warm"
	$who build --network none -q -t bench:built "$ctx" >/dev/null 2>>"$DIR/cli.err"
done
# Each round starts with the next daemon, so that none always follows the
# same one (a build after another's leaves the page cache and the load as
# that one left them).
order=$WHO
for _ in $(seq "$ROUNDS"); do
	for who in $order; do
		s=$(now_ms); $who build --no-cache --network none -q -t bench:built "$ctx" >/dev/null 2>>"$DIR/cli.err"; e=$(now_ms)
		echo $((e - s)) >>"$DIR/$who.cold"
		s=$(now_ms); $who build --network none -q -t bench:built "$ctx" >/dev/null 2>>"$DIR/cli.err"; e=$(now_ms)
		echo $((e - s)) >>"$DIR/$who.warm"
	done
	order="${order#* } ${order%% *}"
done
[ "$(b run --rm --network none bench:built)" = built ]
[ "$(d run --rm --network none bench:built)" = built ]
[ -z "$BASE" ] || [ "$(o run --rm --network none bench:built)" = built ]
bc=$(median "$DIR/b.cold")
dc=$(median "$DIR/d.cold")
bw=$(median "$DIR/b.warm")
dw=$(median "$DIR/d.warm")
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "docker build, $ROUNDS interleaved rounds, medians:"
echo "  cold (--no-cache): berthd ${bc} ms, dockerd ${dc} ms, ratio berthd/dockerd $(ratio "$bc" "$dc")"
echo "  warm (all cache):  berthd ${bw} ms, dockerd ${dw} ms, ratio berthd/dockerd $(ratio "$bw" "$dw")"
if [ -n "$BASE" ]; then
	oc=$(median "$DIR/o.cold")
	ow=$(median "$DIR/o.warm")
	echo "  the earlier berthd (BASE: ${BASE_NAME:-an earlier build}) in the same rounds:"
	echo "  cold (--no-cache): ${oc} ms, ratio to dockerd $(ratio "$oc" "$dc")"
	echo "  warm (all cache):  ${ow} ms, ratio to dockerd $(ratio "$ow" "$dw")"
fi
