#!/usr/bin/env bats
# berthd and an image's settings: what the image config says is what
# `docker run` does and what `docker image inspect` shows; a container's
# log driver is reported as one the SDKs read logs from.

load berthd_helpers
berthd_file_hooks

# An image of the busybox rootfs with every run setting the image config
# can carry (ARCHIVE_CONFIG adds to make_docker_archive's Env, Cmd,
# WorkingDir and Labels).
settings_image() {
	ARCHIVE_CONFIG='"User":"1234:5678","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Entrypoint":["/bin/sh","-c"],"StopSignal":"SIGUSR1","OnBuild":["RUN echo child"],' \
		make_docker_archive "$BATS_TEST_TMPDIR/settings.tar" berthd-test/settings:1 \
		"$BERTHD_DIR/img/rootfs.tar"
	dk load -i "$BATS_TEST_TMPDIR/settings.tar" >/dev/null
}

@test "berthd image config: docker image inspect shows every setting the config carries" {
	settings_image
	run dk image inspect -f '{{json .Config.ExposedPorts}}|{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{json .Config.OnBuild}}|{{json .Config.Labels}}|{{json .Config.Env}}' berthd-test/settings:1
	assert_success
	assert_equal "$output" '{"53/udp":{},"80/tcp":{}}|1234:5678|["/bin/sh","-c"]|["sh","-c","echo default-cmd"]|/tmp|SIGUSR1|["RUN echo child"]|{"from":"image"}|["PATH=/bin:/usr/bin","FROM_IMAGE=yes"]'
	# An image without them shows null, as dockerd does.
	run dk image inspect -f '{{json .Config.ExposedPorts}}|{{json .Config.OnBuild}}' berthd-test/bb:1
	assert_equal "$output" 'null|null'
}

@test "berthd image config: the container runs with the image's user, entrypoint, workdir, env merge, labels and stop signal" {
	settings_image
	# The entrypoint is sh -c: the command given is its argument.
	run dk run --name set1 -e FROM_IMAGE=overridden -e MINE=1 berthd-test/settings:1 \
		'id -u; id -g; pwd; echo $FROM_IMAGE $MINE $PATH'
	assert_success
	assert_equal "$output" "1234
5678
/tmp
overridden 1 /bin:/usr/bin"
	run dk inspect -f '{{.Config.User}}|{{json .Config.Entrypoint}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{index .Config.Labels "from"}}' set1
	assert_equal "$output" '1234:5678|["/bin/sh","-c"]|/tmp|SIGUSR1|image'
	# The image's stop signal is what docker stop sends: a shell that
	# traps USR1 says so and exits.
	dk run -d --name set2 -u 0 berthd-test/settings:1 \
		'trap "echo got-usr1 >/tmp/sig; exit 7" USR1; while :; do sleep 0.1; done' >/dev/null
	wait_status set2 running
	dk stop set2 >/dev/null
	run dk inspect -f '{{.State.ExitCode}}' set2
	assert_equal "$output" "7"
	run cat "$(dk inspect -f '{{.GraphDriver.Data.UpperDir}}' set2)/tmp/sig"
	assert_equal "$output" "got-usr1"
}

@test "berthd image config: a container's LogConfig is json-file, and the Python SDK's containers.run returns the output; its exec_run gives the output and exit code" {
	run dk run --name lc berthd-test/bb:1 echo hello
	assert_success
	run dk inspect -f '{{.HostConfig.LogConfig.Type}}' lc
	assert_equal "$output" "json-file"
	run dk info -f '{{.LoggingDriver}}'
	assert_equal "$output" "json-file"
	# Asking for it, as a client that copies an inspect back does, is
	# asking for what berthd does; another driver is refused.
	run dk run --rm --log-driver json-file berthd-test/bb:1 echo again
	assert_equal "$output" "again"
	run dk run --rm --log-driver syslog berthd-test/bb:1 echo no
	assert_failure
	assert_output_contains "log driver \"syslog\" is not supported by berthd"
	command -v python3 >/dev/null && python3 -c 'import docker' 2>/dev/null ||
		skip "python3-docker is not installed"
	run python3 -c '
import docker
c = docker.from_env()
out = c.containers.run("berthd-test/bb:1", ["sh", "-c", "echo from-sdk; echo to-err >&2"], name="sdk", stderr=True)
print(out.decode().strip().replace("\n", " "))
ct = c.containers.get("sdk")
print(ct.attrs["HostConfig"]["LogConfig"]["Type"], ct.attrs["State"]["ExitCode"])
'
	assert_success
	assert_equal "$output" "from-sdk to-err
json-file 0"
	# exec_run: its output and exit code, and what the process saw.
	run python3 -c '
import docker
c = docker.from_env()
ct = c.containers.run("berthd-test/bb:1", ["sleep", "100"], name="sdk-exec", detach=True)
r = ct.exec_run(["sh", "-c", "echo in-$HOSTNAME $(id -u); exit 3"], environment={"HOSTNAME": "x"})
print(r.exit_code, r.output.decode().strip())
r = ct.exec_run("id -u", user="65534")
print(r.exit_code, r.output.decode().strip())
ct.remove(force=True)
'
	assert_success
	assert_equal "$output" "3 in-x 0
0 65534"
}
