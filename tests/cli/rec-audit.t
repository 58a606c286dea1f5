#!/bin/sh
# rec-audit: the hash-chained trail; --verify finds tampering.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

run rec-audit --help
expect_code 0
check "--help lists --verify" grep -q -- '--verify' "$T/out"

USER=alice seed
USER=bob rec-retire --type voluntary -n 10 --beneficiary 'Acme' --commit >/dev/null 2>&1
run rec-audit
expect_code 0
expect_lines 2
expect_jq '-s map("\(.seq):\(.actor):\(.operation)") | join(",")' '1:alice:import,2:bob:retire'
expect_jq '-s .[0].detail | [.added, .unchanged] | join(",")' '6,0'
expect_jq '-s .[1].detail | [.certificates, .retirement.beneficiary] | join(",")' '10,Acme'
expect_jq '-s .[0].prev_hash' '0000000000000000000000000000000000000000000000000000000000000000'
expect_jq '-s .[1].prev_hash == .[0].hash' 'true'
# The hash is SHA-256 over the row's fields, NUL-separated; recompute it
# independently (Python's hashlib) for row 1.
/usr/bin/python3 -c 'import hashlib, sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT seq, time_utc, actor, operation, detail, prev_hash, hash FROM audit WHERE seq = 1").fetchone()
h = hashlib.sha256(b"".join(str(f).encode() + b"\0" for f in r[:6])).hexdigest()
sys.exit(h != r[6])' "$DB"
check "row hash is SHA-256 of its fields (checked with hashlib)" test $? -eq 0

run rec-audit --verify
expect_code 0
expect_jq '[.rows, .verified] | join(",")' '2,true'

# SQL cannot change or remove audit rows...
/usr/bin/python3 -c 'import sqlite3, sys
try:
    sqlite3.connect(sys.argv[1]).execute("DELETE FROM audit WHERE seq = 2")
except sqlite3.DatabaseError as e:
    print(e)' "$DB" >"$T/sql.out"
check "DELETE on audit refused" grep -q 'append-only' "$T/sql.out"

# ...and whoever drops the triggers is found out by --verify.
cp "$DB" "$T/orig.db"
tamper() {
	cp "$T/orig.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
	/usr/bin/python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + sys.argv[2])' "$DB" "$1"
}
tamper "UPDATE audit SET detail = replace(detail, 'Acme', 'Evil') WHERE seq = 2"
run rec-audit --verify
expect_code 1 'audit row 2: hash does not match its content \(altered\)'
tamper "DELETE FROM audit WHERE seq = 1"
run rec-audit --verify
expect_code 1 'audit row 2: expected row 1'
tamper "DELETE FROM audit WHERE seq = 2"
run rec-audit --verify
expect_code 1 'the ledger names audit row 2, the audit table ends at 1'
tamper "UPDATE piece SET certificates = certificates + 1, serial_end = serial_end + 1 WHERE id = (SELECT max(id) FROM piece WHERE live = 1 AND batch_id = 1)"
run rec-audit --verify
expect_code 1 "batch '805-MN-06-2023-A7F3-1 to 400': live ranges hold 401 certificates, the batch 400"

# config [rec] actor names who acts, over $USER (wattpipe-config(5)).
cp "$T/orig.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
printf '[rec]\nactor = carol\n' >"$XDG_CONFIG_HOME/wattpipe/config"
USER=bob rec-retire --type voluntary -n 1 --commit >/dev/null 2>&1
rm "$XDG_CONFIG_HOME/wattpipe/config"
run rec-audit
expect_jq '-s .[-1] | "\(.seq):\(.actor):\(.operation)"' '3:carol:retire'

done_testing
