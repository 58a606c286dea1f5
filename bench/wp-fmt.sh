#!/bin/sh
# wp-fmt NDJSON -> CSV on synthetic price records (shared price schema, 17
# fields), against jq -r '[...] | @csv' on the same file in the same run.
# Prints wall and CPU seconds, the ratio jq/wp-fmt and peak RSS per size.
# BENCH_SIZES="100000 1000000" by default; BENCH_TMP is set by scripts/bench.
#
# Where the time goes (callgrind, 10,000 records of ~380 bytes): jq 1.6's
# jv_parse_sized plus freeing the parsed record is ~74k instructions a
# record, wp-fmt in all ~98k, jq -r @csv ~207k. Parsing with libjq is the
# floor, so the ratio cannot pass about 2.8x however lean the rest is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=${BENCH_TMP:-$(mktemp -d)}
fields='.interval_start_utc,.interval_end_utc,.interval_start_local,.iso,.market,.run,.location,.location_id,.location_type,.price_kind,.lmp,.energy,.congestion,.loss,.ghg,.currency,.unit'

# run NAME CMD...: stdout to $tmp/NAME.out; sets wall, cpu, rss (KiB).
run() {
	name=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out"
	read -r wall user sys rss <"$tmp/$name.time"
	cpu=$(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }')
}

printf '%9s  %-7s %8s %8s %9s %9s\n' rows tool wall_s cpu_s rss_kib rows_out
for n in ${BENCH_SIZES:-100000 1000000}; do
	in=$tmp/prices-$n.ndjson
	awk -v n="$n" -f "$here/gen-prices.awk" >"$in"
	cat "$in" >/dev/null # both runs start from the page cache

	run wp wp-fmt -o csv "$in"
	wp_wall=$wall wp_cpu=$cpu wp_rss=$rss
	printf '%9d  %-7s %8s %8s %9s %9d\n' "$n" wp-fmt "$wall" "$cpu" "$rss" \
		$(($(wc -l <"$tmp/wp.out") - 1))
	run jq jq -r "[$fields] | @csv" "$in"
	printf '%9d  %-7s %8s %8s %9s %9d\n' "$n" jq "$wall" "$cpu" "$rss" "$(wc -l <"$tmp/jq.out")"
	echo "$n $wall $wp_wall $cpu $wp_cpu" | awk '{
		printf "%9d  ratio   jq/wp-fmt %.1fx wall, %.1fx cpu\n", $1,
		       $2 / ($3 > 0 ? $3 : 0.01), $4 / ($5 > 0 ? $5 : 0.01) }'
	rm -f "$in" "$tmp/wp.out" "$tmp/jq.out"
done
