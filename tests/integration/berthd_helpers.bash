# Shared set-up for the berthd tests: one berthd per test file, driven by
# the real docker CLI.
#
# setup_file starts berthd with its own socket, --root and --data-root, and
# a --cgroup-parent relative to our own cgroup (so container cgroups nest
# below the test, never at the root of a hierarchy); teardown_file removes
# every container and image through the API, stops berthd and fails if
# anything is left: containers, shims, mounts, cgroups, layers.

load helpers

BERTHD=${BERTHD:-$REPO/build/berthd}
DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}

dk() {
	"$DOCKER" "$@"
}

# Start berthd in the background and wait for its socket to answer
# (BERTHD_EXTRA_ARGS: more options, split on spaces).
# Its default network has a bridge of this test file's own (the VM's
# kernel has no bridge or netfilter modules: no default network there).
berthd_start() {
	"$BERTHD" --socket "$BERTHD_SOCK" --root "$BERTHD_ROOT" --data-root "$BERTHD_DATA" \
		--cgroup-parent "$BERTHD_CGROUP" --group nogroup --log-level debug \
		--bridge "$BERTHD_BRIDGE" --log-file "$BERTHD_DIR/berthd.log" ${BERTHD_EXTRA_ARGS:-} &
	BERTHD_PID=$!
	echo "$BERTHD_PID" >"$BERTHD_DIR/pid"
	local i
	for i in $(seq 300); do
		dk version >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "berthd did not come up; its log:" >&2
	cat "$BERTHD_DIR/berthd.log" >&2
	return 1
}

berthd_pid() {
	cat "$BERTHD_DIR/pid"
}

# Stop berthd with a signal (TERM by default) and wait until it is gone.
berthd_stop() {
	local pid sig=${1:-TERM}
	pid=$(berthd_pid)
	kill -s "$sig" "$pid" 2>/dev/null || return 0
	local i
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "berthd $pid did not exit on SIG$sig" >&2
	return 1
}

# A busybox rootfs tarball, and the same as a docker-archive with a second
# layer that whites out /bin/ls, makes /tmp opaque and adds a file.
make_images() {
	local dir=$BERTHD_DIR/img
	mkdir -p "$dir"
	make_rootfs "$dir/rootfs"
	tar -C "$dir/rootfs" -cf "$dir/rootfs.tar" .
	mkdir -p "$dir/l2/etc" "$dir/l2/bin" "$dir/l2/tmp"
	echo layer-two >"$dir/l2/etc/greeting"
	touch "$dir/l2/bin/.wh.ls" "$dir/l2/tmp/.wh..wh..opq"
	tar -C "$dir/l2" -cf "$dir/l2.tar" .
	make_docker_archive "$dir/archive.tar" "berthd-test/two:layers" \
		"$dir/rootfs.tar" "$dir/l2.tar"
	make_oci_archive "$dir/oci.tar.gz" "berthd-test/oci:gz" "$dir/rootfs.tar" "$dir/l2.tar"
}

# make_docker_archive OUT TAG LAYER.tar...: docker save's format.
# ARCHIVE_CONFIG, when set, is JSON fields added to the image config's
# "config" object ('"User":"1234:5678",' with its trailing comma).
make_docker_archive() {
	local out=$1 tag=$2
	shift 2
	local work diffs="" layers="" l d cfg
	work=$(mktemp -d "$BERTHD_DIR/arch.XXXXXX")
	for l in "$@"; do
		d=$(sha256sum "$l" | cut -d' ' -f1)
		mkdir -p "$work/$d"
		cp "$l" "$work/$d/layer.tar"
		diffs="$diffs\"sha256:$d\","
		layers="$layers\"$d/layer.tar\","
	done
	printf '{"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05Z","config":{%s"Env":["PATH=/bin:/usr/bin","FROM_IMAGE=yes"],"Cmd":["sh","-c","echo default-cmd"],"WorkingDir":"/tmp","Labels":{"from":"image"}},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"${ARCHIVE_CONFIG:-}" "${diffs%,}" >"$work/config.json"
	cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
	mv "$work/config.json" "$work/$cfg.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$cfg" "$tag" \
		"${layers%,}" >"$work/manifest.json"
	tar -C "$work" -cf "$out" .
	rm -rf "$work"
}

# make_oci_archive OUT.tar.gz NAME LAYER.tar...: an OCI layout with gzip
# layers, the whole archive gzip'd.
make_oci_archive() {
	local out=$1 name=$2
	shift 2
	local work diffs="" layers="" l d gz size cfg cfgsize man mansize
	work=$(mktemp -d "$BERTHD_DIR/oci.XXXXXX")
	mkdir -p "$work/blobs/sha256"
	for l in "$@"; do
		d=$(sha256sum "$l" | cut -d' ' -f1)
		gzip -nc "$l" >"$work/layer.gz"
		gz=$(sha256sum "$work/layer.gz" | cut -d' ' -f1)
		size=$(stat -c %s "$work/layer.gz")
		mv "$work/layer.gz" "$work/blobs/sha256/$gz"
		diffs="$diffs\"sha256:$d\","
		layers="$layers{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$gz\",\"size\":$size},"
	done
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["echo","oci-default"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"${diffs%,}" >"$work/c.json"
	cfg=$(sha256sum "$work/c.json" | cut -d' ' -f1)
	cfgsize=$(stat -c %s "$work/c.json")
	mv "$work/c.json" "$work/blobs/sha256/$cfg"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$cfg" "$cfgsize" "${layers%,}" >"$work/m.json"
	man=$(sha256sum "$work/m.json" | cut -d' ' -f1)
	mansize=$(stat -c %s "$work/m.json")
	mv "$work/m.json" "$work/blobs/sha256/$man"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"gz"}}]}' \
		"$man" "$mansize" "$name" >"$work/index.json"
	tar -C "$work" -czf "$out" .
	rm -rf "$work"
}

# The cgroup v2 VM is slow at running the docker CLI (TCG): there, the
# files that test nothing cgroup-specific skip (they run on the host), and
# berthd_limits.bats and berthd_resources.bats run.  BERTHD_IN_VM=1 runs
# them anyway.
berthd_host_only() {
	[ -n "${BERTH_VM:-}" ] && [ -z "${BERTHD_IN_VM:-}" ]
}

berthd_skip_in_vm() {
	if berthd_host_only; then
		skip "covered on the host; the VM runs berthd_limits.bats and berthd_resources.bats"
	fi
}

berthd_setup_file() {
	if [ "${1:-}" = host-only ] && berthd_host_only; then
		export BERTHD_SKIPPED=1
		return 0
	fi
	# The socket's directory is world-searchable so that the socket's own
	# mode is what keeps other users out.
	BERTHD_DIR=$(mktemp -d /tmp/berthd-test.XXXXXX)
	chmod 0755 "$BERTHD_DIR"
	export BERTHD_DIR
	export BERTHD_SOCK=$BERTHD_DIR/berthd.sock
	export BERTHD_ROOT=$BERTHD_DIR/run
	export BERTHD_DATA=$BERTHD_DIR/data
	export BERTHD_CGROUP=berthd-test-$$
	if [ -n "${BERTH_VM:-}" ]; then
		export BERTHD_BRIDGE=none
	else
		export BERTHD_BRIDGE=bt$$
	fi
	net_snapshot
	export DOCKER_HOST=unix://$BERTHD_SOCK
	export DOCKER_CONFIG=$BERTHD_DIR/docker-config
	mkdir -p "$DOCKER_CONFIG"
	berthd_start
	make_images
	dk import "$BERTHD_DIR/img/rootfs.tar" berthd-test/bb:1 >/dev/null
	dk load -i "$BERTHD_DIR/img/archive.tar" >/dev/null
}

# What removals finish after their answer (a removed container's
# directory and an --rm container's rootfs mount, in data/removing:
# runtime/engine/trash.c) is done.
berthd_removals_done() {
	wait_for sh -c "[ -z \"\$(ls -A '$BERTHD_DATA/removing')\" ]"
}

# Every container goes, running or not, through the API.
berthd_remove_containers() {
	local ids
	ids=$(dk ps -aq 2>/dev/null)
	[ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
	# Their DELs run after the removal: the next test starts once they
	# ended (no namespace file, no attachment left), or teardown_file
	# reports what stays.
	WAIT_FOR_SECONDS=30 wait_for berthd_dels_done || true
}

berthd_dels_done() {
	[ -z "$(ls -A "$BERTHD_ROOT/netns" 2>/dev/null)" ] &&
		[ -z "$(ls -A "$BERTHD_ROOT/cni/cache" 2>/dev/null)" ]
}

# Everything through the API, then the checks that nothing is left.
berthd_teardown_file() {
	local left="" img imgs
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_remove_containers
	# An image with a child is refused until its children are gone (as
	# with dockerd): a few passes, every image, intermediate ones too.
	for _ in 1 2 3 4 5; do
		imgs=$(dk images -aq 2>/dev/null | sort -u)
		[ -n "$imgs" ] || break
		for img in $imgs; do
			dk rmi -f "$img" >/dev/null 2>&1
		done
	done
	dk network prune -f >/dev/null 2>&1
	dk volume ls -q 2>/dev/null | xargs -r "$DOCKER" volume rm -f >/dev/null 2>&1
	if ! berthd_stop TERM; then
		left="$left berthd"
		berthd_stop KILL
	fi
	if [ -n "$(ls -A "$BERTHD_DATA/containers" 2>/dev/null)" ]; then
		left="$left containers:$(ls "$BERTHD_DATA/containers")"
	fi
	# Removed containers' files, deleted by a thread that berthd's stop
	# waits for.
	if [ -n "$(ls -A "$BERTHD_DATA/removing" 2>/dev/null)" ]; then
		left="$left removing:$(ls "$BERTHD_DATA/removing")"
	fi
	if [ -n "$(ls -A "$BERTHD_DATA/layers" 2>/dev/null)" ]; then
		left="$left layers:$(ls "$BERTHD_DATA/layers")"
	fi
	if [ -n "$(ls -A "$BERTHD_DATA/images" 2>/dev/null)" ]; then
		left="$left images"
	fi
	if [ -n "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ]; then
		left="$left volumes:$(ls "$BERTHD_DATA/volumes")"
	fi
	if [ -n "$(ls -A "$BERTHD_ROOT/oci" 2>/dev/null)" ]; then
		left="$left runtime-state:$(ls "$BERTHD_ROOT/oci")"
	fi
	if grep -q "$BERTHD_DIR" /proc/self/mountinfo; then
		left="$left mounts"
		grep "$BERTHD_DIR" /proc/self/mountinfo | awk '{print $5}' | xargs -r -n1 umount -l
	fi
	local shim
	for shim in $(pgrep -f "berthd-shim --root $BERTHD_ROOT/"); do
		left="$left shim:$shim"
		kill -9 "$shim"
	done
	# The parent berthd's containers share stays, as docker's /docker
	# does; it must have no container cgroup (nor process) left in it,
	# in any hierarchy.  Checked, then removed.
	assert_no_own_cgroup "$BERTHD_CGROUP" below || left="$left cgroups"
	remove_own_cgroups "$BERTHD_CGROUP"
	net_drop_kept_rules
	left="$left$(net_leftovers)"
	net_cleanup
	if [ -n "$left" ]; then
		echo "left behind:$left" >&2
		echo "berthd's log:" >&2
		tail -50 "$BERTHD_DIR/berthd.log" >&2
		return 1
	fi
	rm -rf "$BERTHD_DIR"
}

# The hooks of a file that tests one berthd on the host (the VM skips it,
# see berthd_host_only): the daemon lives as long as the file, and each
# test's containers go after it, unless the file keeps them
# (keep-containers) to see what a later step makes of them.  A file may
# define its own hooks after this call.
berthd_file_hooks() {
	setup_file() { berthd_setup_file host-only; }
	setup() { berthd_skip_in_vm; }
	teardown_file() { berthd_teardown_file; }
	if [ "${1:-}" != keep-containers ]; then
		teardown() { berthd_remove_containers; }
	fi
}

# --- networks -----------------------------------------------------------------
# A berthd test file's default network: its bridge (BERTHD_BRIDGE), its
# subnet (from its config list), its NAT and forwarding rules (berthd's
# own, which stay while berthd is stopped, as its bridge does: removed at
# the end, as the bridge is), and what the CNI plugins leave on the host
# that is shared by all their networks (portmap's iptables chains),
# removed at the end when this file's berthd made them and no other rule
# uses them.  berthd's chains themselves (BERTH-POSTROUTING,
# BERTH-FORWARD, BERTH-ISOLATION-STAGE-1 and -2) stay: every berthd of the
# host shares them.

# The iptables chains named CNI-* before the file's berthd ran.
net_snapshot() {
	[ "$BERTHD_BRIDGE" = none ] && return 0
	net_cni_chains >"$BERTHD_DIR/chains.before"
}

# "TABLE CHAIN" for every CNI-* chain of the filter and nat tables.
net_cni_chains() {
	local t
	for t in filter nat; do
		iptables -t "$t" -S 2>/dev/null | awk -v t="$t" '$1 == "-N" && $2 ~ /^CNI-/ { print t, $2 }'
	done | sort
}

berthd_subnet() {
	jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$BERTHD_DATA/networks/bridge.conflist"
}

# The first two octets of the subnet ("172.30."), what rules name.
berthd_subnet_prefix() {
	berthd_subnet | cut -d. -f1-2 | sed 's/$/./'
}

# What the file's containers left of their networks, as " what:detail"
# words: veths on the bridge, namespaces, attachments, address leases,
# iptables rules naming the subnet or a per-container chain.
net_leftovers() {
	local left="" prefix veths
	[ "$BERTHD_BRIDGE" = none ] && return 0
	veths=$(ip -o link show master "$BERTHD_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}')
	[ -z "$veths" ] || left="$left veths:$(echo $veths | tr ' ' ,)"
	[ -z "$(ls -A "$BERTHD_ROOT/netns" 2>/dev/null)" ] || left="$left netns:$(ls "$BERTHD_ROOT/netns")"
	[ -z "$(ls -A "$BERTHD_ROOT/cni/cache" 2>/dev/null)" ] || left="$left attachments"
	if ls "$BERTHD_ROOT/cni/ipam/bridge" 2>/dev/null | grep -q '^[0-9]'; then
		left="$left leases:$(ls "$BERTHD_ROOT/cni/ipam/bridge" | grep '^[0-9]' | tr '\n' ,)"
	fi
	# User networks (docker network create): their config lists and
	# bridges (br- and the first 12 characters of the id).
	local conf id
	for conf in "$BERTHD_DATA"/networks/*.conflist; do
		[ -e "$conf" ] && [ "$(basename "$conf")" != bridge.conflist ] || continue
		left="$left network:$(basename "$conf" .conflist)"
		id=$(jq -r .berth.id "$conf")
		ip link del "br-${id:0:12}" 2>/dev/null
	done
	if berth_rules_of "$BERTHD_BRIDGE" | grep -q .; then
		left="$left berth-rules:$(berth_rules_of "$BERTHD_BRIDGE" | head -3 | tr '\n' ' ')"
	fi
	if [ -e "$BERTHD_DATA/networks/bridge.conflist" ]; then
		prefix=$(berthd_subnet_prefix)
		if iptables-save | grep -v '^#' | grep -qF -- "$prefix"; then
			left="$left iptables:$(iptables-save | grep -F -- "$prefix" | head -3 | tr '\n' ' ')"
		fi
	fi
	if iptables-save | grep -qE -- '-A CNI-(DN|SN|HOSTPORT-MASQ)-'; then
		left="$left iptables-chains"
	fi
	echo "$left"
}

# The shared CNI chains that appeared since the file's berthd started.
# Not the per-container ones (CNI- or CNI-DN- and a hash): this file's
# containers had theirs removed by the plugins (net_leftovers reports any
# left), and any other appeared meanwhile belongs to another berthd on
# the host, whose running container would lose its rules.
net_new_shared_chains() {
	net_cni_chains | comm -13 "$BERTHD_DIR/chains.before" - | grep -Ev ' CNI-([A-Z]+-)?[0-9a-f]{16,}$'
}

# The rules of berthd's chains (IPv4 and IPv6, as iptables -S writes
# them) that name bridge $1.
berth_rules_of() {
	local cmd table chain
	for cmd in iptables ip6tables; do
		for chain in BERTH-POSTROUTING BERTH-FORWARD BERTH-ISOLATION-STAGE-1 \
			BERTH-ISOLATION-STAGE-2; do
			table=filter
			[ "$chain" = BERTH-POSTROUTING ] && table=nat
			"$cmd" -w -t "$table" -S "$chain" 2>/dev/null | grep -E -- "-o $1( |\$)|-i $1( |\$)" |
				sed "s/^/$cmd -t $table /"
		done
	done
}

# The rules berthd makes for a bridge network ($1 its bridge, $2 its
# subnet, $3 "internal" for an --internal one; $4 ip6tables for the IPv6
# ones), as berth_rules_of lists them.
expected_rules() {
	local br=$1 sub=$2 cmd=${4:-iptables}
	if [ "${3:-}" = internal ]; then
		printf '%s\n' \
			"$cmd -t filter -A BERTH-FORWARD -i $br ! -o $br -j DROP" \
			"$cmd -t filter -A BERTH-FORWARD ! -i $br -o $br -j DROP" \
			"$cmd -t filter -A BERTH-FORWARD -i $br -o $br -j ACCEPT"
		return
	fi
	printf '%s\n' \
		"$cmd -t nat -A BERTH-POSTROUTING -s $sub ! -o $br -j MASQUERADE" \
		"$cmd -t filter -A BERTH-ISOLATION-STAGE-1 -i $br ! -o $br -j BERTH-ISOLATION-STAGE-2" \
		"$cmd -t filter -A BERTH-ISOLATION-STAGE-2 -o $br -j DROP" \
		"$cmd -t filter -A BERTH-FORWARD -i $br -o $br -j ACCEPT" \
		"$cmd -t filter -A BERTH-FORWARD -i $br ! -o $br -j ACCEPT" \
		"$cmd -t filter -A BERTH-FORWARD -o $br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
		"$cmd -t filter -A BERTH-FORWARD -o $br -m conntrack --ctstate DNAT -j ACCEPT"
}

# A random unique local IPv6 /64 (other berthds run beside this one).
ula_subnet() {
	printf 'fd%02x:%x:%x::/64\n' $((RANDOM % 256)) $((RANDOM + 1)) $((RANDOM + 1))
}

ipv6_or_skip() {
	if [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || echo 1)" != 0 ]; then
		skip "IPv6 is disabled on this host"
	fi
}

# What berthd keeps of the default network while it is stopped, by
# design, as dockerd keeps docker0's rules: the rules naming this file's
# bridge, removed after the file's berthd stopped (net_leftovers then
# reports any that removal missed).
net_drop_kept_rules() {
	local cmd t a table rule
	[ "$BERTHD_BRIDGE" = none ] && return 0
	berth_rules_of "$BERTHD_BRIDGE" | while read -r cmd t table a rule; do
		"$cmd" -w -t "$table" -D $rule 2>/dev/null
	done
	true
}

# Remove the bridge, and the shared CNI chains this file made that have
# no rule left but the jumps the plugins themselves added.
net_cleanup() {
	local table chain
	[ "$BERTHD_BRIDGE" = none ] && return 0
	ip link del "$BERTHD_BRIDGE" 2>/dev/null
	net_new_shared_chains | while read -r table chain; do
		iptables -t "$table" -S | grep -E -- "-j $chain( |\$)" | sed 's/^-A /-D /' |
			while read -r rule; do
				# eval: the rule as iptables -S quotes it (comments)
				eval "iptables -t $table $rule"
			done
	done
	net_new_shared_chains | while read -r table chain; do
		iptables -t "$table" -F "$chain"
		iptables -t "$table" -X "$chain"
	done
	true
}

# Wait until a container reaches a status (up to 10 s).
wait_status() {
	local i
	for i in $(seq 100); do
		[ "$(dk inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 is $(dk inspect -f '{{.State.Status}}' "$1" 2>&1), not $2" >&2
	return 1
}
