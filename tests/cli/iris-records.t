#!/bin/sh
# iris-records over a spool laid out by hand (as iris-listen writes it).
. "$(dirname "$0")/lib.sh"

S=$T/spool
mkdir -p "$S/FREQ" "$S/BOALF" "$S/rejected"
printf '%s' '[{"dataset":"FREQ","measurementTime":"2025-10-27T16:49:00Z","frequency":50.012},{"dataset":"FREQ","measurementTime":"2025-10-27T16:49:15Z","frequency":49.987}]' \
	>"$S/FREQ/FREQ_202510271649_66892.json"
printf '%s' '[{"dataset":"FREQ","measurementTime":"2025-10-28T00:10:00Z","frequency":50.1}]' \
	>"$S/FREQ/FREQ_202510280010_66900.json"
printf '%s' '{"dataset":"BOALF","bmUnit":"T_DRAXX-1","acceptanceNumber":4711,"levelFrom":400,"levelTo":380}' \
	>"$S/BOALF/BOALF_202510271651_ab-7.json"
printf 'junk' >"$S/rejected/FREQ_202510271655_bad.json"
printf 'half' >"$S/FREQ/.FREQ_202510271700_1.json.tmp.99.1"
printf '[1]' >"$S/FREQ/FREQ_202510271649_66892.json.dup1"
export IRIS_DIR=$S

run iris-records --help
expect_code 0
check "--help lists --since-checkpoint" grep -q -- '--since-checkpoint' "$T/out"

run iris-records -o ndjson
expect_code 0
expect_lines 4
expect_jq '-s map("\(.dataset) \(.message_id)") | join(",")' \
	'BOALF BOALF_202510271651_ab-7.json,FREQ FREQ_202510271649_66892.json,FREQ FREQ_202510271649_66892.json,FREQ FREQ_202510280010_66900.json'
expect_jq '-s map(select(.dataset=="BOALF")) | .[0] | "\(.acceptanceNumber) \(.levelTo)"' '4711 380'

run iris-records --dataset FREQ -o csv
expect_code 0
expect_out 'dataset,measurementTime,frequency,message_id
FREQ,2025-10-27T16:49:00Z,50.012,FREQ_202510271649_66892.json
FREQ,2025-10-27T16:49:15Z,49.987,FREQ_202510271649_66892.json
FREQ,2025-10-28T00:10:00Z,50.1,FREQ_202510280010_66900.json'

# GB days: 2025-10-27 is a GMT day, so it ends at 2025-10-28T00:00Z.
run iris-records --dataset FREQ --from 2025-10-27 --to 2025-10-27 -o ndjson
expect_code 0
expect_jq '-s map(.measurementTime) | join(" ")' '2025-10-27T16:49:00Z 2025-10-27T16:49:15Z'
run iris-records --from 2025-10-28T00:00:00Z -o ndjson
expect_jq '-s map(.message_id) | join(" ")' 'FREQ_202510280010_66900.json'
# 2025-06-01 is a BST day: it starts at 2025-05-31T23:00Z.
mkdir -p "$S/MELNGC"
printf '[{"dataset":"MELNGC","margin":1}]' >"$S/MELNGC/MELNGC_202505312330_1.json"
run iris-records --dataset MELNGC --from 2025-06-01 --to 2025-06-01 -o ndjson
expect_jq '.margin' '1'
run iris-records --dataset MELNGC --from 2025-05-31 --to 2025-05-31 -o ndjson
expect_code 0
expect_empty_out
run iris-records --dataset NETBSAD -o ndjson
expect_code 0
expect_empty_out

# ---- checkpoint: files appear to a cron job once --------------------------
sleep 1.1
run iris-records --since-checkpoint hourly -o ndjson
expect_code 0
expect_lines 5
printf '[{"dataset":"FREQ","frequency":49.9}]' >"$S/FREQ/FREQ_202510280011_66901.json"
run iris-records --since-checkpoint hourly -o ndjson
expect_code 0
expect_empty_out
sleep 1.1
run iris-records --since-checkpoint hourly -o ndjson
expect_code 0
expect_jq '-s map("\(.message_id) \(.frequency)") | join(",")' 'FREQ_202510280011_66901.json 49.9'
run iris-records --since-checkpoint hourly -o ndjson
expect_empty_out
check "checkpoint kept under XDG_STATE_HOME" test -s "$XDG_STATE_HOME/wattpipe/iris-records/hourly"
run iris-records --since-checkpoint other -o ndjson
expect_lines 6

# ---- bad input -----------------------------------------------------------
run iris-records --since-checkpoint ../x
expect_code 64 "checkpoint name '../x'"
run iris-records --dataset ../etc
expect_code 64 "bad dataset name"
run iris-records --from 2025-02-30
expect_code 64 "invalid date"
run iris-records --from 2025-10-28 --to 2025-10-27
expect_code 64 'is not after'
run iris-records --dir "$T/nowhere"
expect_code 66 'nowhere'
printf '"oops"' >"$S/FREQ/FREQ_202510280012_1.json"
run iris-records --dataset FREQ -o ndjson
expect_code 65 'FREQ_202510280012_1.json: not a JSON array'

done_testing
