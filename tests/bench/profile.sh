#!/bin/bash
# Where berth's `run` spends its time and its instructions: the numbers
# behind "Findings" in README.md beside this script.  It uses the benchmark's
# bundle and set-up (it sources bench.sh) and prints plain text.
#
#   tests/bench/profile.sh [--runs N]
set -eu

PROFILE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/bench.sh
source "$PROFILE_HERE/bench.sh"
PACKAGES="$PACKAGES valgrind strace binutils linux-perf"

prof_runs=30
prof_args="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) prof_runs=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: tests/bench/profile.sh [--runs N]" >&2; exit 2 ;;
	esac
done

section() {
	echo
	echo "== $*"
}

# bundle NAME JQ_FILTER: a variant of the benchmark's bundle.
bundle() {
	write_config "$WORK/p-$1" "$CG_PARENT/p-$1" "$ARGS_TRUE"
	jq "$2" "$WORK/p-$1/config.json" >"$WORK/p-$1/c" && mv "$WORK/p-$1/c" "$WORK/p-$1/config.json"
}

binaries() {
	local f bin
	section "binaries (bytes)"
	strip -o "$WORK/berth.stripped" "$BERTH"
	printf '  %-28s %9s\n' "berth" "$(stat -c %s "$BERTH")" \
		"berth, stripped" "$(stat -c %s "$WORK/berth.stripped")"
	size "$BERTH" | awk 'NR == 2 { printf "  %-28s text %s, data %s, bss %s\n", "berth, loaded", $1, $2, $3 }'
	printf '  %-28s %s\n' "berth, shared libraries" \
		"$(readelf -d "$BERTH" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
	for bin in crun runc; do
		f=$(command -v "$bin")
		printf '  %-28s %9s\n' "$bin" "$(stat -c %s "$f")"
	done
	for f in "$WORK"/build-*/berth; do
		[ -x "$f" ] || continue # no variant was built
		printf '  %-28s %9s (stripped %s)\n' "berth, ${f%/berth}" "$(stat -c %s "$f")" \
			"$(strip -o "$WORK/s" "$f" && stat -c %s "$WORK/s")"
	done | sed "s|$WORK/build-||"
}

# The dynamic loader's own account of its start-up.
loader() {
	section "dynamic loader (LD_DEBUG=statistics, berth --version)"
	LD_DEBUG=statistics "$BERTH" --version 2>&1 >/dev/null |
		sed -n 's/^ *[0-9]*:[[:space:]]*/  /p' | grep -E 'startup time|number of relocations|relative' | head -4
}

# cg NAME BERTH BUNDLE: instruction counts of one `run`.  valgrind has no
# clone3, so berth stops there: the counts cover everything berth does
# before the container's process exists, which is all of its user-space
# work but the wait and the clean-up.
cg() {
	local name=$1 bin=$2 bundle=$3 out=$WORK/cg.$1
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$bin" --root "$WORK/state/berth" run --bundle "$bundle" "cg-$1" >/dev/null 2>&1 || true
	"$bin" --root "$WORK/state/berth" delete --force "cg-$1" >/dev/null 2>&1 || true
	callgrind_annotate --inclusive=yes "$out" >"$out.txt" 2>/dev/null
}

# cg_cmd NAME COMMAND...: instruction counts of one whole berth command.
cg_cmd() {
	local name=$1 out=$WORK/cg.$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out" "$@" </dev/null >/dev/null 2>&1 || true
	callgrind_annotate --inclusive=yes "$out" >"$out.txt" 2>/dev/null
}

# ir NAME [FUNCTION]: the total, or FUNCTION's inclusive count, in NAME's profile.
ir() {
	local file=$WORK/cg.$1.txt
	if [ $# = 1 ]; then
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$file"
	else
		awk -v f="$2" '{ n = split($0, a, ":"); split(a[n], b, " ") }
			b[1] == f || $0 ~ ":" f " \\[" { gsub(",", "", $1); print $1; exit }' "$file"
	fi
}

fmt() {
	[ -n "$1" ] && printf "%'d" "$1" 2>/dev/null || echo -
}

instructions() {
	local total below name fn
	section "instructions of berth run, up to the container's clone (valgrind --tool=callgrind)"
	cg full "$BERTH_RO" "$WORK/p-full"
	cg noseccomp "$BERTH_RO" "$WORK/p-noseccomp"
	cg onearch "$BERTH_RO" "$WORK/p-onearch"
	[ -x "$WORK/build-static/berth" ] && cg static "$WORK/build-static/berth" "$WORK/p-noseccomp"
	[ -x "$WORK/build-libs-static/berth" ] && cg libs-static "$WORK/build-libs-static/berth" "$WORK/p-noseccomp"
	# start of a created container, whole (valgrind lacks pidfd_open too,
	# which delete needs).
	"$BERTH" --root "$WORK/state/berth" create --bundle "$WORK/p-full" cg-life </dev/null >/dev/null 2>&1
	cg_cmd start "$BERTH_RO" --root "$WORK/state/berth" start cg-life
	"$BERTH" --root "$WORK/state/berth" delete --force cg-life >/dev/null 2>&1 || true
	cg_cmd version "$BERTH_RO" --version
	printf '  %-54s %14s\n' "run of the bundle (binary)" "instructions"
	for name in full onearch noseccomp libs-static static; do
		[ -f "$WORK/cg.$name.txt" ] || continue
		total=$(ir "$name")
		printf '  %-54s %14s\n' "$(case $name in
			full) echo "benchmark bundle" ;;
			onearch) echo "seccomp for x86_64 only (profile lists 3 arches)" ;;
			noseccomp) echo "no seccomp (what a BPF cache hit leaves)" ;;
			libs-static) echo "no seccomp, libseccomp/libcap/yajl linked statically" ;;
			static) echo "no seccomp, fully static" ;;
			esac)" "$(fmt "$total")"
	done
	printf '  %-54s %14s\n' "whole start of a created container" "$(fmt "$(ir start)")" \
		"  of which parsing config.json (spec_config_parse_aside)" \
		"$(fmt "$(ir start spec_config_parse_aside)")" \
		"whole berth --version" "$(fmt "$(ir version)")"
	echo
	echo "  where the benchmark bundle's instructions go (inclusive):"
	total=$(ir full)
	below=$(awk '/\(below main\) \[/ { gsub(",", "", $1); print $1; exit }' "$WORK/cg.full.txt")
	printf '  %-40s %14s %6s\n' "dynamic loader, before main" "$(fmt $((total - below)))" \
		"$(awk -v a=$((total - below)) -v t="$total" 'BEGIN { printf "%.1f%%", 100 * a / t }')"
	for fn in spec_config_parse_aside spec_config_parse_seccomp config_seccomp_read \
		yajl_tree_parse yajl_tree_free \
		seccomp_filter_compile seccomp_rule_add_array seccomp_export_bpf; do
		local v
		v=$(ir full "$fn")
		[ -n "$v" ] || continue
		printf '  %-40s %14s %6s\n' "$fn" "$(fmt "$v")" \
			"$(awk -v a="$v" -v t="$total" 'BEGIN { printf "%.1f%%", 100 * a / t }')"
	done
	echo
	echo "  where the no-seccomp bundle's instructions go (inclusive):"
	total=$(ir noseccomp)
	below=$(awk '/\(below main\) \[/ { gsub(",", "", $1); print $1; exit }' "$WORK/cg.noseccomp.txt")
	printf '  %-40s %14s %6s\n' "dynamic loader, before main" "$(fmt $((total - below)))" \
		"$(awk -v a=$((total - below)) -v t="$total" 'BEGIN { printf "%.1f%%", 100 * a / t }')"
	for fn in _dl_runtime_resolve_xsave spec_config_parse_aside yajl_tree_parse yajl_tree_free \
		path_append vsnprintf malloc free; do
		local v
		v=$(ir noseccomp "$fn")
		[ -n "$v" ] || continue
		printf '  %-40s %14s %6s\n' "$fn" "$(fmt "$v")" \
			"$(awk -v a="$v" -v t="$total" 'BEGIN { printf "%.1f%%", 100 * a / t }')"
	done
}

# The seccomp program's size, as the kernel receives it.
bpf_size() {
	local name len
	section "seccomp program loaded (BPF instructions, strace)"
	for name in full onearch; do
		rm -f "$WORK/bpf.trace"
		strace -f -e trace=seccomp -o "$WORK/bpf.trace" "$BERTH" --root "$WORK/state/berth" \
			run --bundle "$WORK/p-$name" "bpf-$name" >/dev/null 2>&1 || true
		len=$(grep -o 'SECCOMP_SET_MODE_FILTER, [^,]*, {len=[0-9]*' "$WORK/bpf.trace" | sed 's/.*len=//' | tail -1)
		printf '  %-20s %s\n' "$name" "${len:--}"
	done
}

syscalls() {
	local rt
	section "system calls of one run, every process (strace -f -c)"
	for rt in berth crun runc; do
		rt_cmd "$rt"
		strace -f -c -o "$WORK/sc.$rt" "${RT[@]}" run --bundle "$WORK/p-full" "sc-$rt" >/dev/null 2>&1 || true
		printf '  %-6s %5s calls; most frequent: %s\n' "$rt" \
			"$(awk '$NF == "total" { print $4 }' "$WORK/sc.$rt")" \
			"$(awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $4, $NF }' "$WORK/sc.$rt" |
				sort -rn | head -6 | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')"
	done
}

# Interleaved wall and cpu times of the variants.
times() {
	local i v variants=(berth-full berth-onearch berth-noseccomp crun-full crun-noseccomp floor)
	[ -x "$WORK/build-static/berth" ] && variants+=(static-noseccomp)
	[ -x "$WORK/build-libs-static/berth" ] && variants+=(libs-static-noseccomp)
	section "run /bin/true, $prof_runs interleaved runs each (medians)"
	for ((i = 1; i <= prof_runs; i++)); do
		for v in "${variants[@]}"; do
			case $v in
			floor) sample "p:$v" "$WORK/logs/p.log" -- "${FLOOR[@]}" || true ;;
			crun-*) rt_cmd crun
				sample "p:$v" "$WORK/logs/p.log" -- "${RT[@]}" run --bundle "$WORK/p-${v#crun-}" "$v-$i" || true ;;
			static-*) sample "p:$v" "$WORK/logs/p.log" -- "$WORK/build-static/berth" \
				--root "$WORK/state/berth" run --bundle "$WORK/p-${v#static-}" "$v-$i" || true ;;
			libs-static-*) sample "p:$v" "$WORK/logs/p.log" -- "$WORK/build-libs-static/berth" \
				--root "$WORK/state/berth" run --bundle "$WORK/p-${v#libs-static-}" "$v-$i" || true ;;
			berth-*) rt_cmd berth
				sample "p:$v" "$WORK/logs/p.log" -- "${RT[@]}" run --bundle "$WORK/p-${v#berth-}" "$v-$i" || true ;;
			esac
		done
	done
	printf '  %-24s %10s %10s %10s %4s\n' variant wall cpu "peak RSS" fail
	for v in "${variants[@]}"; do
		local s n f med mn p25 p75 mx cpu rmed rmx
		s=$(stats "p:$v")
		[ -n "$s" ] || { printf '  %-24s n/a\n' "$v"; continue; }
		read -r n f med mn p25 p75 mx cpu rmed rmx <<<"$s"
		printf '  %-24s %10s %10s %10s %4s\n' "$v" "$(ms "$med")" "$(ms "$cpu")" "$(mib "$rmed")" "$f"
	done
}

# berth from a read-only bind mount of its binary: it then finds itself
# sealed and does not execute itself again (isolation/selfexe.h), which
# valgrind cannot follow and after which perf cannot name its functions (a
# detached mount has no path).  In the private mount namespace, like the
# rest of the run.
ro_view() {
	cp "$BERTH" "$WORK/berth-ro"
	touch "$WORK/berth-ro-view"
	mount --bind "$WORK/berth-ro" "$WORK/berth-ro-view"
	mount -o remount,bind,ro "$WORK/berth-ro-view"
	BERTH_RO=$WORK/berth-ro-view
}

# Where the CPU time of a `run` goes, by phase, beside the floor's: perf
# samples (with call graphs) over runs of each, each sample counted for
# the first phase its stack shows.  berth runs here from a read-only bind
# mount of its binary, so that it does not execute itself again and perf
# can name its functions (a detached view has no path); what that second
# start costs is the difference between berth-full and berth-ro-full in the
# timed runs below.
phases() {
	local n=$prof_runs what data total line name pat
	command -v perf >/dev/null || { section "phases: perf not installed"; return 0; }
	section "CPU time of run /bin/true by phase, ms per run (perf stat for the total, perf record's samples for the shares; $n runs each, berth from a read-only mount)"
	for what in berth floor; do
		if [ "$what" = berth ]; then
			# shellcheck disable=SC2016 # expanded by the loop's shell
			printf 'for i in $(seq %d); do %q --root %q run --bundle %q ph-$i; done\n' "$n" \
				"$BERTH_RO" "$WORK/state/berth" "$WORK/p-full" >"$WORK/ph.sh"
		else
			# shellcheck disable=SC2016 # expanded by the loop's shell
			printf 'for i in $(seq %d); do %s; done\n' "$n" "$(printf '%q ' "${FLOOR[@]}")" >"$WORK/ph.sh"
		fi
		data=$WORK/ph-$what.data
		# CPU time from a run without sampling (sampling call graphs
		# inflates it); the samples give the shares.
		perf stat -x, -e task-clock -o "$WORK/ph.stat" -- sh "$WORK/ph.sh" >/dev/null 2>&1 || true
		PH_CPU[$what]=$(awk -F, -v n="$n" '$3 == "task-clock" { printf "%.2f", $1 / n }' "$WORK/ph.stat")
		perf record -q -e cpu-clock -c 50000 -g -o "$data" -- sh "$WORK/ph.sh" >/dev/null 2>&1 || true
		# The samples of the runtime's processes, not the loop's shell.
		# The share of the runtime's processes in all samples (the loop's
		# shell and seq are the rest).
		PH_TOTAL[$what]=$(perf script -i "$data" -F comm 2>/dev/null |
			awk -v cpu="${PH_CPU[$what]}" '{ n++ } $1 != "sh" && $1 != "seq" { r++ }
				END { printf "%.2f", n ? cpu * r / n : 0 }')
		perf script -i "$data" -F comm,ip,sym 2>/dev/null |
			awk 'BEGIN { RS = ""; ORS = "\n\n" } $1 != "sh" && $1 != "seq"' >"$data.stacks"
	done
	printf '  %-58s %8s %8s\n' phase berth floor
	local pats=() v
	while IFS='|' read -r name pat; do
		pats+=("$pat")
		line=$(printf '  %-58s' "$name")
		for what in berth floor; do
			v=$(awk -v pat="$pat" -v total="${PH_TOTAL[$what]}" '
				BEGIN { RS = "" }
				{ n++; for (i = 2; i <= NF; i++) if ($i ~ pat) { h++; break } }
				END { printf "%.2f", n ? total * h / n : 0 }' "$WORK/ph-$what.data.stacks")
			line+=$(printf ' %8s' "$v")
		done
		echo "$line"
	done <<'PHASES'
execve (the runtime's own start-ups and the container's program)|^(__x64_sys_execve|__x64_sys_execveat)$
glibc's start-up: cpuid for the cache sizes (one per start)|^(init_cpu_features|intel_check_word|handle_intel|update_active|get_common_indices|get_common_cache_info|get_extended_indices|_nettle_cpuid|_dl_sysdep_start)
dynamic loading (the floor's unshare and chroot)|^(_dl_start_user|_dl_start|_dl_relocate_object|_dl_map_object)
parsing config.json (yajl; leaf functions, as berth has no frame pointers)|^(yajl_|spec_config_|json_)
namespaces: clone3 / unshare (the new network namespace is most)|^(__do_sys_clone3|__x64_sys_unshare|__do_sys_clone)$
pivot_root (chroot_fs_refs visits every thread on the host)|^__do_sys_pivot_root$
other mounts (fsopen..move_mount, openat2, umount, mount)|^(__do_sys_fsopen|__do_sys_fsconfig|__do_sys_fsmount|__do_sys_move_mount|__x64_sys_open_tree|__x64_sys_openat2|__x64_sys_umount|__x64_sys_mount|__x64_sys_mount_setattr)$
cgroup: mkdir, rmdir, device program (bpf verifier)|^(__x64_sys_mkdir|__x64_sys_rmdir|__x64_sys_bpf)$
seccomp: loading the program (JIT)|^(__x64_sys_seccomp|__do_sys_seccomp|do_seccomp)$
page faults|^asm_exc_page_fault$
opening files (config, state, cgroup and /proc files)|^__x64_sys_openat$
process exit (namespaces torn down with the last process)|^(do_exit|do_group_exit)$
PHASES
	# What no phase above claims: user space, the other system calls,
	# scheduling.
	local all
	all=$(IFS='|'; echo "${pats[*]}")
	line=$(printf '  %-58s' "the rest (user space, other system calls)")
	for what in berth floor; do
		line+=$(printf ' %8s' "$(awk -v pat="$all" -v total="${PH_TOTAL[$what]}" '
			BEGIN { RS = "" }
			{ n++; for (i = 2; i <= NF; i++) if ($i ~ pat) { h++; break } }
			END { printf "%.2f", n ? total * (n - h) / n : 0 }' "$WORK/ph-$what.data.stacks")")
	done
	echo "$line"
	printf '  %-58s %8s %8s\n' "all CPU time of the runtime's processes" "${PH_TOTAL[berth]}" "${PH_TOTAL[floor]}"
}
declare -A PH_TOTAL PH_CPU

build_variants() {
	say "building a fully static berth and one with its libraries static"
	make -s -C "$REPO" BUILD="$WORK/build-static" LDFLAGS=-static \
		LDLIBS="-l:libseccomp.a -l:libcap.a -l:libyajl_s.a" "$WORK/build-static/berth" >/dev/null 2>&1 ||
		say "no static build (static libraries missing?)"
	make -s -C "$REPO" BUILD="$WORK/build-libs-static" \
		LDLIBS="-Wl,-Bstatic -lseccomp -lcap -lyajl_s -Wl,-Bdynamic" "$WORK/build-libs-static/berth" >/dev/null 2>&1 ||
		say "no build with static libraries"
}

profile_main() {
	[ "$(id -u)" = 0 ] || die "run as root"
	ensure_packages
	ensure_built
	enter_cgroup2
	# shellcheck disable=SC2016 # expanded when the trap runs
	trap '[ -z "${BERTH_RO:-}" ] || umount "$BERTH_RO"; clean_up' EXIT
	set_up
	bundle full .
	bundle noseccomp 'del(.linux.seccomp)'
	bundle onearch '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64"]'
	build_variants
	ro_view
	echo "=== berth run profile, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, kernel $(uname -r)"
	echo "command: tests/bench/profile.sh${prof_args:+ $prof_args}"
	echo "commit: $(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo " with uncommitted changes")"
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $CGROUP_SETUP"
	echo "bundle: $BUNDLE_DESC"
	for n in "${NOTES[@]}"; do
		echo "note: $n"
	done
	binaries
	loader
	instructions
	bpf_size
	syscalls
	phases
	times
}

profile_main
