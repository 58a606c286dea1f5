#!/bin/sh
# Progress goes to stderr only when it is a terminal and -q is not given;
# stdout carries data only. script(1) gives the command a terminal.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-progress-1
printf '[pjm]\nmin_interval = 0\nrate_max = 0\npage_rows = 10\n' >"$XDG_CONFIG_HOME/wattpipe/config"
start_fake pjm --key "$KEY" --rate-limit 1000 --now 2025-06-01 --page-size 10
export PJM_API_KEY=$KEY PJM_BASE_URL=$PJM_URL/api/v1 WATTPIPE_NOW=2025-06-01

# on_tty CMD: run CMD with a terminal for stdin and stderr, stdout to $T/out;
# what the terminal showed goes to $T/tty.
on_tty() {
	script -qec "$* >'$T/out'" /dev/null </dev/null >"$T/tty" 2>&1
	rc=$?
	_cmd="$* (on a terminal)"
}

on_tty pjm-lmp --from 2025-05-20 --node 51288 -o csv --no-cache
expect_code 0
expect_lines 25 # header and 24 hours
check "progress counts rows and pages on the terminal" \
	grep -q 'pjm-lmp: 10/24 rows, page 1/3' "$T/tty"
check "the progress line is cleared at the end" sh -c "tr '\\r' '\\n' <'$T/tty' | tail -1 | grep -qv 'rows, page'"
check "no progress in the data" sh -c "! grep -q 'rows, page' '$T/out'"

on_tty pjm-lmp --from 2025-05-20 --node 51288 -o csv --no-cache -q
expect_code 0
check "-q: nothing on the terminal" test ! -s "$T/tty"

# Not a terminal: no progress, whatever the size.
run pjm-lmp --from 2025-05-20 --node 51288 -o csv --no-cache
expect_code 0
check "no progress when stderr is a file" test ! -s "$T/err"
done_testing
