#!/bin/sh
# rec-list: holdings as records, filtered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-list --help
expect_code 0
check "--help lists --status" grep -q -- '--status' "$T/out"

run rec-list
expect_code 66 'rec-import makes the ledger: no ledger at .*rec.db'

seed
run rec-list -o ndjson
expect_code 0
expect_lines 6
expect_jq '-s map(.vintage) | join(",")' '2023-06,2023-11,2024-01,2024-03,2024-04,2024-06'
expect_jq '-s .[0] | [.registry, .serial, .serial_base, .serial_start, .serial_end, .certificates, .mwh, .generator_id, .generator_name, .eia_plant_id, .state, .fuel, .status, .account_id] | join("|")' \
	'M-RETS|805-MN-06-2023-A7F3-1 to 400|805-MN-06-2023-A7F3|1|400|400|400|805|Prairie Ridge Wind|58001|MN|Wind|active|ACME-MAIN'

run rec-list --registry nar
expect_jq '-s map(.serial_base) | join(",")' 'NAR-REC-2210-MN-11-2023-555601,NAR-REC-1234-CA-06-2024-555555'
# Eligible for MN: the MN RES tags, including the IL plant certified for MN.
run rec-list --state MN
expect_jq '-s map(.certificates) | add' '880'
run rec-list --state MN --year 2024
expect_jq '-s map(.vintage) | join(",")' '2024-01,2024-04'
run rec-list --state MN --year 2024 --banking-years 1
expect_lines 4
run rec-list --fuel solar --vintage-from 2024-04 --vintage-to 2024-05
expect_jq '.serial' '1311-IL-04-2024-C1D5-1 to 80'
run rec-list --account ACME-NAR --status active -o csv --fields registry,serial,certificates
expect_out 'registry,serial,certificates
NAR,NAR-REC-2210-MN-11-2023-555601-1 to 150,150
NAR,NAR-REC-1234-CA-06-2024-555555-1 to 66,66'
run rec-list --status retired
expect_code 0
expect_lines 0

run rec-list --state Minnesota
expect_code 64 "--state 'Minnesota' is not a two-letter code"
run rec-list --vintage-from 2024-13
expect_code 64 "--vintage-from '2024-13' is not YYYY-MM"
run rec-list --status frozen
expect_code 0
expect_lines 0

# Corrupt ledger file: exit 74 with a clear message.
printf 'this is not a database, just text that is long enough to look like a header%0200d' 0 >"$T/bad.db"
run rec-list --db "$T/bad.db"
expect_code 74 'bad.db: .*not a ledger database, or corrupt'

done_testing
