#!/bin/sh
# hh-futures: NG strip with last trade dates, prices from the EIA fake.
. "$(dirname "$0")/lib.sh"

cat >"$XDG_CONFIG_HOME/wattpipe/config" <<EOC
[http]
retries = 1
backoff = 0.05
[gas]
min_interval = 0
EOC

# The front twelve as of a day, calendar only: last trade dates by the rule.
run hh-futures --no-prices --curve 2025-11-20 -o csv --fields symbol,last_trade_date,days_to_expiry
expect_code 0
expect_out 'symbol,last_trade_date,days_to_expiry
NGZ25,2025-11-25,5
NGF26,2025-12-29,39
NGG26,2026-01-28,69
NGH26,2026-02-25,97
NGJ26,2026-03-27,127
NGK26,2026-04-28,159
NGM26,2026-05-27,188
NGN26,2026-06-26,218
NGQ26,2026-07-29,251
NGU26,2026-08-27,280
NGV26,2026-09-28,312
NGX26,2026-10-28,342'

run hh-futures --no-prices --curve 2025-11-26 -n 1 -o csv --fields symbol --no-header
expect_out 'NGF26'

# gas.md anchors through the command line, in every symbol form.
run hh-futures --no-prices --curve 2026-01-01 -c NGZ19 -c ngz2009 -c NGZ10 -c NGJ24 -c NGF5 -o ndjson
expect_code 0
expect_jq -s '[.[] | "\(.symbol)=\(.last_trade_date)"] | join(" ")' \
	'NGZ19=2019-11-26 NGZ09=2009-11-24 NGZ10=2010-11-24 NGJ24=2024-03-26 NGF25=2024-12-27'
expect_jq -s '[.[] | .price] | unique | tostring' '[null]'
run hh-futures --no-prices -c NGZ15 -o ndjson
expect_jq '.ltd_unverified' 'true'

# Config: a published expiry wins, a closure moves the date.
printf '[gas]\nexpiries = NGF25=2024-12-30\nholidays = 2026-10-29\n' >"$T/cal.conf"
run hh-futures --config "$T/cal.conf" --no-prices -c NGF25 -c NGX26 -o csv --fields last_trade_date --no-header
expect_out '2024-12-30
2026-10-27'

run hh-futures --no-prices -c NGI25
expect_code 64 "'I' is not a month code"
run hh-futures --no-prices -c CLZ25
expect_code 64 "not an NG contract"
run hh-futures --no-prices --curve 2024-02-30
expect_code 64 "invalid date"
run hh-futures --bogus
expect_code 64 "unknown option '--bogus'"
run hh-futures --curve 2024-11-22
expect_code 78 'set EIA_API_KEY'

start_fake eia
export EIA_BASE_URL=$EIA_URL/v2 EIA_API_KEY=test-eia-key-0123

# Prices: contracts 1-4 from EIA, the rest null, never 0.
run hh-futures --curve 2024-11-22 -n 5 -o ndjson
expect_code 0
want=$(curl -gs "$EIA_URL/v2/natural-gas/pri/fut/data/?api_key=x&data[0]=value&facets[series][]=RNGC1&facets[series][]=RNGC4&start=2024-11-22&end=2024-11-22" |
	jq -r '[.response.data[] | .value | tonumber] | join(" ")')
expect_jq -s '[.[0].price, .[3].price] | join(" ")' "$want"
expect_jq -s '[.[] | .price_date] | join(" ")' '2024-11-22 2024-11-22 2024-11-22 2024-11-22 '
expect_jq -s '.[4].price' 'null'
check "the key went as api_key, and the request sorted by period" \
	grep -q '"query": "api_key=\*\*\*&frequency=daily&data\[0\]=value&facets\[series\]\[\]=RNGC1.*sort\[0\]\[column\]=period' "$T/eia.log"

# Saturday after NGN26 expired: Friday's contract 1 was NGN26, so NGQ26
# takes Friday's contract 2, not contract 1.
run hh-futures --curve 2026-06-27 -n 1 -o ndjson
want=$(curl -gs "$EIA_URL/v2/natural-gas/pri/fut/data/?api_key=x&data[0]=value&facets[series][]=RNGC2&start=2026-06-26&end=2026-06-26" |
	jq -r '.response.data[0].value | tonumber')
expect_jq '"\(.symbol) \(.price) \(.price_date)"' "NGQ26 $want 2026-06-26"

# EIA gives null for some days: the last real price before it is used,
# never 0. The fake has RNGC1 null on 2024-11-18.
check "the fake has the null this test needs" sh -c "curl -gs '$EIA_URL/v2/natural-gas/pri/fut/data/?api_key=x&data[0]=value&facets[series][]=RNGC1&start=2024-11-18&end=2024-11-18' | grep -q '\"value\": null'"
run hh-futures --curve 2024-11-18 -n 1 -o ndjson
expect_jq '"\(.price_date) \(.price)"' '2024-11-15 3.502'

# The key never shows: -v traces redact it.
run hh-futures --curve 2024-11-22 -n 1 -v
check "trace shows the request" grep -q '> GET .*api_key=\*\*\*' "$T/err"
check "trace never shows the key" sh -c "! grep -q test-eia-key-0123 '$T/err'"

EIA_API_KEY=bad run hh-futures --curve 2024-11-22
expect_code 77 'API_KEY_INVALID'
expect_empty_out
EIA_BASE_URL=http://127.0.0.1:9/v2 run hh-futures --curve 2024-11-22
expect_code 75
expect_empty_out

run hh-futures --help
expect_code 0
check "help lists --curve" grep -q -- '--curve DAY' "$T/out"
done_testing
