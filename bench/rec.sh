# The REC ledger at scale (issue 9): import 1,000,000 certificate ranges,
# then retire 100,000 of them by policy (oldest vintage first, eligible for
# a state), with time and database size. The anchor is the sqlite3 shell
# doing the same data movement in plain SQL in the same run: .import of
# the CSV into an indexed table, then one UPDATE of the 100,000 oldest
# eligible rows. It has none of the ledger's work (serial parsing and
# checks, overlap detection, split pieces with lineage, audit chain), so
# the ratio says what that work costs.
set -eu
dir=$BENCH_TMP/rec
mkdir -p "$dir"
N=${REC_BENCH_RANGES:-1000000}
K=${REC_BENCH_RETIRE:-100000}
/usr/bin/python3 - "$dir/holdings.csv" "$N" <<'EOP'
import sys
n = int(sys.argv[2])
states = ["MN", "WI", "IL", "IA"]
with open(sys.argv[1], "w") as f:
    f.write("Serial Numbers,Quantity,Vintage,Generator ID,Generator State,Fuel Type,Eligibility\n")
    for i in range(n):
        g = i % 5000
        st = states[g % 4]
        month = 1 + (i // 5000) % 12
        year = 2020 + (i // 60000) % 5
        f.write("%d-%s-%02d-%d-B%d-1 to 10,10,%02d/%d,%d,%s,Wind,%s RES; WI-RPS\n"
                % (g, st, month, year, i, month, year, g, st, st))
EOP
db=$dir/rec.db
measure() { # command...: wall seconds and peak RSS in KiB
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
	cat "$dir/time"
}
size() { if [ -e "$1" ]; then du -k "$1" | cut -f1; else echo 0; fi; }
set -- $(measure rec-import --db "$db" --format mrets "$dir/holdings.csv")
it=$1 ikb=$2
isz=$(($(size "$db") + $(size "$db-wal")))
# 100,000 ranges of 10: all but 5 of the last one, so it is split too.
q=$((K * 10 - 5))
set -- $(measure rec-retire --db "$db" --state MN --year 2024 --banking-years 4 -n "$q" --commit -o csv)
rt=$1 rkb=$2
moved=$(($(wc -l <"$dir/out") - 1))
set -- $(measure rec-audit --db "$db" --verify)
vt=$1
rsz=$(($(size "$db") + $(size "$db-wal")))

# The anchor: the sqlite3 shell, same file system, same synchronous mode.
rm -f "$dir/anchor.db"
cat >"$dir/anchor.sql" <<EOS
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE h (serial TEXT, quantity INTEGER, vintage TEXT, generator TEXT, state TEXT,
	fuel TEXT, eligibility TEXT, status TEXT DEFAULT 'active');
.mode csv
.import --skip 1 $dir/holdings.csv h
CREATE INDEX h_vintage ON h (vintage);
EOS
set -- $(measure sqlite3 "$dir/anchor.db" ".read $dir/anchor.sql")
at=$1
cat >"$dir/anchor-retire.sql" <<EOS
PRAGMA synchronous = FULL;
UPDATE h SET status = 'retired' WHERE rowid IN (SELECT rowid FROM h
	WHERE status = 'active' AND eligibility LIKE 'MN %'
	ORDER BY substr(vintage, 4, 4) || substr(vintage, 1, 2) LIMIT $K);
EOS
set -- $(measure sqlite3 "$dir/anchor.db" ".read $dir/anchor-retire.sql")
art=$1
asz=$(($(size "$dir/anchor.db") + $(size "$dir/anchor.db-wal")))

awk -v n="$N" -v k="$K" -v moved="$moved" -v it="$it" -v ikb="$ikb" -v isz="$isz" \
    -v rt="$rt" -v rkb="$rkb" -v vt="$vt" -v rsz="$rsz" -v at="$at" -v art="$art" -v asz="$asz" 'BEGIN {
	z = 0.01
	printf "rec-import %d ranges: %.1f s (%.0f ranges/s), peak RSS %.0f MiB, ledger %.0f MiB\n", n, it, n / (it > z ? it : z), ikb / 1024, isz / 1024
	printf "rec-retire by policy, %d ranges moved: %.1f s (%.0f ranges/s), peak RSS %.0f MiB, ledger then %.0f MiB\n", moved, rt, moved / (rt > z ? rt : z), rkb / 1024, rsz / 1024
	printf "rec-audit --verify (chain + conservation of %d batches): %.1f s\n", n, vt
	printf "anchor, sqlite3 shell: .import %.1f s, UPDATE of %d rows %.1f s, file %.0f MiB\n", at, k, art, asz / 1024
	printf "ratios (ledger / anchor): import %.1fx, retire %.1fx, size %.1fx\n", it / (at > z ? at : z), rt / (art > z ? art : z), rsz / (asz > 0 ? asz : 1)
}'
