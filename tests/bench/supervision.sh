#!/bin/bash
# What supervising running containers costs in memory, berthd against
# dockerd, and whether berthd finds every container again after a kill -9.
#
#   tests/bench/supervision.sh [N]        (default 100)
#
# 1. berthd alone, after one `docker run --rm` (its code for containers is
#    paged in): its PSS.  Then N containers (`docker run -d --network none
#    IMAGE sleep 1d`); the supervision processes are found as the parents
#    of the containers' inits (docker inspect's State.Pid).  Printed: the
#    PSS (/proc/PID/smaps_rollup) of berthd and of all supervision
#    processes, per container (everything / N) and the growth per
#    container (everything less berthd's own before the first container,
#    / N), and one supervision process's mappings (PSS and private dirty
#    kB each).
# 2. kill -9 berthd, start it again: every container must be found
#    running with the same init (pid and start time); the figures again.
# 3. The same N with dockerd (Debian's docker.io with its containerd and
#    runc, own roots, --bridge=none) where dockerd is installed:
#    dockerd + containerd + every containerd-shim.  DOCKERD=0 skips it;
#    DOCKERD_N (default N) starts that many there instead.
#
# Run as root from the repository root after `make`.  Nothing here is a
# test of timing; the only verdict is step 2's (exit status 1 when a
# container was lost).
set -eu
N=${1:-100}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
echo "=== supervision benchmark"
echo "command: tests/bench/supervision.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
BUSYBOX=$(command -v busybox)
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-sv.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
CGROUP=berthd-sv-$$
PID=
DPID=
LOST=0

ulimit -n "$(ulimit -Hn)"

berthd_up() {
	"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" --data-root "$DIR/data" \
		--cgroup-parent "$CGROUP" --bridge none --log-level error --log-file "$DIR/berthd.log" &
	PID=$!
	for _ in $(seq 300); do b version >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "berthd did not come up" >&2
	cat "$DIR/berthd.log" >&2
	exit 1
}

cleanup() {
	set +e
	if [ -n "$PID" ]; then
		b ps -aq 2>/dev/null | xargs -r -n 50 env DOCKER_HOST="$BSOCK" "$DOCKER" rm -f >/dev/null 2>&1
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	if [ -n "$DPID" ]; then
		d ps -aq 2>/dev/null | xargs -r -n 50 env DOCKER_HOST="$DSOCK" "$DOCKER" rm -f >/dev/null 2>&1
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	fi
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "$CGROUP" -o -path "*$CGROUP/*" \) \
			-exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }

# PSS in kB of the processes given (gone ones count 0).
pss() {
	local p sum=0 v
	for p in "$@"; do
		v=$(awk '$1 == "Pss:" {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
per() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.1f", a / n}'; }
ppid_of() { awk '$1 == "PPid:" {print $2}' "/proc/$1/status"; }

# The containers' inits ("ID PID" lines) of a daemon's client function.
inits() { "$1" ps -q --no-trunc | xargs -r -n 100 "$DOCKER" -H "$2" inspect -f '{{.Id}} {{.State.Pid}}'; }

# The mappings of one process with what they cost: PSS and private dirty.
mappings() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / {n = split($6, p, "/"); name = ($6 == "" ? "[anon]" : p[n]) " " $2}
	     $1 == "Pss:" {pss = $2}
	     $1 == "Private_Dirty:" {printf "    %-28s Pss %5d kB  private dirty %5d kB\n", name, pss, $2}' \
		"/proc/$1/smaps"
}

report() { # NAME DAEMON_BASE_PSS DAEMON_PIDS... -- SUPERVISOR_PIDS...
	local name=$1 base=$2 dpids=() spids=() dp sp
	shift 2
	while [ "$1" != -- ]; do dpids+=("$1"); shift; done
	shift
	spids=("$@")
	dp=$(pss "${dpids[@]}")
	sp=$(pss "${spids[@]}")
	echo "$name, $N running: daemon PSS $dp kB (before the first container $base kB), ${#spids[@]} supervision processes $sp kB"
	echo "$name per container: everything $(per $((dp + sp)) "$N") kB, growth $(per $((dp + sp - base)) "$N") kB (daemon $(per $((dp - base)) "$N") + supervision $(per "$sp" "$N"))"
}

# --- 1. berthd ---------------------------------------------------------------
# A binary just built has dirty page-cache pages, which smaps would count
# as the first process's private dirty memory.
sync "$REPO"/build/berthd*
berthd_up
mkdir -p "$DIR/rootfs/bin"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/true"
ln -s busybox "$DIR/rootfs/bin/sleep"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
b import "$DIR/rootfs.tar" svbench:1 >/dev/null
b run --rm --network none svbench:1 true
sleep 2
base=$(pss "$PID")
s=$(date +%s)
for i in $(seq "$N"); do
	b run -d --network none svbench:1 sleep 1d >/dev/null
	[ $((i % 100)) -eq 0 ] && echo "  $i started" >&2
done
echo "started $N containers in $(($(date +%s) - s)) s"
sleep 2
inits b "$BSOCK" >"$DIR/before"
mapfile -t shims < <(awk '{print $2}' "$DIR/before" | while read -r p; do ppid_of "$p"; done | sort -u)
report berthd "$base" "$PID" -- "${shims[@]}"
echo "one supervision process ($(basename "$(readlink "/proc/${shims[0]}/exe")")), its mappings:"
mappings "${shims[0]}"
echo "berthd's mappings:"
mappings "$PID" | sort -k4 -n -r | head -8

# --- 2. kill -9 berthd -------------------------------------------------------
declare -A start
while read -r id p; do start[$id]=$(awk '{print $22}' "/proc/$p/stat"); done <"$DIR/before"
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
berthd_up
inits b "$BSOCK" >"$DIR/after"
found=0
while read -r id p; do
	now=$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null || echo gone)
	if grep -q "^$id $p\$" "$DIR/after" && [ "$now" = "${start[$id]}" ]; then
		found=$((found + 1))
	else
		echo "LOST: $id (init $p)"
		LOST=1
	fi
done <"$DIR/before"
echo "after kill -9 of berthd and a new start: $found of $N found running with the same init"
report "berthd after the restart" "$base" "$PID" -- "${shims[@]}"
b ps -q | xargs -r -n 50 env DOCKER_HOST="$BSOCK" "$DOCKER" rm -f >/dev/null

# --- 3. dockerd ----------------------------------------------------------------
if [ "${DOCKERD:-1}" = 0 ] || ! command -v dockerd >/dev/null; then
	echo "dockerd: not measured"
	exit "$LOST"
fi
N=${DOCKERD_N:-$N}
dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/dockerd-exec" \
	--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --iptables=false --ip6tables=false \
	--bridge=none --cgroup-parent "$CGROUP" >"$DIR/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do d version >/dev/null 2>&1 && break; sleep 0.1; done
d import "$DIR/rootfs.tar" svbench:1 >/dev/null
d run --rm --network none svbench:1 true
sleep 2
cpid=$(pgrep -P "$DPID" -x containerd || true)
dbase=$(pss "$DPID" $cpid)
for i in $(seq "$N"); do
	d run -d --network none svbench:1 sleep 1d >/dev/null
	[ $((i % 100)) -eq 0 ] && echo "  $i started" >&2
done
sleep 2
mapfile -t dshims < <(inits d "$DSOCK" | awk '{print $2}' | while read -r p; do ppid_of "$p"; done | sort -u)
report "dockerd+containerd" "$dbase" "$DPID" $cpid -- "${dshims[@]}"
exit "$LOST"
