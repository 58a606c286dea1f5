#!/bin/sh
# hh-basis: hub prices minus Henry Hub from a spreadsheet CSV or records.
. "$(dirname "$0")/lib.sh"
D=$DATA/hh-basis

# A wide CSV as a spreadsheet exports it: US dates, "Date" header, an empty cell.
run hh-basis "$D/hubs.csv" -o csv --fields date,hub,price,against_price,basis
expect_code 0
expect_out 'date,hub,price,against_price,basis
2024-01-02,Houston Ship Channel,2.45,2.5,-0.05
2024-01-02,SoCal Citygate,3.25,2.5,0.75
2024-01-02,Waha,1.1,2.5,-1.4
2024-01-03,Houston Ship Channel,2.52,2.6,-0.08
2024-01-03,SoCal Citygate,3.4,2.6,0.8
2024-01-03,Waha,1.05,2.6,-1.55
2024-01-04,Houston Ship Channel,2.66,2.7,-0.04
2024-01-04,SoCal Citygate,3.2,2.7,0.5
2024-01-04,Waha,0.9,2.7,-1.8
2024-01-05,Houston Ship Channel,2.5,2.55,-0.05
2024-01-05,SoCal Citygate,3.05,2.55,0.5
2024-01-05,Waha,-0.35,2.55,-2.9
2024-01-08,Houston Ship Channel,2.71,2.8,-0.09
2024-01-08,Waha,0.4,2.8,-2.4'

# Rolling figures over 2 daily changes, checked by hand: HSC moved +0.07
# then +0.14 (sample sd 0.07/sqrt 2); Henry Hub moved +0.1, +0.1 (no
# spread, so no correlation), then -0.15: HSC -0.16 follows it exactly.
run hh-basis "$D/hubs.csv" --window 2 -o ndjson
expect_jq 'select(.hub == "Houston Ship Channel" and .date == "2024-01-04") | "\(.vol * 1e9 | round) \(.corr)"' '49497475 null'
expect_jq 'select(.hub == "Houston Ship Channel" and .date == "2024-01-05") | .corr * 1e9 | round' '1000000000'
expect_jq 'select(.hub == "SoCal Citygate" and .date == "2024-01-05") | .corr' '-1'
expect_jq -s '[.[] | select(.date == "2024-01-02") | .vol] | unique | tostring' '[null]'

# Records in long form with hub aliases; a spread between two hubs.
jq -c '.' >"$T/long.ndjson" <<'EOJ'
{"date":"2024-03-01","hub":"HH","price":1.6}
{"date":"2024-03-01","hub":"WAHA","price":"-0.25"}
{"date":"2024-03-01","hub":"hsc","price":1.45}
{"date":"2024-03-04","hub":"henry hub","price":1.7}
{"date":"2024-03-04","hub":"Waha","price":0.05}
{"date":"2024-03-04","hub":"Houston Ship Channel","price":1.5}
EOJ
run hh-basis --spread waha:hsc -o csv --fields date,hub,against,basis --no-header "$T/long.ndjson"
expect_code 0
expect_out '2024-03-01,Houston Ship Channel,Henry Hub,-0.15
2024-03-01,Waha,Henry Hub,-1.85
2024-03-01,Waha,Houston Ship Channel,-1.7
2024-03-04,Houston Ship Channel,Henry Hub,-0.2
2024-03-04,Waha,Henry Hub,-1.65
2024-03-04,Waha,Houston Ship Channel,-1.45'

# Henry Hub from a separate file.
grep -v '"HH"\|henry' "$T/long.ndjson" >"$T/hubs-only.ndjson"
grep '"HH"\|henry' "$T/long.ndjson" >"$T/hh.ndjson"
run hh-basis --henry "$T/hh.ndjson" -o csv --fields basis --no-header "$T/hubs-only.ndjson"
expect_out '-0.15
-1.85
-0.2
-1.65'

# Bad rows: each reported with its line, nothing written, 65.
run_in "$D/bad.ndjson" hh-basis
expect_code 65 'stdin:4: duplicate date 2024-01-03 for Waha \(first on line 3\)'
check "missing Henry Hub day reported" grep -q 'stdin:5: no Henry Hub price on 2024-01-04 for Waha' "$T/err"
check "the summary says nothing was written" grep -q '3 rows with problems, nothing written' "$T/err"
expect_empty_out
run_in "$D/bad.ndjson" hh-basis --keep-going -o csv --fields date,basis --no-header
expect_code 65 '3 bad records skipped'
expect_out '2024-01-02,-1.4'

printf 'date,hub,price\n2024-01-02,Henry Hub,2.5\n2024-01-02,Waha,n/a\n2024-13-01,Waha,1\n' >"$T/bad.csv"
run_in "$T/bad.csv" hh-basis
expect_code 65 'stdin:3: price of Waha is not a number'
expect_empty_out
run_in "$T/bad.csv" hh-basis --keep-going
expect_code 65 'stdin:4: date is not YYYY-MM-DD or M/D/YYYY'
check "both bad records counted" grep -q '2 bad records skipped' "$T/err"

printf '{"date":"2024-01-02","hub":"Waha","price":1}\n' >"$T/nohh.ndjson"
run hh-basis "$T/nohh.ndjson"
expect_code 65 'no Henry Hub prices'
printf '{"date":"2024-01-02",\n' >"$T/broken.ndjson"
run hh-basis "$T/broken.ndjson"
expect_code 65 "$T/broken.ndjson:1:"
run hh-basis "$T/missing.csv"
expect_code 66 'missing.csv'
run hh-basis --window 1 "$D/hubs.csv"
expect_code 64 'window must be 2 or more'
run hh-basis --spread waha:sumas "$D/hubs.csv"
expect_code 64 "no hub 'sumas'"
expect_empty_out

# Henry Hub spot from EIA when the input has none.
start_fake eia
printf '[gas]\nmin_interval = 0\n' >"$XDG_CONFIG_HOME/wattpipe/config"
printf '{"date":"2021-02-17","hub":"Waha","price":206.19}\n' >"$T/freeze.ndjson"
EIA_BASE_URL=$EIA_URL/v2 EIA_API_KEY=test-eia-key-0123 run hh-basis --eia -o csv --fields against_price,basis --no-header "$T/freeze.ndjson"
expect_code 0
expect_out '23.86,182.33'
run hh-basis --help
expect_code 0
done_testing
