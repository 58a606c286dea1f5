# tests/cli/lib.sh: helpers for the CLI tests (TAP, run by prove).
#
#   . "$(dirname "$0")/lib.sh"
#   start_fake pjm                      # $PJM_URL, requests logged to $T/pjm.log
#   run pjm-lmp --from 2024-11-03 -o ndjson
#   expect_code 0
#   expect_jq 'select(.location_id=="51288") | .lmp' '31.5'
#   run_in input.csv wp-fmt -o ndjson   # stdin from a file
#   expect_code 65 'stdin:3:'
#   done_testing
#
# Every script gets a fresh temporary $T with its own XDG_* directories,
# LC_ALL=C, no credentials from the caller's environment, and the built
# programs first on PATH ($WP_BIN, set by make check).
set -u
export LC_ALL=C TZ=UTC
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${WP_BIN:=$TOP/bin}"
PATH=$WP_BIN:$PATH
T=$(mktemp -d "${TMPDIR:-/tmp}/wp-test.XXXXXX")
export XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache XDG_STATE_HOME=$T/state \
	XDG_DATA_HOME=$T/data HOME=$T/home
mkdir -p "$HOME" "$XDG_CONFIG_HOME/wattpipe"
unset PJM_API_KEY BRM_USERNAME BRM_PASSWORD IRIS_CLIENT_SECRET EIA_API_KEY \
	MRETS_API_KEY NAR_API_KEY WATTPIPE_FORMAT PJM_BASE_URL BRM_BASE_URL \
	EIA_BASE_URL MRETS_BASE_URL IRIS_BASE_URL 2>/dev/null || true
DATA=$TOP/tests/data
SHARED=$TOP/../shared
_n=0 _failed=0 _pids=

_cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap _cleanup EXIT

_ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
_notok() {
	_n=$((_n + 1)) _failed=$((_failed + 1))
	echo "not ok $_n - $1"
	shift
	for l in "$@"; do printf '#   %s\n' "$l"; done
	printf '#   stderr: %s\n' "$(head -c 600 "$T/err" 2>/dev/null)"
}

# run CMD ARGS...: stdin from /dev/null; stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" </dev/null >"$T/out" 2>"$T/err"; rc=$?; _cmd="$*"; }
# run_in FILE CMD ARGS...: the same with stdin from FILE.
run_in() { _f=$1; shift; "$@" <"$_f" >"$T/out" 2>"$T/err"; rc=$?; _cmd="$*"; }

# expect_code N [ERE]: the exit status, and stderr matching ERE when given.
expect_code() {
	if [ "$rc" -ne "$1" ]; then
		_notok "$_cmd: exit $1" "got exit $rc"
	elif [ $# -gt 1 ] && ! grep -Eq -- "$2" "$T/err"; then
		_notok "$_cmd: exit $1, stderr matches /$2/" "stderr does not match"
	else
		_ok "$_cmd: exit $1${2:+ /$2/}"
	fi
}

# expect_out TEXT: stdout is exactly TEXT (plus its final newline).
expect_out() {
	printf '%s\n' "$1" >"$T/want"
	if cmp -s "$T/want" "$T/out"; then _ok "$_cmd: output"
	else _notok "$_cmd: output" "$(diff "$T/want" "$T/out" | head -20)"; fi
}

# expect_jq [-s] FILTER WANT: `jq -r FILTER` over stdout (slurped with -s,
# also accepted as a "-s FILTER" prefix) prints exactly WANT.
expect_jq() {
	if [ "$1" = "-s" ]; then shift; set -- "-s $1" "$2"; fi
	if [ "${1#-s }" != "$1" ]; then got=$(jq -r -s "${1#-s }" "$T/out" 2>&1)
	else got=$(jq -r "$1" "$T/out" 2>&1); fi
	if [ "$got" = "$2" ]; then _ok "$_cmd: jq $1 = $2"
	else _notok "$_cmd: jq $1" "want: $2" "got:  $(printf '%s' "$got" | head -5)"; fi
}

# expect_lines N: stdout has N lines.
expect_lines() {
	got=$(wc -l <"$T/out")
	if [ "$got" -eq "$1" ]; then _ok "$_cmd: $1 lines"
	else _notok "$_cmd: $1 lines" "got $got"; fi
}

# expect_empty_out: nothing on stdout (no half results after a failure).
expect_empty_out() {
	if [ ! -s "$T/out" ]; then _ok "$_cmd: no output"
	else _notok "$_cmd: no output" "got: $(head -c 300 "$T/out")"; fi
}

# check DESC COMMAND...: a test that passes when COMMAND succeeds.
check() {
	_d=$1; shift
	if "$@"; then _ok "$_d"; else _notok "$_d" "failed: $*"; fi
}

# start_fake NAME [ARGS...]: start tests/fakes/NAME on a free loopback port.
# Sets ${NAME}_URL (upper case, '-' -> '_'), e.g. PJM_URL=http://127.0.0.1:PORT;
# the fake appends every request it receives to $T/NAME.log (NDJSON).
start_fake() {
	_name=$1; shift
	rm -f "$T/$_name.port"
	/usr/bin/python3 "$TOP/tests/fakes/$_name" --port-file "$T/$_name.port" \
		--log "$T/$_name.log" "$@" 2>"$T/$_name.stderr" &
	_pids="$_pids $!"
	_i=0
	while [ ! -s "$T/$_name.port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then echo "Bail out! fake $_name did not start: $(cat "$T/$_name.stderr")"; exit 1; fi
		sleep 0.05
	done
	_var=$(echo "$_name" | tr 'a-z-' 'A-Z_')_URL
	eval "$_var=http://127.0.0.1:$(cat "$T/$_name.port")"
	export "$_var"
}

# secret_file NAME VALUE: a 0600 file holding VALUE; prints its path.
secret_file() { (umask 077; printf '%s\n' "$2" >"$T/$1"); echo "$T/$1"; }

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
