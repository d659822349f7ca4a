#!/bin/bash
# Build the fuzz harnesses and run each on its seed corpus, one TAP line per
# harness: "ok" when it ran its course, "not ok" on a crash, a leak, a
# sanitizer report, a timeout or an out-of-memory (libFuzzer exits non-zero
# on each, after printing the report, kept here as TAP comments).
#
#   tests/fuzz/run.sh [-runs=N] [-max_total_time=S] [HARNESS...]
#
# Defaults are CI's: a short fixed number of runs, each harness bounded in
# time too, so the whole stage stays within about two minutes.  HARNESS is
# a name such as config or fuzz_config; without one, every harness runs.
# Inputs the run finds go to a temporary directory: the seed corpus in
# the repository is only read.  Options starting with "-" go to libFuzzer.
set -u
cd "$(dirname "$0")/../.." || exit
BUILD=${BUILD:-build}

opts=(-runs=20000 -max_total_time=10)
names=()
for a in "$@"; do
	case $a in
	-*) opts+=("$a") ;;
	*) names+=("fuzz_${a#fuzz_}") ;;
	esac
done
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do names+=("$(basename "$f" .c)"); done
fi

echo "1..${#names[@]}"
if ! log=$(make -s BUILD="$BUILD" fuzz 2>&1); then
	sed 's/^/# /' <<<"$log"
	n=0
	for name in "${names[@]}"; do
		echo "not ok $((n += 1)) - $name: the harnesses do not build"
	done
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 n=0
for name in "${names[@]}"; do
	n=$((n + 1))
	bin=$BUILD/fuzz/$name
	seeds=tests/fuzz/corpus/${name#fuzz_}
	# A dictionary of the words of its format, where the harness reads text.
	case $name in
	fuzz_http) dict=(-dict=tests/fuzz/http.dict) ;;
	fuzz_layer_unpack | fuzz_image_load | fuzz_dockerfile) dict=() ;;
	*) dict=(-dict=tests/fuzz/json.dict) ;;
	esac
	mkdir -p "$work/$name"
	start=$SECONDS
	# -timeout: an input that takes this long is a hang, and a failure.
	# TMPDIR: the sandboxed harnesses keep their current input there, and
	# libFuzzer ends a timed run with _exit, before they remove it.
	TMPDIR=$work LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} "$bin" -timeout=10 -artifact_prefix="$work/$name/" "${dict[@]}" "${opts[@]}" \
		"$work/$name" "$seeds" >"$work/$name.log" 2>&1
	rc=$?
	runs=$(grep -oE '^(#[0-9]+|Done [0-9]+ runs)' "$work/$name.log" | tail -n 1 | grep -oE '[0-9]+')
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name: ${runs:-?} runs in $((SECONDS - start)) s"
	else
		echo "not ok $n - $name: libFuzzer exited with status $rc"
		grep -E -A 40 'ERROR: |runtime error|==ERROR|Test unit written|deadly signal|timeout' \
			"$work/$name.log" | head -n 80 | sed 's/^/# /'
		for f in "$work/$name"/crash-* "$work/$name"/leak-* "$work/$name"/timeout-* \
			"$work/$name"/oom-*; do
			[ -f "$f" ] &&
				echo "# input ($(basename "$f")), gzip | base64: $(gzip -9c "$f" | base64 -w0 | head -c 8000)"
		done
		failed=1
	fi
done
exit $failed
