#!/bin/sh
# iris-backfill against the Insights API of tests/fakes/iris. Fake rows:
# FREQ every 15 s (50 + 0.1 sin(epoch/15/11), 3 decimals), BOALF every
# 10 min, MELNGC every 30 min, in [from, to).
. "$(dirname "$0")/lib.sh"
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
	echo "1..0 # SKIP python3-qpid-proton missing"
	exit 0
fi

cat >"$XDG_CONFIG_HOME/wattpipe/config" <<'CFG'
[iris]
retries = 1
backoff = 0.05
CFG
S=$T/spool
export IRIS_DIR=$S

start_fake iris --amqp-port-file "$T/iris.amqp"
export IRIS_BASE_URL=$IRIS_URL/bmrs/api/v1
# sent JQ: jq over the Insights requests the fake received.
sent() { jq -r "select(.method==\"GET\") | $1" "$T/iris.log"; }

run iris-backfill --help
expect_code 0
check "--help lists --dataset" grep -q -- '--dataset' "$T/out"

# ---- FREQ: windows of at most 24 h, named by window ----------------------
run iris-backfill --dataset FREQ --from 2025-10-27T00:00:00Z --to 2025-10-28T06:00:00Z -o ndjson
expect_code 0
expect_lines 7200
check "two requests, 24 h cap, the real parameter names" test "$(sent '"\(.path) \(.query.measurementDateTimeFrom) \(.query.measurementDateTimeTo) \(.status)"' | tr '\n' ';')" = \
	"/bmrs/api/v1/datasets/FREQ 2025-10-27T00:00:00Z 2025-10-28T00:00:00Z 200;/bmrs/api/v1/datasets/FREQ 2025-10-28T00:00:00Z 2025-10-28T06:00:00Z 200;"
check "files named DATASET_<from>_api-<to>.json" test "$(cd "$S/FREQ" && ls | tr '\n' ' ')" = \
	"FREQ_202510270000_api-202510280000.json FREQ_202510280000_api-202510280600.json "
check "a file holds the rows as a JSON array" test "$(jq -c '[length, .[0].measurementTime, .[-1].measurementTime]' "$S/FREQ/FREQ_202510270000_api-202510280000.json")" = \
	'[5760,"2025-10-27T00:00:00Z","2025-10-27T23:59:45Z"]'
expect_jq '-s .[0] | "\(.dataset) \(.message_id) \(.frequency)"' 'FREQ FREQ_202510270000_api-202510280000.json 49.98'
check "stderr counts files" grep -q '2 files written, 0 already present, 7200 rows' "$T/err"

# The records read back look like streamed ones.
run iris-records --dataset FREQ --from 2025-10-28T00:00:00Z -o csv
expect_code 0
check "iris-records reads back-filled files" test "$(sed -n 2p "$T/out")" = 'FREQ,2025-10-28T00:00:00Z,50.094,FREQ_202510280000_api-202510280600.json'

# ---- present files are skipped without a request -------------------------
: >"$T/iris.log"
run iris-backfill --dataset FREQ --from 2025-10-27T00:00:00Z --to 2025-10-28T06:00:00Z -o ndjson
expect_code 0
expect_empty_out
check "no request for present files" test ! -s "$T/iris.log"
check "stderr says they were present" grep -q '0 files written, 2 already present' "$T/err"
# A GB day (GMT in late October) is the same first window.
run iris-backfill --dataset FREQ --from 2025-10-27 --to 2025-10-27 -o ndjson
expect_code 0
check "--from/--to a GB day: the same window, skipped" grep -q '0 files written, 1 already present' "$T/err"

# ---- other parameter families, a BST day ---------------------------------
: >"$T/iris.log"
run iris-backfill --dataset BOALF --from 2025-06-01 --to 2025-06-01 -o ndjson
expect_code 0
check "BOALF uses from/to; a BST day starts 23:00Z the day before" test "$(sent '"\(.query.from) \(.query.to)"')" = \
	"2025-05-31T23:00:00Z 2025-06-01T23:00:00Z"
expect_lines 144
run iris-backfill --dataset MELNGC --from 2025-03-30 --to 2025-03-30 -o ndjson
expect_code 0
check "the 23-hour clock-change day is one window" test "$(ls "$S/MELNGC")" = MELNGC_202503300000_api-202503302300.json
expect_lines 46

# ---- rate limit: 429 with Retry-After is waited out ----------------------
kill $! 2>/dev/null
start_fake iris --amqp-port-file "$T/iris2.amqp" --rate-limit 1
export IRIS_BASE_URL=$IRIS_URL/bmrs/api/v1
run iris-backfill --dataset MELNGC --from 2025-01-01 --to 2025-01-02 -o ndjson
expect_code 0
expect_lines 96
check "a 429 was answered and then the window fetched" test "$(sent '.status' | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')" = "200 429 "

# ---- failures ------------------------------------------------------------
run iris-backfill --dataset XYZ --from 2025-01-01
expect_code 64 "dataset 'XYZ' cannot be back-filled"
run iris-backfill --dataset FREQ
expect_code 64 'required'
run iris-backfill --dataset FREQ --from 2025-01-01 --base-url http://127.0.0.1:1/bmrs/api/v1
expect_code 75
mkdir -p "$T/ro" && : >"$T/ro/FUELINST"
run iris-backfill --dataset FUELINST --from 2025-01-01 --to 2025-01-01 --dir "$T/ro"
expect_code 73 'cannot create directory .*ro/FUELINST'
expect_empty_out

done_testing
