#!/bin/bash
# docker pull through berthd against dockerd, side by side, from one local
# registry.
#
#   tests/bench/pull.sh [ROUNDS [LAYERS [MB]]]
#
# The image: a busybox-static layer and LAYERS (default 5) more of MB
# (default 4) MB each, half random (incompressible) and half text, made
# here as a docker archive and pushed with skopeo (gzip layers, as skopeo
# writes them) into Debian's docker-registry on 127.0.0.1, plain HTTP.
# berthd and dockerd (Debian's docker.io, its own data and exec roots,
# --iptables=false --bridge=none) both name that registry with
# --insecure-registry.  After one untimed pull each, ROUNDS (default 10)
# rounds: `docker pull` through berthd, then through dockerd, the image
# removed (`docker rmi`, its layers with it) after each, so that every
# pull downloads, verifies and unpacks every layer.  One docker CLI for
# both.  Prints the medians and their ratio.
#
# Run as root from the repository root after `make`.  Nothing here is a
# test: it prints numbers.
set -eu
ROUNDS=${1:-10}
LAYERS=${2:-5}
MB=${3:-4}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
echo "=== berthd pull benchmark"
echo "command: tests/bench/pull.sh${*:+ $*}"
echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}
DIR=$(mktemp -d /tmp/berthd-pull-bench.XXXXXX)
chmod 0755 "$DIR"
export DOCKER_CONFIG=$DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
BSOCK=unix://$DIR/berthd.sock
DSOCK=unix://$DIR/dockerd.sock
PID=
DPID=
RPID=

cleanup() {
	for p in "$PID" "$DPID" "$RPID"; do
		if [ -n "$p" ]; then
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	grep " $DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		find "$h" -depth -type d \( -name "berthd-pull-bench-$$" -o -path "*berthd-pull-bench-$$/*" \) \
			-exec rmdir {} \; 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

b() { DOCKER_HOST=$BSOCK "$DOCKER" "$@"; }
d() { DOCKER_HOST=$DSOCK "$DOCKER" "$@"; }
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the image --------------------------------------------------------------
mkdir -p "$DIR/img/l0/bin" "$DIR/img/archive"
cp "$(command -v busybox)" "$DIR/img/l0/bin/busybox"
ln -s busybox "$DIR/img/l0/bin/sh"
tar -C "$DIR/img/l0" -cf "$DIR/img/l0.tar" .
diffs="\"sha256:$(sha256sum "$DIR/img/l0.tar" | cut -d' ' -f1)\""
for i in $(seq "$LAYERS"); do
	mkdir -p "$DIR/img/l$i/data"
	head -c $((MB * 512 * 1024)) /dev/urandom >"$DIR/img/l$i/data/random-$i"
	yes "layer $i of the pull benchmark, text that compresses" | head -c $((MB * 512 * 1024)) \
		>"$DIR/img/l$i/data/text-$i"
	tar -C "$DIR/img/l$i" -cf "$DIR/img/l$i.tar" .
	diffs="$diffs,\"sha256:$(sha256sum "$DIR/img/l$i.tar" | cut -d' ' -f1)\""
done
layers=""
for i in $(seq 0 "$LAYERS"); do
	h=$(sha256sum "$DIR/img/l$i.tar" | cut -d' ' -f1)
	mkdir -p "$DIR/img/archive/$h"
	mv "$DIR/img/l$i.tar" "$DIR/img/archive/$h/layer.tar"
	layers="$layers${layers:+,}\"$h/layer.tar\""
done
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
	"$diffs" >"$DIR/img/archive/config.json"
cfg=$(sha256sum "$DIR/img/archive/config.json" | cut -d' ' -f1)
mv "$DIR/img/archive/config.json" "$DIR/img/archive/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["bench/pull:1"],"Layers":[%s]}]' "$cfg" "$layers" \
	>"$DIR/img/archive/manifest.json"
tar -C "$DIR/img/archive" -cf "$DIR/img/image.tar" .

# --- the registry -----------------------------------------------------------
PORT=$(free_port)
REG=127.0.0.1:$PORT
printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: %s\n' \
	"$DIR" "$REG" >"$DIR/registry.yml"
docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 &
RPID=$!
for _ in $(seq 200); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.05; done
skopeo copy -q --dest-tls-verify=false "docker-archive:$DIR/img/image.tar" "docker://$REG/bench/pull:1"
IMAGE=$REG/bench/pull:1
echo "image: $IMAGE, $((LAYERS + 1)) layers, $(du -sh "$DIR/registry" | cut -f1) in the registry (gzip)"

# --- the daemons ------------------------------------------------------------
"$REPO/build/berthd" --socket "$DIR/berthd.sock" --root "$DIR/run" --data-root "$DIR/data" \
	--cgroup-parent "berthd-pull-bench-$$" --log-level error --log-file "$DIR/berthd.log" \
	--insecure-registry "$REG" &
PID=$!
dockerd --data-root "$DIR/dockerd-data" --exec-root "$DIR/dockerd-exec" \
	--pidfile "$DIR/dockerd.pid" -H "$DSOCK" --iptables=false --ip6tables=false \
	--bridge=none --cgroup-parent "berthd-pull-bench-$$" --insecure-registry "$REG" \
	>"$DIR/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do b version >/dev/null 2>&1 && d version >/dev/null 2>&1 && break; sleep 0.1; done
b version >/dev/null
d version >/dev/null

# One untimed pull each (what the first pull sets up stays), checked: the
# same image with every layer, in both.
b pull -q "$IMAGE" >/dev/null
d pull -q "$IMAGE" >/dev/null
for x in b d; do
	got=$($x image inspect -f '{{.Id}} {{len .RootFS.Layers}}' "$IMAGE")
	if [ "$got" != "sha256:$cfg $((LAYERS + 1))" ]; then
		echo "the pull through $x gave $got, not sha256:$cfg with $((LAYERS + 1)) layers" >&2
		exit 1
	fi
done
b rmi "$IMAGE" >/dev/null
d rmi "$IMAGE" >/dev/null

: >"$DIR/b.times"
: >"$DIR/d.times"
for _ in $(seq "$ROUNDS"); do
	s=$(now_us); b pull -q "$IMAGE" >/dev/null; e=$(now_us)
	echo $((e - s)) >>"$DIR/b.times"
	b rmi "$IMAGE" >/dev/null
	s=$(now_us); d pull -q "$IMAGE" >/dev/null; e=$(now_us)
	echo $((e - s)) >>"$DIR/d.times"
	d rmi "$IMAGE" >/dev/null
done
bm=$(median "$DIR/b.times")
dm=$(median "$DIR/d.times")
echo "docker pull, $ROUNDS interleaved rounds, medians: berthd ${bm} us, dockerd ${dm} us"
echo "berthd: $(sort -n "$DIR/b.times" | paste -sd' ')"
echo "dockerd: $(sort -n "$DIR/d.times" | paste -sd' ')"
echo "ratio berthd/dockerd: $(ratio "$bm" "$dm") (target: at most 0.5)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
