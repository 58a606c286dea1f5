#!/bin/sh
# rec-retire: by quantity (oldest vintage first) and by serial range;
# refusals change nothing; a kill -9 mid-retirement leaves a consistent ledger.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-retire --help
expect_code 0
check "--help lists --commit" grep -q -- '--commit' "$T/out"

seed
dump seeded

# Without --commit: a dry run that shows the ranges and changes nothing.
run rec-retire --state MN --year 2024 --banking-years 1 -n 500 --beneficiary 'Acme Co-op'
expect_code 0 'dry run \(add --commit to retire\): compliance retirement, reason -, state MN, year 2024, beneficiary Acme Co-op'
expect_jq '-s map(.serial) | join(",")' '805-MN-06-2023-A7F3-1 to 400,NAR-REC-2210-MN-11-2023-555601-1 to 100'
unchanged_since seeded
run rec-retire --state MN --year 2024 --banking-years 1 -n 500 --commit --dry-run
expect_code 0 'dry run'
unchanged_since seeded

# Oldest vintage first across registries: 400 of 2023-06, then 100 of 2023-11.
run rec-retire --state MN --year 2024 --banking-years 1 -n 500 --reason RPS --quarter Q2 \
	--beneficiary 'Acme Co-op' --commit
expect_code 0 'compliance retirement, reason RPS, state MN, year 2024'
expect_lines 2
expect_jq '-s map(.certificates) | add' '500'
expect_jq '-s map(.vintage) | join(",")' '2023-06,2023-11'
expect_jq '-s .[1] | [.serial, .status, .retirement.type, .retirement.state, .retirement.year, .retirement.quarter, .retirement.beneficiary] | join("|")' \
	'NAR-REC-2210-MN-11-2023-555601-1 to 100|retired|compliance|MN|2024|Q2|Acme Co-op'
run rec-list --registry NAR --state MN --status active
expect_jq '[.serial, .certificates, .status] | join("|")' 'NAR-REC-2210-MN-11-2023-555601-101 to 150|50|active'
run rec-audit --verify
expect_code 0

# Retiring more than is held and eligible.
dump before
run rec-retire --state MN --year 2024 --banking-years 1 -n 381 --commit
expect_code 65 'only 380 active certificates are eligible for MN in 2024, 381 asked: nothing was changed'
expect_empty_out
unchanged_since before

# A range not eligible for the state, and a range of another vintage year.
run rec-retire --state MN --year 2024 --serial '1311-IL-03-2024-C1D4-1 to 10' --commit
expect_code 65 "serial '1311-IL-03-2024-C1D4-1 to 10' is not eligible for MN \(eligibilities \[\"IL RPS\"\]\)"
run rec-retire --state MN --year 2025 --serial '805-MN-01-2024-B9C2-1 to 10' --commit
expect_code 65 'vintage 2024-01 is not eligible for compliance year 2025 \(vintages 2025-01 to 2025-12\)'
# Already retired; spanning retired and active; not in the ledger at all.
run rec-retire --state MN --year 2024 --banking-years 1 --serial 'NAR-REC-2210-MN-11-2023-555601-1 to 5' --commit
expect_code 65 'is retired, not active'
run rec-retire --state MN --year 2024 --banking-years 1 --serial 'NAR-REC-2210-MN-11-2023-555601-90 to 110' --commit
expect_code 65 'spans more than one held range \(1 to 100 and 101 to 150\)'
run rec-retire --state MN --year 2024 --serial 'NOPE-1 to 5' --commit
expect_code 65 "serial 'NOPE-1 to 5' is not in the ledger"
unchanged_since before

# Usage errors.
run rec-retire --state MN -n 5 --commit
expect_code 64 'a compliance retirement needs --state and --year'
run rec-retire --state MN --year 2024 --commit
expect_code 64 'give either --serial or --quantity'
run rec-retire --type gift --state MN --year 2024 -n 1
expect_code 64 'retirement type must be compliance or voluntary'
run rec-retire --state MN --year 2024 -n 1 --quarter Q5
expect_code 64 "quarter 'Q5' is not Q1 to Q4"
run rec-retire --state MN --year 24x -n 1
expect_code 64 'year'
unchanged_since before

# A serial range from the middle splits its range in three.
run rec-retire --state MN --year 2024 --serial '805-MN-01-2024-B9C2-101 to 150' --commit
expect_code 0
expect_jq '[.serial, .certificates] | join("|")' '805-MN-01-2024-B9C2-101 to 150|50'
run rec-list --generator 805 --vintage-from 2024-01
expect_jq '-s map("\(.serial_start)-\(.serial_end):\(.status)") | join(",")' '1-100:active,101-150:retired,151-250:active'
run rec-list --history --generator 805 --vintage-from 2024-01 --status active
expect_jq '-s map("\(.serial_start)-\(.serial_end):\(.live)") | join(",")' '1-250:false,1-100:true,151-250:true'

# Voluntary, no state needed.
run rec-retire --type voluntary --registry NAR -n 6 --commit --beneficiary 'Green Office'
expect_code 0
expect_code 0 'voluntary retirement, reason -, state -, year -, beneficiary Green Office'
expect_jq '[.serial, .retirement.type, .retirement.state] | join("|")' 'NAR-REC-2210-MN-11-2023-555601-101 to 106|voluntary|'

# Locked ledger: exit 74 and nothing changed.
dump locked
hold_lock 1
run rec-retire --busy-timeout 100 --type voluntary -n 1 --commit
expect_code 74 'the ledger is locked by another process'
wait
unchanged_since locked

# kill -9 during a large retirement: consistent, and all or nothing.
/usr/bin/python3 -c 'import sys
print("Serial Numbers,Quantity,Vintage,Generator ID,Eligibility")
for i in range(1, 30001):
    print("K%d-MN-01-2024-X-1 to 10,10,01/2024,%d,MN RES" % (i, i))' >"$T/big.csv"
rec-import --db "$T/k.db" "$T/big.csv" >/dev/null
for delay in 0.1 0.3; do
	kill_after $delay rec-retire --db "$T/k.db" --type voluntary -n 299995 --commit
	run rec-audit --db "$T/k.db" --verify
	expect_code 0
	n=$(rec-list --db "$T/k.db" --status retired | wc -l)
	check "kill -9 at ${delay}s ($how): nothing or all retired ($n ranges)" test "$n" -eq 0 -o "$n" -eq 30000
done

done_testing
