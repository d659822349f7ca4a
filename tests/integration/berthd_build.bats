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
	run dk run --rm berthd-test/built:1
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
