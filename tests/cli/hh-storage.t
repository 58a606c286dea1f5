#!/bin/sh
# hh-storage: weekly working gas against last year and the five-year average.
. "$(dirname "$0")/lib.sh"

printf '[gas]\nmin_interval = 0\n[http]\nretries = 0\n' >"$XDG_CONFIG_HOME/wattpipe/config"
run hh-storage --from 2026-10-01
expect_code 78 'set EIA_API_KEY'
start_fake eia --page-cap 100
export EIA_BASE_URL=$EIA_URL/v2 EIA_API_KEY=test-eia-key-0123

run hh-storage --from 2026-10-01 --to 2026-10-20 -s NW2_EPG0_SWO_R48_BCF -o ndjson
expect_code 0
expect_lines 3
expect_jq -s '[.[] | .week_ending] | join(" ")' '2026-10-02 2026-10-09 2026-10-16'

# Recompute week 2026-10-16 from the fake's raw series: change, a year ago,
# and the plain mean of the week ending within 3 days of the same date in
# each of 2021-2025.
for d in 2026-10-16 2026-10-09 2025-10-17 2024-10-18 2023-10-13 2022-10-14 2021-10-15; do
	curl -gs "$EIA_URL/v2/natural-gas/stor/wkly/data/?api_key=x&data[0]=value&facets[series][]=NW2_EPG0_SWO_R48_BCF&start=$d&end=$d" |
		jq -c '.response.data[0] | {key: .period, value: .value}'
done >"$T/raw.ndjson"
want=$(jq -r -s 'from_entries as $v | $v["2026-10-16"] as $now |
	([$v["2025-10-17"], $v["2024-10-18"], $v["2023-10-13"], $v["2022-10-14"], $v["2021-10-15"]] | add / 5 * 10 | round / 10) as $five |
	"\($now) \($now - $v["2026-10-09"]) \($v["2025-10-17"]) \($five) \(($now - $five) * 10 | round / 10)"' "$T/raw.ndjson")
expect_jq 'select(.week_ending == "2026-10-16") | "\(.working_gas_bcf) \(.change_bcf) \(.year_ago_bcf) \(.five_year_avg_bcf) \(.vs_five_year_bcf)"' "$want"
check "paged through the fake's 100-row pages" test "$(grep -c 'stor/wkly' "$T/eia.log")" -ge 4

# Regions by default: Lower 48 and five regions, every week.
run hh-storage --from 2026-11-13 --to 2026-11-20 -o csv --fields series --no-header
expect_lines 12
run hh-storage --from 2026-11-20 --to 2026-11-20 -o csv --fields series --no-header
expect_out 'NW2_EPG0_SWO_R31_BCF
NW2_EPG0_SWO_R32_BCF
NW2_EPG0_SWO_R33_BCF
NW2_EPG0_SWO_R34_BCF
NW2_EPG0_SWO_R35_BCF
NW2_EPG0_SWO_R48_BCF'

run hh-storage --from 2026-11-20 --to 2026-11-01
expect_code 64 'after --to'
run hh-storage -s NO_SUCH_SERIES --from 2026-11-01
expect_code 76 "Invalid facet option 'NO_SUCH_SERIES'"
EIA_API_KEY=bad run hh-storage --from 2026-11-01
expect_code 77 'API_KEY_INVALID'
EIA_BASE_URL=http://127.0.0.1:9/v2 run hh-storage --from 2026-11-01
expect_code 75
expect_empty_out
# A reply cut off in transit is asked for once more; 429 is waited out.
start_fake eia --malformed-once
before=$(wc -l <"$T/eia.log")
EIA_BASE_URL=$EIA_URL/v2 run hh-storage --from 2026-11-20 --to 2026-11-20 -s NW2_EPG0_SWO_R48_BCF -o csv --fields week_ending --no-header
expect_code 0
expect_out '2026-11-20'
check "the cut-off page was asked for twice" test "$(($(wc -l <"$T/eia.log") - before))" -eq 2
printf '[gas]\nmin_interval = 0\n[http]\nretries = 2\nbackoff = 0.05\n' >"$XDG_CONFIG_HOME/wattpipe/config"
EIA_API_KEY=slow run hh-storage --from 2026-10-01 --to 2026-11-20 -s NW2_EPG0_SWO_R48_BCF -o ndjson
expect_code 0
expect_lines 8

run hh-storage --help
expect_code 0
done_testing
