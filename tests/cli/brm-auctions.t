#!/bin/sh
# brm-auctions against tests/fakes/brm: auctions, 168 contracts, DST days,
# portfolios, retries of reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

run brm-auctions --help
expect_code 0

# Default window: delivery today to D+2, so the open auction is in it.
run brm-auctions -o ndjson
expect_code 0
expect_jq "-s map(.auction_id) | join(\",\")" "$RESULTS,$CLOSED,$OPEN"
expect_jq "select(.auction_id == \"$OPEN\") | [.state, .contracts, .currency, .min_price, .max_price] | @csv" \
	"\"Open\",$((7 * $(day_hours '+2 days'))),\"EUR\",-500,4000"
check "closeBiddingFrom/To sent as UTC" test "$(jq -r 'select(.path == "/api/v1/auctions") | .query.closeBiddingFrom[0]' "$T/brm.log" | tail -1)" \
	= "$(cet_utc '-1 day' 00:00)"

run brm-auctions --state open -o csv --fields auction_id,state
expect_code 0
expect_out "auction_id,state
$OPEN,Open"

run brm-auctions --from 2026-03-29 --to 2026-03-29 -o ndjson
expect_code 0
expect_jq '[.auction_id, .contracts] | @csv' '"BRM_QH_DA_1-20260328",161'

# 168 contracts: 96 quarter hours, 48 half hours, 24 hours, in delivery
# order (on a normal day: the open auction's may be a DST day).
h=$(day_hours '+2 days')
run brm-auctions --id "$OPEN" --contracts -o ndjson
expect_code 0
expect_lines $((7 * h))
expect_jq '-s group_by(.resolution_min) | map("\(.[0].resolution_min):\(length)") | join(" ")' \
	"15:$((4 * h)) 30:$((2 * h)) 60:$h"
expect_jq '-s .[0] | [.contract_id, .area, .interval_start_utc, .interval_end_utc, .interval_start_local] | join(" ")' \
	"BRM_QH_DA_1-$OPEN_DAY-01_H TEL $(cet_utc '+2 days' 00:00) $(cet_utc '+2 days' 01:00) $(TZ=Europe/Bucharest date -d "$(cet_utc '+2 days' 00:00)" +%FT%T%:z)"
expect_jq '-s .[1].contract_id' "BRM_QH_DA_1-$OPEN_DAY-01_HH"

# DST: the short day has 23 hours, 92 quarter hours; the long day 25 and 100.
run brm-auctions --id BRM_QH_DA_1-20260328 --contracts -o ndjson
expect_lines 161
expect_jq '-s map(select(.resolution_min == 15)) | length' '92'
run brm-auctions --id BRM_QH_DA_1-20261024 --contracts -o ndjson
expect_lines 175
expect_jq '-s map(select(.resolution_min == 15)) | length' '100'
expect_jq '-s map(select(.resolution_min == 60 and (.interval_start_local | startswith("2026-10-25T03:00")))) | map(.interval_start_local) | join(" ")' \
	'2026-10-25T03:00:00+03:00 2026-10-25T03:00:00+02:00'

run brm-auctions --id "$OPEN" --portfolios -o ndjson
expect_code 0
expect_lines 4
expect_jq 'select(.portfolio_id == "TP1") | [.portfolio, .permission, .area, .resolution_min, .min_volume_mw, .max_volume_mw, .min_price, .max_price] | @csv' \
	'"TP1 - DA","WRITE","TEL",15,-900,900,-500,4000'
expect_jq 'select(.portfolio_id == "TP2") | .permission' 'READ'
expect_jq 'select(.portfolio_id == "TP4") | .resolution_min' 'null'

run brm-auctions --id "$OPEN" -v -o ndjson
expect_code 0 "> GET $BRM_URL/api/v1/auctions/$OPEN"
token=$(jq -r .access_token "$XDG_CACHE_HOME/wattpipe/brm-token.json")
check "the token is not in the -v trace" sh -c "! grep -qF '$token' '$T/err'"

run brm-auctions --contracts
expect_code 64 'need --id'
run brm-auctions --id "$OPEN" --contracts --portfolios
expect_code 64 'not both'
run brm-auctions --id BRM_QH_DA_1-19990101
expect_code 69 'auction BRM_QH_DA_1-19990101 not found'
run brm-auctions --from 2026-02-30
expect_code 64 "invalid date '2026-02-30'"

# Reads are retried: a 502 once is invisible, a 500 for good is temporary.
n=$(sent GET "/auctions/$OPEN\$")
fault "{\"method\":\"GET\",\"path\":\"/api/v1/auctions/$OPEN\",\"status\":502}"
run brm-auctions --id "$OPEN" -o ndjson
expect_code 0
expect_jq '.state' 'Open'
check "the GET was sent twice" test "$(sent GET "/auctions/$OPEN\$")" = $((n + 2))
fault "{\"method\":\"GET\",\"path\":\"/api/v1/auctions/$OPEN\",\"status\":503,\"retry_after\":0,\"count\":9}"
run brm-auctions --id "$OPEN"
expect_code 75 'HTTP 503 after 4 attempts'
expect_empty_out
ctl reset >/dev/null
done_testing
