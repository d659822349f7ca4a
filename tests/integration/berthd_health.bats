#!/usr/bin/env bats
# Healthchecks: --health-cmd and its options, the status inspect, ps and
# events show, and what a failing check makes of the container.

load berthd_helpers

berthd_file_hooks

health() {
	dk inspect -f '{{.State.Health.Status}}' "$1"
}

@test "berthd health: a passing check turns starting into healthy, a failing one unhealthy after its retries" {
	local since
	since=$(($(date +%s) - 1))
	dk run -d --name good --health-cmd 'test -e /tmp/ready' --health-interval 200ms \
		--health-timeout 2s --health-retries 2 berthd-test/bb:1 \
		sh -c 'sleep 1; touch /tmp/ready; exec sleep 1000' >/dev/null
	assert_equal "$(health good)" "starting"
	assert_equal "$(dk ps --format '{{.Status}}' --filter name=good | grep -o '(.*)')" "(health: starting)"
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' good)\" = healthy ]"
	assert_equal "$(dk inspect -f '{{.State.Health.FailingStreak}}' good)" "0"
	assert_equal "$(dk ps --format '{{.Status}}' --filter name=good | grep -o '(.*)')" "(healthy)"
	assert_equal "$(dk inspect -f '{{json .Config.Healthcheck.Test}}' good)" '["CMD-SHELL","test -e /tmp/ready"]'
	# docker ps --filter health=: none for a container without a check.
	dk run -d --name unchecked berthd-test/bb:1 sleep 1000 >/dev/null
	assert_equal "$(dk ps --filter health=healthy --format '{{.Names}}')" "good"
	assert_equal "$(dk ps --filter health=none --format '{{.Names}}')" "unchecked"
	assert_equal "$(dk ps --filter health=unhealthy --format '{{.Names}}')" ""
	run dk ps --filter health=bogus
	assert_failure
	assert_output_contains "Unrecognised filter value for health: bogus"
	dk rm -f unchecked >/dev/null
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=good \
		--format '{{.Action}}'
	assert_output_contains "health_status: healthy"
	# Failing: unhealthy after two failures in a row, with the output.
	dk exec good rm /tmp/ready
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' good)\" = unhealthy ]"
	run dk inspect -f '{{.State.Health.FailingStreak}} {{range .State.Health.Log}}{{.ExitCode}}{{end}}' good
	[[ "$output" =~ ^[2-9]\ .*11$ ]]
	dk rm -f good >/dev/null
}

@test "berthd health: CMD form, output kept, a timeout is a failure; --no-healthcheck" {
	dk run -d --name cmdform --health-cmd 'echo probe-out' --health-interval 200ms \
		berthd-test/bb:1 sleep 1000 >/dev/null
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' cmdform)\" = healthy ]"
	assert_equal "$(dk inspect -f '{{json (index .State.Health.Log 0).Output}}' cmdform)" '"probe-out\n"'
	run curl -sS --unix-socket "$BERTHD_SOCK" -X POST -H 'Content-Type: application/json' \
		"http://berthd/containers/create?name=slow" \
		-d '{"Image":"berthd-test/bb:1","Cmd":["sleep","1000"],"Healthcheck":{"Test":["CMD","sleep","5"],"Interval":200000000,"Timeout":300000000,"Retries":1}}'
	assert_success
	dk start slow >/dev/null
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' slow)\" = unhealthy ]"
	assert_equal "$(dk inspect -f '{{(index .State.Health.Log 0).Output}}' slow)" "Health check exceeded timeout (0s)"
	dk run -d --name nocheck --no-healthcheck berthd-test/bb:1 sleep 1000 >/dev/null
	assert_equal "$(dk inspect -f '{{.State.Health}}' nocheck)" "<nil>"
	# Straight to the API: Debian's docker CLI (20.10) has no
	# --health-start-interval.
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"StartInterval":1000000000}}'
	assert_equal "${lines[-1]}" "501"
	assert_output_contains "a start interval is not supported by berthd"
	# berthd stops at once with probes going, and probes again after.
	berthd_stop TERM
	berthd_start
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' cmdform)\" = healthy ]"
	dk rm -f cmdform slow nocheck >/dev/null
}

@test "berthd health: the image's HEALTHCHECK applies unless the request gives one" {
	local dir=$BERTHD_DIR/healthimg
	mkdir -p "$dir"
	ARCHIVE_CONFIG='"Healthcheck":{"Test":["CMD-SHELL","echo from-image"],"Interval":200000000,"Retries":2},' \
		make_docker_archive "$dir/img.tar" berthd-test/health:1 "$BERTHD_DIR/img/rootfs.tar"
	dk load -i "$dir/img.tar" >/dev/null
	dk run -d --name fromimage berthd-test/health:1 sleep 1000 >/dev/null
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' fromimage)\" = healthy ]"
	# The probe's output is kept as printed, newline included.
	assert_equal "$(dk inspect -f '{{(index .State.Health.Log 0).Output}}' fromimage)" "from-image"
	assert_equal "$(dk inspect -f '{{.Config.Healthcheck.Retries}}' fromimage)" "2"
	dk run -d --name overridden --no-healthcheck berthd-test/health:1 sleep 1000 >/dev/null
	assert_equal "$(dk inspect -f '{{.State.Health}}' overridden)" "<nil>"
	dk rm -f fromimage overridden >/dev/null
	dk rmi berthd-test/health:1 >/dev/null
}

@test "berthd health: a killed berthd's successor keeps each running container's health; docker restart starts it over" {
	# A failing probe takes its whole timeout (2 s): a new run stays
	# "starting" for seconds, long enough to be seen.
	dk run -d --name kept --health-cmd 'test -e /tmp/ok || sleep 10' --health-interval 300ms \
		--health-timeout 2s --health-retries 2 berthd-test/bb:1 sleep 1000 >/dev/null
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' kept)\" = unhealthy ]"
	# Paused, it is probed no more: its health holds still.
	dk pause kept >/dev/null
	local before
	before=$(dk inspect -f '{{json .State.Health}}' kept)
	[[ "$(dk inspect -f '{{.State.Health.FailingStreak}} {{len .State.Health.Log}}' kept)" =~ ^[2-9]\ [2-5]$ ]]
	berthd_stop KILL
	berthd_start
	# Status, failing streak and the probes' log, as they were.
	assert_equal "$(dk inspect -f '{{json .State.Health}}' kept)" "$before"
	dk unpause kept >/dev/null
	dk exec kept touch /tmp/ok
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' kept)\" = healthy ]"
	assert_equal "$(dk inspect -f '{{.State.Health.FailingStreak}}' kept)" "0"
	assert_equal "$(dk ps --format '{{.Status}}' --filter name=kept | grep -o '(.*)')" "(healthy)"
	# docker restart is a new run: its health starts over, as dockerd's.
	dk exec kept rm /tmp/ok
	dk restart -t 0 kept >/dev/null
	run dk inspect -f '{{.State.Health.Status}} {{.State.StartedAt}}' kept
	assert_success
	local status=${output% *} started=${output#* } probe
	assert_equal "$status" "starting"
	for probe in $(dk inspect -f '{{range .State.Health.Log}}{{.Start}} {{end}}' kept); do
		[[ ! "$probe" < "$started" ]] || fail "probe of the old run kept: $probe < $started"
	done
	wait_for sh -c "[ \"\$($DOCKER inspect -f '{{.State.Health.Status}}' kept)\" = unhealthy ]"
	dk rm -f kept >/dev/null
}
