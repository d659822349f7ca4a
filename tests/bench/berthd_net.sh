#!/bin/bash
# berthd's networking speed, side by side with dockerd.
#
#   tests/bench/berthd_net.sh [ROUNDS]
#
# Interleaved, ROUNDS times (default 20), through one docker CLI:
#   - `docker run --rm IMAGE true` on the default bridge network,
#   - `docker run --rm -p 80 IMAGE true` (a published port, chosen),
#   - `docker network create NAME` then `docker network rm NAME`,
# against berthd (its default network through the CNI plugins, with a
# bridge of this run's own) and against dockerd (Debian's docker.io, its
# own data and exec roots, its default network on a bridge of this run's
# own).  dockerd runs with --iptables=false: a dockerd that writes its
# iptables chains would change the host's FORWARD policy and leave its
# DOCKER chains for every other user of this machine; so its ports go
# through its userland proxy only, and it makes no NAT rule, while berthd
# makes its networks' rules (once per network: at its start for the
# default one, in `network create` and `rm` for the others) and portmap
# its published ports'.  Medians and the ratios berthd/dockerd.
#
# BERTHD_BEFORE=DIR (a build directory of an earlier commit) adds that
# berthd to every round, for figures before and after a change measured in
# one run.
#
# Run as root from the repository root after `make`.  Nothing here is a
# test: it prints numbers.
set -eu
ROUNDS=${1:-20}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
echo "=== berthd network benchmark"
echo "command: tests/bench/berthd_net.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
command -v dockerd >/dev/null || { echo "dockerd is not installed (apt-get install docker.io)"; exit 1; }
BUSYBOX=$(command -v busybox)
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-netbench.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
BBR=bnb$$   # berthd's default bridge
DBR=dnb$$   # dockerd's
ABR=anb$$   # BERTHD_BEFORE's
ASOCK=unix://$DIR/before.sock
BEFORE=${BERTHD_BEFORE:-}
PID=
DPID=
APID=

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }
a() { DOCKER_HOST=$ASOCK "$DOCKER" "$@"; }

cleanup() {
	if [ -n "$PID" ]; then
		b ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$BSOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	if [ -n "$DPID" ]; then
		d ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$DSOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	if [ -n "$APID" ]; then
		a ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="$ASOCK" "$DOCKER" rm -f >/dev/null 2>&1 || true
		kill "$APID" 2>/dev/null || true
		wait "$APID" 2>/dev/null || true
	fi
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	# berthd keeps its default network's rules when it stops (as dockerd
	# keeps docker0's): this run's bridge's go with the bridge.
	for cmd in iptables ip6tables; do
		for tc in nat:BERTH-POSTROUTING filter:BERTH-FORWARD filter:BERTH-ISOLATION-STAGE-1 \
			filter:BERTH-ISOLATION-STAGE-2; do
			"$cmd" -w -t "${tc%%:*}" -S "${tc#*:}" 2>/dev/null |
				grep -E -- "-[io] $BBR( |\$)" | sed 's/^-A //' |
				while read -r rule; do
					"$cmd" -w -t "${tc%%:*}" -D $rule 2>/dev/null || true
				done
		done
	done
	ip link del "$BBR" 2>/dev/null || true
	ip link del "$DBR" 2>/dev/null || true
	ip link del "$ABR" 2>/dev/null || true
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "berthd-netbench-$$" -o -path "*berthd-netbench-$$/*" \) \
			-exec rmdir {} \; 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# A /24 for dockerd's bridge that the host does not route.
for _ in $(seq 50); do
	net=10.197.$((RANDOM % 250)).0
	ip route | grep -q "^${net%.0}\." || break
done
ip link add "$DBR" type bridge
ip addr add "${net%.0}.1/24" dev "$DBR"
ip link set "$DBR" up

"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" --data-root "$DIR/data" \
	--cgroup-parent "berthd-netbench-$$" --bridge "$BBR" --log-level error \
	--log-file "$DIR/berthd.log" &
PID=$!
dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/dockerd-exec" \
	--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --iptables=false --ip6tables=false \
	--bridge "$DBR" --cgroup-parent "berthd-netbench-$$" >"$DIR/dockerd.log" 2>&1 &
DPID=$!
DAEMONS="b d"
if [ -n "$BEFORE" ]; then
	echo "before: berthd at $(git -C "$BEFORE/.." rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
	"$BEFORE/berthd" --socket "$DIR/before.sock" --root "$DIR/before-run" \
		--data-root "$DIR/before-data" --cgroup-parent "berthd-netbench-$$" --bridge "$ABR" \
		--log-level error --log-file "$DIR/before.log" &
	APID=$!
	DAEMONS="b a d"
	for _ in $(seq 200); do a version >/dev/null 2>&1 && break; sleep 0.1; done
	a version >/dev/null
fi
for _ in $(seq 200); do b version >/dev/null 2>&1 && d version >/dev/null 2>&1 && break; sleep 0.1; done
b version >/dev/null
d version >/dev/null

mkdir -p "$DIR/rootfs/bin"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/true"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
b import "$DIR/rootfs.tar" bench:1 >/dev/null
d import "$DIR/rootfs.tar" bench:1 >/dev/null
[ -z "$BEFORE" ] || a import "$DIR/rootfs.tar" bench:1 >/dev/null
# The first run of each sets up what it keeps.
b run --rm bench:1 true
d run --rm bench:1 true
[ -z "$BEFORE" ] || a run --rm bench:1 true


for k in run port net; do
	: >"$DIR/b.$k"
	: >"$DIR/d.$k"
	: >"$DIR/a.$k"
done
# One measurement: $1 the daemon's function, $2 the file, the command.
timed() {
	local fn=$1 out=$2 s e
	shift 2
	s=$(now_us)
	"$fn" "$@" >/dev/null
	e=$(now_us)
	echo $((e - s)) >>"$out"
}
netcycle() { "$1" network create "nb$$-$2" >/dev/null && "$1" network rm "nb$$-$2" >/dev/null; }
# berthd reports a removal before its CNI DEL is done (the DEL runs after
# it): the next measurement, of any daemon, starts once berthd's DELs
# ended (no namespace file left), so that none is timed with another's
# DEL on the CPU.  Not timed; bounded.
settle() {
	local ns=$DIR/run/netns
	[ "$1" = a ] && ns=$DIR/before-run/netns
	[ "$1" = d ] && return 0
	for _ in $(seq 100); do
		[ -z "$(ls -A "$ns" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
}
for i in $(seq "$ROUNDS"); do
	for x in $DAEMONS; do
		timed "$x" "$DIR/$x.run" run --rm bench:1 true
		settle "$x"
		timed "$x" "$DIR/$x.port" run --rm -p 80 bench:1 true
		settle "$x"
		timed netcycle "$DIR/$x.net" "$x" "$i"
	done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$ROUNDS interleaved rounds, medians (us), berthd / dockerd (--iptables=false) and ratio:"
for k in run port net; do
	case $k in
	run) what="docker run --rm IMAGE true (default bridge)" ;;
	port) what="docker run --rm -p 80 IMAGE true" ;;
	net) what="docker network create + rm" ;;
	esac
	bm=$(median "$DIR/b.$k")
	dm=$(median "$DIR/d.$k")
	if [ -n "$BEFORE" ]; then
		am=$(median "$DIR/a.$k")
		echo "  $what: berthd $bm (before: $am), dockerd $dm, ratio $(ratio "$bm" "$dm") (before: $(ratio "$am" "$dm"))"
	else
		echo "  $what: berthd $bm, dockerd $dm, ratio $(ratio "$bm" "$dm")"
	fi
done
