#!/bin/sh
# rec-report: compliance position, CO2 avoided, deadlines.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-report --help
expect_code 0
check "--help lists --obligations" grep -q -- '--obligations' "$T/out"

seed
rec-retire --state MN --year 2024 --banking-years 1 -n 500 --commit >/dev/null 2>&1
printf 'state,year,obligation_mwh\nMN,2024,800\nPA,2024,100\n' >"$T/ob.csv"

run rec-report --obligations "$T/ob.csv" --region AKGD --today 2025-03-01
expect_code 0
expect_lines 2
expect_jq 'select(.state == "MN") | [.compliance_year, .obligation_mwh, .retired_certificates, .retired_mwh, .shortfall_mwh] | join(",")' \
	'2024,800,500,500,300'
# rec.md: 1,224.498 lb/MWh (AKGD non-baseload, illustrative); t = lb x 0.45359237 / 1000.
expect_jq 'select(.state == "MN") | [.co2_method, .co2_rate_lb_per_mwh, .co2_avoided_lb] | join(",")' \
	'egrid-nonbaseload,1224.498,612249'
expect_jq 'select(.state == "MN") | .co2_avoided_t * 1000 | round' '277711'
expect_jq 'select(.state == "PA") | [.retired_mwh, .shortfall_mwh, .next_deadline, .next_deadline_event, .days_left] | join(",")' \
	'0,100,2025-07-15,obligation letters,136'
run rec-report --obligations "$T/ob.csv" --region AKGD --method egrid-total --today 2025-08-01
expect_jq 'select(.state == "MN") | .co2_rate_lb_per_mwh' '1052.114'
expect_jq 'select(.state == "PA") | [.next_deadline, .days_left] | join(",")' '2025-09-01,31'

# Subregions by EIA plant id from an eGRID-style plant sheet (two header
# rows, mnemonics second), the rest from --region. Test data, not eGRID's.
printf 'Plant ORIS code,Plant name,eGRID subregion acronym\nORISPL,PNAME,SUBRGN\n58001,Prairie Ridge Wind,AKGD\n60233,Kankakee Solar,\n' >"$T/plants.csv"
printf 'region,method,year,rate_lb_per_mwh,source\nAKGD,egrid-nonbaseload,2024,1224.498,test\nTEST,egrid-nonbaseload,2024,1000,test\n' >"$T/rates.csv"
run rec-report --plants "$T/plants.csv" --co2-rates "$T/rates.csv" --region TEST --today 2025-03-01
# 400 MWh x 1224.498 (plant 58001 -> AKGD) + 100 MWh x 1000 (NAR, --region TEST)
expect_jq 'select(.state == "MN") | [.co2_avoided_lb, (.co2_rate_lb_per_mwh * 10000 | round), .co2_rate_source] | join("|")' \
	'589799.2|11795984|AKGD 2024 test; TEST 2024 test'
# Without --region the NAR certificates (no plant id) have no rate: no figure.
run rec-report --plants "$T/plants.csv" --co2-rates "$T/rates.csv" --today 2025-03-01
expect_jq 'select(.state == "MN") | .co2_avoided_t' 'null'
printf 'a,b\n1,2\n' >"$T/plants-bad.csv"
run rec-report --plants "$T/plants-bad.csv"
expect_code 65 'no ORISPL and SUBRGN columns in the first two rows'

# No region known: CO2 is missing (null), never 0.
run rec-report --today 2025-03-01
expect_jq 'select(.state == "MN") | [.obligation_mwh, .co2_avoided_t, .co2_rate_source] | map(tostring) | join(",")' 'null,null,null'

# The deadline table, resolved for a year; fuzzy dates stay text.
run rec-report --upcoming --year 2024 --state NJ --today 2025-08-01
expect_code 0
expect_jq '-s map("\(.event)=\(.deadline)/\(.deadline_text)/\(.src_year)") | join(";")' \
	'retail-sales adjustment=null/08-17..09-10/2021;annual report=2025-10-01/10-01/2018'
# A deadline table of one's own, from config.
printf 'state,registry,year_basis,event,deadline,src_year,grade\nMN,M-RETS,calendar,utility filing,06-01,2025,made-up\n' >"$T/dl.csv"
printf '[rec]\ndeadlines = %s\n' "$T/dl.csv" >"$XDG_CONFIG_HOME/wattpipe/config"
run rec-report --upcoming --year 2025 --today 2026-01-01
expect_jq '[.state, .deadline, .days_left] | join(",")' 'MN,2026-06-01,151'
rm "$XDG_CONFIG_HOME/wattpipe/config"

# Bad inputs.
printf 'state,year\nMN,2024\n' >"$T/ob-bad.csv"
run rec-report --obligations "$T/ob-bad.csv"
expect_code 65 'obligation 1: needs state, year and obligation_mwh'
printf 'state,year,obligation_mwh\nMN,2024,10\nMN,2024.5,100\n' >"$T/ob-year.csv"
run rec-report --obligations "$T/ob-year.csv"
expect_code 65 'obligation 2: year 2024.5 is not a whole year'
expect_empty_out
printf 'state,year,obligation_mwh\nMN,1e300,100\n' >"$T/ob-year.csv"
run rec-report --obligations "$T/ob-year.csv"
expect_code 65 'obligation 1: year 1e\+300 is not a whole year'
printf 'state,event\nMN,x\n' >"$T/dl-bad.csv"
run rec-report --deadlines "$T/dl-bad.csv"
expect_code 65 "dl-bad.csv:1: no 'registry' column"
run rec-report --co2-rates "$T/none.csv"
expect_code 66 'none.csv'
run rec-report --today 2025-02-30
expect_code 64 "invalid date '2025-02-30'"

done_testing
