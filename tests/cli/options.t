#!/bin/sh
# Every program: --help and --version exit 0 on stdout, every option of its
# table is in its man page, the man page lints clean, and the committed
# completions are what the option table generates today.
. "$(dirname "$0")/lib.sh"

for prog in "$WP_BIN"/*; do
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	run "$prog" --help
	expect_code 0
	check "$name --help starts with Usage" grep -q "^Usage: $name " "$T/out"
	run "$prog" --version
	expect_code 0
	check "$name --version names wattpipe" grep -q "^$name (wattpipe) " "$T/out"
	man=$TOP/man/$name.1
	check "$name has a man page" test -f "$man"
	[ -f "$man" ] || continue
	missing=
	for o in $("$prog" --help | sed -n 's/^ *\(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p'); do
		grep -Eq "Fl Fl $o( |$)" "$man" || missing="$missing --$o"
	done
	check "$name: every option is in man/$name.1${missing:+ (missing:$missing)}" test -z "$missing"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS FIELDS ENVIRONMENT EXIT_STATUS EXAMPLES; do
		s=$(echo "$s" | tr _ ' ')
		check "$name.1 has section $s" grep -Eq "^\.Sh \"?$s\"?\$" "$man"
	done
	check "$name.1 has no mandoc errors" mandoc -Tlint -Werror "$man"
	for shell in bash zsh fish; do
		case $shell in
		bash) f=$TOP/completions/bash/$name ;;
		zsh) f=$TOP/completions/zsh/_$name ;;
		fish) f=$TOP/completions/fish/$name.fish ;;
		esac
		"$prog" --wp-completion $shell >"$T/cpl"
		check "$name: $shell completion is current" cmp -s "$T/cpl" "$f"
	done
done
for f in "$TOP"/completions/bash/*; do
	[ -e "$f" ] && check "bash accepts completions/bash/$(basename "$f")" bash -n "$f"
done
done_testing
