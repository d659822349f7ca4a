#!/usr/bin/env bats
# The man pages and the bash completion: installed by make install,
# rendered without warnings, and naming every option the binaries take.

load helpers

setup_file() {
	export DEST=$BATS_FILE_TMPDIR/dest
	make -C "$REPO" --no-print-directory install DESTDIR="$DEST" PREFIX=/usr >/dev/null
}

@test "docs: make install puts the man pages where man finds them; berthd.service's Documentation resolves" {
	local man8=$DEST/usr/share/man/man8
	[ -f "$man8/berth.8" ]
	[ -f "$man8/berthd.8" ]
	[ -f "$DEST/usr/share/bash-completion/completions/berth" ]
	run man -M "$DEST/usr/share/man" -w berthd
	assert_success
	assert_equal "$output" "$man8/berthd.8"
	local doc
	doc=$(sed -n 's/^Documentation=man:\([a-z]*\)(\([0-9]\))$/\1.\2/p' "$REPO/contrib/berthd.service")
	assert_equal "$doc" "berthd.8"
	[ -f "$man8/$doc" ]
	for page in berth.8 berthd.8; do
		run groff -ww -z -man "$man8/$page"
		assert_success
		assert_equal "$output" ""
	done
}

# The long options of `berth CMD --help` (and the global ones).
berth_options() {
	"$REPO/build/berth" "$@" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

@test "docs: berth(8) and the completion name every option of every command" {
	local page=$REPO/contrib/berth.8 comp=$REPO/contrib/berth.bash-completion cmd opt missing=""
	for cmd in "" create run exec kill delete list ps update events spec; do
		for opt in $(berth_options $cmd); do
			# groff escapes the dashes of the page.
			grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$page" || missing="$missing man:$cmd$opt"
			grep -qF -- "$opt" "$comp" || missing="$missing completion:$cmd$opt"
		done
	done
	assert_equal "$missing" ""
	for opt in $("$REPO/build/berthd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$REPO/contrib/berthd.8" || missing="$missing berthd:$opt"
	done
	assert_equal "$missing" ""
}

# complete WORDS...: what the completion offers for the last word.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_berth
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "docs: bash completion offers commands, options and the containers of --root" {
	source "$DEST/usr/share/bash-completion/completions/berth"
	assert_equal "$(complete_words berth cr)" "create"
	assert_equal "$(complete_words berth de | tr '\n' ' ')" "delete "
	assert_equal "$(complete_words berth --lo | tr '\n' ' ')" "--log --log-format "
	assert_equal "$(complete_words berth delete --f | tr '\n' ' ')" "--force "
	assert_equal "$(complete_words berth list --format '' | tr '\n' ' ')" "table json "
	# Container ids come from berth list in the --root given.
	local root=$BATS_TEST_TMPDIR/state
	mkdir -p "$root"
	PATH=$REPO/build:$PATH
	setup_bundle
	"$BERTH" --root "$root" create -b "$BUNDLE" compctr
	assert_equal "$(complete_words berth --root "$root" kill comp)" "compctr"
	assert_equal "$(complete_words berth --root "$root" kill compctr K)" "KILL"
	"$BERTH" --root "$root" delete -f compctr
	assert_equal "$(complete_words berth --root "$root" state '')" ""
}
