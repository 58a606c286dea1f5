#!/bin/sh
# rec-transfer: move certificates to another account; splits, never merges.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-transfer --help
expect_code 0
check "--help lists --to" grep -q -- '--to' "$T/out"

seed
dump seeded
run rec-transfer --to ACME-SUB -n 450 --state MN --dry-run
expect_code 0
expect_jq '-s map("\(.serial)>\(.account_id)") | join(",")' \
	'805-MN-06-2023-A7F3-1 to 400>ACME-SUB,NAR-REC-2210-MN-11-2023-555601-1 to 50>ACME-SUB'
unchanged_since seeded

run rec-transfer --to ACME-SUB -n 450 --state MN
expect_code 0
expect_jq '-s map(.certificates) | add' '450'
run rec-list --account ACME-SUB
expect_jq '-s map(.certificates) | add' '450'
run rec-list --registry NAR --state MN
expect_jq '-s map("\(.serial_start)-\(.serial_end):\(.account_id)") | join(",")' '1-50:ACME-SUB,51-150:ACME-NAR'
# Back again: the pieces stay split (51-150 and 1-50 are not merged).
run rec-transfer --to ACME-NAR --serial 'NAR-REC-2210-MN-11-2023-555601-1 to 50'
expect_code 0
run rec-list --registry NAR --state MN
expect_jq '-s map("\(.serial_start)-\(.serial_end):\(.account_id)") | join(",")' '1-50:ACME-NAR,51-150:ACME-NAR'
run rec-audit --verify
expect_code 0

dump before
run rec-transfer --to X -n 100000
expect_code 65 'only 1066 active certificates are eligible, 100000 asked'
run rec-transfer -n 5
expect_code 64 '--to ACCOUNT is required'
run rec-transfer --to X --serial 'bad serial'
expect_code 65 "serial 'bad serial': expected '<base>-<start> to <end>'"
run rec-transfer --to X -n 0
expect_code 64 '--quantity must be from 1'
unchanged_since before

done_testing
