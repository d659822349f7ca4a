#!/usr/bin/env bats
# docker build parity with dockerd's classic builder: the same Dockerfile
# and context built by a private dockerd (its own containerd, data root
# and socket, no bridge: RUN steps use --network none on both) and by
# berthd give images with the same run config, the same files (names,
# modes, owners, contents) and the same history lines.

load berthd_helpers
load berthd_peer

setup_file() {
	berthd_setup_file host-only
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	# Its containers' cgroups nest below ours (a relative parent).
	berthd_peer_start berth-build --cgroup-parent "$BERTHD_CGROUP-peer" || return 1
	peer import "$BERTHD_DIR/img/rootfs.tar" berthd-test/bb:1 >/dev/null
}

teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_peer_stop
	remove_own_cgroups "$BERTHD_CGROUP-peer"
	berthd_teardown_file
}

setup() { berthd_skip_in_vm; }
teardown() { berthd_remove_containers; }

export DOCKER_BUILDKIT=0

@test "berthd build: the same Dockerfile as dockerd's classic builder gives the same config, files and history" {
	local dir=$BATS_TEST_TMPDIR/ctx cfg='{{json .Config.Env}}|{{json .Config.Cmd}}|{{json .Config.Entrypoint}}|{{.Config.WorkingDir}}|{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{json .Config.Labels}}|{{.Config.StopSignal}}|{{json .Config.OnBuild}}|{{json .Config.Healthcheck}}|{{len .RootFS.Layers}}|{{.Author}}'
	mkdir -p "$dir/tree/sub"
	echo one >"$dir/tree/a.txt"
	echo two >"$dir/tree/sub/b.txt"
	chmod 0600 "$dir/tree/sub/b.txt"
	ln -s a.txt "$dir/tree/link"
	echo g1 >"$dir/g1.conf"
	echo g2 >"$dir/.g2.conf"
	mkdir -p "$dir/arch"
	echo inside >"$dir/arch/in.txt"
	tar -C "$dir/arch" -czf "$dir/packed.tgz" in.txt
	rm -rf "$dir/arch"
	cat >"$dir/Dockerfile" <<'DF'
FROM berthd-test/bb:1 AS base
MAINTAINER someone
ARG V=1
ENV HOME_DIR=/srv/app PATHS="a b"
LABEL l1=v1 "l 2"="v 2"
WORKDIR $HOME_DIR
COPY tree ./tree/
COPY --chown=1000:1000 *.conf /srv/conf/
ADD packed.tgz /srv/unpacked/
RUN echo "run $V" >/srv/run.txt && chmod 640 /srv/run.txt
EXPOSE 80 53/udp
VOLUME ["/data"]
USER 1000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s CMD ["true"]
ONBUILD RUN true
ENTRYPOINT ["/bin/sh", "-c"]
CMD echo done

FROM berthd-test/bb:1
COPY --from=base /srv /copied
CMD ["ls"]
DF
	dk build --network none --target base -t berthd-test/parity:1 "$dir" >/dev/null
	peer build --network none --target base -t berthd-test/parity:1 "$dir" >/dev/null
	assert_equal "$(dk image inspect -f "$cfg" berthd-test/parity:1)" "$(peer image inspect -f "$cfg" berthd-test/parity:1)"
	dk build --network none -t berthd-test/parity:2 "$dir" >/dev/null
	peer build --network none -t berthd-test/parity:2 "$dir" >/dev/null
	assert_equal "$(dk image inspect -f "$cfg" berthd-test/parity:2)" "$(peer image inspect -f "$cfg" berthd-test/parity:2)"
	# The files, as each daemon's own container sees them.
	local list='find /srv /copied 2>/dev/null | sort | while read -r f; do stat -c "%n %A %u:%g" "$f"; [ -f "$f" ] && [ ! -L "$f" ] && cat "$f"; done'
	assert_equal "$(dk run --rm --network none --entrypoint sh berthd-test/parity:1 -c "$list")" \
		"$(peer run --rm --network none --entrypoint sh berthd-test/parity:1 -c "$list")"
	assert_equal "$(dk run --rm --network none --entrypoint sh berthd-test/parity:2 -c "$list")" \
		"$(peer run --rm --network none --entrypoint sh berthd-test/parity:2 -c "$list")"
	# The history's steps, in the same order with the same instructions
	# (dockerd's own spacing and quoting aside).
	local hist='{{.CreatedBy}}'
	norm() { sed -e 's/#(nop) */#(nop) /' -e 's/ *$//'; }
	assert_equal "$(dk history --no-trunc --format "$hist" berthd-test/parity:1 | norm | awk '{print $1, $2, $3, $4}')" \
		"$(peer history --no-trunc --format "$hist" berthd-test/parity:1 | norm | awk '{print $1, $2, $3, $4}')"
}

@test "berthd build: intermediate images are listed, pruned and removed as dockerd's" {
	local dir=$BATS_TEST_TMPDIR/inter who base_none base_listed listed none
	mkdir -p "$dir"
	# What one daemon shows of the build's images, in a form both give.
	state() {
		local none
		none=$("$@" images -a --format '{{.Repository}}' | grep -c '<none>' || true)
		listed=$("$@" images --format '{{.Repository}}' | grep -c '<none>' || true)
		echo "listed: $("$@" images --format '{{.Repository}}:{{.Tag}}' | grep inter | tr '\n' ' ')"
		echo "<none> listed: $((listed - base_listed))"
		echo "<none> with -a: $((none - base_none))"
		echo "dangling: $(($("$@" images -q --filter dangling=true | wc -l) - base_listed))"
		echo "history: $("$@" history --format '{{.ID}}' berthd-test/inter:1 2>/dev/null | grep -c -v missing)"
	}
	for who in dk peer; do
		base_none=$($who images -a --format '{{.Repository}}' | grep -c '<none>' || true)
		base_listed=$($who images --format '{{.Repository}}' | grep -c '<none>' || true)
		printf 'FROM berthd-test/bb:1\nRUN echo a >/a\nENV X=1\nLABEL v=1\n' >"$dir/Dockerfile"
		$who build --network none -t berthd-test/inter:1 "$dir" >/dev/null
		state $who >"$BATS_TEST_TMPDIR/$who.1"
		printf 'FROM berthd-test/bb:1\nRUN echo a >/a\nENV X=1\nLABEL v=2\n' >"$dir/Dockerfile"
		$who build --network none -t berthd-test/inter:1 "$dir" >/dev/null
		state $who >"$BATS_TEST_TMPDIR/$who.2"
		$who image prune -f | grep -ci '^deleted: sha256' >"$BATS_TEST_TMPDIR/$who.prune" || true
		state $who >"$BATS_TEST_TMPDIR/$who.3"
		$who rmi berthd-test/inter:1 | grep -c '^Deleted: sha256' >"$BATS_TEST_TMPDIR/$who.rmi" || true
		state $who >"$BATS_TEST_TMPDIR/$who.4"
	done
	for f in 1 2 prune 3 rmi 4; do
		assert_equal "$(cat "$BATS_TEST_TMPDIR/dk.$f")" "$(cat "$BATS_TEST_TMPDIR/peer.$f")"
	done
	# Not only alike: what dockerd does.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/dk.1")" "listed: berthd-test/inter:1 
<none> listed: 0
<none> with -a: 2
dangling: 0
history: 4"
	assert_equal "$(sed -n 2,4p "$BATS_TEST_TMPDIR/dk.2")" "<none> listed: 1
<none> with -a: 3
dangling: 1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/dk.4")" "listed: 
<none> listed: 0
<none> with -a: 0
dangling: 0
history: 0"
}
