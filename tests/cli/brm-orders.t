#!/bin/sh
# brm-orders against tests/fakes/brm: orders and states, versions, rows,
# and the audit journal read back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

run brm-orders --help
expect_code 0

# The seeded order behind today's results.
run brm-orders -a "$RESULTS" -o ndjson
expect_code 0
expect_lines 1
expect_jq '[.kind, .portfolio, .area, .state, .version, .curves, .points, .comment] | @csv' \
	"\"curve\",\"TP1 - DA\",\"TEL\",\"ResultsPublished\",1,$((4 * $(day_hours today))),$((12 * $(day_hours today))),\"seed\""
SEED=$(jq -r .order_id "$T/out")

run brm-orders --rows "$SEED" -o csv --no-header
expect_code 0
expect_lines $((12 * $(day_hours today)))
check "rows are brm-order's input shape" test "$(head -3 "$T/out" | cut -d, -f2- | tr '\n' ' ')" \
	= "BRM_QH_DA_1-$(cet_day today)-01_QH,-500,12.5 BRM_QH_DA_1-$(cet_day today)-01_QH,150,2.5 BRM_QH_DA_1-$(cet_day today)-01_QH,4000,0 "

# Place, modify, cancel: three versions.
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")
curve_csv 2 | sed '3s/4.5/2/' | brm-order -a "$OPEN" -p TP1 --replace "$ORDER" >/dev/null 2>&1
brm-cancel "$ORDER" >/dev/null 2>&1
run brm-orders --history "$ORDER" -o ndjson
expect_code 0
expect_lines 3
expect_jq '-s map("\(.version):\(.state):\(.points)") | join(" ")' '1:Accepted:6 2:Accepted:6 3:Cancelled:0'

# Filters go to the API, both spellings of the area filter.
run brm-orders -a "$OPEN" -p "TP1 - DA" --area TEL -o ndjson
expect_code 0
expect_jq '.state' 'Cancelled'
check "portfolios, areas and areaCodes sent" test "$(jq -c 'select(.path | endswith("/orders")) | .query' "$T/brm.log" | tail -1)" \
	= '{"portfolios":["TP1 - DA"],"areas":["TEL"],"areaCodes":["TEL"]}'
run brm-orders -a "$OPEN" -p TP3 -o ndjson
expect_code 0
expect_empty_out

# The journal: every write, read back without the network.
run env -u BRM_PASSWORD brm-orders --journal -o ndjson
expect_code 0
expect_jq '-s map("\(.phase):\(.method):\(.outcome // "-")") | join(" ")' \
	'request:POST:- response:POST:created request:PATCH:- response:PATCH:modified request:PATCH:- response:PATCH:cancelled'
expect_jq '-s map(.environment) | unique | join(",")' 'test'
run brm-orders --journal -a "$CLOSED"
expect_code 0
expect_empty_out
run env XDG_STATE_HOME="$T/empty" brm-orders --journal
expect_code 66 'no journal'

run brm-orders
expect_code 64 '--auction is required'
run brm-orders --history x --journal
expect_code 64 'exclude each other'
run brm-orders --history 00000000-0000-4000-8000-000000000000
expect_code 69 'order 00000000-0000-4000-8000-000000000000 not found'
run brm-orders -a BRM_QH_DA_1-19990101
expect_code 69 'HTTP 404'
done_testing
