#!/bin/sh
# brm-results against tests/fakes/brm: area prices in the shared price
# schema, own trades, both reply shapes the sources disagree on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

run brm-results --help
expect_code 0

run brm-results -a "$RESULTS" -o ndjson
expect_code 0
expect_lines $((7 * $(day_hours today)))
expect_jq '-s .[0] | [.iso, .market, .run, .location, .location_type, .lmp, .currency, .unit, .brm_resolution_min, .brm_status] | @csv' \
	'"BRM","DA","final","TEL","ZONE",60,"EUR","MWh",60,"Final"'
expect_jq '-s .[0].interval_start_utc' "$(cet_utc today 00:00)"
# The fake prices contract i of hour h (CET) at 60 + 3h + 0.25 (i mod 4).
expect_jq "-s map(select(.brm_contract_id == \"BRM_QH_DA_1-$(cet_day today)-06_QH\")) | .[0].lmp" '63.25'
run brm-results -a "$RESULTS" -o csv
check "CSV starts with the shared price header" test "$(head -1 "$T/out" | cut -d, -f1-17)" = \
	'interval_start_utc,interval_end_utc,interval_start_local,iso,market,run,location,location_id,location_type,price_kind,lmp,energy,congestion,loss,ghg,currency,unit'

# Own trades: the seeded curve buys 12.5 MW at -500 falling to 2.5 at 150,
# so at 60 EUR it buys 12.5 - 10 * 560/650 = 3.9 MW (0.1 MW steps).
run brm-results -a "$RESULTS" --trades -o ndjson
expect_code 0
expect_lines $((4 * $(day_hours today)))
expect_jq '-s .[0] | [.portfolio, .order_type, .side, .volume_mw, .net_mw, .price, .resolution_min] | @csv' \
	'"TP1 - DA","Curve","Buy",3.9,3.9,60,15'
run brm-results -a "$RESULTS" --trades -p TP3
expect_code 0
expect_empty_out

# Both shapes of the same facts.
ctl switch '{"name":"prices-array"}' >/dev/null
ctl switch '{"name":"trades-order-type"}' >/dev/null
run brm-results -a "$RESULTS" -o ndjson
expect_lines $((7 * $(day_hours today)))
run brm-results -a "$RESULTS" --trades -o ndjson
expect_jq '-s .[0].order_type' 'Curve'

# No results yet: no records, a note, exit 0.
run brm-results -a "$OPEN"
expect_code 0 'no prices yet'
expect_empty_out
run brm-results -a "$OPEN" --trades -q
expect_code 0
expect_empty_out
check "-q keeps stderr quiet" test ! -s "$T/err"

# A whole day: bid, close, publish. The curve (-500, 10) (80.5, 4.5)
# (4000, 0) clears at 60 EUR with 10 - 5.5 * 560/580.5 = 4.7 MW.
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")
ctl auction "{\"id\":\"$OPEN\",\"state\":\"ResultsPublished\"}" >/dev/null
run brm-results -a "$OPEN" --trades -o ndjson
expect_code 0
expect_jq '-s map("\(.contract_id) \(.side) \(.volume_mw) \(.price)") | join(", ")' \
	"$(qh 1) Buy 4.7 60, $(qh 2) Buy 4.7 60.25"
expect_jq '-s map(.order_id) | unique | join(",")' "$ORDER"
run brm-orders -a "$OPEN" -o ndjson
expect_jq '.state' 'ResultsPublished'
curve_csv 2 >"$T/curve.csv"
run_in "$T/curve.csv" brm-order -a "$OPEN" -p TP1 --replace "$ORDER"
expect_code 65 'auction is ResultsPublished, not Open'

run brm-results
expect_code 64 '--auction is required'
run brm-results -a BRM_QH_DA_1-19990101
expect_code 69 'HTTP 404'
done_testing
