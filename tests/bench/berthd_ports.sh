#!/bin/bash
# Requests per second through a published port, berthd against dockerd
# with its userland proxy off (its DNAT rules do the work, as berthd's
# portmap plugin's do).
#
#   tests/bench/berthd_ports.sh [ROUNDS [N [C]]]
#
# Each daemon runs in a network namespace of its own, made here, with the
# client in there too: dockerd needs its iptables rules for the DNAT, and
# a dockerd that writes them on the host changes its FORWARD policy and
# leaves its DOCKER chains to every other user of the machine; in a
# namespace of its own nothing on the host changes, and berthd gets the
# same conditions (its own default bridge and rules, no rules of others to
# walk).  Each namespace has loopback and a veth pair, one end with an address,
# the "host's own non-loopback address".
#
# In each daemon one container, `-p 8080:80`, runs busybox httpd; then
# ROUNDS interleaved rounds (default 5) of N requests (default 2000), C at
# once (default 8), a new connection each (ports_client.py), to the
# namespace's own address and to 127.0.0.1.  Medians of the rounds and the
# ratios berthd/dockerd (above 1.00x berthd is ahead).
#
# Run as root from the repository root after `make`.  It prints numbers.
set -eu
ROUNDS=${1:-5}
N=${2:-2000}
C=${3:-8}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
echo "=== berthd published-port throughput"
echo "command: tests/bench/berthd_ports.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
command -v dockerd >/dev/null || { echo "dockerd is not installed (apt-get install docker.io)"; exit 1; }
BUSYBOX=$(command -v busybox)
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-portbench.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
BNS=bpb$$-b
DNS=bpb$$-d
ADDR=10.250.0.1
PID=
DPID=

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

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
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	ip netns del "$BNS" 2>/dev/null || true
	ip netns del "$DNS" 2>/dev/null || true
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "berthd-portbench-$$" -o -path "*berthd-portbench-$$/*" \) \
			-exec rmdir {} \; 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

for ns in "$BNS" "$DNS"; do
	ip netns add "$ns"
	in_ns "$ns" ip link set lo up
	in_ns "$ns" ip link add bench0 type veth peer name bench1
	in_ns "$ns" ip addr add "$ADDR/24" dev bench0
	in_ns "$ns" ip link set bench1 up
	in_ns "$ns" ip link set bench0 up
done

# nsenter execs the daemon (no fork): $! is the daemon's pid.
nsenter --net="/run/netns/$BNS" "$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" \
	--data-root "$DIR/data" --cgroup-parent "berthd-portbench-$$" --log-level error \
	--log-file "$DIR/berthd.log" &
PID=$!
nsenter --net="/run/netns/$DNS" dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/dockerd-exec" \
	--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --userland-proxy=false --ip6tables=false \
	--cgroup-parent "berthd-portbench-$$" >"$DIR/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do b version >/dev/null 2>&1 && d version >/dev/null 2>&1 && break; sleep 0.1; done
b version >/dev/null
d version >/dev/null

mkdir -p "$DIR/rootfs/bin" "$DIR/rootfs/www"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
for l in sh httpd true; do ln -s busybox "$DIR/rootfs/bin/$l"; done
echo "hello from the bench" >"$DIR/rootfs/www/index.html"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .
for x in b d; do
	"$x" import "$DIR/rootfs.tar" portbench:1 >/dev/null
	"$x" run -d --name "portbench-$$" -p 8080:80 portbench:1 httpd -f -p 80 -h /www >/dev/null
done

ns_of() { if [ "$1" = b ]; then echo "$BNS"; else echo "$DNS"; fi; }
# Until the server answers through the port on both addresses.
for x in b d; do
	for a in "$ADDR" 127.0.0.1; do
		ok=
		for _ in $(seq 50); do
			if in_ns "$(ns_of $x)" python3 "$REPO/tests/bench/ports_client.py" "$a" 8080 1 1 |
				grep -q ' 1 0$'; then
				ok=1
				break
			fi
			sleep 0.2
		done
		[ -n "$ok" ] || { echo "$x: no answer on $a:8080"; exit 1; }
	done
done

for x in b d; do : >"$DIR/$x.addr"; : >"$DIR/$x.lo"; done
failed=0
for _ in $(seq "$ROUNDS"); do
	for x in b d; do
		for k in addr lo; do
			a=$ADDR
			[ "$k" = lo ] && a=127.0.0.1
			read -r rps okn bad < <(in_ns "$(ns_of $x)" python3 \
				"$REPO/tests/bench/ports_client.py" "$a" 8080 "$N" "$C")
			echo "$rps" >>"$DIR/$x.$k"
			failed=$((failed + bad))
			: "$okn"
		done
	done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$ROUNDS interleaved rounds of $N requests, $C at once, a connection each; medians" \
	"(requests/s), berthd / dockerd (--userland-proxy=false) and ratio (above 1 berthd is ahead):"
for k in addr lo; do
	what="the namespace's own address $ADDR:8080"
	[ "$k" = lo ] && what="127.0.0.1:8080"
	bm=$(median "$DIR/b.$k")
	dm=$(median "$DIR/d.$k")
	echo "  $what: berthd $bm, dockerd $dm, ratio $(ratio "$bm" "$dm")"
done
echo "failed requests: $failed"
[ "$failed" -eq 0 ]
