#!/usr/bin/env bats
# docker commit through berthd: the container's writable layer (files
# added, changed, deleted, a directory made opaque) becomes a layer on
# its image's; the run config is the container's, changed by --change;
# -m and -a land in the image; the new image runs with all of it and
# saves and loads like any other.

load berthd_helpers
berthd_file_hooks

@test "berthd commit: the writable layer on the image's layers, deletions and opaque directories kept; the container's config" {
	dk run --name src -e FROM_RUN=1 -w /app --label run=yes berthd-test/two:layers sh -c '
		mkdir -p /app; echo made >/app/file; rm /bin/cat; echo changed >/etc/greeting
		rm -rf /tmp; mkdir /tmp; echo fresh >/tmp/only' >/dev/null
	run dk commit -m "a message" -a "someone <s@example.com>" src berthd-test/committed:1
	assert_success
	local id=$output parent
	parent=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/committed:1)" "$id"
	run dk image inspect -f '{{len .RootFS.Layers}}|{{.Comment}}|{{.Author}}|{{.Config.WorkingDir}}|{{index .Config.Labels "run"}}|{{index .Config.Labels "from"}}|{{json .Config.Cmd}}' berthd-test/committed:1
	assert_equal "$output" '3|a message|someone <s@example.com>|/app|yes|image|["sh","-c","\n\t\tmkdir -p /app; echo made >/app/file; rm /bin/cat; echo changed >/etc/greeting\n\t\trm -rf /tmp; mkdir /tmp; echo fresh >/tmp/only"]'
	# The image's layers are the parent's plus one.
	assert_equal "$(dk image inspect -f '{{index .RootFS.Layers 0}} {{index .RootFS.Layers 1}}' berthd-test/committed:1)" \
		"$(dk image inspect -f '{{index .RootFS.Layers 0}} {{index .RootFS.Layers 1}}' berthd-test/two:layers)"
	run dk run --rm --entrypoint sh berthd-test/committed:1 -c '
		cat /app/file /etc/greeting; ls /tmp; echo "$FROM_RUN $FROM_IMAGE"; pwd
		ls /bin/cat 2>/dev/null || echo no-cat; ls /bin/ls 2>/dev/null || echo no-ls'
	assert_equal "$output" "made
changed
only
1 yes
/app
no-cat
no-ls"
	# The new layer holds only what the container changed, in docker's
	# whiteout form, without berthd's own mount points.
	local top
	top=$(dk image inspect -f '{{index .RootFS.Layers 2}}' berthd-test/committed:1)
	run sh -c "tar -tf '$BERTHD_DATA/layers/${top#sha256:}/blob' 2>&1 | sort"
	assert_equal "$output" "app/
app/file
bin/
bin/.wh.cat
etc/
etc/greeting
tmp/
tmp/.wh..wh..opq
tmp/only"
	run dk history -q --no-trunc berthd-test/committed:1
	assert_equal "${lines[0]}" "$id"
	# It saves and loads back with the same id.
	dk save -o "$BATS_TEST_TMPDIR/c.tar" berthd-test/committed:1
	dk rmi berthd-test/committed:1 >/dev/null
	dk load -i "$BATS_TEST_TMPDIR/c.tar" >/dev/null
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/committed:1)" "$id"
	[ "$parent" != "$id" ]
}

@test "berthd commit: --change sets CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, STOPSIGNAL, ONBUILD; others are refused; a running container is paused meanwhile" {
	local t0=$(($(date +%s) - 1))
	dk run -d --name live berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status live running
	run dk commit \
		--change 'ENV A=1 B="two words"' --change 'ENV C three' \
		--change 'EXPOSE 8080 53/udp' --change 'LABEL l1=v1 "l2=v 2"' \
		--change 'USER 1234:5678' --change 'WORKDIR /srv' --change 'WORKDIR sub' \
		--change 'STOPSIGNAL SIGUSR2' --change 'ONBUILD RUN true' \
		--change 'ENTRYPOINT ["/bin/sh", "-c"]' --change 'CMD ["echo \"$A $B $C\" $(id -u) $(pwd)"]' \
		live berthd-test/changed:1
	assert_success
	run dk image inspect -f '{{json .Config.ExposedPorts}}|{{.Config.User}}|{{.Config.WorkingDir}}|{{.Config.StopSignal}}|{{json .Config.OnBuild}}|{{index .Config.Labels "l2"}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}' berthd-test/changed:1
	assert_equal "$output" '{"53/udp":{},"8080/tcp":{}}|1234:5678|/srv/sub|SIGUSR2|["RUN true"]|v 2|["/bin/sh","-c"]|["echo \"$A $B $C\" $(id -u) $(pwd)"]'
	run dk inspect -f '{{.State.Status}}' live
	assert_equal "$output" "running"
	# Paused while its layer was read, and running again.
	run dk events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=live --filter event=pause --filter event=unpause --filter event=commit --format '{{.Action}}'
	assert_equal "$output" "pause
unpause
commit"
	# ENTRYPOINT is sh -c, the exec form CMD its script.
	run dk run --rm berthd-test/changed:1
	assert_equal "$output" "1 two words three 1234 /srv/sub"
	# A lone ENTRYPOINT drops the command the container had.
	dk commit --change 'ENTRYPOINT ["echo", "only"]' live berthd-test/changed:2 >/dev/null
	run dk image inspect -f '{{json .Config.Cmd}}' berthd-test/changed:2
	assert_equal "$output" "null"
	local before
	before=$(dk images -q | sort)
	run dk commit --change 'RUN echo no' live berthd-test/changed:3
	assert_failure
	assert_output_contains "RUN is not a valid change command"
	run dk commit --change 'EXPOSE 99999' live berthd-test/changed:3
	assert_failure
	assert_output_contains 'EXPOSE: invalid port "99999"'
	run dk commit nosuch berthd-test/changed:3
	assert_failure
	assert_output_contains "No such container: nosuch"
	assert_equal "$(dk images -q | sort)" "$before"
	run ls -A "$BERTHD_DATA/tmp"
	assert_equal "$output" ""
}
