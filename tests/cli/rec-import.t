#!/bin/sh
# rec-import: registry exports into the ledger; idempotent; refusals change nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-import --help
expect_code 0
check "--help lists --format" grep -q -- '--format' "$T/out"

run rec-import --dry-run "$RECDATA/mrets-holdings.csv"
expect_code 0
expect_jq '[.format, .added, .dry_run] | join(" ")' 'mrets 4 true'
run rec-list
expect_code 0
expect_lines 0

run rec-import "$RECDATA/mrets-holdings.csv" "$RECDATA/nar-holdings.csv"
expect_code 0
expect_jq '-s map("\(.format):\(.added):\(.unchanged)") | join(",")' 'mrets:4:0,nar:2:0'
check "ledger file is 0600" test "$(stat -c %a "$DB")" = 600
run rec-list -o ndjson
expect_lines 6
expect_jq '-s map(.certificates) | add' '1066'
expect_jq 'select(.registry == "NAR" and .generator_id == "1234") | [.serial, .vintage, .state, (.eligibilities | join(";"))] | join("|")' \
	'NAR-REC-1234-CA-06-2024-555555-1 to 66|2024-06|CA|CA RPS PCC1'

# Idempotent: the same files again change nothing, not even the audit.
dump first
run rec-import "$RECDATA/mrets-holdings.csv" "$RECDATA/nar-holdings.csv"
expect_code 0
expect_jq '-s map("\(.added):\(.unchanged)") | join(",")' '0:4,0:2'
unchanged_since first

# Overlapping serial range: refused, whole file rolled back.
cat >"$T/overlap.csv" <<'CSV'
Serial Numbers,Quantity,Vintage,Generator ID,Generator State,Eligibility
900-MN-01-2024-ZZ-1 to 10,10,01/2024,900,MN,MN RES
805-MN-06-2023-A7F3-390 to 410,21,06/2023,805,MN,MN RES
CSV
run rec-import "$T/overlap.csv"
expect_code 65 "overlap.csv:3: .*serial '805-MN-06-2023-A7F3-390 to 410' overlaps '805-MN-06-2023-A7F3-1 to 400'"
expect_empty_out
unchanged_since first

# Unknown registry format: by name (usage) and by columns (data).
run rec-import --format gis "$RECDATA/mrets-holdings.csv"
expect_code 64 "unknown registry format 'gis' \(known: wattpipe, mrets, nar, wregis, pjm-gats\)"
printf 'Cert ID,Amount,Period\nX-1 to 5,5,2024Q1\n' >"$T/unknown.csv"
run rec-import "$T/unknown.csv"
expect_code 65 'unknown registry format: the columns match none'
unchanged_since first

# Bad values name file, line and field.
printf 'Serial Numbers,Quantity,Vintage,Generator ID\n901-A-1 to 10,9,01/2024,901\n' >"$T/qty.csv"
run rec-import "$T/qty.csv"
expect_code 65 "qty.csv:2: .*holds 10 certificates, quantity says '9'"
printf 'Serial Numbers,Quantity,Vintage,Generator ID\n901-A-1 to 10,10,2024.01,901\n' >"$T/vin.csv"
run rec-import "$T/vin.csv"
expect_code 65 "vin.csv:2: .*vintage '2024.01' is not MM/YYYY"
printf 'Serial Numbers,Quantity,Vintage,Generator ID\n901-A-1 to 10,10,01/2024,901\n{bad\n' >"$T/ragged.csv"
run rec-import "$T/ragged.csv"
expect_code 65 'nothing imported: .*ragged.csv:3: 1 field, header has 4'
unchanged_since first
run rec-import "$T/missing.csv"
expect_code 66 'missing.csv'

# NDJSON in the ledger's own record form, from stdin.
printf '{"registry":"WREGIS","serial":"W-77-1 to 5","vintage":"2024-02","state":"CA","eligibilities":["CA RPS"],"mwh":5}\n' >"$T/own.ndjson"
run_in "$T/own.ndjson" rec-import
expect_code 0
expect_jq '[.format, .added] | join(" ")' 'wattpipe 1'

# Locked: another process holds the write lock.
dump locked
hold_lock 1
run rec-import --busy-timeout 200 "$T/overlap.csv"
expect_code 74 'locked by another process \(waited 200 ms\)'
wait
unchanged_since locked

# Corrupt database: a clear message, and the file is left alone.
head -c 8192 /dev/urandom >"$T/junk.db"
cp "$T/junk.db" "$T/junk.orig"
run rec-import --db "$T/junk.db" "$RECDATA/mrets-holdings.csv"
expect_code 74 'not a ledger database, or corrupt'
check "corrupt file untouched" cmp -s "$T/junk.db" "$T/junk.orig"

# kill -9 in the middle of a large import: the ledger stays consistent
# and holds either the whole import or none of it.
/usr/bin/python3 -c 'import sys
print("Serial Numbers,Quantity,Vintage,Generator ID,Eligibility")
for i in range(1, 60001):
    print("K%d-MN-01-2024-X-1 to 10,10,01/2024,%d,MN RES" % (i, i))' >"$T/big.csv"
for delay in 0.05 0.2 0.4; do
	rm -f "$T/k.db" "$T/k.db-wal" "$T/k.db-shm"
	kill_after $delay rec-import --db "$T/k.db" "$T/big.csv"
	run rec-audit --db "$T/k.db" --verify
	if [ $rc -eq 66 ]; then
		expect_code 66 'no ledger at|an empty ledger \(no import has completed\)'
		check "kill -9 at ${delay}s ($how): nothing imported" true
	else
		expect_code 0
		n=$(rec-list --db "$T/k.db" | wc -l)
		check "kill -9 at ${delay}s ($how): all or nothing ($n ranges)" test "$n" -eq 0 -o "$n" -eq 60000
	fi
done

done_testing
