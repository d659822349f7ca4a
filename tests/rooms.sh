#!/bin/bash
# The rooms of the source tree and the arrows between them, checked (TAP).
#
# Every #include of a project header names a room; each room may include
# only the rooms below it (runtime/README.md draws them):
#
#   cmd/berthd -> engine -> {lifecycle, images, network} -> isolation -> spec -> base
#   cmd/berth  -> lifecycle -> isolation -> spec -> base
#
# The engine's reaches into the lifecycle library's internals and into
# isolation/ are debts listed in tests/rooms.debts: they pass while listed,
# so that a new wrong-way include fails at once and the list only shrinks.
# Then the berth binary must hold no symbol of the engine's or the image
# store's library (berth links only the lifecycle library), and no two
# files of a library, or of a front end (cmd/berth, cmd/berthd), may call
# each other, directly or round a longer loop (read off the objects'
# symbols: a loop is two files that are one).
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}

# Wrong-way includes, one "FILE: HEADER" a line.  The rooms and what each
# may include (its own always) are the table below; the lifecycle
# library's public headers are the only ones of it other rooms may name.
wrong_includes() {
	find spec isolation runtime cmd -name '*.[ch]' | sort |
		python3 -c '
import re, sys
ROOMS = [("spec/base/", "base"), ("spec/", "spec"), ("isolation/", "isolation"),
         ("runtime/engine/", "engine"), ("runtime/images/", "images"), ("runtime/network/", "network"),
         ("runtime/", "lifecycle"), ("cmd/berthd/", "berthd"), ("cmd/berth/", "berth")]
ALLOWED = {
    "base": {"base"},
    "spec": {"spec", "base"},
    "isolation": {"isolation", "spec", "base"},
    "lifecycle": {"lifecycle", "isolation", "spec", "base"},
    "images": {"images", "spec", "base"},
    "network": {"network", "isolation", "spec", "base"},
    "engine": {"engine", "lifecycle", "images", "network", "spec", "base"},
    "berth": {"berth", "lifecycle", "spec", "base"},
    "berthd": {"berthd", "engine", "images", "spec", "base"},
}
PUBLIC_LIFECYCLE = {"runtime/runtime.h", "runtime/cgroups.h", "runtime/info.h", "runtime/host.h"}
def room(path):
    return next((r for prefix, r in ROOMS if path.startswith(prefix)), None)
for f in sys.stdin.read().split():
    r = room(f)
    for inc in re.findall(r"^#include \"([^\"]+/[^\"]+)\"", open(f).read(), re.M):
        ir = room(inc)
        if ir is None:
            continue
        if ir not in ALLOWED[r] or (ir == "lifecycle" and r != "lifecycle" and inc not in PUBLIC_LIFECYCLE):
            print(f"{f}: {inc}")
'
}

debts() {
	grep -v -e '^#' -e '^$' tests/rooms.debts
}

# result N NAME FOUND PREFIX: test N passes when FOUND (lines) is empty,
# else fails with each line shown after PREFIX.
result() {
	if [ -z "$3" ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		echo "$3" | sed "s|^|# $4: |"
	fi
}

echo "1..6"

wrong=$(wrong_includes)
result 1 "every include runs the way the rooms allow" \
	"$(comm -23 <(echo "$wrong" | sed '/^$/d' | sort) <(debts | sort))" "wrong way"
# A debt that was paid must leave the list, so that it cannot come back.
result 2 "tests/rooms.debts lists only includes that still exist" \
	"$(comm -13 <(echo "$wrong" | sed '/^$/d' | sort) <(debts | sort))" \
	"no longer there, remove it from tests/rooms.debts"

daemon_symbols() {
	nm --defined-only "$BUILD/libberth-engine.a" "$BUILD/libberth-images.a" \
		"$BUILD/libberth-network.a" 2>/dev/null |
		awk 'NF == 3 && $2 ~ /[TDRB]/ { print $3 }' | sort -u
}
berth_symbols() {
	nm --defined-only "$BUILD/berth" | awk 'NF == 3 { print $3 }' | sort -u
}
if [ ! -e "$BUILD/berth" ] || [ ! -e "$BUILD/libberth-engine.a" ]; then
	echo "not ok 3 - berth links no daemon code # $BUILD/berth or its libraries are not built"
else
	both=$(comm -12 <(daemon_symbols) <(berth_symbols))
	if [ -z "$both" ] && [ -n "$(daemon_symbols)" ]; then
		echo "ok 3 - berth links no daemon code"
	else
		echo "not ok 3 - berth links no daemon code"
		echo "$both" | sed 's/^/# in berth: /'
	fi
fi

# Files of the libraries that call each other round a loop, one loop a
# line, from the symbols each object defines and uses.
symbol_loops() {
	python3 - "$@" <<'PY'
import collections, subprocess, sys
defs, uses = {}, collections.defaultdict(set)
for o in sys.argv[1:]:
    for line in subprocess.check_output(["nm", o], text=True).splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDRB":
            defs[f[2]] = o
        elif len(f) == 2 and f[0] == "U":
            uses[o].add(f[1])
calls = {o: {defs[u] for u in us if u in defs and defs[u] != o} for o, us in uses.items()}
index, low, stack, on, n = {}, {}, [], set(), [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in calls.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        loop = []
        while True:
            w = stack.pop(); on.discard(w); loop.append(w)
            if w == v:
                break
        if len(loop) > 1:
            print(" <-> ".join(sorted(loop)))
for v in list(calls):
    if v not in index:
        visit(v)
PY
}

# Objects whose source is still there (a moved file leaves a stale one),
# found by find's arguments.
objects() {
	find "$@" -name '*.o' 2>/dev/null |
		while read -r o; do
			src=${o#"$BUILD"/}
			[ -e "${src%.o}.c" ] && echo "$o"
		done
}

# loops_test N NAME OBJECTS...: test N passes when the objects make no loop.
loops_test() {
	local n=$1 name=$2 loops
	shift 2
	if [ $# -eq 0 ]; then
		echo "not ok $n - $name # nothing built in $BUILD"
		return
	fi
	loops=$(symbol_loops "$@" | sed "s|$BUILD/||g; s|\.o\b|.c|g")
	result "$n" "$name" "$loops" "loop"
}

# shellcheck disable=SC2046 # one object a word
loops_test 4 "no two files of a library call each other" \
	$(objects "$BUILD/spec" "$BUILD/isolation" "$BUILD/runtime")
# Each front end is one program, read apart from the other (both have a
# main) and from its helper programs (which have their own).
# shellcheck disable=SC2046
loops_test 5 "no two files of berthd call each other" \
	$(objects "$BUILD/cmd/berthd" -maxdepth 1)
# shellcheck disable=SC2046
loops_test 6 "no two files of berth call each other" \
	$(objects "$BUILD/cmd/berth" -maxdepth 1)
