#!/bin/sh
# brm-order: a full day's curve order, 168 contracts x 10 points from CSV,
# read, checked against every rule and sent to the fake, as client CPU
# time per auction; against `jq` turning the same CSV into the same JSON
# body in the same run (the anchor: parse and build, no rules, no network).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d)}
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state \
	BRM_USERNAME=trader BRM_PASSWORD=trader-pass
mkdir -p "$XDG_CONFIG_HOME/wattpipe"
pid=
trap '[ -z "$pid" ] || kill $pid 2>/dev/null' EXIT
rm -f "$tmp/brm.port"
/usr/bin/python3 "$top/tests/fakes/brm" --port-file "$tmp/brm.port" 2>"$tmp/brm.err" &
pid=$!
while [ ! -s "$tmp/brm.port" ]; do sleep 0.05; done
export BRM_BASE_URL=http://127.0.0.1:$(cat "$tmp/brm.port")
bin=$top/bin
A=$("$bin/brm-auctions" --state Open --fields auction_id -o csv --no-header)

# Ten points per contract from -500 to 4000, volumes falling.
"$bin/brm-auctions" --id "$A" --contracts --fields contract_id -o csv --no-header |
	awk 'BEGIN { print "contract,price,volume"; split("-500 0 20 40 60 80 100 150 300 4000", p, " ") }
	     { for (i = 1; i <= 10; i++) printf "%s,%s,%.1f\n", $1, p[i], (10 - i) * 2.5 }' >"$tmp/day.csv"
n=$(($(wc -l <"$tmp/day.csv") - 1))
"$bin/brm-login" -q >/dev/null   # the token is cached: the runs below measure orders only

# user+system CPU seconds of a command, output discarded
cpu() {
	/usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" <"$tmp/day.csv"
	awk '{ printf "%.3f", $1 + $2 }' "$tmp/time"
}
runs=5
i=0
: >"$tmp/cpu"
while [ $i -lt $runs ]; do
	echo "dry $(cpu "$bin/brm-order" -a "$A" -p TP4 --dry-run -q)" >>"$tmp/cpu"
	echo "sent $(cpu "$bin/brm-order" -a "$A" -p TP4 -q -o ndjson)" >>"$tmp/cpu"
	id=$(jq -r .order_id "$tmp/out")
	[ "$(jq -r .outcome "$tmp/out")" = created ] || { cat "$tmp/err" >&2; exit 1; }
	"$bin/brm-cancel" -q "$id" >/dev/null 2>&1
	echo "anchor $(cpu jq -R -s -c --arg a "$A" 'split("\n") | .[1:] | map(select(length > 0) | split(",")) |
		group_by(.[0]) | {auctionId: $a, portfolio: "TP4 - DA", areaCode: "TEL",
		curves: map({contractId: .[0][0], curvePoints: map({price: (.[1] | tonumber), volume: (.[2] | tonumber)})})}')" >>"$tmp/cpu"
	i=$((i + 1))
done
# /usr/bin/time counts in 10 ms ticks: the mean of several runs says more.
awk -v n="$n" -v r=$runs '{ t[$1] += $2 } END {
	d = t["dry"] / r; s = t["sent"] / r; a = t["anchor"] / r; if (a <= 0) a = 0.001
	printf "brm-order --dry-run  168 contracts, %d points: %.1f ms CPU (read, 25 rule entries, JSON)\n", n, d * 1000
	printf "brm-order            the same, sent to the fake: %.1f ms CPU per auction (target < 100)\n", s * 1000
	printf "jq anchor            CSV to the same body, no rules: %.1f ms CPU\n", a * 1000
	printf "ratio                brm-order send / jq = %.2f\n", s / a
}' "$tmp/cpu"
