#!/bin/sh
# var-calc: VaR/ES per method, confidence and instrument|portfolio.
. "$(dirname "$0")/lib.sh"
D=$DATA/var-calc

run var-calc --help
expect_code 0
check "--help names every method" grep -q 'historical, gaussian, modified, montecarlo' "$T/out"
check "--help lists --from-prices" grep -q -- '--from-prices' "$T/out"

# Historical by hand: sorted -5 -4 ... 4, alpha 0.1: g = 0.9, Q7 = -5 + 0.9 = -4.1;
# strictly below it only -5, so ES = 5.
run var-calc -m historical -c 0.9 --pnl -o ndjson "$D/hand.csv"
expect_code 0
expect_lines 1
expect_jq '(.var - 4.1 | fabs) < 1e-12' true
expect_jq '.es' 5
expect_jq '[.tail_n, .sign, .instrument, .n] | @csv' '1,"loss","x",10'
run var-calc -m historical -c 0.9 --pnl --as-return -o ndjson "$D/hand.csv"
expect_jq '[(.var + 4.1 | fabs) < 1e-12, .es, .sign] | @csv' 'true,-5,"return"'

# Gaussian by hand: mean -0.5, population m2 85/10 - 0.25 = 8.25, z(0.1) = -1.2815515655446004
run var-calc -m gaussian -c 0.9 --pnl -o ndjson "$D/hand.csv"
expect_jq '(.var - (0.5 + 1.2815515655446004 * (8.25 | sqrt)) | fabs) < 1e-12' true
expect_jq '(.es - (0.5 + ((-1.2815515655446004 | . * . / -2 | exp) / (2 * 3.141592653589793 | sqrt)) * (8.25 | sqrt) / 0.1) | fabs) < 1e-12' true
# Read as returns, a loss above 100 % is capped at 1 (the package's rule), with a warning.
run var-calc -m gaussian -c 0.9 -o ndjson "$D/hand.csv"
expect_code 0 '2 return figures above 100%: capped at 1'
expect_jq '[.var, .es] | @csv' '1,1'
# horizon: sqrt(4) = 2 times the one-day figures
run var-calc -m gaussian -c 0.9 --pnl --horizon 4 -o ndjson "$D/hand.csv"
expect_jq '[(.var - 2 * (0.5 + 1.2815515655446004 * (8.25 | sqrt)) | fabs) < 1e-12, .horizon] | @csv' 'true,4'

# A 3-instrument spreadsheet CSV: 95% and 99% for three methods in one command.
run var-calc -o ndjson "$D/returns.csv"
expect_code 0
expect_lines 18
expect_jq '-s [.[] | .instrument] | unique | join(",")' 'coal,gas,power'
expect_jq '-s [.[] | select(.method == "modified" and .es < .var)] | length' 0
run var-calc -o csv -c 0.95 -m gaussian "$D/returns.csv"
expect_lines 4
check "CSV header lists the fields" grep -q '^instrument,method,confidence,horizon,n,var,es,sign,' "$T/out"

# Prices -> P&L of 50 MW: the historical 95% VaR equals a type-7 quantile
# computed independently in jq over the aligned dates (2 dropped).
want=$(jq -s '[group_by(.date)[] | select(length == 3) | (map(select(.instrument == "PJM-WEST"))[0].value)]
	| [range(1; length) as $i | (.[$i] - .[$i - 1]) * 50] | sort
	| ((length - 1) * 0.05) as $g | ($g | floor) as $i | -(.[$i] + ($g - $i) * (.[$i + 1] - .[$i]))' "$D/prices.ndjson")
run var-calc --from-prices -p PJM-WEST=50 -m historical -c 0.95 -o ndjson "$D/prices.ndjson"
expect_code 0 '2 dates dropped'
expect_jq "(.var - $want | fabs) < 1e-9" true
expect_jq '.n' 297

# Portfolio: components add up to the total for every method and measure.
sums='[group_by(.confidence)[] | (map(select(.instrument == "portfolio"))[0]) as $p | map(select(.instrument != "portfolio")) | (map(.component_var) | add - $p.var | fabs < 1e-9), (map(.component_es) | add - $p.es | fabs < 1e-9)] | all'
for m in historical gaussian modified montecarlo; do
	run var-calc --from-prices -p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10 -m $m -c 0.95,0.99 -o ndjson "$D/prices.ndjson"
	expect_code 0
	expect_jq "-s $sums" true
done
# weights on returns: marginal x weight = component
run var-calc -m gaussian -c 0.95 -w power=0.5 -w gas=0.3 -w coal=0.2 -o ndjson "$D/returns.csv"
expect_jq '-s [.[] | select(.instrument != "portfolio") | (.marginal_var * .weight - .component_var | fabs) < 1e-12] | all' true
expect_jq '-s [.[] | select(.instrument != "portfolio") | .pct_var] | add | . - 100 | fabs < 1e-9' true

# Monte Carlo: reproducible with a seed, close to Gaussian with many draws.
run var-calc -m montecarlo --seed 7 -c 0.99 -o ndjson "$D/returns.csv"
cp "$T/out" "$T/mc1"
run var-calc -m montecarlo --seed 7 -c 0.99 -o ndjson "$D/returns.csv"
check "same seed, same output" cmp -s "$T/mc1" "$T/out"
expect_jq '-s .[0] | [.seed, .sims, .dist] | @csv' '7,10000,"normal"'
run var-calc -m montecarlo --seed 8 -c 0.99 -o ndjson "$D/returns.csv"
check "another seed, another output" sh -c "! cmp -s '$T/mc1' '$T/out'"
run var-calc -m gaussian,montecarlo --sims 200000 -c 0.95 -p PJM-WEST=50 -p HH=-200 --from-prices -o ndjson "$D/prices.ndjson"
# Gaussian here uses the sample covariance, like the simulation; 5 % is about 8 standard errors
expect_jq '-s map(select(.instrument == "portfolio")) | (.[1].var / .[0].var - 1 | fabs) < 0.05' true
run var-calc -m montecarlo --dist t --df 4 --sims 2000 -c 0.95 -o ndjson "$D/returns.csv"
expect_jq '-s .[0].dist' t4

# Bad input: a message naming the problem, the documented code, nothing on stdout.
run var-calc -m historical -c 0.95 "$D/hand.csv"
expect_code 65 'x: 10 observations; historical at 95% confidence needs at least 20'
expect_empty_out
printf 'date,x,y\n1,2,3\n2,2,4\n3,2,5\n4,2,1\n' >"$T/flat.csv"
run var-calc -m gaussian "$T/flat.csv"
expect_code 65 'x: constant series \(zero variance\)'
expect_empty_out
printf 'date,x\n1,2\n2,abc\n3,2\n' >"$T/text.csv"
run_in "$T/text.csv" var-calc -m gaussian
expect_code 65 "stdin:3: x 'abc' is not a number"
expect_empty_out
printf 'date,x\n1,NaN\n2,2\n3,1\n' >"$T/nan.csv"
run var-calc -m gaussian "$T/nan.csv"
expect_code 65 "x 'NaN' is not a number"
expect_empty_out
printf '{"date":"1","x":1e999}\n{"date":"2","x":2}\n' >"$T/inf.ndjson"
run var-calc -m gaussian "$T/inf.ndjson"
expect_code 65 'out of range'
expect_empty_out
run var-calc -c 1.5 "$D/hand.csv"
expect_code 64 'confidence 1.5 is outside \(0,1\)'
expect_empty_out
run var-calc -c 0 "$D/hand.csv"
expect_code 64 'outside \(0,1\)'
run var-calc -c 0.05 "$D/hand.csv"
expect_code 64 'give the confidence \(0.95\), not the tail probability'
run var-calc --from-prices -p COAL=5 "$D/prices.ndjson"
expect_code 64 '--position COAL: no such instrument in the input \(it has PJM-WEST, HH, ERCOT-N\)'
expect_empty_out
awk -F, 'NR == 1 { print $0 ",spread" } NR > 1 { printf "%s,%.5f\n", $0, $2 - 2 * $3 }' "$D/returns.csv" >"$T/collinear.csv"
run var-calc -m gaussian -w power=1 -w gas=1 -w spread=1 "$T/collinear.csv"
expect_code 65 'singular covariance: power, gas, spread are collinear'
expect_empty_out
run var-calc -m montecarlo "$T/collinear.csv"
expect_code 65 'singular covariance: power, gas, spread are collinear'
expect_empty_out
run var-calc -m bogus "$D/hand.csv"
expect_code 64 "unknown method 'bogus'"
run var-calc --returns log "$D/prices.ndjson"
expect_code 65 'PJM-WEST price -12.5 on 2021-05-01 is not positive'
expect_empty_out
run var-calc --position HH=1 "$D/prices.ndjson"
expect_code 64 'add --from-prices'
run var-calc --from-prices -w HH=1 "$D/prices.ndjson"
expect_code 64 '--weight applies to returns'
run var-calc "$T/missing.csv"
expect_code 66 'missing.csv'

# Optional: the EDHEC anchors of risk.md when the (uncommitted) CSV is at hand:
# WP_EDHEC_CSV names PerformanceAnalytics' data/edhec.csv (header row, then the months).
if [ -n "${WP_EDHEC_CSV:-}" ] && [ -r "$WP_EDHEC_CSV" ]; then
	{ echo date,ca; sed -n 2,101p "$WP_EDHEC_CSV" | cut -d, -f1,2; } >"$T/edhec.csv"
	run var-calc -c 0.95 --as-return -o ndjson "$T/edhec.csv"
	expect_jq '-s [.[] | .var * 1e6 | round] | @csv' '-14095,-12133,-14674'
	expect_jq '-s [.[] | .es * 1e6 | round] | @csv' '-24080,-17133,-23357'
	{ echo date,ca,cta,ds; sed -n 2,101p "$WP_EDHEC_CSV" | cut -d, -f1-4; } >"$T/edhec3.csv"
	run var-calc -m gaussian -c 0.95 -w ca=0.3 -w cta=0.4 -w ds=0.3 -o ndjson "$T/edhec3.csv"
	expect_jq '-s [.[] | .component_var // .var | . * 1e6 | round] | @csv' '472,11889,554,12916'
fi
# A spreadsheet's US dates across a year end: 12/29/2023 sorts before
# 1/2/2024 (as text it would not), so the P&L is the same as with ISO dates.
printf 'date,x\n2023-12-28,50\n2023-12-29,100\n2024-01-02,10\n2024-01-03,11\n2024-01-04,12\n' >"$T/iso.csv"
printf 'date,x\n12/28/2023,50\n12/29/2023,100\n1/2/2024,10\n1/3/2024,11\n1/4/2024,12\n' >"$T/us.csv"
run var-calc --from-prices -p x=1 -m gaussian -c 0.9 -o csv --fields n,var "$T/iso.csv"
cp "$T/out" "$T/iso.out"
run var-calc --from-prices -p x=1 -m gaussian -c 0.9 -o csv --fields n,var "$T/us.csv"
expect_code 0
check "US dates give the ISO dates' result" cmp -s "$T/iso.out" "$T/out"
done_testing
