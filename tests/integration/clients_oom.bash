# The memory limit enforced: a process past it is OOM-killed, inside the
# container, and its cgroup counts the kill.

# A shell loop that doubles a string until it holds 128 MiB (the shell
# keeps a few copies of it, about 260 MiB at its peak), then exits 0: a
# limit of 64 MiB OOM-kills it, none lets it end without taking the
# host's memory.  (busybox has no allocator applet.)
HOG='a=x; i=0; while [ $i -lt 27 ]; do a=$a$a; i=$((i + 1)); done'

# Fail unless the kernel counted an OOM kill in memory cgroup directory
# $1 (v2: memory.events; v1 reports it in memory.oom_control).
assert_oom_killed() {
	local f=$1/memory.events
	if [ ! -e "$f" ]; then f=$1/memory.oom_control; fi
	if ! grep -qx 'oom_kill [1-9][0-9]*' "$f"; then
		fail "no OOM kill counted in $f: $(cat "$f")"
	fi
}
