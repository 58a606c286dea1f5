#!/bin/sh
# brm-cancel against tests/fakes/brm: PATCH with an empty list, --all with
# its confirmation, and what is sent when.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

patches() { sent PATCH '^/api/v1/(curve|block)orders/'; }

run brm-cancel --help
expect_code 0

curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")

run brm-cancel "$ORDER" --dry-run -o ndjson
expect_code 0 'environment test'
expect_jq '[.order_id, .outcome] | @csv' "\"$ORDER\",\"would-cancel\""
check "a dry run sends no PATCH" test "$(patches)" = 0

run brm-cancel "$ORDER" -o ndjson
expect_code 0 "environment test \($BRM_URL/api/v1\)"
expect_jq '[.order_id, .state, .version, .outcome] | @csv' "\"$ORDER\",\"Cancelled\",2,\"cancelled\""
check "cancel is a PATCH with an empty curve list" \
	test "$(jq -c 'select(.method == "PATCH") | .body.curves' "$T/brm.log")" = '[]'
check "no DELETE is ever sent" test "$(sent DELETE .)" = 0

run brm-cancel "$ORDER" -o ndjson
expect_code 0
expect_jq '.outcome' 'already-cancelled'
check "nothing sent for an order already cancelled" test "$(patches)" = 1

# --all: a script must say --yes.
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >/dev/null 2>&1
sed 's/^B/B/' >"$T/blocks.csv" <<EOF2
block,price,min_acceptance_ratio,contract,volume
B1,50,1,$(qh 5),5
EOF2
brm-order -a "$OPEN" -p TP1 <"$T/blocks.csv" >/dev/null 2>&1
run brm-cancel --all -a "$OPEN"
expect_code 64 '--all needs --yes when stdin is not a terminal'
check "nothing cancelled without --yes" test "$(patches)" = 1
run brm-cancel --all -a "$OPEN" -p TP1 --yes -o ndjson
expect_code 0
expect_lines 2
expect_jq '-s map("\(.kind):\(.state)") | join(" ")' 'curve:Cancelled block:Cancelled'
check "the block list was cancelled with an empty block list" \
	test "$(jq -c 'select(.method == "PATCH" and (.path | startswith("/api/v1/blockorders"))) | .body.blocks' "$T/brm.log")" = '[]'
run brm-cancel --all -a "$OPEN" --yes
expect_code 0 'no live orders to cancel'
expect_empty_out

# A lost reply: the order is read back; Cancelled means done.
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")
fault '{"method":"PATCH","path":"/api/v1/curveorders/.*","drop_after_commit":true}'
run brm-cancel "$ORDER" -o ndjson
expect_code 0
expect_jq '[.state, .outcome] | @csv' '"Cancelled","cancelled-after-error"'

# 502 on the PATCH and the read-back fails too: state unknown, both reasons told.
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")
n=$(patches)
fault '{"method":"PATCH","path":"/api/v1/curveorders/.*","status":502}'
fault '{"method":"GET","path":"/api/v1/auctions/.*/orders","status":500,"count":4}'
run brm-cancel "$ORDER"
expect_code 75 "^brm-cancel: $ORDER: /curveorders/$ORDER: HTTP 502: injected fault; re-reading the orders failed too \\(GET .*HTTP 500 after 4 attempts\\): state unknown"
check "the PATCH is not resent" test "$(patches)" = $((n + 1))
brm-cancel "$ORDER" >/dev/null 2>&1

# Order states may come as OrderState numbers (Cancelled = 2): a cancelled
# order is still done, not live, and no longer blocks a new curve order.
ctl switch '{"name":"order-state-ordinals"}' >/dev/null
curve_csv 2 | brm-order -a "$OPEN" -p TP1 >"$T/placed" 2>/dev/null
ORDER=$(jq -r .order_id "$T/placed")
run brm-cancel "$ORDER" -o ndjson
expect_code 0
expect_jq '[.state, .outcome] | @csv' '"Cancelled","cancelled"'
n=$(patches)
run brm-cancel "$ORDER" -o ndjson
expect_code 0
expect_jq '.outcome' 'already-cancelled'
run brm-cancel --all -a "$OPEN" --yes
expect_code 0 'no live orders'
check "nothing sent again for cancelled orders" test "$(patches)" = "$n"
curve_csv 2 >"$T/curve.csv"
run_in "$T/curve.csv" brm-order -a "$OPEN" -p TP1 -o ndjson
expect_code 0
expect_jq '.outcome' 'created'
run brm-cancel --all -a "$OPEN" --yes -o ndjson
expect_code 0
expect_lines 1
ctl switch '{"name":"order-state-ordinals","on":false}' >/dev/null

# Refusals.
run brm-cancel
expect_code 64 'which order'
run brm-cancel --all
expect_code 64 '--all needs --auction'
run brm-cancel --all -a "$OPEN" x
expect_code 64 'not both'
run brm-cancel ""
expect_code 64 'empty order id'
run brm-cancel 00000000-0000-4000-8000-000000000000
expect_code 69 'not found'
run brm-cancel --all -a "$RESULTS" --yes
expect_code 0 'no live orders'
run env BRM_ENV=prod brm-cancel "$ORDER"
expect_code 78 'need --env prod on the command line'
done_testing
