# berth run by an unprivileged user: the test user, its directory, and
# running commands as that user.
#
# The user (ROOTLESS_USER) is made once per machine and kept: useradd, and
# a range of 65536 ids in /etc/subuid and /etc/subgid when it has none,
# each step only when missing, under a lock (bats may run files at once).
# Every test gets a directory of its own, owned by the user (USER_DIR):
# a copy of berth's binary (the build tree may be closed to others), the
# bundle and rootfs, the state root and XDG_RUNTIME_DIR.

load helpers

ROOTLESS_USER=${ROOTLESS_USER:-berth-rootless}
# One range of this size for the user's second mappings.
SUBID_COUNT=65536

# The first id after every range /etc/subuid or /etc/subgid gives anyone
# (100000 at least, as useradd starts there).
next_free_subid() {
	cat /etc/subuid /etc/subgid 2>/dev/null |
		awk -F: 'NF == 3 { e = $2 + $3; if (e > m) m = e } END { print (m > 100000 ? m : 100000) }'
}

# Make the test user and its ranges where missing.
ensure_rootless_user() {
	local start
	# A chroot may lack /run/lock (nothing booted there).
	mkdir -p /run/lock
	(
		flock 9
		if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
			useradd --create-home --shell /bin/sh "$ROOTLESS_USER" || exit 1
		fi
		touch /etc/subuid /etc/subgid
		if ! grep -q "^$ROOTLESS_USER:" /etc/subuid; then
			start=$(next_free_subid)
			usermod --add-subuids "$start-$((start + SUBID_COUNT - 1))" "$ROOTLESS_USER" || exit 1
		fi
		if ! grep -q "^$ROOTLESS_USER:" /etc/subgid; then
			start=$(next_free_subid)
			usermod --add-subgids "$start-$((start + SUBID_COUNT - 1))" "$ROOTLESS_USER" || exit 1
		fi
	) 9>/run/lock/berth-rootless-user.lock
}

# The user's first subordinate range in /etc/subuid or /etc/subgid ($1):
# "start count".
subid_range() {
	awk -F: -v u="$ROOTLESS_USER" '$1 == u { print $2, $3; exit }' "$1"
}

# Set up a test: skip where user namespaces cannot be made (a chroot),
# make the user, its directory, a bundle with `berth spec --rootless`'s
# config (a command that exits, no terminal).
setup_rootless() {
	require_userns
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		fail "newuidmap and newgidmap are missing (Debian package uidmap; make deps)" || return
	ensure_rootless_user || fail "cannot make the test user $ROOTLESS_USER" || return
	RUID=$(id -u "$ROOTLESS_USER")
	RGID=$(id -g "$ROOTLESS_USER")
	USER_DIR=$(mktemp -d /tmp/berth-rootless-test.XXXXXX)
	mkdir -p "$USER_DIR/bin" "$USER_DIR/xdg" "$USER_DIR/host"
	cp "$BERTH" "$USER_DIR/bin/berth"
	UBERTH=$USER_DIR/bin/berth
	BUNDLE=$USER_DIR/bundle
	ROOT=$USER_DIR/root
	make_rootfs "$BUNDLE/rootfs"
	chown -R "$RUID:$RGID" "$USER_DIR"
	chmod 0700 "$USER_DIR/xdg"
	chmod 0755 "$USER_DIR"
	as_user "$UBERTH" spec --rootless || return
	update_config '.process.terminal = false | .process.args = ["true"]'
	USER_CGROUPS_BEFORE=$(user_cgroups)
}

# helpers.bash's update_config, leaving the file the user's.
update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json" &&
		chown "$RUID:$RGID" "$BUNDLE/config.json" && chmod 0644 "$BUNDLE/config.json"
}

# Run a command as the test user, with a small known environment, in the
# bundle (where berth and runc look for it).
as_user() {
	(cd "${BUNDLE:-$USER_DIR}" &&
		runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME="$USER_DIR" XDG_RUNTIME_DIR="$USER_DIR/xdg" "$@")
}

# berth as the test user, with the test's state root.
uberth() {
	as_user "$UBERTH" --root "$ROOT" "$@"
}

# `run uberth ...` for commands that leave a container behind (run -d,
# create): its stdout and stderr go to a file, not to bats' pipe.
run_uberth_detached() {
	local out=$USER_DIR/detached.out
	status=0
	as_user "$UBERTH" --root "$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	return 0
}

# Cgroup directories the test user made (owns): a container without a
# delegated subtree gets none.
user_cgroups() {
	# Others' cgroups come and go while find walks (it then fails on
	# them): what it found is the answer.
	find /sys/fs/cgroup/* -xdev -type d -user "$RUID" 2>/dev/null || true
}

# The test user's live processes (pid and command line).  Zombies do not
# count: a detached container's init is re-parented to the host's init,
# which may be slow to reap it.
user_processes() {
	ps -u "$RUID" -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/'
}
no_user_processes() {
	[ -z "$(user_processes)" ]
}

# Fail if anything of the test's containers remains: a state in the
# root, a process of the user, a cgroup the user made; then remove the
# test's directory.
teardown_rootless() {
	local id failed=0 p
	[ -n "${USER_DIR:-}" ] || return 0
	for id in $(ls "$ROOT" 2>/dev/null) $(ls "$USER_DIR/xdg/berth" 2>/dev/null); do
		as_user "$UBERTH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
		as_user "$UBERTH" delete --force "$id" >/dev/null 2>&1 || true
	done
	if [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
		echo "state left behind: $(ls "$ROOT" | xargs)" >&2
		failed=1
	fi
	if ! wait_for no_user_processes; then
		echo "processes of $ROOTLESS_USER left behind: $(user_processes)" >&2
		failed=1
		for p in $(user_processes | awk '{print $1}'); do
			kill -9 "$p" 2>/dev/null
		done
	fi
	if [ "$(user_cgroups)" != "$USER_CGROUPS_BEFORE" ]; then
		echo "cgroups of $ROOTLESS_USER appeared: $(user_cgroups | xargs)" >&2
		failed=1
	fi
	rm -rf "$USER_DIR"
	return "$failed"
}
