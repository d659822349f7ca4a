#!/usr/bin/env bats
# docker build through berthd (the classic builder: DOCKER_BUILDKIT=0 for
# docker 28, the default of 20.10): a Dockerfile with every instruction
# built from the test's busybox image, then run; multi-stage builds with
# COPY --from, build args, .dockerignore, the cache, and failures that
# leave nothing behind.  Also docker import --change.

load berthd_helpers
berthd_file_hooks

export DOCKER_BUILDKIT=0

# ctx DIR: a fresh build context directory for this test.
ctx() {
	local dir=$BATS_TEST_TMPDIR/ctx
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "$dir"
}

# What berthd has of containers (not only what ps says: the records).
no_build_leftovers() {
	berthd_removals_done
	# A removed container's network goes after its removal.
	WAIT_FOR_SECONDS=30 wait_for berthd_dels_done
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(ls -A "$BERTHD_DATA/containers")" ""
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	assert_equal "$(grep -c "$BERTHD_DIR" /proc/self/mountinfo)" "0"
}

@test "berthd build: every instruction; the image runs with its files, env, user, workdir, command, labels, ports, volumes, healthcheck" {
	local dir
	dir=$(ctx)
	mkdir -p "$dir/tree/sub"
	echo one >"$dir/tree/a.txt"
	echo two >"$dir/tree/sub/b.txt"
	echo plain >"$dir/file.txt"
	echo g1 >"$dir/g1.conf"
	echo g2 >"$dir/g2.conf"
	mkdir -p "$dir/arch"
	echo inside >"$dir/arch/in.txt"
	tar -C "$dir/arch" -czf "$dir/packed.tar.gz" in.txt
	rm -rf "$dir/arch"
	cat >"$dir/Dockerfile" <<'DF'
# a comment
FROM berthd-test/bb:1
MAINTAINER someone <s@example.com>
ARG GREETING=hello
ENV APP_HOME=/srv/app \
    MODE="two words"
LABEL org.example.name="build test" version=1
WORKDIR $APP_HOME
COPY file.txt .
COPY tree /srv/tree/
COPY --chown=1234:5678 g*.conf /srv/conf/
ADD packed.tar.gz /srv/unpacked/
RUN echo "$GREETING from run" >/srv/run.txt && \
    mkdir -p /data && echo "user $(id -u)" >>/srv/run.txt
RUN ["/bin/sh", "-c", "echo exec-form >/srv/exec.txt"]
SHELL ["/bin/sh", "-c"]
EXPOSE 8080 53/udp
VOLUME /data
USER 1234:5678
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s --retries=2 CMD true
ONBUILD RUN echo triggered >/tmp/onbuild
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $MODE; id -u; pwd; cat file.txt /srv/tree/a.txt /srv/tree/sub/b.txt /srv/run.txt /srv/exec.txt /srv/unpacked/in.txt; ls -n /srv/conf"]
DF
	run dk build -t berthd-test/built:1 "$dir"
	assert_success
	assert_output_contains "Step 1/21 : FROM berthd-test/bb:1"
	assert_output_contains "Step 11/21 : RUN echo"
	assert_output_contains "Successfully tagged berthd-test/built:1"
	run dk run --rm --network none berthd-test/built:1
	assert_success
	assert_equal "$(echo "$output" | head -11)" "two words
1234
/srv/app
plain
one
two
hello from run
user 0
exec-form
inside
total 8"
	[[ "$output" =~ -rw-r--r--\ +1\ 1234\ +5678\ .*\ g1.conf ]]
	[[ "$output" =~ -rw-r--r--\ +1\ 1234\ +5678\ .*\ g2.conf ]]
	run dk image inspect -f '{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{.Config.User}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{json .Config.OnBuild}}|{{index .Config.Labels "org.example.name"}}|{{.Config.Labels.version}}|{{json .Config.Healthcheck.Test}}|{{.Config.Healthcheck.Interval}}|{{.Config.Healthcheck.Retries}}|{{.Author}}' berthd-test/built:1
	assert_equal "$output" '{"53/udp":{},"8080/tcp":{}}|{"/data":{}}|1234:5678|/srv/app|SIGUSR1|["RUN echo triggered >/tmp/onbuild"]|build test|1|["CMD-SHELL","true"]|5s|2|someone <s@example.com>'
	# ARG values are not kept in the image's env.
	run dk image inspect -f '{{json .Config.Env}}' berthd-test/built:1
	refute_output_contains GREETING
	assert_output_contains '"APP_HOME=/srv/app"'
	# Each step is in the history, metadata steps as empty layers.
	run dk history --no-trunc --format '{{.CreatedBy}}' berthd-test/built:1
	assert_success
	assert_equal "$(echo "$output" | head -1)" '/bin/sh -c #(nop) CMD ["echo $MODE; id -u; pwd; cat file.txt /srv/tree/a.txt /srv/tree/sub/b.txt /srv/run.txt /srv/exec.txt /srv/unpacked/in.txt; ls -n /srv/conf"]'
	assert_output_contains '|1 GREETING=hello /bin/sh -c echo "$GREETING from run"'
	assert_output_contains '#(nop) COPY file.txt in /srv/app/'
	no_build_leftovers
}

@test "berthd build: multi-stage with COPY --from, build args, --target, --label, -f, .dockerignore" {
	local dir
	dir=$(ctx)
	mkdir -p "$dir/src" "$dir/secret" "$dir/docker"
	echo code >"$dir/src/main.txt"
	echo ignored >"$dir/src/notes.log"
	echo hidden >"$dir/secret/key"
	printf 'secret\n*/*.log\n' >"$dir/.dockerignore"
	cat >"$dir/docker/Build.df" <<'DF'
ARG BASE=berthd-test/bb:1
FROM $BASE AS builder
ARG VERSION=0.1
ARG UNSET
RUN mkdir /out && echo "built $VERSION [${UNSET:-none}]" >/out/artifact
COPY src/ /out/src/
RUN ls /out/src >/out/listing

FROM builder AS middle
RUN echo middle >/out/middle

FROM berthd-test/bb:1
COPY --from=builder /out /app
COPY --from=0 /out/artifact /app/again
CMD ["cat", "/app/artifact", "/app/again", "/app/listing"]
DF
	run dk build -f "$dir/docker/Build.df" --build-arg VERSION=2.5 --build-arg NOT_DECLARED=1 \
		--label from.cli=yes -t berthd-test/multi:1 "$dir"
	assert_success
	assert_output_contains "Step 1/14 : ARG BASE=berthd-test/bb:1"
	assert_output_contains "Step 14/14 : LABEL \"from.cli\"=\"yes\""
	assert_output_contains "[Warning] One or more build-args [NOT_DECLARED] were not consumed"
	run dk run --rm --network none berthd-test/multi:1
	assert_success
	assert_equal "$output" "built 2.5 [none]
built 2.5 [none]
main.txt"
	# Only the last stage's files: not the middle stage's, not the
	# ignored ones.
	run dk run --rm --network none berthd-test/multi:1 sh -c 'ls /app; ls /app/src; ls /secret 2>&1 || true'
	assert_equal "$output" "again
artifact
listing
src
main.txt
ls: /secret: No such file or directory"
	assert_equal "$(dk image inspect -f '{{index .Config.Labels "from.cli"}}' berthd-test/multi:1)" "yes"
	# --target stops at the stage named.
	run dk build -f "$dir/docker/Build.df" --target middle -t berthd-test/multi:middle "$dir"
	assert_success
	assert_output_contains "Step 9/9 : RUN echo middle"
	refute_output_contains "Step 10/"
	run dk run --rm --network none berthd-test/multi:middle cat /out/middle /out/artifact
	assert_equal "$output" "middle
built 0.1 [none]"
	run dk build -f "$dir/docker/Build.df" --target nowhere "$dir"
	assert_failure
	assert_output_contains "failed to reach build target nowhere in Dockerfile"
	no_build_leftovers
}

@test "berthd build: BuildKit is answered, never left hanging: the API refuses version=2 naming DOCKER_BUILDKIT=0; docker 28 without buildx falls back to the classic builder" {
	local dir out
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN echo fell-back >/fb\n' >"$dir/Dockerfile"
	tar -C "$dir" -cf "$BATS_TEST_TMPDIR/ctx.tar" Dockerfile
	run timeout 30 curl -sS --unix-socket "$BERTHD_SOCK" -X POST -H 'Content-Type: application/x-tar' \
		--data-binary "@$BATS_TEST_TMPDIR/ctx.tar" "http://berthd/build?version=2&t=bk:1"
	assert_success
	assert_output_contains "DOCKER_BUILDKIT=0"
	run dk image inspect bk:1
	assert_failure
	# The _ping's Builder-Version 1 is what makes the CLI fall back.
	run curl -sS -D - -o /dev/null --unix-socket "$BERTHD_SOCK" http://berthd/_ping
	assert_output_contains "Builder-Version: 1"
	if "$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null | grep -q '^2[3-9]\|^[3-9]'; then
		out=$(env -u DOCKER_BUILDKIT timeout 120 "$DOCKER" build -q -t bk:2 "$dir" 2>&1) ||
			fail "docker build without DOCKER_BUILDKIT: $out"
		assert_equal "$(dk run --rm bk:2 cat /fb)" fell-back
		dk rmi bk:2 >/dev/null
	fi
	no_build_leftovers
}

@test "berthd build: a failing RUN reports its exit code and leaves no container, no image, no mount" {
	local dir before
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN echo before-failing && exit 3\nRUN echo never\n' >"$dir/Dockerfile"
	before=$(dk images -aq --no-trunc | sort)
	run dk build -t berthd-test/fails:1 "$dir"
	assert_failure
	assert_output_contains "before-failing"
	assert_output_contains "The command '/bin/sh -c echo before-failing && exit 3' returned a non-zero code: 3"
	refute_output_contains "never"
	assert_equal "$(dk images -aq --no-trunc | sort)" "$before"
	run dk image inspect berthd-test/fails:1
	assert_failure
	no_build_leftovers
	# --force-rm and --rm=false change nothing for a failed step.
	run dk build --rm=false "$dir"
	assert_failure
	assert_output_contains "returned a non-zero code: 3"
	no_build_leftovers
}

@test "berthd build: an unknown or malformed instruction names its line; nothing runs" {
	local dir
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN echo should-not-run\n\n# comment\nFOO bar\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "Dockerfile parse error line 5: unknown instruction: FOO"
	refute_output_contains "Step 1/"
	printf 'FROM berthd-test/bb:1\nEXPOSE 99999\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains 'Dockerfile line 2: invalid port "99999"'
	printf 'FROM berthd-test/bb:1\nADD http://example.com/x /x\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "ADD of a URL (http://example.com/x) is not supported by berthd"
	printf 'FROM --platform=linux/arm64 berthd-test/bb:1\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "FROM --platform=linux/arm64: berthd builds only linux/amd64"
	printf 'FROM berthd-test/no-such:1\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "No such image: berthd-test/no-such:1"
	printf 'FROM berthd-test/bb:1\nCOPY missing.txt /\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "file not found in build context or excluded by .dockerignore: stat missing.txt"
	run dk build --pull "$dir"
	assert_failure
	assert_output_contains "docker build --pull is not supported by berthd"
	no_build_leftovers
}

@test "berthd build: an unchanged rebuild is all cache (no container made); a changed file rebuilds from its COPY; --no-cache rebuilds all" {
	local dir first t0
	dir=$(ctx)
	echo v1 >"$dir/data.txt"
	printf 'FROM berthd-test/bb:1\nRUN echo ran-step >/ran\nCOPY data.txt /data.txt\nRUN cat /data.txt >/copy\nENV X=1\n' >"$dir/Dockerfile"
	run dk build -t berthd-test/cached:1 "$dir"
	assert_success
	first=$(dk image inspect -f '{{.Id}}' berthd-test/cached:1)
	t0=$(date +%s.%N)
	run dk build -t berthd-test/cached:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "4"
	refute_output_contains "Running in"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/cached:1)" "$first"
	run dk events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=container --filter event=create --filter event=start --format '{{.Action}}'
	assert_equal "$output" ""
	# A changed file: the steps before its COPY come from the cache.
	echo v2 >"$dir/data.txt"
	run dk build -t berthd-test/cached:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "1"
	assert_equal "$(dk run --rm --network none berthd-test/cached:1 cat /copy)" "v2"
	run dk build --no-cache -t berthd-test/cached:1 "$dir"
	assert_success
	refute_output_contains "Using cache"
	assert_equal "$(echo "$output" | grep -c 'Running in')" "2"
	# Every step is in the history, newest first.
	run dk history --format '{{.CreatedBy}}' --no-trunc berthd-test/cached:1
	assert_equal "$(echo "$output" | head -4)" "/bin/sh -c #(nop) ENV X=1
/bin/sh -c cat /data.txt >/copy
/bin/sh -c #(nop) COPY data.txt in /data.txt 
/bin/sh -c echo ran-step >/ran"
	no_build_leftovers
}

@test "berthd build: the cache misses on a copied file's content, mode or name (not its mtime), and the image has the new file" {
	local dir
	dir=$(ctx)
	mkdir "$dir/tree"
	echo v1 >"$dir/data.txt"
	echo a >"$dir/tree/a"
	chmod 0644 "$dir/data.txt"
	printf 'FROM berthd-test/bb:1\nCOPY data.txt /data.txt\nCOPY tree/ /tree/\nRUN stat -c %%a /data.txt >/mode && ls /tree >/names\n' >"$dir/Dockerfile"
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "3"
	# A new mtime alone is no change, as for dockerd.
	touch -d '2001-01-01' "$dir/data.txt"
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "3"
	# The mode: the COPY and what follows it are made again.
	chmod 0755 "$dir/data.txt"
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "0"
	assert_equal "$(dk run --rm --network none berthd-test/sums:1 cat /mode)" "755"
	# The content, same size and mtime as before.
	echo v2 >"$dir/data.txt"
	touch -d '2001-01-01' "$dir/data.txt"
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "0"
	assert_equal "$(dk run --rm --network none berthd-test/sums:1 cat /data.txt)" "v2"
	# A name in a copied directory: the first COPY hits, the second not.
	mv "$dir/tree/a" "$dir/tree/b"
	run dk build -t berthd-test/sums:1 "$dir"
	assert_success
	assert_equal "$(echo "$output" | grep -c -- '---> Using cache')" "1"
	assert_equal "$(dk run --rm --network none berthd-test/sums:1 cat /names)" "b"
	no_build_leftovers
}

@test "berthd build: step images are intermediate: hidden unless images -a, kept by prune, removed with the tagged image" {
	local dir base ids s1 s2 top old images_before layers_before
	# The other tests' dangling images first, so that the counts below
	# are this test's own.
	dk image prune -f >/dev/null
	images_before=$(ls "$BERTHD_DATA/images" | wc -l)
	layers_before=$(ls "$BERTHD_DATA/layers" | wc -l)
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN echo a >/a\nENV X=1\nLABEL v=1\n' >"$dir/Dockerfile"
	run dk build --network none -t berthd-test/inter:1 "$dir"
	assert_success
	# Each step's id: the first is FROM's image.
	ids=$(echo "$output" | grep -o -- '---> [0-9a-f]\{12\}$' | cut -c6-)
	assert_equal "$(echo "$ids" | wc -l)" "4"
	base=$(echo "$ids" | sed -n 1p)
	s1=$(echo "$ids" | sed -n 2p)
	s2=$(echo "$ids" | sed -n 3p)
	top=$(echo "$ids" | sed -n 4p)
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/inter:1 | cut -c8-19)" "$top"
	# The chain of parents, as dockerd records it.
	assert_equal "$(dk image inspect -f '{{.Parent}}' "$top" | cut -c8-19)" "$s2"
	assert_equal "$(dk image inspect -f '{{.Parent}}' "$s2" | cut -c8-19)" "$s1"
	assert_equal "$(dk image inspect -f '{{.Parent}}' "$s1" | cut -c8-19)" "$base"
	run dk images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	assert_success
	refute_output_contains "$s1"
	refute_output_contains "$s2"
	assert_output_contains "$top berthd-test/inter:1"
	run dk images -a --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	assert_output_contains "$s1 <none>:<none>"
	assert_output_contains "$s2 <none>:<none>"
	assert_output_contains "$top berthd-test/inter:1"
	run dk images -q --filter dangling=true
	refute_output_contains "$s1"
	refute_output_contains "$s2"
	refute_output_contains "$top"
	# Each step of the history is its image's, down to FROM's, as dockerd.
	assert_equal "$(dk history --format '{{.ID}}' berthd-test/inter:1 | tr '\n' ' ')" "$top $s2 $s1 $base "
	# A changed last step: the old top image is dangling, its parents
	# still intermediate (the new top is their child too).
	printf 'FROM berthd-test/bb:1\nRUN echo a >/a\nENV X=1\nLABEL v=2\n' >"$dir/Dockerfile"
	old=$top
	run dk build --network none -t berthd-test/inter:1 "$dir"
	assert_success
	top=$(echo "$output" | grep -o -- '---> [0-9a-f]\{12\}$' | cut -c6- | tail -1)
	[ "$top" != "$old" ]
	run dk images -q --filter dangling=true
	assert_output_contains "$old"
	refute_output_contains "$s2"
	run dk images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	assert_output_contains "$old <none>:<none>"
	refute_output_contains "$s2"
	run dk image prune -f
	assert_success
	assert_output_contains "$old"
	refute_output_contains "$s2"
	run dk image inspect "$old"
	assert_failure
	assert_equal "$(dk image inspect -f '{{.Parent}}' "$top" | cut -c8-19)" "$s2"
	# An intermediate image with a child cannot go, even forced.
	run dk rmi -f "$s2"
	assert_failure
	assert_output_contains "image has dependent child images"
	dk image inspect "$s2" >/dev/null
	# The tagged image takes its untagged parents with it, not FROM's.
	run dk rmi berthd-test/inter:1
	assert_success
	assert_output_contains "Untagged: berthd-test/inter:1"
	assert_equal "$(echo "$output" | grep -c "^Deleted: sha256:\($top\|$s2\|$s1\)")" "3"
	run dk images -aq
	refute_output_contains "$s1"
	refute_output_contains "$s2"
	refute_output_contains "$top"
	assert_output_contains "$base"
	assert_equal "$(ls "$BERTHD_DATA/images" | wc -l)" "$images_before"
	assert_equal "$(ls "$BERTHD_DATA/layers" | wc -l)" "$layers_before"
	no_build_leftovers
}

@test "berthd build: rmi of the FROM image's last tag only untags it while a built image is its child" {
	local dir own
	dir=$(ctx)
	# A FROM image of this test's own (bb:1 has the other tests' children).
	printf 'FROM berthd-test/bb:1\nLABEL own=%s\n' "$RANDOM$$" >"$dir/Dockerfile"
	dk build -q -t berthd-test/own:1 "$dir" >/dev/null
	own=$(dk image inspect -f '{{.Id}}' berthd-test/own:1)
	printf 'FROM berthd-test/own:1\nRUN echo a >/a\n' >"$dir/Dockerfile"
	run dk build --network none -t berthd-test/child:1 "$dir"
	assert_success
	run dk rmi berthd-test/own:1
	assert_success
	assert_output_contains "Untagged: berthd-test/own:1"
	refute_output_contains "Deleted"
	# Untagged with a child: an intermediate image now.
	assert_equal "$(dk image inspect -f '{{.Id}}' "$own")" "$own"
	run dk images -q --no-trunc
	refute_output_contains "$own"
	# Removing the child takes the untagged parent too, not its tagged one.
	run dk rmi berthd-test/child:1
	assert_success
	assert_output_contains "Deleted: $own"
	run dk image inspect "$own"
	assert_failure
	dk image inspect berthd-test/bb:1 >/dev/null
	no_build_leftovers
}

@test "berthd build: ONBUILD triggers run in the build FROM the image; the child keeps none" {
	local dir
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nONBUILD RUN echo triggered >/onbuild\nONBUILD ENV FROM_TRIGGER=yes\n' >"$dir/Dockerfile"
	dk build -q -t berthd-test/parent:1 "$dir" >/dev/null
	printf 'FROM berthd-test/parent:1\nRUN cat /onbuild\n' >"$dir/Dockerfile"
	run dk build -t berthd-test/child:1 "$dir"
	assert_success
	assert_output_contains "# Executing 2 build triggers"
	run dk run --rm --network none berthd-test/child:1 sh -c 'cat /onbuild; echo $FROM_TRIGGER'
	assert_equal "$output" "triggered
yes"
	assert_equal "$(dk image inspect -f '{{json .Config.OnBuild}}' berthd-test/child:1)" "null"
	no_build_leftovers
}

@test "berthd build: -q prints the id; the context's symlinks and escaping tar entries stay inside it" {
	local dir id
	dir=$(ctx)
	ln -s /etc "$dir/hostetc"
	printf 'FROM berthd-test/bb:1\nCOPY hostetc/hostname /got\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "stat hostetc/hostname: file does not exist"
	# A context tar with a ".." entry, sent as is: refused, nothing lands
	# outside.
	python3 - "$BATS_TEST_TMPDIR/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in (("Dockerfile", b"FROM berthd-test/bb:1\n"), ("../../escaped-by-build", b"x")):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
	run curl -s --unix-socket "$BERTHD_SOCK" -X POST -H 'Content-Type: application/x-tar' \
		--data-binary @"$BATS_TEST_TMPDIR/evil.tar" 'http://d/build?t=berthd-test/evil:1'
	assert_output_contains '"error"'
	[ ! -e "$BERTHD_DATA/escaped-by-build" ]
	[ ! -e "$BERTHD_DATA/tmp/escaped-by-build" ]
	rm "$dir/hostetc"
	printf 'FROM berthd-test/bb:1\nLABEL quiet=yes\n' >"$dir/Dockerfile"
	# --compress: the context comes gzip'd.
	run dk build -q --compress "$dir"
	assert_success
	id=$(echo "$output" | grep sha256:)
	assert_equal "$(dk image inspect -f '{{.Config.Labels.quiet}}' "$id")" "yes"
	refute_output_contains "Step 1/"
	no_build_leftovers
}

@test "berthd import --change: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, ONBUILD, STOPSIGNAL in the image's config" {
	run dk import \
		--change 'ENV A=1 B="two words"' --change 'EXPOSE 8080 53/udp' \
		--change 'LABEL l1=v1' --change 'USER 1000' --change 'WORKDIR /tmp' \
		--change 'VOLUME /vol' --change 'ONBUILD RUN true' --change 'STOPSIGNAL SIGUSR2' \
		--change 'ENTRYPOINT ["/bin/sh", "-c"]' --change 'CMD ["echo $A $B; id -u; pwd"]' \
		"$BERTHD_DIR/img/rootfs.tar" berthd-test/imported:1
	assert_success
	run dk image inspect -f '{{json .Config.ExposedPorts}}|{{.Config.User}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{json .Config.OnBuild}}|{{.Config.Labels.l1}}|{{json .Config.Volumes}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}' berthd-test/imported:1
	assert_equal "$output" '{"53/udp":{},"8080/tcp":{}}|1000|/tmp|SIGUSR2|["RUN true"]|v1|{"/vol":{}}|["/bin/sh","-c"]|["echo $A $B; id -u; pwd"]'
	run dk run --rm --network none berthd-test/imported:1
	assert_equal "$output" "1 two words
1000
/tmp"
	run dk import --change 'RUN true' "$BERTHD_DIR/img/rootfs.tar" berthd-test/imported:2
	assert_failure
	assert_output_contains "RUN is not a valid change command"
	run dk image inspect berthd-test/imported:2
	assert_failure
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
}

@test "berthd build: the Python docker SDK's images.build" {
	local dir
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nARG WHO\nRUN echo "hello $WHO" >/greeting\nCMD ["cat", "/greeting"]\n' >"$dir/Dockerfile"
	run python3 - "$dir" <<'PY'
import sys, docker
c = docker.from_env()
img, logs = c.images.build(path=sys.argv[1], tag="berthd-test/sdk:1", buildargs={"WHO": "sdk"}, rm=True)
print("".join(l.get("stream", "") for l in logs if "Step" in l.get("stream", "")).count("Step"))
print(c.containers.run("berthd-test/sdk:1", remove=True).decode().strip())
PY
	assert_success
	assert_equal "$output" "4
hello sdk"
	no_build_leftovers
}

@test "berthd build: FROM scratch, a layer of COPY alone; RUN before any file is refused" {
	local dir
	dir=$(ctx)
	cp "$BUSYBOX" "$dir/busybox"
	printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox echo ran >/ran"]\nCMD ["/bin/busybox", "cat", "/ran"]\n' >"$dir/Dockerfile"
	run dk build -t berthd-test/scratch:1 "$dir"
	assert_success
	assert_equal "$(dk run --rm --network none berthd-test/scratch:1)" "ran"
	assert_equal "$(dk image inspect -f '{{len .RootFS.Layers}}' berthd-test/scratch:1)" "2"
	printf 'FROM scratch\nRUN true\n' >"$dir/Dockerfile"
	run dk build "$dir"
	assert_failure
	assert_output_contains "Dockerfile line 2: RUN in a stage FROM scratch has nothing to run"
	no_build_leftovers
}

@test "berthd build: RUN is on the default network, or none with --network none" {
	local dir
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN ls /sys/class/net | sort | tr "\\n" " " >/nets; cat /nets\n' >"$dir/Dockerfile"
	run dk build --no-cache -t berthd-test/net:1 "$dir"
	assert_success
	assert_equal "$(dk run --rm --network none berthd-test/net:1 cat /nets)" "eth0 lo "
	run dk build --no-cache --network none -t berthd-test/net:2 "$dir"
	assert_success
	assert_equal "$(dk run --rm --network none berthd-test/net:2 cat /nets)" "lo "
	no_build_leftovers
}

@test "berthd build: a client that goes away ends the build: its RUN container is killed and removed" {
	local dir pid i
	dir=$(ctx)
	printf 'FROM berthd-test/bb:1\nRUN echo started; sleep 1000\nRUN echo never\n' >"$dir/Dockerfile"
	"$DOCKER" build --no-cache "$dir" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for i in $(seq 600); do
		grep -q '^started' "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	grep -q '^started' "$BATS_TEST_TMPDIR/out"
	assert_equal "$(dk ps -q | wc -l)" "1"
	kill -9 "$pid"
	wait "$pid" || true
	for i in $(seq 300); do
		[ -z "$(dk ps -aq)" ] && [ -z "$(ls -A "$BERTHD_DATA/tmp")" ] && break
		sleep 0.1
	done
	no_build_leftovers
	# The build went no further.
	run grep -c 'Step 3/3' "$BATS_TEST_TMPDIR/out"
	assert_equal "$output" "0"
}
