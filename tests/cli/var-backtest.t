#!/bin/sh
# var-backtest: rolling VaR, exceptions, Kupiec and Christoffersen.
. "$(dirname "$0")/lib.sh"
D=$DATA/var-calc

run var-backtest --help
expect_code 0
check "--help names the tests" grep -q 'Kupiec POF, Christoffersen' "$T/out"

# By hand: window 4, Gaussian 95 %. Day 5 sees {1,-1,1,-1}: mean 0, sd 1,
# VaR 1.6449, and -3 is an exception; day 6 sees {-1,1,-1,-3}: mean -1,
# sd sqrt(2), VaR 3.326, and 0.5 is not.
run var-backtest -m gaussian -c 0.95 --window 4 -o ndjson "$D/backtest-hand.csv"
expect_code 0
expect_lines 2
expect_jq '-s .[0] | [.kind, .date, .value, (.var - 1.6448536269514729 | fabs) < 1e-12] | @csv' '"exception","2024-01-05",-3,true'
expect_jq '-s .[1] | [.kind, .days, .exceptions, (.expected - 0.1 | fabs) < 1e-12] | @csv' '"summary",2,1,true'
# Kupiec with n = 2, x = 1, alpha = 0.05, written out independently
expect_jq '-s .[1] | (.lr_pof - (-2 * ((0.95 | log) + (0.05 | log)) + 2 * ((0.5 | log) + (0.5 | log))) | fabs) < 1e-12' true
expect_jq '-s .[1] | [.n00, .n01, .n10, .n11] | @csv' '0,0,1,0'

# A longer run: counts agree with the exceptions listed and the LR is Kupiec's.
run var-backtest -c 0.99 --window 100 -w power=1 -o ndjson "$D/returns.csv"
expect_code 0
expect_jq '-s (map(select(.kind == "exception")) | length) == (.[-1].exceptions)' true
expect_jq '-s .[-1] | .n00 + .n01 + .n10 + .n11 == .days - 1' true
expect_jq '-s .[-1] | . as $s | ($s.exceptions / $s.days) as $r | (-2 * (($s.days - $s.exceptions) * (0.99 | log) + $s.exceptions * (0.01 | log)) + 2 * (($s.days - $s.exceptions) * (1 - $r | log) + (if $s.exceptions > 0 then $s.exceptions * ($r | log) else 0 end))) - $s.lr_pof | fabs < 1e-9' true
expect_jq '-s .[-1] | (.reject_pof == (.p_pof < 0.05)) and (.reject_cc == (.p_cc < 0.05))' true
run var-backtest -c 0.99 --window 100 -w power=1 --summary -o ndjson "$D/returns.csv"
expect_lines 1
expect_jq '.zone' green
# prices -> P&L of a book
run var-backtest --from-prices -p PJM-WEST=50 -p HH=-200 --window 100 -c 0.95 -o ndjson "$D/prices.ndjson"
expect_code 0 '2 dates dropped'
# the negative price day, its book P&L recomputed from the fixture
want=$(jq -s '[group_by(.date)[] | select(length == 3) | select(.[0].date <= "2021-05-01")] | .[-2:]
	| map(map({(.instrument): .value}) | add) | 50 * (.[1]["PJM-WEST"] - .[0]["PJM-WEST"]) - 200 * (.[1].HH - .[0].HH)' "$D/prices.ndjson")
expect_jq "-s map(select(.kind == \"exception\")) | .[0] | [.date, (.value - $want | fabs) < 1e-9] | @csv" '"2021-05-01",true'

# Bad input
run var-backtest --window 6 -m gaussian -c 0.95 "$D/backtest-hand.csv"
expect_code 65 'a 6-day window leaves no day to test'
expect_empty_out
run var-backtest -m montecarlo "$D/backtest-hand.csv"
expect_code 64 'montecarlo is not offered'
run var-backtest --window 100 "$D/returns.csv"
expect_code 64 '3 instruments: say which with --weight or --position'
expect_empty_out
run var-backtest -c 0.95,0.99 -w power=1 "$D/returns.csv"
expect_code 64 'at most 1 confidence level$'
run var-backtest -c 2 "$D/returns.csv"
expect_code 64 'outside \(0,1\)'
printf 'date,x\n1,1\n2,1\n3,1\n4,1\n5,2\n' >"$T/flat.csv"
run var-backtest -m gaussian -c 0.95 --window 3 "$T/flat.csv"
expect_code 65 'constant series'
expect_empty_out
done_testing
