#!/bin/bash
# docker ps with many containers running: berthd against an earlier berthd.
#
#   BERTHD_BEFORE=DIR tests/bench/berthd_ps.sh [N [ROUNDS]]
#
# Starts this tree's berthd (build/) and, with BERTHD_BEFORE=DIR (the build
# directory of an earlier commit; BERTHD_BEFORE_NAME says which, when DIR
# is not in a git checkout), that berthd too, each on roots of its
# own with no default network (--bridge none), and N busybox `sleep`s
# (default 200, --network none) in each, through the Engine API
# (scale_client.py).  Then ROUNDS (default 15) interleaved rounds, each
# daemon in turn, each round the median of 21 timed requests
# (`GET /containers/json` until the answer's last byte, a new connection
# each) of:
#   - the plain listing (`docker ps`),
#   - all=1 (`docker ps -a`),
#   - a filter, status=running (`docker ps -f status=running`),
# and the median of 3 of the docker CLI's own `docker ps`.  It prints the
# medians of the rounds, after/before, and each berthd's CPU time (all its
# threads, /proc/PID/stat's ticks) per request of the three API ones.  The report goes to stdout and
# to tests/bench/results/DATE-berthd-ps.txt (--out FILE, or - for none, as
# the first argument moves it).
#
# Run as root from the repository root after `make`.  Nothing here is a
# test: it prints numbers; it exits non-zero only when a start or a
# request failed.
set -eu
OUT=
if [ "${1:-}" = --out ]; then
	OUT=$2
	shift 2
fi
N=${1:-200}
ROUNDS=${2:-15}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
STAMP=$(date -u '+%Y-%m-%d-%H%M')
[ -n "$OUT" ] || OUT=$REPO/tests/bench/results/$STAMP-berthd-ps.txt
[ "$OUT" = - ] || exec > >(tee "$OUT")
BEFORE=${BERTHD_BEFORE:-}
CLIENT="python3 $REPO/tests/bench/scale_client.py"
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-psbench.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
CG=berthd-psbench-$$
PIDS=()

echo "=== docker ps at scale, berthd against an earlier berthd"
echo "command: ${BERTHD_BEFORE:+BERTHD_BEFORE=DIR }tests/bench/berthd_ps.sh $N $ROUNDS"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
[ -z "$BEFORE" ] || echo "before: BERTHD_BEFORE's berthd, ${BERTHD_BEFORE_NAME:-at $(git -C "$BEFORE/.." rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

cleanup() {
	set +e
	local name
	for name in after before; do
		[ -S "$DIR/$name.sock" ] && $CLIENT "$DIR/$name.sock" rm --clients 20 >/dev/null 2>&1
	done
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# What a daemon could not remove: shims, the containers' processes.
	pgrep -f "^berthd-shim --root $DIR/" | xargs -r kill -9
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -type d -path "*/$CG/*" -exec cat {}/cgroup.procs \; 2>/dev/null
	done | sort -u | xargs -r kill -9
	sleep 0.5
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "$CG" -o -path "*/$CG/*" \) -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The state roots on a tmpfs, as /run is on a real host.
mkdir -p "$DIR/state"
mount -t tmpfs -o mode=0755 berthd-psbench "$DIR/state"

mkdir -p "$DIR/rootfs/bin"
cp "$(command -v busybox)" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/sleep"
ln -s busybox "$DIR/rootfs/bin/true"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .

# daemon_up NAME BUILD-DIR: a berthd with N containers running.
daemon_up() {
	local name=$1 build=$2 sock=$DIR/$1.sock out
	"$build/berthd" --socket "$sock" --root "$DIR/state/$name" --data-root "$DIR/$name-data" \
		--cgroup-parent "$CG" --bridge none --log-level error --log-file "$DIR/$name.log" &
	PIDS+=($!)
	echo $! >"$DIR/$name.pid"
	for _ in $(seq 200); do
		$CLIENT "$sock" ps --rounds 1 >/dev/null 2>&1 && break
		sleep 0.05
	done
	DOCKER_HOST=unix://$sock "$DOCKER" import "$DIR/rootfs.tar" bench:1 >/dev/null
	out=$($CLIENT "$sock" start "$N" --clients 20 --network none)
	echo "$name: $out"
}

NAMES=after
daemon_up after "$REPO/build"
if [ -n "$BEFORE" ]; then
	daemon_up before "$BEFORE"
	NAMES="after before"
fi
sleep 1

first_number() { grep -o "$1 [0-9.]*" | head -1 | awk '{print $NF}'; }
cli_ms() { # median wall time of 3 docker ps, in ms
	local s e
	for _ in 1 2 3; do
		s=$(date +%s%N)
		DOCKER_HOST=unix://$1 "$DOCKER" ps >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk 'NR == 2 {printf "%.2f\n", $1 / 1000}'
}
# The CPU time of a daemon, all its threads (those ended too), in ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$DIR/$1.pid")/stat"; }
FILTER='filters=%7B%22status%22%3A%5B%22running%22%5D%7D'
for r in $(seq "$ROUNDS"); do
	for name in $NAMES; do
		sock=$DIR/$name.sock
		t0=$(cpu_ticks "$name")
		out=$($CLIENT "$sock" ps --rounds 21)
		[ "$(echo "$out" | first_number ,)" = "$N" ] || { echo "$name lists: $out"; exit 1; }
		echo "$out" | first_number median >>"$DIR/$name.plain"
		$CLIENT "$sock" ps --rounds 21 --query all=1 | first_number median >>"$DIR/$name.all"
		$CLIENT "$sock" ps --rounds 21 --query "$FILTER" | first_number median >>"$DIR/$name.filter"
		echo $(($(cpu_ticks "$name") - t0)) >>"$DIR/$name.ticks"
		cli_ms "$sock" >>"$DIR/$name.cli"
	done
	echo "  round $r of $ROUNDS" >&2
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "n/a"}'; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "$N running, $ROUNDS interleaved rounds, the median of the rounds' medians (ms)"
printf '%-34s %10s %10s %12s\n' request after before after/before
for k in plain all filter cli; do
	case $k in
	plain) what="GET /containers/json" ;;
	all) what="GET /containers/json?all=1" ;;
	filter) what="... ?filters={status:[running]}" ;;
	cli) what="docker ps (the CLI)" ;;
	esac
	a=$(median "$DIR/after.$k")
	if [ -n "$BEFORE" ]; then
		b=$(median "$DIR/before.$k")
		printf '%-34s %10s %10s %12s\n' "$what" "$a" "$b" "$(ratio "$a" "$b")"
	else
		printf '%-34s %10s %10s %12s\n' "$what" "$a" - -
	fi
done
# The daemon's own CPU per request of the three timed above: what the
# client's share of the wall time hides.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" -v n="$((ROUNDS * 63))" '{t += $1} END {printf "%.0f", t / hz * 1e6 / n}' "$DIR/$1.ticks"; }
a=$(cpu_us after)
if [ -n "$BEFORE" ]; then
	b=$(cpu_us before)
	printf '%-34s %10s %10s %12s\n' "berthd's CPU per request (us)" "$a" "$b" "$(ratio "$a" "$b")"
else
	printf '%-34s %10s %10s %12s\n' "berthd's CPU per request (us)" "$a" - -
fi
