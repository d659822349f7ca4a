#!/usr/bin/env bats
# docker network prune with its filters (label, label!, until), and docker
# system prune with a filter, which sends it to every prune request: the
# same steps against berthd and against a private dockerd in a network
# namespace of its own (its bridges and rules stay there), compared.

bats_require_minimum_version 1.5.0
load berthd_helpers
load berthd_peer

setup_file() { berthd_setup_file host-only; }
setup() { berthd_skip_in_vm; }
teardown() {
	berthd_remove_containers
	dk network prune -f >/dev/null 2>&1
	peer_in_netns_stop || true
	true
}
teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_teardown_file
}

# The user networks client $1 has, sorted, on one line.
custom_networks() {
	"$1" network ls --filter type=custom --format '{{.Name}}' | sort | tr '\n' ' '
}

# The steps, for client $1 (dk: berthd, peer: dockerd); one line per step
# with the networks left after it.
prune_steps() {
	local c=$1 later
	"$c" network create --label keep=yes --subnet 10.241.1.0/24 pkeep >/dev/null
	"$c" network create --label env=test --subnet 10.241.2.0/24 ptest >/dev/null
	"$c" network create --label env=prod --subnet 10.241.3.0/24 pprod >/dev/null
	"$c" network create --subnet 10.241.4.0/24 pplain >/dev/null
	"$c" network create --label env=test --subnet 10.241.5.0/24 pused >/dev/null
	"$c" run -d --name puser --network pused berthd-test/bb:1 sleep 100 >/dev/null
	echo "start: $(custom_networks "$c")"
	# A label and its value: ptest, not pused (a container is on it).
	"$c" network prune -f --filter label=env=test >/dev/null
	echo "label=env=test: $(custom_networks "$c")"
	# Created before an hour ago: none of them.
	"$c" network prune -f --filter until=1h >/dev/null
	echo "until=1h: $(custom_networks "$c")"
	# Without the label keep: pprod, pplain.
	"$c" network prune -f --filter 'label!=keep' >/dev/null
	echo "label!=keep: $(custom_networks "$c")"
	# A key only: pkeep (pused is still used).
	"$c" network prune -f --filter label=keep >/dev/null
	echo "label=keep: $(custom_networks "$c")"
	# A filter prune does not know.
	if "$c" network prune -f --filter dangling=true >/dev/null 2>&1; then
		echo "dangling: accepted"
	else
		echo "dangling: refused"
	fi
	"$c" rm -f puser >/dev/null
	# Created before an hour from now (unix seconds), through system prune:
	# pused now goes too.
	later=$(($(date +%s) + 3600))
	"$c" system prune -f --filter "until=$later" >/dev/null
	echo "system prune until=later: $(custom_networks "$c")"
}

expected_prune_steps() {
	cat <<-EOF
	start: pkeep pplain pprod ptest pused 
	label=env=test: pkeep pplain pprod pused 
	until=1h: pkeep pplain pprod pused 
	label!=keep: pkeep pused 
	label=keep: pused 
	dangling: refused
	system prune until=later: 
	EOF
}

@test "berthd network prune: label, label! and until choose the networks; one in use stays; an unknown filter is refused" {
	local ours before
	before=$(ip -br link show type bridge | awk '{print $1}' | sort)
	ours=$(prune_steps dk)
	assert_equal "$ours" "$(expected_prune_steps)"
	# Each pruned network's bridge is gone with it.
	assert_equal "$(ip -br link show type bridge | awk '{print $1}' | sort)" "$before"
	run dk network prune -f --filter dangling=true
	assert_failure
	assert_output_contains "invalid filter 'dangling'"
	run dk network prune -f --filter until=soon
	assert_failure
	assert_output_contains "invalid filter 'until=soon'"
}

@test "berthd network prune as dockerd: the same steps against a dockerd in a network namespace of its own" {
	local ours theirs
	peer_in_netns_start bpruned berth-prune
	ours=$(prune_steps dk)
	theirs=$(prune_steps peer)
	assert_equal "$theirs" "$(expected_prune_steps)"
	assert_equal "$ours" "$theirs"
	PEER_LEFT=
	peer_in_netns_stop
	assert_equal "$PEER_LEFT" ""
}
