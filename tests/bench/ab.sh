#!/bin/bash
# Two builds of berth side by side, against the kernel's floor: how a
# change moves `berth exec` and `berth run`, measured in the same rounds
# so that the machine's load falls on both alike.  It uses the benchmark's
# bundle and set-up (it sources bench.sh): the private cgroup2 namespace
# on a hybrid host, the state on a tmpfs, every command through the
# stopwatch (build/tests/benchtime).  See README.md beside this script.
#
#   tests/bench/ab.sh --before DIR --after DIR [--rounds N] [--warmup N]
#                     [--out FILE|-] [--note TEXT]
#
# DIR is a build directory holding `berth` (or the binary itself).  Each
# round runs, in this order: exec /bin/true into a running container with
# each binary, run /bin/true with each, then `nsenter --all -t PID
# /bin/true` into the after binary's container and `unshare -fpnimuC
# --mount-proc chroot ROOTFS /bin/true`.  The whole is done twice, first
# with the before binary first in every round, then with the after binary
# first: the first command of a round runs right after the floor's run,
# whose namespaces the kernel tears down meanwhile, and pays for it.  The
# report gives the medians of each order and the CPU ratios to the floor
# per order and their mean.
set -eu

AB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/bench.sh
source "$AB_HERE/bench.sh"

ab_rounds=30 ab_warmup=3 ab_out='' ab_note='' ab_before='' ab_after=''
ab_args=$(quoted_args)
ab_args=${ab_args//"$REPO"\//}

ab_usage() {
	sed -n '10,12s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	--before) ab_before=${2:?}; shift 2 ;;
	--after) ab_after=${2:?}; shift 2 ;;
	--rounds) ab_rounds=${2:?}; shift 2 ;;
	--warmup) ab_warmup=${2:?}; shift 2 ;;
	--out) ab_out=${2:?}; shift 2 ;;
	--note) ab_note=${2:?}; shift 2 ;;
	-h | --help) ab_usage; exit 0 ;;
	*) ab_usage >&2; exit 2 ;;
	esac
done

# The binary in DIR (or DIR itself), as an absolute path.
ab_binary() {
	local b=$1
	[ -d "$b" ] && b=$b/berth
	[ -x "$b" ] || die "no berth binary at $1"
	echo "$(cd "$(dirname "$b")" && pwd)/$(basename "$b")"
}

# What a binary is: the commit it was built from (paths are the machine's,
# not the report's).
ab_describe() {
	"$1" --version | sed -n 's/^commit: //p'
}

ab_start_containers() {
	local b
	for b in before after; do
		write_config "$WORK/exec-$b" "$CG_PARENT/exec-$b" "$ARGS_SLEEP"
		rt_cmd "$b"
		"${RT[@]}" run --detach --bundle "$WORK/exec-$b" "ab-exec" </dev/null \
			>>"$WORK/logs/exec-$b.log" 2>&1 ||
			die "$b cannot start the container: $(tail -n 1 "$WORK/logs/exec-$b.log")"
		write_config "$WORK/run-$b" "$CG_PARENT/run-$b" "$ARGS_TRUE"
	done
	rt_cmd after
	AB_PID=$("${RT[@]}" state ab-exec | jq -r .pid)
	if [ -z "$AB_PID" ] || [ "$AB_PID" = 0 ]; then
		die "no pid for the after binary's container"
	fi
	NSENTER=(nsenter --all -t "$AB_PID" /bin/true)
}

# ab_round ORDER ROUND FIRST SECOND: one round, FIRST's commands before
# SECOND's.
ab_round() {
	local o=$1 i=$2 b
	shift 2
	for b in "$@"; do
		rt_cmd "$b"
		sample "o$o:exec:$b" "$WORK/logs/exec-$b.log" -- "${RT[@]}" exec ab-exec /bin/true || true
		sample "o$o:run:$b" "$WORK/logs/run-$b.log" -- \
			"${RT[@]}" run --bundle "$WORK/run-$b" "ab-$o-$i" ||
			"${RT[@]}" delete --force "ab-$o-$i" >/dev/null 2>&1 || true
	done
	sample "o$o:exec:floor" "$WORK/logs/exec-floor.log" -- "${NSENTER[@]}" || true
	sample "o$o:run:floor" "$WORK/logs/run-floor.log" -- "${FLOOR[@]}" || true
}

ab_warm() {
	local b i
	for ((i = 0; i < ab_warmup; i++)); do
		for b in before after; do
			rt_cmd "$b"
			"${RT[@]}" exec ab-exec /bin/true </dev/null >/dev/null 2>&1 || true
			"${RT[@]}" run --bundle "$WORK/run-$b" "ab-warm" </dev/null >/dev/null 2>&1 ||
				"${RT[@]}" delete --force ab-warm >/dev/null 2>&1 || true
		done
		"${NSENTER[@]}" </dev/null >/dev/null 2>&1 || true
		"${FLOOR[@]}" </dev/null >/dev/null 2>&1 || true
	done
}

# ab_med LABEL KIND: the median in ms (KIND wall or cpu), or "-".
ab_med() {
	local s n f med mn p25 p75 mx cpu rest
	s=$(stats "$1")
	[ -n "$s" ] || { echo -; return; }
	read -r n f med mn p25 p75 mx cpu rest <<<"$s"
	awk -v ns="$([ "$2" = wall ] && echo "$med" || echo "$cpu")" 'BEGIN { printf "%.3f", ns / 1e6 }'
}

ab_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b; else printf "-" }'
}

ab_report() {
	local o w b first line r1 r2
	echo "=== berth before and after, interleaved in one run, in both orders (tests/bench/ab.sh)"
	echo "command: tests/bench/ab.sh${ab_args:+ $ab_args}"
	echo "date: $AB_DATE (the start)"
	echo "before: berth at $(ab_describe "$AB_BEFORE")"
	echo "after: berth at $(ab_describe "$AB_AFTER")"
	echo "machine: $(nproc) cores, kernel $(uname -r); cgroups: $CGROUP_SETUP"
	echo "bundle: $BUNDLE_DESC"
	echo "method: $ab_rounds rounds in each order, each round: exec /bin/true into a running container"
	echo "  and run /bin/true with each binary, then nsenter --all -t PID /bin/true into the after"
	echo "  binary's container and unshare -fpnimuC --mount-proc chroot ROOTFS /bin/true; every command"
	echo "  through build/tests/benchtime (cpu: user+system of the command and what it reaped);"
	echo "  $ab_warmup untimed warm-up rounds; state on $STATE_FS"
	echo "load: average $AB_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
	[ -z "$ab_note" ] || echo "note: $ab_note"
	for line in "${NOTES[@]}"; do
		echo "note: $line"
	done
	echo
	printf 'medians of %d (ms)            %8s %8s\n' "$ab_rounds" cpu wall
	for o in 1 2; do
		[ "$o" = 1 ] && first=before || first=after
		echo "order $o: $first first"
		for w in exec run; do
			for b in $([ "$o" = 1 ] && echo before after || echo after before) floor; do
				printf '  %-26s %8s %8s\n' "$w, $([ "$b" = floor ] &&
					{ [ "$w" = exec ] && echo "floor (nsenter)" || echo "floor (unshare)"; } ||
					echo "$b")" "$(ab_med "o$o:$w:$b" cpu)" "$(ab_med "o$o:$w:$b" wall)"
			done
		done
	done
	echo
	echo "cpu ratios to the floor: order 1 / order 2 / mean of the two"
	for w in exec run; do
		line="  $(printf '%-5s' "$w:")"
		for b in before after; do
			r1=$(ab_ratio "$(ab_med "o1:$w:$b" cpu)" "$(ab_med "o1:$w:floor" cpu)")
			r2=$(ab_ratio "$(ab_med "o2:$w:$b" cpu)" "$(ab_med "o2:$w:floor" cpu)")
			line+=" $b ${r1}x / ${r2}x / $(awk -v a="$r1" -v b="$r2" \
				'BEGIN { if (a != "-" && b != "-") printf "%.2f", (a + b) / 2; else printf "-" }')x;"
		done
		echo "${line%;}"
	done
	echo "cpu ratio after / before, order 1 / order 2"
	for w in exec run; do
		echo "  $(printf '%-5s' "$w:") $(ab_ratio "$(ab_med "o1:$w:after" cpu)" "$(ab_med "o1:$w:before" cpu)")x / $(ab_ratio "$(ab_med "o2:$w:after" cpu)" "$(ab_med "o2:$w:before" cpu)")x"
	done
	first=yes
	for line in "${!FAILS[@]}"; do
		if [ -n "$first" ]; then
			echo
			echo "failed commands, left out of the medians (the first message of each kind):"
			first=
		fi
		echo "  $line: ${FAILS[$line]} failed; ${FAIL_MSG[$line]:-}"
	done
}

ab_main() {
	local o i report_file
	[ "$(id -u)" = 0 ] || die "run as root"
	if [ -z "$ab_before" ] || [ -z "$ab_after" ]; then
		ab_usage >&2
		exit 2
	fi
	AB_BEFORE=$(ab_binary "$ab_before")
	AB_AFTER=$(ab_binary "$ab_after")
	BERTH_BINS=([before]=$AB_BEFORE [after]=$AB_AFTER)
	# berth spec and the bundle's probe use the after binary.
	BERTH=$AB_AFTER
	RUNTIMES=(before after)
	ensure_packages
	[ -x "$TIMER" ] || make -s -C "$REPO" "${TIMER#"$REPO"/}" >&2
	enter_cgroup2
	trap clean_up EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	AB_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
	AB_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	set_up
	ab_start_containers
	ab_warm
	for o in 1 2; do
		for ((i = 1; i <= ab_rounds; i++)); do
			progress "order $o" "$i" "$ab_rounds"
			if [ "$o" = 1 ]; then
				ab_round "$o" "$i" before after
			else
				ab_round "$o" "$i" after before
			fi
		done
	done
	report_file=$(mktemp)
	ab_report >"$report_file"
	cat "$report_file"
	ab_out=${ab_out:-$AB_HERE/results/$(date -u +%Y-%m-%d-%H%M)-ab.txt}
	if [ "$ab_out" != - ]; then
		mkdir -p "$(dirname "$ab_out")"
		cp "$report_file" "$ab_out"
		say "report written to $ab_out"
	fi
	rm -f "$report_file"
}

ab_main
