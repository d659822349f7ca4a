#!/usr/bin/env bats
# Mounts as runc makes them: the same config run by berth and by runc
# (where it is installed), comparing what the container sees.

load helpers
load peer_helpers

setup() { setup_peer; }
teardown() {
	local failed=0
	if [ -n "${LOCKED:-}" ] && mountpoint -q "$LOCKED"; then
		umount "$LOCKED"
	fi
	cleanup_peer
	cleanup_containers || failed=1
	return "$failed"
}

@test "tmpfs: no mode gives the kernel's 1777, mode=444 gives exactly 444" {
	update_config '.mounts += [
		{"destination": "/t1", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/t2", "type": "tmpfs", "source": "tmpfs", "options": ["mode=444"]}]
		| .process.args = ["stat", "-c", "%n %a", "/t1", "/t2"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" "/t1 1777"
	assert_equal "${lines[1]}" "/t2 444"
	# runc 1.1 gives both the mode of the directory it made (755), which
	# later runc releases fix: README lists this among the differences.
	assert_no_leftovers
}

@test "rootfsPropagation: every value works, the root shows it" {
	local p want
	update_config '.process.args = ["sh", "-c", "awk '\''$5 == \"/\"'\'' /proc/self/mountinfo"]'
	for p in private rprivate slave rslave shared rshared unbindable runbindable; do
		update_config ".linux.rootfsPropagation = \"$p\""
		run_container
		assert_success
		case $p in
		*shared) want=" shared:" ;;
		*unbindable) want=" unbindable " ;;
		*) want="" ;;
		esac
		if [ -n "$want" ]; then
			[[ "$output" == *"$want"* ]] || fail "$p: root is not$want: $output"
		else
			[[ "$output" != *shared:* && "$output" != *unbindable* ]] ||
				fail "$p: root is not private or slave: $output"
		fi
		assert_no_leftovers
		if have_runc && [[ $p != *unbindable ]]; then
			# runc 1.1 refuses unbindable (EINVAL binding the rootfs).
			run_runc
			assert_success
		fi
	done
	# The host's rootfs mount is untouched: berth's own mount namespace
	# took every change.
	run awk -v p="$BUNDLE/rootfs" '$5 == p' /proc/self/mountinfo
	assert_equal "$output" ""
}

@test "bind targets through dangling symlinks are made inside the rootfs, never on the host" {
	local name=berth-dangling-$$ src=$BATS_TEST_TMPDIR/src want
	mkdir -p "$src"
	echo data >"$src/f"
	ln -s "/$name-a/sub" "$BUNDLE/rootfs/abs"
	ln -s "../../../$name-b" "$BUNDLE/rootfs/rel"
	ln -s "/$name-c" "$BUNDLE/rootfs/file"
	cat >"$BUNDLE/rootfs/probe" <<-EOS
		cat /abs/f /rel/x/f /file
		awk '\$5 ~ /$name/ { print \$5 }' /proc/self/mountinfo
	EOS
	update_config ".root.readonly = false | .mounts += [
		{\"destination\": \"/abs\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]},
		{\"destination\": \"/rel/x\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]},
		{\"destination\": \"/file\", \"type\": \"bind\", \"source\": \"$src/f\", \"options\": [\"bind\"]}]
		| .process.args = [\"sh\", \"/probe\"]"
	run_container
	assert_success
	want="data
data
data
/$name-a/sub
/$name-b/x
/$name-c"
	assert_equal "$(echo "$output" | sort)" "$(echo "$want" | sort)"
	assert_no_leftovers
	# Made in the rootfs, nothing on the host's /.
	[ -d "$BUNDLE/rootfs/$name-a/sub" ] || fail "no $name-a/sub in the rootfs"
	[ -d "$BUNDLE/rootfs/$name-b/x" ] || fail "no $name-b/x in the rootfs"
	[ -f "$BUNDLE/rootfs/$name-c" ] || fail "no file $name-c in the rootfs"
	run ls -d /"$name"-a /"$name"-b /"$name"-c
	assert_failure
	assert_equal "$(ls -d /"$name"* 2>/dev/null)" ""
	if have_runc; then
		rm -rf "$BUNDLE/rootfs/$name"-*
		run_runc
		assert_success
		assert_equal "$(echo "$output" | sort)" "$(echo "$want" | sort)"
		[ -f "$BUNDLE/rootfs/$name-c" ] || fail "runc made no file $name-c in the rootfs"
	fi
}

@test "mounts are made in config order: a later source inside an earlier mount sees it" {
	local src=$BATS_TEST_TMPDIR/src want
	mkdir -p "$src/sub" "$BUNDLE/rootfs/data/sub"
	echo host >"$src/sub/f"
	echo under >"$BUNDLE/rootfs/data/sub/under"
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		ls /other
		touch /t/made-in-t
		ls /t2
		awk '$5 ~ /^\/(data|other|t|t2)$/ { print $5 }' /proc/self/mountinfo
	EOS
	update_config ".root.readonly = false | .mounts += [
		{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]},
		{\"destination\": \"/other\", \"type\": \"bind\", \"source\": \"$BUNDLE/rootfs/data/sub\", \"options\": [\"bind\"]},
		{\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},
		{\"destination\": \"/t2\", \"type\": \"bind\", \"source\": \"$BUNDLE/rootfs/t\", \"options\": [\"rbind\"]}]
		| .process.args = [\"sh\", \"/probe\"]"
	run_container
	assert_success
	# /other is the host's src/sub (bound over /data first), not what
	# the rootfs hides below; /t2 is the tmpfs made at /t; mountinfo
	# lists them in config order.
	want="f
made-in-t
/data
/other
/t
/t2"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		run_runc
		assert_success
		assert_equal "$output" "$want"
	fi
}

# What /dev looks like inside: its entries, its mounts, whether it is
# writable.
dev_probe() {
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		ls /dev | xargs
		awk '$5 ~ /^\/dev/ { split($6, o, ","); print $5, o[1] }' /proc/self/mountinfo
		echo hi >/dev/null && echo null-works
		touch /dev/new 2>&1
		exit 0
	EOS
	update_config '.process.args = ["sh", "/probe"]'
}

@test "a read-only tmpfs /dev keeps devpts, shm and mqueue below it" {
	local want
	dev_probe
	update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	run_container
	assert_success
	want="fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero
/dev ro
/dev/pts rw
/dev/shm rw
/dev/mqueue rw
null-works
touch: /dev/new: Read-only file system"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		run_runc
		assert_success
		assert_equal "$output" "$want"
	fi
}

@test "a read-only bind at /dev keeps devpts, shm and mqueue below it" {
	local devdir=$BATS_TEST_TMPDIR/devdir want
	mkdir "$devdir"
	mknod "$devdir/null" c 1 3
	mknod "$devdir/zero" c 1 5
	dev_probe
	update_config "(.mounts[] | select(.destination == \"/dev\")) |=
		{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$devdir\", \"options\": [\"rbind\", \"ro\", \"nosuid\"]}"
	run_container
	assert_success
	want="mqueue null pts shm zero
/dev ro
/dev/pts rw
/dev/shm rw
/dev/mqueue rw
null-works
touch: /dev/new: Read-only file system"
	assert_equal "$output" "$want"
	# The mount points were made in the source while it was writable,
	# as runc makes them; the container could write nothing else there.
	assert_equal "$(ls "$devdir" | xargs)" "mqueue null pts shm zero"
	assert_no_leftovers
	if have_runc; then
		run_runc
		assert_success
		assert_equal "$output" "$want"
	fi
}

@test "bind mounts keep the source's nosuid, nodev, noexec, ro and atime unless asked otherwise" {
	local o i=0 mounts="" want
	LOCKED=$BATS_TEST_TMPDIR/locked
	mkdir "$LOCKED"
	mount -t tmpfs -o ro,nosuid,nodev,noexec,noatime tmpfs "$LOCKED"
	for o in '"bind"' '"bind", "ro"' '"bind", "relatime"' '"bind", "strictatime"' \
		'"rbind", "rw", "dev", "suid", "exec"'; do
		i=$((i + 1))
		mounts="$mounts{\"destination\": \"/m$i\", \"type\": \"bind\", \"source\": \"$LOCKED\", \"options\": [$o]},"
	done
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		awk '$5 ~ /^\/m[0-9]$/ { print $5, $6 }' /proc/self/mountinfo
	EOS
	update_config ".mounts += [${mounts%,}] | .process.args = [\"sh\", \"/probe\"]"
	run_container
	assert_success
	# No option: the source's flags as they are (an implied rw stays ro);
	# ro or an atime mode: that one changed, the rest kept; options that
	# clear flags: cleared, as asked.
	want="/m1 ro,nosuid,nodev,noexec,noatime
/m2 ro,nosuid,nodev,noexec,noatime
/m3 ro,nosuid,nodev,noexec,relatime
/m4 ro,nosuid,nodev,noexec
/m5 rw,noatime"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		# runc 1.1 agrees on the bind without options; with one it
		# remounts with only the flags named (README lists it).
		run_runc
		assert_success
		assert_equal "${lines[0]}" "/m1 ro,nosuid,nodev,noexec,noatime"
	fi
}

@test "--no-pivot: masked and read-only paths still hold" {
	local want
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		wc -c </proc/keys
		wc -c </proc/timer_list
		ls /sys/firmware | wc -l
		echo x 2>&1 >/proc/sys/kernel/domainname
		awk '$5 == "/proc/keys" || $5 == "/proc/sys" { split($6, o, ","); print $5, o[1] }' /proc/self/mountinfo
		exit 0
	EOS
	update_config '.process.args = ["sh", "/probe"]'
	run berth run --no-pivot --bundle "$BUNDLE" ctr
	assert_success
	want="0
0
0
/probe: line 4: can't create /proc/sys/kernel/domainname: Read-only file system
/proc/sys ro
/proc/keys rw"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		run_runc --no-pivot
		assert_success
		assert_equal "$output" "$want"
	fi
}

@test "user namespace: bind sources only the host's root may reach are mounted, exec works" {
	local priv=$BATS_TEST_TMPDIR/private want
	require_userns
	mkdir -p "$priv/a" "$priv/b" "$BUNDLE/rootfs/a" "$BUNDLE/rootfs/b"
	echo secret-a >"$priv/a/f"
	echo secret-b >"$priv/b/f"
	# Only the host's root may traverse it: the container's root is
	# host uid 100000.
	chmod 700 "$priv"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	make_bundle_reachable
	update_config ".linux.namespaces += [{\"type\": \"user\"}]
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
		| .mounts += [
		{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"$priv/a\", \"options\": [\"bind\", \"ro\"]},
		{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$priv/b\", \"options\": [\"rbind\"]}]
		| .process.args = [\"sh\", \"-c\", \"cat /a/f /b/f; awk '\$5 == \\\"/a\\\" || \$5 == \\\"/b\\\" { split(\$6, o, \\\",\\\"); print \$5, o[1] }' /proc/self/mountinfo\"]"
	run_container
	assert_success
	want="secret-a
secret-b
/a ro
/b rw"
	assert_equal "$output" "$want"
	assert_no_leftovers
	update_config '.process.args = ["sleep", "1000"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	run berth exec ctr cat /a/f /b/f
	assert_success
	assert_equal "$output" "secret-a
secret-b"
	berth delete --force ctr
	assert_no_leftovers
	if have_runc; then
		update_config '.process.args = ["cat", "/a/f", "/b/f"]'
		run_runc
		assert_success
		assert_equal "$output" "secret-a
secret-b"
	fi
}
