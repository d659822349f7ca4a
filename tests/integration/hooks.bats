#!/usr/bin/env bats
# OCI hooks: all six kinds, each in the namespace the spec says, with the
# state on stdin, their args, env and timeout; failures fail create and
# start and leave nothing, poststart and poststop failures are warnings.

load helpers

setup() {
	setup_bundle
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
	# A hook that records what it sees: stdin, order, namespaces, env.
	# The host copy serves the hooks that run in the runtime's mount
	# namespace (or before pivot_root), the rootfs copy startContainer.
	cat >"$BATS_TEST_TMPDIR/record.sh" <<'EOF'
#!/bin/sh
out=$1 kind=$2
cat >"$out/$kind.json"
echo "$kind" >>"$out/order"
readlink /proc/self/ns/mnt >"$out/$kind.mnt"
readlink /proc/self/ns/pid >"$out/$kind.pidns"
echo "$*" >"$out/$kind.args"
env >"$out/$kind.env"
EOF
	chmod +x "$BATS_TEST_TMPDIR/record.sh"
	cp "$BATS_TEST_TMPDIR/record.sh" "$BUNDLE/rootfs/record.sh"
	update_config ".mounts += [{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \"$OUT\", \"options\": [\"rbind\", \"rw\"]}]
		| .annotations = {\"org.example.key\": \"value\"}
		| .process.args = [\"sh\", \"-c\", \"echo ran >/out/ran; exec sleep 1000\"]"
}
teardown() { cleanup_containers; }

# A hook entry that records as KIND (startContainer's path is resolved in
# the container).
record_hook() {
	local kind=$1 path=$BATS_TEST_TMPDIR/record.sh out=$OUT
	if [ "$kind" = startContainer ]; then
		path=/record.sh
		out=/out
	fi
	echo "{\"path\": \"$path\", \"args\": [\"record\", \"$out\", \"$kind\", \"extra arg\"], \"env\": [\"HOOK_ENV=$kind\"]}"
}

# A hook that prints to stderr and exits with status.
failing_hook() {
	echo "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo boom-$1 >&2; exit $2\"]}"
}

@test "all six hooks run in order, each with the state on stdin, its args and env" {
	local kinds="prestart createRuntime createContainer startContainer poststart poststop" k
	for k in $kinds; do
		update_config ".hooks.$k = [$(record_hook "$k")]"
	done
	berth create --bundle "$BUNDLE" ctr
	local pid
	pid=$(berth state ctr | jq -r .pid)
	assert_equal "$(cat "$OUT/order" | xargs)" "prestart createRuntime createContainer"
	berth start ctr
	wait_for test -e "$OUT/ran"
	assert_equal "$(cat "$OUT/order" | xargs)" "prestart createRuntime createContainer startContainer poststart"
	berth delete --force ctr
	assert_equal "$(cat "$OUT/order" | xargs)" "$kinds"
	assert_no_leftovers

	for k in $kinds; do
		run jq -c '[.ociVersion, .id, .bundle, .annotations]' "$OUT/$k.json"
		assert_equal "$output" "[\"1.2.0\",\"ctr\",\"$BUNDLE\",{\"org.example.key\":\"value\"}]"
		if [ "$k" = startContainer ]; then
			assert_equal "$(cat "$OUT/$k.args")" "/out $k extra arg"
		else
			assert_equal "$(cat "$OUT/$k.args")" "$OUT $k extra arg"
		fi
		grep -qx "HOOK_ENV=$k" "$OUT/$k.env"
		# Only the hook's own env: nothing of berth's caller.
		run grep -c '^BATS_' "$OUT/$k.env"
		assert_equal "$output" 0
	done
	# prestart sees created, as crun gives it and runtime-tools checks.
	for k in createRuntime createContainer; do
		assert_equal "$(jq -r '[.status, .pid] | join(" ")' "$OUT/$k.json")" "creating $pid"
	done
	for k in prestart startContainer; do
		assert_equal "$(jq -r '[.status, .pid] | join(" ")' "$OUT/$k.json")" "created $pid"
	done
	assert_equal "$(jq -r '[.status, .pid] | join(" ")' "$OUT/poststart.json")" "running $pid"
	assert_equal "$(jq -r '[.status, .pid // "none"] | join(" ")' "$OUT/poststop.json")" "stopped none"
}

@test "each hook runs in the namespaces the spec says" {
	local kinds="prestart createRuntime createContainer startContainer poststart poststop" k
	for k in $kinds; do
		update_config ".hooks.$k = [$(record_hook "$k")]"
	done
	berth create --bundle "$BUNDLE" ctr
	local pid
	pid=$(berth state ctr | jq -r .pid)
	local ctr_mnt ctr_pidns host_mnt host_pidns
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	ctr_pidns=$(readlink "/proc/$pid/ns/pid")
	host_mnt=$(readlink /proc/self/ns/mnt)
	host_pidns=$(readlink /proc/self/ns/pid)
	[ "$ctr_mnt" != "$host_mnt" ]
	berth start ctr
	berth delete --force ctr
	# The runtime's namespace: prestart, createRuntime, poststart, poststop.
	for k in prestart createRuntime poststart poststop; do
		assert_equal "$(cat "$OUT/$k.mnt") $(cat "$OUT/$k.pidns")" "$host_mnt $host_pidns"
	done
	# The container's: createContainer (before pivot_root, its path from
	# the runtime's view) and startContainer (its path in the container).
	for k in createContainer startContainer; do
		assert_equal "$(cat "$OUT/$k.mnt") $(cat "$OUT/$k.pidns")" "$ctr_mnt $ctr_pidns"
	done
}

@test "a failing prestart, createRuntime or createContainer hook fails create, leaving nothing" {
	for k in prestart createRuntime createContainer; do
		update_config "del(.hooks) | .hooks.$k = [$(failing_hook "$k" 3)]"
		run berth create --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "hook $k[0] /bin/sh: exit status 3: boom-$k"
		assert_no_leftovers
		[ ! -e "$OUT/ran" ]
	done
	# One that cannot even start.
	update_config 'del(.hooks) | .hooks.createRuntime = [{"path": "/nonexistent/hook"}]'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "hook createRuntime[0] /nonexistent/hook: exit status 127: exec /nonexistent/hook: No such file or directory"
	assert_no_leftovers
}

@test "a hook past its timeout is killed and fails create" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "97"], "timeout": 1}]'
	local t0=$SECONDS
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "hook createRuntime[0] /bin/sleep: timed out after 1 s"
	[ $((SECONDS - t0)) -lt 10 ]
	run pgrep -f "^sleep 97$"
	assert_failure 1
	assert_no_leftovers
}

@test "a hook within its timeout passes, however much it prints" {
	# Far more output than a pipe holds: berth keeps reading.
	update_config '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 0.2; head -c 300000 /dev/zero; cat >/dev/null"], "timeout": 5}]'
	berth create --bundle "$BUNDLE" ctr
	assert_equal "$(container_status ctr)" created
}

@test "a failing startContainer hook fails start: the program never runs" {
	update_config ".hooks.startContainer = [$(failing_hook start 4)]
		| .hooks.poststop = [$(record_hook poststop)]"
	berth create --bundle "$BUNDLE" ctr
	run berth start ctr
	assert_failure 1
	assert_output_contains "hook startContainer[0] /bin/sh: exit status 4: boom-start"
	[ ! -e "$OUT/ran" ]
	assert_equal "$(container_status ctr)" stopped
	[ -z "$(cat "$(cgroup_dir)/cgroup.procs")" ]
	berth delete ctr
	# delete still runs poststop, and removes everything.
	assert_equal "$(jq -r .status "$OUT/poststop.json")" stopped
	assert_no_leftovers
}

@test "a failing poststart hook is a warning: the next one runs, the container runs" {
	update_config ".hooks.poststart = [$(failing_hook poststart 5), $(record_hook poststart)]"
	berth create --bundle "$BUNDLE" ctr
	run berth --log "$BATS_TEST_TMPDIR/log.json" --log-format json start ctr
	assert_success
	assert_output_contains "berth: warning: hook poststart[0] /bin/sh: exit status 5: boom-poststart"
	jq -e 'select(.level == "warning") | .msg | contains("boom-poststart")' "$BATS_TEST_TMPDIR/log.json"
	assert_equal "$(jq -r .status "$OUT/poststart.json")" running
	wait_for test -e "$OUT/ran"
	assert_equal "$(container_status ctr)" running
}

@test "a failing poststop hook is a warning: delete removes everything" {
	update_config ".hooks.poststop = [$(failing_hook poststop 6), $(record_hook poststop)]"
	berth run --detach --bundle "$BUNDLE" ctr
	run berth delete --force ctr
	assert_success
	assert_output_contains "berth: warning: hook poststop[0] /bin/sh: exit status 6: boom-poststop"
	assert_equal "$(jq -r .status "$OUT/poststop.json")" stopped
	assert_no_leftovers
}

@test "start and delete find poststart and poststop hooks through the state, or the config" {
	update_config ".hooks.poststart = [$(record_hook poststart)]
		| .hooks.poststop = [$(record_hook poststop)]"
	berth create --bundle "$BUNDLE" ctr
	assert_equal "$(jq -r .berth.hooks "$ROOT/ctr/state.json")" "poststart poststop"
	berth start ctr
	berth delete --force ctr
	assert_equal "$(cat "$OUT/order" | xargs)" "poststart poststop"
	# A state written before berth recorded the hooks: the config says.
	rm "$OUT/order"
	berth create --bundle "$BUNDLE" ctr
	jq 'del(.berth.hooks)' "$ROOT/ctr/state.json" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$ROOT/ctr/state.json"
	berth start ctr
	berth delete --force ctr
	assert_equal "$(cat "$OUT/order" | xargs)" "poststart poststop"
	# No hooks: nothing recorded, nothing run.
	rm "$OUT/order"
	update_config 'del(.hooks)'
	berth create --bundle "$BUNDLE" ctr
	assert_equal "$(jq -r .berth.hooks "$ROOT/ctr/state.json")" ""
	berth start ctr
	berth delete --force ctr
	[ ! -e "$OUT/order" ]
	assert_no_leftovers
}

@test "berth run runs every hook too, and a hook's failure leaves nothing" {
	update_config ".process.args = [\"true\"]
		| .hooks.createRuntime = [$(record_hook createRuntime)]
		| .hooks.poststop = [$(record_hook poststop)]"
	run_container
	assert_success
	assert_equal "$(cat "$OUT/order" | xargs)" "createRuntime poststop"
	update_config ".hooks.createContainer = [$(failing_hook cc 7)]"
	run_container
	assert_failure 1
	assert_output_contains "boom-cc"
	assert_no_leftovers
}

@test "berth run: a failing startContainer hook fails run, poststop runs, nothing is left" {
	update_config ".hooks.startContainer = [$(failing_hook start 4)]
		| .hooks.poststop = [$(record_hook poststop)]"
	run_container
	assert_failure 1
	assert_output_contains "hook startContainer[0] /bin/sh: exit status 4: boom-start"
	[ ! -e "$OUT/ran" ]
	assert_equal "$(jq -r .status "$OUT/poststop.json")" stopped
	assert_no_leftovers
	rm "$OUT/poststop.json"
	run berth run --detach --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "boom-start"
	[ ! -e "$OUT/ran" ]
	assert_equal "$(jq -r .status "$OUT/poststop.json")" stopped
	assert_no_leftovers
}

@test "berth run: startContainer sees created with the init's pid, poststart running" {
	update_config ".hooks.startContainer = [$(record_hook startContainer)]
		| .hooks.poststart = [$(record_hook poststart)]"
	berth run --detach --bundle "$BUNDLE" ctr
	wait_for test -e "$OUT/ran"
	local pid
	pid=$(berth state ctr | jq -r .pid)
	assert_equal "$(jq -r .status "$OUT/startContainer.json")" created
	assert_equal "$(jq -r .pid "$OUT/startContainer.json")" "$pid"
	assert_equal "$(jq -r .status "$OUT/poststart.json")" running
	assert_equal "$(jq -r .pid "$OUT/poststart.json")" "$pid"
	assert_equal "$(cat "$OUT/order" | xargs)" "startContainer poststart"
	assert_equal "$(container_status ctr)" running
}
