#!/bin/sh
# pjm-lmp parsing one recorded 50,000-row Data Miner page served by the
# fake: rows/s and peak RSS, against `jq -c '.items[]'` over the same body
# in the same run (the anchor: parse and re-print, no mapping).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d)}
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache PJM_API_KEY=bench-key \
	WATTPIPE_NOW=2025-06-01
mkdir -p "$XDG_CONFIG_HOME/wattpipe"
printf '[pjm]\nmin_interval = 0\nrate_max = 0\n' >"$XDG_CONFIG_HOME/wattpipe/config"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done' EXIT

# fake ARGS: start the fake PJM; sets url.
fake() {
	rm -f "$tmp/pjm.port"
	/usr/bin/python3 "$top/tests/fakes/pjm" --port-file "$tmp/pjm.port" --key bench-key \
		--now 2025-06-01 --rate-limit 100000 "$@" 2>"$tmp/pjm.err" &
	pids="$pids $!"
	while [ ! -s "$tmp/pjm.port" ]; do sleep 0.05; done
	url=http://127.0.0.1:$(cat "$tmp/pjm.port")/api/v1
}

# Record the first 50,000 rows of a day of 2,084 synthetic nodes, as
# pjm-lmp asks for them, and mark the page as the whole answer.
fake --extra-nodes 2080
curl -sf -H 'Ocp-Apim-Subscription-Key: bench-key' \
	"$url/da_hrl_lmps?startRow=1&rowCount=50000&datetime_beginning_utc=11%2F04%2F2024%2005%3A00to11%2F05%2F2024%2004%3A59&row_is_current=TRUE&fields=datetime_beginning_utc%2Cpnode_id%2Cpnode_name%2Ctype%2Csystem_energy_price_da%2Ctotal_lmp_da%2Ccongestion_price_da%2Cmarginal_loss_price_da%2Cversion_nbr&sort=datetime_beginning_utc&order=Asc" |
	jq -c '.totalRows = (.items | length)' >"$tmp/page.json"
rows=$(jq '.items | length' "$tmp/page.json")
fake --replay "$tmp/page.json"

# best CPU seconds (user + system: steadier than wall time on a busy
# machine) and peak RSS (KiB) of three runs of a command; the output of the
# last run stays in $tmp/bench.out
measure() {
	for _i in 1 2 3; do
		/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" >"$tmp/bench.out"
		awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$tmp/time"
	done | sort -n | head -1
}
set -- $(measure jq -c '.items[]' "$tmp/page.json")
jq_s=$1 jq_kb=$2
set -- $(measure "$top/bin/pjm-lmp" --base-url "$url" --no-cache -q -o ndjson --from 2024-11-04)
lmp_s=$1 lmp_kb=$2
got=$(wc -l <"$tmp/bench.out")
[ "$got" -eq "$rows" ] || { echo "pjm-lmp wrote $got records, expected $rows" >&2; exit 1; }
awk -v n="$rows" -v a="$jq_s" -v b="$lmp_s" -v ka="$jq_kb" -v kb="$lmp_kb" 'BEGIN {
	if (a <= 0) a = 0.01; if (b <= 0) b = 0.01
	printf "pjm-lmp  %d rows of one page: %.2f CPU s, %.0f rows/s, peak RSS %.1f MiB\n", n, b, n / b, kb / 1024
	printf "jq -c    same page body:      %.2f CPU s, %.0f rows/s, peak RSS %.1f MiB\n", a, n / a, ka / 1024
	printf "ratio    pjm-lmp is %.2fx the speed of jq (fetch, parse, map, write vs parse, print)\n", a / b
}'
