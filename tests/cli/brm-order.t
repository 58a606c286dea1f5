#!/bin/sh
# brm-order against tests/fakes/brm: what is sent, what is refused before
# sending (every rule, every risk limit), and what happens when the
# exchange refuses, throttles or drops the connection after accepting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

order() { brm-order -a "$OPEN" -p TP1 "$@"; }
posts() { sent POST '^/api/v1/(curve|block)orders$'; }
writes() { jq -r 'select(.method == "POST" or .method == "PATCH") | select(.path != "/connect/token") | .path' "$T/brm.log" | wc -l; }

run brm-order --help
expect_code 0
run brm-order --rules -o ndjson
expect_code 0
expect_jq '-s map(.rule) | unique | join(" ")' 'R1 R2 R3 V1 V10 V11 V12 V13 V14 V2 V3 V4 V5 V6 V7 V8 V9'
missing=
for r in $(jq -r .rule "$T/out" | sort -u); do
	grep -q "^\.It $r\$" "$TOP/man/brm-order.1" || missing="$missing $r"
done
check "every rule is in brm-order(1)${missing:+ (missing:$missing)}" test -z "$missing"

curve_csv 4 >"$T/curve.csv"

# --dry-run prints exactly the body it would POST, and sends nothing.
run_in "$T/curve.csv" order --dry-run
expect_code 0 'dry run: would POST .*/curveorders; nothing sent'
expect_jq '[.auctionId, .portfolio, .areaCode, (.curves | length)] | @csv' "\"$OPEN\",\"TP1 - DA\",\"TEL\",4"
expect_jq '.curves[0] | [.contractId, (.curvePoints | map("\(.price)/\(.volume)") | join(" "))] | join(" ")' \
	"$(qh 1) -500/10 80.5/4.5 4000/0"
expect_jq '.comment | test("^wp:[0-9a-f]{32}$")' 'true'
check "a dry run sends no order" test "$(writes)" = 0

# NDJSON input gives the same body.
jq -R -c 'split(",") | select(.[0] != "contract") | {contract: .[0], price: (.[1] | tonumber), volume: (.[2] | tonumber)}' \
	"$T/curve.csv" >"$T/curve.ndjson"
run_in "$T/curve.ndjson" order --dry-run
expect_code 0
expect_jq '.curves | map(.curvePoints | length) | join(",")' '3,3,3,3'

# Decimals go out as written, without binary noise (55.550000000000004).
{ echo contract,price,volume; echo "$(qh 1),-500,10"; echo "$(qh 1),55.55,0.3"; echo "$(qh 1),4000,0"; } >"$T/dec.csv"
run_in "$T/dec.csv" order --dry-run
expect_code 0
check "curve decimals sent as written" grep -q '{"price":55.55,"volume":0.3}' "$T/out"
printf 'block,price,min_acceptance_ratio,contract,volume\nB1,33.33,1,%s,0.7\n' "$(qh 1)" >"$T/dec.csv"
run_in "$T/dec.csv" order --dry-run
expect_code 0
check "block decimals sent as written" grep -q '"price":33.33,.*"volume":0.7}' "$T/out"

run_in "$T/curve.csv" order --comment 'morning curve' -o ndjson
expect_code 0 "environment test \($BRM_URL/api/v1\)"
expect_jq '[.kind, .auction_id, .portfolio, .area, .state, .version, .outcome] | @csv' \
	"\"curve\",\"$OPEN\",\"TP1 - DA\",\"TEL\",\"Accepted\",1,\"created\""
ORDER=$(jq -r .order_id "$T/out")
check "one POST /curveorders" test "$(posts)" = 1
check "the POSTed body carries the CSV's points" test "$(jq -c 'select(.method == "POST" and .path == "/api/v1/curveorders") | .body.curves[3].curvePoints' "$T/brm.log")" \
	= '[{"price":-500,"volume":10},{"price":80.5,"volume":4.5},{"price":4000,"volume":0}]'
check "the comment keeps the trader's words and the reference" \
	test "$(jq -r 'select(.method == "POST" and .path == "/api/v1/curveorders") | .body.comment | sub("wp:[0-9a-f]+"; "REF")' "$T/brm.log")" = 'morning curve REF'
check "journal: request then response" test "$(jq -r '[.phase, .outcome // "-", .order_id // "-"] | join(" ")' "$JOURNAL" | tr '\n' ';')" \
	= "request - -;response created $ORDER;"
check "journal is 0600" test "$(stat -c %a "$JOURNAL")" = 600
check "journal holds no password" sh -c "! grep -q trader-pass '$JOURNAL'"

# Every rule is checked before anything is sent: exit 65, message names
# the row and rule, and the fake received no write.
refused() { # refused DESC ERE: last run exited 65 with ERE and sent nothing
	expect_code 65 "$2"
	expect_empty_out
	check "$1: nothing sent" test "$(writes)" = "$w0"
}
w0=$(writes)
run_in "$T/curve.csv" order
refused "second curve order" "TP1 - DA/TEL: curve order $ORDER exists already; modify it with --replace $ORDER \(V6\)"

brm-cancel "$ORDER" >/dev/null 2>&1 # frees the portfolio/area for the tests below
w0=$(writes)
sed '3s/80.5/-500/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "prices rising" "stdin:3: $OPEN TP1 - DA/TEL $(qh 1) point 2: price -500 not above -500 \(V2\)"
sed '3s/4.5/12/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "volumes falling" "stdin:3: .* point 2: volume 12 above 10 \(V3\)"
sed '3s/4.5/4.55/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "volume step" "point 2: volume 4.55 not a multiple of 0.1 \(V7\)"
sed '3s/80.5/80.505/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "price step" "point 2: price 80.505 not a multiple of 0.01 \(V7\)"
sed '4s/4000/4500/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "price limit" "point 3: price 4500 above max 4000 \(V8\)"
sed '2s/,10$/,950/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "volume limit" "point 1: volume 950 above limit 900 \(V9\)"
{ echo contract,price,volume; i=0; while [ $i -lt 200 ]; do echo "$(qh 1),$((i - 500)),0"; i=$((i + 1)); done; echo "$(qh 1),4000,0"; } >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "200 points" "$(qh 1): 201 points \(limit 200\) \(V4\)"
sed "2,4s/$(qh 1)/BRM_QH_DA_1-19990101-01_QH/" "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "unknown contract" "stdin:2: .* BRM_QH_DA_1-19990101-01_QH not in auction $OPEN \(V10\)"
sed "2,4s/$(qh 1)/BRM_QH_DA_1-$OPEN_DAY-01_H/" "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "resolution" "lasts 60 min, the portfolio trades 15-min contracts \(V10\)"
run_in "$T/curve.csv" brm-order -a "$OPEN" -p TP2
refused "read-only portfolio" "portfolio TP2 - DA is READ-only \(V11\)"
run_in "$T/curve.csv" brm-order -a "$CLOSED" -p TP1
refused "closed auction" "auction is Closed, not Open \(gate closure .*\) \(V12\)"
grep -v "$(qh 2)" "$T/curve.csv" | sed '4s/4000/3000/' >"$T/bad.csv"
run_in "$T/bad.csv" order
refused "curve ends" "last price 3000, must be the auction's max 4000 \(V5\)"
check "every problem is reported, one line each" test "$(grep -c '(V' "$T/err")" = 1

# A malformed row stops before the network is touched at all.
n=$(wc -l <"$T/brm.log")
sed '3s/80.5/8O.5/' "$T/curve.csv" >"$T/bad.csv"
run_in "$T/bad.csv" order
expect_code 65 "stdin:3: price '8O.5' is not a number"
check "a bad row sends no request at all" test "$(wc -l <"$T/brm.log")" = "$n"
printf 'contract,price\nX,1\n' >"$T/bad.csv"
run_in "$T/bad.csv" order
expect_code 65 'stdin:2: no volume'
run order /nonexistent.csv
expect_code 66

# Risk limits from the config file.
cfg=$XDG_CONFIG_HOME/wattpipe/config
cp "$cfg" "$T/cfg.orig"
printf 'max_mw = 8\n' >>"$cfg"
run_in "$T/curve.csv" order
refused "max MW" "$(qh 1): 10 MW above the limit of 8 MW per period \(R1\)"
cp "$T/cfg.orig" "$cfg"; printf 'max_notional = 4000\n' >>"$cfg"
run_in "$T/curve.csv" order
refused "max notional" "worst-case notional 5000.00 EUR above the limit of 4000 EUR per auction \(R2\)"
cp "$T/cfg.orig" "$cfg"; printf 'band_min = 0\nband_max = 50\n' >>"$cfg"
run_in "$T/curve.csv" order
refused "price band" "point 2: price 80.5 outside the band 0..50 \(R3\)"
cp "$T/cfg.orig" "$cfg"; printf 'max_mw = lots\n' >>"$cfg"
run_in "$T/curve.csv" order
expect_code 78 "\[brm\] max_mw = 'lots' is not a number"
cp "$T/cfg.orig" "$cfg"

# Block orders: rows of one block are its periods.
cat >"$T/blocks.csv" <<EOF2
block,price,min_acceptance_ratio,linked_to,exclusive_group,contract,volume
B1,55.5,1,,,$(qh 1),5
B1,,,,,$(qh 2),5
B2,60,0.5,B1,,$(qh 3),2.5
EOF2
run_in "$T/blocks.csv" order -o ndjson
expect_code 0
expect_jq '[.kind, .state, .version, .outcome] | @csv' '"block","Accepted",1,"created"'
check "blocks POSTed with their periods" test "$(jq -c 'select(.path == "/api/v1/blockorders") | .body.blocks | map([.name, .price, .minimumAcceptanceRatio, .linkedTo, (.periods | length)])' "$T/brm.log")" \
	= '[["B1",55.5,1,null,2],["B2",60,0.5,"B1",1]]'
sed 's/^B2,60,0.5,B1/B2,60,1.5,B9/' "$T/blocks.csv" >"$T/bad.csv"
w0=$(writes)
run_in "$T/bad.csv" order
refused "block rules" 'block B2: min_acceptance_ratio 1.5 outside 0..1 \(V13\)'
check "and the unknown link" grep -q 'block B2: linked_to "B9" unknown (V13)' "$T/err"

# --replace modifies the order in place (PATCH), bumping its version.
run_in "$T/curve.csv" order -o ndjson
ORDER=$(jq -r .order_id "$T/out")
sed '3s/4.5/3.5/' "$T/curve.csv" >"$T/new.csv"
run_in "$T/new.csv" order --replace "$ORDER" --dry-run
expect_code 0 "dry run: would PATCH .*/curveorders/$ORDER; nothing sent"
expect_jq '[has("auctionId"), .curves[0].curvePoints[1].volume] | @csv' 'false,3.5'
run_in "$T/new.csv" order --replace "$ORDER" -o ndjson
expect_code 0
expect_jq '[.order_id, .version, .outcome] | @csv' "\"$ORDER\",2,\"modified\""
check "PATCH carries the new curves only" test "$(jq -c "select(.method == \"PATCH\") | .body | [keys, .curves[0].curvePoints[1].volume]" "$T/brm.log" | tail -1)" \
	= '[["comment","curves"],3.5]'
w0=$(writes)
run_in "$T/new.csv" order --replace 00000000-0000-4000-8000-000000000000
refused "replace unknown" 'order 00000000-0000-4000-8000-000000000000 is not a curve order of this portfolio and auction \(V6\)'

# PATCH answered 204 without a body: the order is read back for its state.
ctl switch '{"name":"patch-204"}' >/dev/null
run_in "$T/curve.csv" order --replace "$ORDER" -o ndjson
expect_code 0
expect_jq '[.version, .state, .outcome] | @csv' '3,"Accepted","modified"'
ctl switch '{"name":"patch-204","on":false}' >/dev/null

# Nord Pool's {"Message": ...} error bodies are read too.
ctl switch '{"name":"message-errors"}' >/dev/null
fault '{"method":"PATCH","path":"/api/v1/curveorders/.*","status":400,"body":{"Message":"Auction is not open for bidding"}}'
run_in "$T/curve.csv" order --replace "$ORDER"
expect_code 1 'rejected by the exchange: HTTP 400: Auction is not open for bidding'
ctl switch '{"name":"message-errors","on":false}' >/dev/null

# No journal, no order: the request is journalled before it is sent.
w0=$(writes)
mv "$JOURNAL" "$T/journal.keep"
mkdir "$JOURNAL"
run_in "$T/curve.csv" order --replace "$ORDER"
expect_code 73 'journal \(nothing sent\)'
check "nothing sent without a journal" test "$(writes)" = "$w0"
rmdir "$JOURNAL"
mv "$T/journal.keep" "$JOURNAL"

# The exchange refuses: exit 1 with its words.
fault '{"method":"PATCH","path":"/api/v1/curveorders/.*","status":400,"body":{"title":"Bad Request","status":400,"detail":"reasonability check failed for contract 7"}}'
run_in "$T/curve.csv" order --replace "$ORDER"
expect_code 1 'rejected by the exchange: HTTP 400: reasonability check failed for contract 7'
check "journal records the refusal" test "$(jq -r 'select(.phase == "response") | .outcome' "$JOURNAL" | tail -1)" = refused

# Connection dropped after the exchange accepted: never resent; the
# orders are read back, the order is found and reported.
brm-cancel "$ORDER" >/dev/null 2>&1
n=$(posts)
fault '{"method":"POST","path":"/api/v1/curveorders","drop_after_commit":true}'
run_in "$T/curve.csv" order -o ndjson
expect_code 0
expect_jq '[.state, .outcome] | @csv' '"Accepted","created-after-error"'
check "exactly one POST landed" test "$(posts)" = $((n + 1))
# (the fake logs the dropped POST when its handler ends, maybe after the GET)
check "the orders were read back after the drop" sh -c "jq -r .path '$T/brm.log' | tail -2 | grep -qx '/api/v1/auctions/$OPEN/orders'"
check "journal says how it was learned" test "$(jq -r 'select(.phase == "response") | .outcome' "$JOURNAL" | tail -1)" = created-after-error
ORDER=$(jq -r .order_id "$T/out")

# A reply slower than --timeout after the order was taken: the same.
brm-cancel "$ORDER" >/dev/null 2>&1
n=$(posts)
fault '{"method":"POST","path":"/api/v1/curveorders","delay_after_commit":2}'
run_in "$T/curve.csv" order --timeout 1 -o ndjson
expect_code 0
expect_jq '.outcome' 'created-after-error'
sleep 1.5 # the fake logs the POST once its late reply is out
check "still one POST" test "$(posts)" = $((n + 1))
brm-cancel "$(jq -r .order_id "$T/out")" >/dev/null 2>&1

# 503 on the POST: not retried, read back, proven absent -> 75.
n=$(posts)
fault '{"method":"POST","path":"/api/v1/curveorders","status":503,"retry_after":0}'
run_in "$T/curve.csv" order
expect_code 75 'HTTP 503.* so it did not land: safe to run again'
check "a POST is never retried" test "$(posts)" = $((n + 1))

# The token expires mid-run: one silent re-login.
l=$(logins)
ctl clock '{"advance": 7200}' >/dev/null
run_in "$T/curve.csv" order --dry-run
expect_code 0
check "one more login" test "$(logins)" = $((l + 1))
ctl clock '{"advance": -7200}' >/dev/null

# Wrong password: 77, nothing sent.
w0=$(writes)
rm -f "$XDG_CACHE_HOME/wattpipe/brm-token.json"
run_in "$T/curve.csv" env BRM_PASSWORD=nope brm-order -a "$OPEN" -p TP1
expect_code 77 'login refused'
check "nothing sent with a wrong password" test "$(writes)" = "$w0"

# Production only on the command line.
run_in "$T/curve.csv" env BRM_ENV=prod brm-order -a "$OPEN" -p TP1
expect_code 78 'orders on prod need --env prod on the command line'
printf 'env = prod\n' >>"$cfg"
run_in "$T/curve.csv" order
expect_code 78 'orders on prod need --env prod'
cp "$T/cfg.orig" "$cfg"
run_in "$T/curve.csv" order --env prod --dry-run
expect_code 0 "environment prod"
run order --portfolio TP1
expect_code 65 'no order rows'
run brm-order -p TP1
expect_code 64 '--auction is required'
done_testing
