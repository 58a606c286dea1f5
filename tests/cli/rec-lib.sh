# rec-lib.sh: what the rec-*.t scripts share (sourced after lib.sh).
DB=$XDG_DATA_HOME/wattpipe/rec.db
RECDATA=$DATA/rec

# dump NAME: the whole ledger as SQL text (Python's own sqlite3, not ours)
# into $T/NAME.sql, to prove a refused operation changed nothing.
dump() {
	/usr/bin/python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
sys.stdout.write("\n".join(c.iterdump()) + "\n")' "$DB" >"$T/$1.sql"
}

# unchanged_since NAME: the ledger dumps the same as at `dump NAME`.
unchanged_since() {
	dump now
	if cmp -s "$T/$1.sql" "$T/now.sql"; then _ok "ledger unchanged since $1"
	else _notok "ledger unchanged since $1" "$(diff "$T/$1.sql" "$T/now.sql" | head -10)"; fi
}

# seed: the two sample exports imported.
seed() {
	rec-import "$RECDATA/mrets-holdings.csv" "$RECDATA/nar-holdings.csv" >/dev/null
}

# hold_lock SECONDS: another process takes the ledger's write lock and
# keeps it SECONDS; returns once the lock is held (the holder is reaped by
# `wait`).
hold_lock() {
	rm -f "$T/locked"
	/usr/bin/python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE"); open(sys.argv[2], "w").close(); time.sleep(float(sys.argv[3]))' \
		"$DB" "$T/locked" "$1" &
	_pids="$_pids $!"
	while [ ! -e "$T/locked" ]; do sleep 0.05; done
}

# kill_after DELAY CMD...: run CMD in the background, kill -9 it after
# DELAY seconds; $how says whether it was still running.
kill_after() {
	_d=$1; shift
	"$@" >/dev/null 2>&1 &
	_p=$!
	sleep "$_d"
	how="exited before the kill"
	kill -9 $_p 2>/dev/null && how="killed mid-run"
	wait $_p 2>/dev/null
}
