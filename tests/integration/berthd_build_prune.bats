#!/usr/bin/env bats
# The build cache of berthd's classic builder (each step's entry and each
# context's memos, files under the data root's build-cache): docker system
# df shows it, docker builder prune and docker system prune remove it (all
# of it, what until keeps, what --keep-storage keeps), a rebuild after a
# prune makes its steps again, the intermediate images stay (they are
# images), and what berthd cannot honour is refused with a 400.

load berthd_helpers
berthd_file_hooks

export DOCKER_BUILDKIT=0

setup() {
	berthd_skip_in_vm
	# Each test starts with no cache (its files removed through the API).
	dk builder prune -af >/dev/null
	[ -z "$(cache_records)" ] || fail "the cache was not empty before the test"
}

# ctx NAME LINE: a context of its own with a Dockerfile whose steps are a
# RUN (LINE), a COPY and an ENV: three step entries and two memos (the
# Dockerfile, the COPY's checksum).
ctx() {
	local dir=$BATS_TEST_TMPDIR/$1
	mkdir -p "$dir"
	echo "$1" >"$dir/data.txt"
	printf 'FROM berthd-test/bb:1\nRUN %s\nCOPY data.txt /data.txt\nENV CTX=%s\n' "$2" "$1" \
		>"$dir/Dockerfile"
	echo "$dir"
}

# The cache's records: "NAME SIZE" each, sorted (a temporary file of a
# write would show here too, and fail the comparisons).
cache_records() {
	find "$BERTHD_DATA/build-cache" -type f -printf '%f %s\n' 2>/dev/null | sort
}

cache_bytes() {
	cache_records | awk '{ n += $2 } END { print n + 0 }'
}

cache_names() {
	cache_records | awk '{ print $1 }'
}

# What docker system df says of the build cache: count and size.
df_build_cache() {
	dk system df --format '{{.Type}}|{{.TotalCount}}|{{.Size}}' | grep '^Build Cache|'
}

# The names a prune's output lists as deleted, sorted.
deleted_names() {
	echo "$1" | sed -n '/^Deleted build cache objects:/,/^$/p' | grep -E '^[0-9a-f]{64}$' | sort
}

using_cache() {
	echo "$1" | grep -c -- '---> Using cache' || true
}

no_leftovers() {
	berthd_removals_done
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(ls -A "$BERTHD_DATA/containers")" ""
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	assert_equal "$(grep -c "$BERTHD_DIR" /proc/self/mountinfo)" "0"
}

@test "berthd build prune: system df shows the cache; builder prune -f removes every record with its bytes; the rebuild makes its steps again; the images stay" {
	local dir names bytes images
	dir=$(ctx prune-all 'echo all >/ran')
	run dk build -t berthd-test/prune-all:1 "$dir"
	assert_success
	run dk build -t berthd-test/prune-all:1 "$dir"
	assert_success
	assert_equal "$(using_cache "$output")" "3"
	names=$(cache_names)
	bytes=$(cache_bytes)
	assert_equal "$(echo "$names" | wc -l)" "5"
	assert_equal "$(df_build_cache)" "Build Cache|5|${bytes}B"
	# The API's records are the files, by name and size.
	run curl -sS --unix-socket "$BERTHD_SOCK" http://api/system/df
	assert_success
	assert_equal "$(echo "$output" | jq -r '.BuildCache[] | "\(.ID) \(.Size)"' | sort)" "$(cache_records)"
	assert_equal "$(echo "$output" | jq -r '[.BuildCache[].Type] | sort | unique | join(",")')" "regular,source.local"
	images=$(dk images -aq | sort)

	run dk builder prune -f
	assert_success
	assert_equal "$(deleted_names "$output")" "$names"
	assert_output_contains "Total reclaimed space: ${bytes}B"
	assert_equal "$(cache_records)" ""
	assert_equal "$(df_build_cache)" "Build Cache|0|0B"
	# Intermediate images are images (docker image prune's), not cache.
	assert_equal "$(dk images -aq | sort)" "$images"

	run dk build -t berthd-test/prune-all:1 "$dir"
	assert_success
	assert_equal "$(using_cache "$output")" "0"
	assert_equal "$(echo "$output" | grep -c 'Running in')" "1"
	assert_equal "$(dk run --rm --network none berthd-test/prune-all:1 cat /ran /data.txt)" "all
prune-all"
	assert_equal "$(cache_names | wc -l)" "5"
	# A second prune with nothing to remove says so.
	dk builder prune -af >/dev/null
	run dk builder prune -f
	assert_success
	refute_output_contains "Deleted build cache objects"
	assert_output_contains "Total reclaimed space: 0B"
	no_leftovers
}

@test "berthd build prune: docker system prune removes the build cache with its own request" {
	local dir names
	dir=$(ctx sys-prune 'echo sys >/ran')
	run dk build -t berthd-test/sys-prune:1 "$dir"
	assert_success
	names=$(cache_names)
	assert_equal "$(echo "$names" | wc -l)" "5"
	run dk system prune -f
	assert_success
	assert_equal "$(deleted_names "$output")" "$names"
	assert_equal "$(cache_records)" ""
	# The tagged image and its parents stay: none is dangling.
	run dk image inspect -f '{{.Id}}' berthd-test/sys-prune:1
	assert_success
	run dk build -t berthd-test/sys-prune:1 "$dir"
	assert_success
	assert_equal "$(using_cache "$output")" "0"
	no_leftovers
}

@test "berthd build prune: --filter until keeps the records used since then, and only those hit the cache again" {
	local old new recent before t1 secs until
	old=$(ctx until-old 'echo old >/ran')
	new=$(ctx until-new 'echo new >/ran')
	run dk build -t berthd-test/until-old:1 "$old"
	assert_success
	before=$(cache_names)
	t1=$(date +%s)
	sleep 5
	run dk build -t berthd-test/until-new:1 "$new"
	assert_success
	recent=$(comm -13 <(echo "$before") <(cache_names))
	assert_equal "$(echo "$recent" | wc -l)" "5"
	# Every record was used in the last 1.5 hours, and after a minute
	# before t1 (a timestamp, as dockerd takes too): nothing goes.
	for until in 1h30m 1.5h "$(date -u -d "@$((t1 - 60))" +%Y-%m-%dT%H:%M:%SZ)" "$((t1 - 60))"; do
		run dk builder prune -f --filter "until=$until"
		assert_success
		assert_output_contains "Total reclaimed space: 0B"
		assert_equal "$(cache_names | wc -l)" "10"
	done
	# Keep what was used in the last (now - t1 - 2) seconds: the second
	# build's records (made 5 s after t1 or later), not the first's.
	secs=$(($(date +%s) - t1 - 2))
	run dk builder prune -f --filter "until=${secs}s"
	assert_success
	assert_equal "$(deleted_names "$output")" "$before"
	assert_equal "$(cache_names)" "$recent"
	run dk build -t berthd-test/until-new:1 "$new"
	assert_success
	assert_equal "$(using_cache "$output")" "3"
	run dk build -t berthd-test/until-old:1 "$old"
	assert_success
	assert_equal "$(using_cache "$output")" "0"
	no_leftovers
}

@test "berthd build prune: --keep-storage keeps the most recently used records that fit; a cache hit is a use" {
	local first second older newer keep total
	first=$(ctx keep-first 'echo first >/ran')
	second=$(ctx keep-second 'echo second >/ran')
	run dk build -t berthd-test/keep-first:1 "$first"
	assert_success
	newer=$(cache_names)
	run dk build -t berthd-test/keep-second:1 "$second"
	assert_success
	older=$(comm -13 <(echo "$newer") <(cache_names))
	assert_equal "$(echo "$older" | wc -l)" "5"
	# The first build again, all cache: its records become the most
	# recently used.
	run dk build -t berthd-test/keep-first:1 "$first"
	assert_success
	assert_equal "$(using_cache "$output")" "3"
	total=$(cache_bytes)
	keep=$(cache_records | grep -F -f <(echo "$newer") | awk '{ n += $2 } END { print n }')
	[ "$keep" -gt 0 ] && [ "$keep" -lt "$total" ] || fail "sizes: keep $keep of $total"
	run dk builder prune -f --keep-storage "$keep"
	assert_success
	assert_equal "$(deleted_names "$output")" "$older"
	assert_output_contains "Total reclaimed space: $((total - keep))B"
	assert_equal "$(cache_names)" "$newer"
	assert_equal "$(cache_bytes)" "$keep"
	# A limit above what is there removes nothing.
	run dk builder prune -f --keep-storage "$((keep + 1))"
	assert_success
	assert_output_contains "Total reclaimed space: 0B"
	assert_equal "$(cache_names)" "$newer"
	no_leftovers
}

@test "berthd build prune: filters berthd cannot honour are refused with a 400 naming them, and nothing goes" {
	local dir records f
	dir=$(ctx refused 'echo refused >/ran')
	run dk build -t berthd-test/refused:1 "$dir"
	assert_success
	records=$(cache_records)
	assert_equal "$(echo "$records" | wc -l)" "5"

	run dk builder prune -f --filter until=yesterday
	assert_failure
	assert_output_contains "invalid filter 'until=yesterday': a duration (e.g. '24h') or a timestamp is expected"
	for f in -1h 1e3s 0x10s 1h30; do
		run dk builder prune -f --filter "until=$f"
		assert_failure
		assert_output_contains "invalid filter 'until=$f'"
	done
	run dk builder prune -f --filter until=1h --filter unused-for=1h
	assert_failure
	assert_output_contains 'conflicting filters: "until" and "unused-for"'
	run dk builder prune -f --filter dangling=true
	assert_failure
	assert_output_contains "invalid filter 'dangling'"
	for f in id type inuse shared; do
		run dk builder prune -f --filter "$f=x"
		assert_failure
		assert_output_contains "build cache filter '$f' is not supported"
	done
	assert_equal "$(cache_records)" "$records"
	no_leftovers
}

@test "berthd build prune: records have no labels: a label filter prunes none of them, label! every one" {
	local dir names
	dir=$(ctx labels 'echo labels >/ran')
	run dk build -t berthd-test/labels:1 "$dir"
	assert_success
	names=$(cache_names)
	run dk builder prune -f --filter label=keep
	assert_success
	assert_output_contains "Total reclaimed space: 0B"
	assert_equal "$(cache_names)" "$names"
	run dk builder prune -f --filter label!=keep
	assert_success
	assert_equal "$(deleted_names "$output")" "$names"
	assert_equal "$(cache_records)" ""
	no_leftovers
}

@test "berthd build prune: API parameters no docker CLI sends are refused with a 400 naming them, and nothing goes" {
	local dir records code
	dir=$(ctx api 'echo api >/ran')
	run dk build -t berthd-test/api:1 "$dir"
	assert_success
	records=$(cache_records)
	assert_equal "$(echo "$records" | wc -l)" "5"

	# Each a 400 that names what is refused.
	for q in 'keep-storage=-1|keep-storage' 'keep-storage=10x|keep-storage' 'all=maybe|all' \
		'max-used-space=1000|max-used-space' 'reserved-space=1|reserved-space' \
		'min-free-space=1|min-free-space' \
		'filters=%7B%22until%22%3A%5B%221h%22%2C%222h%22%5D%7D|until'; do
		code=$(curl -sS -o "$BATS_TEST_TMPDIR/reply" -w '%{http_code}' -X POST \
			--unix-socket "$BERTHD_SOCK" "http://api/build/prune?${q%%|*}")
		assert_equal "$code" "400"
		assert_equal "$(jq -r .message "$BATS_TEST_TMPDIR/reply" | grep -c -- "${q##*|}")" "1"
	done
	assert_equal "$(cache_records)" "$records"
	no_leftovers
}
