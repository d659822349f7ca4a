#!/bin/bash
# Many containers at once under berthd, side by side with dockerd.
#
#   tests/bench/scale.sh [--n N] [--m M] [--clients C] [--dockerd-n N]
#                        [--networks none,bridge] [--no-dockerd] [--out FILE|-]
#
# For each network mode (`--network none`, then the default bridge), for
# berthd and then for dockerd (Debian's docker.io with its containerd and
# runc; own data and exec roots, --iptables=false):
#  1. N containers (default 1000) running busybox `sleep`, started in five
#     equal steps by C clients at once (default 50) through the Engine API
#     (tests/bench/scale_client.py); after each step, with that many
#     running: the time of `GET /containers/json` (what `docker ps` asks)
#     and of the docker CLI's `docker ps`, the latency of one more `run --rm
#     true`, and the PSS of the daemon and of every helper it keeps per
#     container (berthd: berthd and its berthd-shims; dockerd: dockerd, its
#     containerd and their containerd-shim-runc-v2s), beyond the same sum
#     with none running.  dockerd stops at --dockerd-n (default the smaller
#     of N and 200: a containerd shim costs megabytes per container).
#  2. berthd only: kill -9 of berthd, a new berthd on the same roots, and
#     every container must be found running, with the same process.
#  3. Every container removed (C clients).
# Then churn (berthd, --network none): M `run --rm true` in a row (default
# 10000), and berthd's RSS, open fds, mounts, cgroups, processes and store
# entries against those before them.
#
# The report goes to stdout and to tests/bench/results/DATE-scale.txt, with
# a PNG of latency and memory against the number running, berthd and
# dockerd side by side (DATE-scale.png, gnuplot).  Ratios are berthd's over
# dockerd's at the same number running.  Run as root from the repository
# root after `make`.  Nothing here is a test: it prints numbers; it exits
# non-zero only when something failed (a start, a container not found
# after the restart, churn leaving something behind).
set -eu
N=1000
M=10000
CLIENTS=50
DN=
NETWORKS=none,bridge
DOCKERD=1
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--n) N=$2; shift 2 ;;
	--m) M=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--dockerd-n) DN=$2; shift 2 ;;
	--networks) NETWORKS=$2; shift 2 ;;
	--no-dockerd) DOCKERD=0; shift ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "scale.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
	esac
done
[ -n "$DN" ] || DN=$((N < 200 ? N : 200))
STEP=$((N / 5))
[ "$STEP" -gt 0 ] || { echo "scale.sh: --n must be at least 5" >&2; exit 2; }

REPO=$(cd "$(dirname "$0")/../.." && pwd)
STAMP=$(date -u '+%Y-%m-%d-%H%M')
COMMIT=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -n "$OUT" ] || OUT=$REPO/tests/bench/results/$STAMP-scale.txt
PNG=
[ "$OUT" = - ] || PNG=${OUT%.txt}.png
[ "$OUT" = - ] || exec > >(tee "$OUT")
CLIENT="python3 $REPO/tests/bench/scale_client.py"
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-scale.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
CG=berthd-scale-$$
BBR=sbb$$
DBR=sbd$$
PID=
DPID=
FAILED=0

echo "=== berthd at scale"
echo "command: tests/bench/scale.sh --n $N --m $M --clients $CLIENTS --dockerd-n $DN --networks $NETWORKS$([ "$DOCKERD" = 1 ] || echo ' --no-dockerd')"
echo "commit: $COMMIT$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# A subnet no route uses yet, /20 for each daemon: a /24 holds too few.
pick_subnet() {
	local x
	for x in $(seq 240 254); do
		ip -4 route | grep -q "^10\.$x\." || { echo "10.$x"; return 0; }
	done
	echo "scale.sh: no free 10.240-254.0.0/16 for the bridges" >&2
	return 1
}
NET16=$(pick_subnet)

berthd_up() {
	"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/state/run" --data-root "$DIR/data" \
		--cgroup-parent "$CG" --bridge "$BBR" --bip "$NET16.0.1/20" \
		--log-level error --log-file "$DIR/berthd.log" &
	PID=$!
	for _ in $(seq 200); do
		$CLIENT "$DIR/berthd.sock" ps --rounds 1 >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "berthd did not come up" >&2
	return 1
}

dockerd_up() {
	ip link add "$DBR" type bridge
	ip addr add "$NET16.16.1/20" dev "$DBR"
	ip link set "$DBR" up
	dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/state/dockerd-exec" \
		--pidfile "$DIR/dockerd.pid" -H "unix://$DIR/dockerd.sock" --iptables=false \
		--ip6tables=false --bridge "$DBR" --cgroup-parent "$CG" >"$DIR/dockerd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 300); do
		$CLIENT "$DIR/dockerd.sock" ps --rounds 1 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "dockerd did not come up" >&2
	return 1
}

remove_all() {
	[ -S "$1" ] && $CLIENT "$1" rm --clients "$CLIENTS" >/dev/null 2>&1 || true
}

cleanup() {
	set +e
	if [ -n "$PID" ]; then
		remove_all "$DIR/berthd.sock"
		kill "$PID"; wait "$PID"
	fi
	if [ -n "$DPID" ]; then
		remove_all "$DIR/dockerd.sock"
		kill "$DPID"; wait "$DPID"
	fi
	# What a daemon could not remove: the shims, the containers' processes
	# (in cgroups below ours), the rules naming the bridges' subnets.
	pgrep -f "^berthd-shim --root $DIR/state/run/" | xargs -r kill -9
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -type d -path "*/$CG/*" -exec cat {}/cgroup.procs \; 2>/dev/null
	done | sort -u | xargs -r kill -9
	sleep 0.5
	local t rule chain
	for t in filter nat; do
		[ -n "$NET16" ] || break
		iptables -t "$t" -S | grep -F -- " $NET16." | sed 's/^-A /-D /' | while read -r rule; do
			chain=$(echo "$rule" | grep -o -- '-j CNI-[0-9a-f]*' | cut -c4-)
			eval "iptables -t $t $rule"
			[ -z "$chain" ] || { iptables -t "$t" -F "$chain"; iptables -t "$t" -X "$chain"; }
		done
	done 2>/dev/null
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	ip link del "$BBR" 2>/dev/null
	ip link del "$DBR" 2>/dev/null
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "$CG" -o -path "*/$CG/*" \) -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The state roots (berthd's --root, dockerd's --exec-root with its
# containerd's state) on a tmpfs, as /run is on a real host (see
# berthd.sh); STATE_TMPFS=0 keeps them on /tmp's filesystem.
mkdir -p "$DIR/state"
[ "${STATE_TMPFS:-1}" = 0 ] || mount -t tmpfs -o mode=0755 berthd-scale "$DIR/state"
echo "state roots: $(stat -f -c %T "$DIR/state")"

pss() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# The daemon's side of supervision: the daemon and the helpers it keeps.
berthd_pids() { echo "$PID"; pgrep -f "^berthd-shim --root $DIR/state/run/" || true; }
dockerd_pids() {
	echo "$DPID"
	pgrep -P "$DPID" -x containerd || true
	pgrep -f "containerd-shim-runc-v2 .*-address $DIR/" || true
}
supervision_pss() {
	local sum=0 p
	for p in $("$1"_pids); do sum=$((sum + $(pss "$p"))); done
	echo "$sum"
}
median_ms() { # median wall time of a command run R times, in ms
	local r=$1 i s e
	shift
	for i in $(seq "$r"); do
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR + 1) / 2)] / 1000}'
}
first_number() { grep -o "$1 [0-9.]*" | head -1 | awk '{print $NF}'; }

mkdir -p "$DIR/rootfs/bin"
cp "$(command -v busybox)" "$DIR/rootfs/bin/busybox"
ln -s busybox "$DIR/rootfs/bin/true"
ln -s busybox "$DIR/rootfs/bin/sleep"
tar -C "$DIR/rootfs" -cf "$DIR/rootfs.tar" .

# DATA rows: daemon network running ps_api_ms ps_cli_ms run_ms pss_kb kb_per_container
DATA=$DIR/scale.dat
: >"$DATA"
# THROUGHPUT rows: daemon network started seconds (one per step)
TP=$DIR/throughput.dat
: >"$TP"

# scale_up DAEMON NET LIMIT: start LIMIT containers in steps, measuring.
scale_up() {
	local d=$1 net=$2 limit=$3 sock=$DIR/$1.sock running=0 base out n
	base=$(supervision_pss "$d")
	echo "$d $net 0 $($CLIENT "$sock" ps --rounds 21 | first_number median) $(median_ms 3 env DOCKER_HOST="unix://$sock" "$DOCKER" ps) $($CLIENT "$sock" run --rounds 3 --network "$net" | first_number median) $base 0" >>"$DATA"
	while [ "$running" -lt "$limit" ]; do
		n=$((limit - running < STEP ? limit - running : STEP))
		if ! out=$($CLIENT "$sock" start "$n" --clients "$CLIENTS" --network "$net" 2>&1); then
			echo "$d --network $net: $out"
			FAILED=1
			return 1
		fi
		running=$((running + n))
		# the client's own wall time, from its first request to its last
		echo "$d $net $n $(echo "$out" | first_number in)" >>"$TP"
		sleep 1
		local now
		now=$(supervision_pss "$d")
		echo "$d $net $running $($CLIENT "$sock" ps --rounds 21 | first_number median) $(median_ms 3 env DOCKER_HOST="unix://$sock" "$DOCKER" ps) $($CLIENT "$sock" run --rounds 3 --network "$net" | first_number median) $now $(((now - base) / running))" >>"$DATA"
		echo "  $d --network $net: $running running; $out" >&2
	done
}

# After kill -9 of berthd and a new one: every container running, with
# the process it had.
berthd_restart_check() {
	local before=$DIR/pids.before after=$DIR/pids.after n
	$CLIENT "$DIR/berthd.sock" pids >"$before"
	kill -9 "$PID"
	wait "$PID" 2>/dev/null || true
	berthd_up
	$CLIENT "$DIR/berthd.sock" pids >"$after"
	n=$(awk '$2 == "running"' "$after" | wc -l)
	local dead=0 pid
	for pid in $(awk '{print $3}' "$after"); do
		[ -d "/proc/$pid" ] || dead=$((dead + 1))
	done
	if cmp -s "$before" "$after" && [ "$n" = "$(wc -l <"$before")" ] && [ "$dead" = 0 ]; then
		echo "berthd --network $1: kill -9 and restart: all $n containers found running, same processes"
	else
		echo "berthd --network $1: kill -9 and restart: $n of $(wc -l <"$before") running, $dead processes gone, lists differ:"
		diff "$before" "$after" | head -5
		FAILED=1
	fi
}

IFS=, read -r -a nets <<<"$NETWORKS"
berthd_up
$CLIENT "$DIR/berthd.sock" ps --rounds 1 >/dev/null
DOCKER_HOST=unix://$DIR/berthd.sock "$DOCKER" import "$DIR/rootfs.tar" bench:1 >/dev/null
if [ "$DOCKERD" = 1 ]; then
	dockerd_up
	DOCKER_HOST=unix://$DIR/dockerd.sock "$DOCKER" import "$DIR/rootfs.tar" bench:1 >/dev/null
fi
for net in "${nets[@]}"; do
	for d in berthd dockerd; do
		[ "$d" = berthd ] || [ "$DOCKERD" = 1 ] || continue
		lim=$([ "$d" = berthd ] && echo "$N" || echo "$DN")
		sock=$DIR/$d.sock
		$CLIENT "$sock" run --rounds 1 --network "$net" >/dev/null # what the first run sets up
		scale_up "$d" "$net" "$lim" || true
		[ "$d" = berthd ] && [ "$FAILED" = 0 ] && berthd_restart_check "$net"
		if out=$($CLIENT "$sock" rm --clients "$CLIENTS" 2>&1); then
			echo "$d --network $net: $out"
		else
			echo "$d --network $net: $(echo "$out" | tail -1), the first failure: $(echo "$out" | grep -m1 '^failed')"
			FAILED=1
		fi
	done
done

# --- report -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "n/a"}'; }
at() { awk -v d="$1" -v n="$2" -v r="$3" -v c="$4" '$1 == d && $2 == n && $3 == r {print $c}' "$DATA"; }
throughput() { # containers per second up to a number started
	awk -v d="$1" -v n="$2" -v lim="$3" '$1 == d && $2 == n && done < lim {done += $3; s += $4} END {if (s > 0) printf "%.1f", done / s; else print 0}' "$TP"
}
echo
echo "with R running: GET /containers/json and docker ps (ms), one more run --rm true (ms),"
echo "supervision PSS (kB) and its growth per running container (kB)"
printf '%-8s %-7s %6s %10s %10s %10s %10s %10s\n' daemon network R ps-api ps-cli run pss kB/ctr
awk '{printf "%-8s %-7s %6s %10s %10s %10s %10s %10s\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$DATA"
for net in "${nets[@]}"; do
	bt=$(throughput berthd "$net" "$N")
	echo "--network $net: berthd started $N at $bt containers/s with $CLIENTS clients"
	[ "$DOCKERD" = 1 ] || continue
	bd=$(throughput berthd "$net" "$DN")
	dd=$(throughput dockerd "$net" "$DN")
	echo "--network $net, $DN started: berthd $bd/s, dockerd $dd/s: throughput ratio berthd/dockerd $(ratio "$bd" "$dd")"
	echo "--network $net, $DN running: ps ratio berthd/dockerd $(ratio "$(at berthd "$net" "$DN" 4)" "$(at dockerd "$net" "$DN" 4)") (API), $(ratio "$(at berthd "$net" "$DN" 5)" "$(at dockerd "$net" "$DN" 5)") (CLI); kB per container berthd $(at berthd "$net" "$DN" 8), dockerd $(at dockerd "$net" "$DN" 8)"
done

# --- churn ------------------------------------------------------------------
# Everything berthd keeps per container, counted: what must be back where
# it was.
footprint() {
	echo "fds $(ls "/proc/$PID/fd" | wc -l)"
	echo "mounts $(grep -c " $DIR/" /proc/self/mountinfo || true)"
	echo "cgroups $(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do find "$h" -type d -path "*/$CG/*" 2>/dev/null; done | wc -l)"
	echo "processes $(berthd_pids | wc -l)"
	local s
	for s in data/containers data/removing state/run/oci state/run/shim state/run/netns state/run/cni/cache state/run/exec; do
		echo "$s $(ls -A "$DIR/$s" 2>/dev/null | wc -l)"
	done
	echo "leases $(ls "$DIR/state/run/cni/ipam" -R 2>/dev/null | grep -c '^[0-9]' || true)"
}
rss() { awk '$1 == "Rss:" {print $2}' "/proc/$PID/smaps_rollup"; }
$CLIENT "$DIR/berthd.sock" run --rounds 1 >/dev/null
sleep 2 # berthd gives freed memory back a second after the last exit
footprint >"$DIR/churn.before"
rss_before=$(rss)
echo
$CLIENT "$DIR/berthd.sock" churn "$M"
sleep 2
footprint >"$DIR/churn.after"
echo "berthd RSS: $rss_before kB before, $(rss) kB after"
if cmp -s "$DIR/churn.before" "$DIR/churn.after"; then
	echo "after $M run --rm: fds, mounts, cgroups, processes and store entries at their baseline: $(tr '\n' ' ' <"$DIR/churn.after")"
else
	echo "after $M run --rm, NOT at the baseline (before, after):"
	paste "$DIR/churn.before" "$DIR/churn.after"
	FAILED=1
fi

# --- graph ------------------------------------------------------------------
if [ -n "$PNG" ] && command -v gnuplot >/dev/null; then
	# One data file per daemon and network, one line each in every panel.
	plots() {
		local c=$1 list="" f # $2: the first row (1 skips none running)
		for f in "$DIR"/plot-*.dat; do
			list="$list${list:+, }\"$f\" every ::$2 using 3:$c with linespoints title \"$(basename "$f" .dat | sed 's/^plot-//; s/-/ --network /')\""
		done
		echo "$list"
	}
	for d in berthd dockerd; do
		for net in "${nets[@]}"; do
			awk -v d="$d" -v n="$net" '$1 == d && $2 == n' "$DATA" >"$DIR/plot-$d-$net.dat"
			[ -s "$DIR/plot-$d-$net.dat" ] || rm "$DIR/plot-$d-$net.dat"
		done
	done
	gnuplot <<-EOF
		set terminal pngcairo size 1200,900
		set output "$PNG"
		set multiplot layout 2,2 title "berthd and dockerd against the number of running containers ($STAMP, commit $COMMIT)"
		set xlabel "containers running"
		set key top left
		set ylabel "ms"
		set title "GET /containers/json (docker ps)"
		plot $(plots 4 0)
		set title "docker run --rm true on the API"
		plot $(plots 6 0)
		set ylabel "kB"
		set title "PSS of the daemon and its per-container helpers"
		plot $(plots 7 0)
		set title "that PSS's growth per running container"
		plot $(plots 8 1)
		unset multiplot
	EOF
	echo "graph: ${PNG#"$REPO"/}"
fi
exit "$FAILED"
