#!/bin/sh
# var-stress: scenarios as records applied to today's positions.
. "$(dirname "$0")/lib.sh"
D=$DATA/var-calc
S=$DATA/var-stress
BOOK="-p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10"

run var-stress --help
expect_code 0
check "--help mentions scenarios" grep -q -- '--scenarios' "$T/out"

# Built-in set: 9 scenarios x (3 instruments + portfolio).
run var-stress $BOOK -o ndjson "$D/prices.ndjson"
expect_code 0 '2 dates dropped'
expect_lines 36
# shocks revalue the last prices: MW x price x shock
last=$(jq -s 'map(select(.date == "2021-10-27")) | map({(.instrument): .value}) | add' "$D/prices.ndjson")
expect_jq "-s ($last) as \$p | map(select(.scenario == \"prices-20%\")) | map({(.instrument): .pnl}) | add
	| [(.\"PJM-WEST\" - 50 * \$p.\"PJM-WEST\" * -0.2 | fabs) < 1e-9, (.HH - -200 * \$p.HH * -0.2 | fabs) < 1e-9,
	   (.portfolio - (50 * \$p.\"PJM-WEST\" - 200 * \$p.HH + 10 * \$p.\"ERCOT-N\") * -0.2 | fabs) < 1e-9] | all" true
# a vol spike scales sd: the step from x2 to x3 equals the step from x1 to x2
printf '%s\n' '{"scenario":"x1","kind":"vol","scale":1}' '{"scenario":"x2","kind":"vol","scale":2}' \
	'{"scenario":"x3","kind":"vol","scale":3}' >"$T/vol.ndjson"
run var-stress -s "$T/vol.ndjson" $BOOK -o ndjson "$D/prices.ndjson"
expect_jq '-s group_by(.instrument)[] | map(.var) | (.[2] - .[1]) - (.[1] - .[0]) | fabs < 1e-9' 'true
true
true
true'

# Scenario file: named instruments, joint shocks, an EIA-derived multiplier, replay.
run var-stress -s "$S/scenarios.ndjson" $BOOK -o ndjson "$D/prices.ndjson"
expect_code 0
expect_jq '-s map(select(.scenario == "gas+50%")) | map(.pnl) | @csv' '0,-299,0,-299'
expect_jq '-s map(select(.scenario == "gas+50%,power+20%" and .instrument == "HH")) | .[0].pnl' -299
# replay: the summed daily P&L is the position times the price change over the window
want=$(jq -s '[group_by(.date)[] | select(length == 3) | (map({(.instrument): .value}) | add) + {date: .[0].date}]
	| (map(select(.date < "2021-02-08")) | .[-1]) as $a | (map(select(.date <= "2021-02-17")) | .[-1]) as $b
	| -200 * ($b.HH - $a.HH)' "$D/prices.ndjson")
expect_jq "-s map(select(.scenario == \"freeze-replay\" and .instrument == \"HH\")) | .[0] | [(.pnl - $want | fabs) < 1e-9, .days] | @csv" 'true,10'
run var-stress --window 2021-02-08:2021-02-17 $BOOK -o ndjson "$D/prices.ndjson"
expect_lines 4
expect_jq "-s .[1] | (.pnl - $want | fabs) < 1e-9" true
# correlations that cannot all hold are repaired, and said so
printf '%s\n' '{"scenario":"impossible","kind":"corr","rho":-0.9}' >"$T/corr.ndjson"
run var-stress -s "$T/corr.ndjson" $BOOK -o ndjson "$D/prices.ndjson"
expect_code 0 'repaired to positive definite'
expect_jq '-s [.[] | .repaired] | all' true

# Bad input
run var-stress "$D/prices.ndjson"
expect_code 64 'give the book as --position'
expect_empty_out
run var-stress -p COAL=5 "$D/prices.ndjson"
expect_code 64 'no such instrument'
expect_empty_out
printf '%s\n' '{"scenario":"a","kind":"shock","shock":0.1}' '{"scenario":"b","kind":"melt"}' >"$T/bad.ndjson"
run var-stress -s "$T/bad.ndjson" $BOOK "$D/prices.ndjson"
expect_code 65 "bad.ndjson:2: kind 'melt' is not shock, vol, corr or window"
expect_empty_out
printf '%s\n' '{"scenario":"a","kind":"shock","instrument":"COAL","shock":0.1}' >"$T/coal.ndjson"
run var-stress -s "$T/coal.ndjson" $BOOK "$D/prices.ndjson"
expect_code 64 'scenario a names COAL, which is not in the input'
expect_empty_out
run var-stress --window 2019-01-01:2019-02-01 $BOOK "$D/prices.ndjson"
expect_code 65 'no price change between 2019-01-01 and 2019-02-01'
expect_empty_out
run var-stress --window 2021-02-08 $BOOK "$D/prices.ndjson"
expect_code 64 'want FROM:TO'
run var-stress -s "$T/nope.ndjson" $BOOK "$D/prices.ndjson"
expect_code 66 'nope.ndjson'
done_testing
