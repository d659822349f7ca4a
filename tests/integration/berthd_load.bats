#!/usr/bin/env bats
# berthd under hostile load: well-behaved clients (the docker CLI and 500
# concurrent API clients) are served throughout while slowloris clients,
# held and oversized bodies, truncated requests and clients that vanish
# mid-request or mid-reply come and go; afterwards berthd's memory and fds
# are back near where they were.  The load runs for a fixed 40 s here
# (tests/helpers/berthd_load.py runs for as long as it is told).

load berthd_helpers
berthd_file_hooks

rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$(berthd_pid)/status"
}

fd_count() {
	ls "/proc/$(berthd_pid)/fd" | wc -l
}

# The docker CLI in a loop until $1 exists; "ok failed" counts in $2.
ps_loop() {
	local ok=0 failed=0
	while [ ! -e "$1" ]; do
		if dk ps -a --format '{{.ID}}' >/dev/null 2>>"$2.err"; then
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
		fi
		sleep 0.2
	done
	echo "$ok $failed" >"$2"
}

@test "berthd load: every well-behaved client is served under slowloris, held bodies and rude clients; memory and fds return" {
	local base_rss base_fds report i
	# Page berthd's code in and let the heap settle before the baseline.
	for i in $(seq 20); do dk ps >/dev/null; done
	sleep 2
	base_rss=$(rss_kb)
	base_fds=$(fd_count)
	ps_loop "$BATS_TEST_TMPDIR/stop" "$BATS_TEST_TMPDIR/ps" &
	run python3 "$REPO/tests/helpers/berthd_load.py" "$BERTHD_SOCK" 40 --good 500 \
		--slowloris 600 --slowloris-every 5 --holders 24 --holder-size 4000000
	touch "$BATS_TEST_TMPDIR/stop"
	wait
	assert_success
	report=$output
	echo "$report"
	# The well-behaved: not one failure, many served.
	assert_equal "$(jq -c .good_failures <<<"$report")" "[]"
	[ "$(jq .counts.good_ok <<<"$report")" -gt 1000 ]
	read -r ok failed <"$BATS_TEST_TMPDIR/ps"
	cat "$BATS_TEST_TMPDIR/ps.err" >&2 || true
	assert_equal "$failed" "0"
	[ "$ok" -gt 10 ]
	# Every slowloris connection was cut at the header deadline (20 s,
	# seen within the clients' 5 s cadence), none lived on.
	[ "$(jq .counts.slowloris_cut <<<"$report")" -ge 600 ]
	jq -e '.slowloris_longest_s >= 19 and .slowloris_longest_s <= 32' <<<"$report"
	grep -q 'closed a connection: no request headers within 20 s' "$BERTHD_DIR/berthd.log"
	# The body budget (64 MiB) let 16 of the 4 MB bodies in and refused
	# the others with a 503 before they were sent; 5 MB bodies get a 413.
	assert_equal "$(jq '.counts.holders_in' <<<"$report")" "16"
	assert_equal "$(jq '.counts.holders_503' <<<"$report")" "8"
	[ "$(jq '.counts.oversized_413' <<<"$report")" -gt 10 ]
	assert_equal "$(jq '[.counts | keys[] | select(startswith("oversized_") and . != "oversized_413")] | length' <<<"$report")" "0"
	grep -q 'berthd is busy: the request bodies it is receiving at once would exceed 64 MiB' "$BERTHD_DIR/berthd.log"
	# Within seconds, fds at the baseline and RSS near it (the heap is
	# trimmed a second after the last connection closes).
	for i in $(seq 50); do
		[ "$(fd_count)" -le "$base_fds" ] && [ "$(rss_kb)" -le $((base_rss + 4096)) ] && break
		sleep 0.2
	done
	echo "RSS ${base_rss} kB -> $(rss_kb) kB, fds ${base_fds} -> $(fd_count)"
	[ "$(fd_count)" -le "$base_fds" ] || { ls -l "/proc/$(berthd_pid)/fd" >&2; false; }
	[ "$(rss_kb)" -le $((base_rss + 4096)) ]
	run dk version --format '{{.Server.Platform.Name}}'
	assert_equal "$output" "berthd"
}

@test "berthd load: a request body trickled a byte every 3 s is cut at its 60 s deadline; nothing is created" {
	local fds
	fds=$(fd_count)
	run python3 - "$BERTHD_SOCK" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
body = b'{"Image":"berthd-test/bb:1","Cmd":["true"]}' + b" " * 100
s.sendall(b"POST /v1.45/containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
start = time.monotonic()
for i, c in enumerate(body[:-1]):
    try:
        s.send(bytes([c]))
        s.settimeout(3)
        if s.recv(100) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print(round(time.monotonic() - start))
PY
	assert_success
	echo "cut after $output s"
	[ "$output" -ge 59 ]
	[ "$output" -le 66 ]
	grep -q 'closed a connection: no request body within 60 s' "$BERTHD_DIR/berthd.log"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	[ "$(fd_count)" -le "$fds" ]
}
