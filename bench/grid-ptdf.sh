#!/bin/sh
# bench/grid-ptdf.sh: grid-ptdf's PTDF against a dense MATPOWER-style PTDF
# in Octave (bench/ptdf_anchor.m), time and peak RSS, same cases, same run.
#   full PTDF: the largest case of shared/data/matpower and a generated
#              2,000-bus case (bench/gen-grid-case.sh)
#   20 rows:   a generated 10,000-bus case (target < 1 s); its anchor
#              (a full dense H) needs about 8 GB and 2.5 minutes, so it
#              runs only with BENCH_LARGE=1
# Octave is large and optional: without octave-cli the anchor is skipped,
# unless BENCH_INSTALL_OCTAVE=1 lets this script install it (apt-get).
# Not pass/fail: it prints figures and ratios.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d)}
PATH=$top/bin:$PATH

if ! command -v octave-cli >/dev/null 2>&1 && [ "${BENCH_INSTALL_OCTAVE:-0}" = 1 ]; then
	echo "installing octave (BENCH_INSTALL_OCTAVE=1)..."
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		octave >/dev/null
fi
octave=
command -v octave-cli >/dev/null 2>&1 && octave=octave-cli
[ -n "$octave" ] || echo "note: octave-cli not installed; anchor skipped" \
	"(BENCH_INSTALL_OCTAVE=1 installs it, about 400 MB)"

# lib/grid alone, without writing text: the like of the anchor's in-memory H
cc -O2 -D_GNU_SOURCE -I"$top/lib" -iquote "$top/lib/core" -I/usr/include/suitesparse \
	"$top/bench/ptdf-compute.c" "$top/build/libwattpipe.a" -ljq -lgsl -lgslcblas -lklu \
	-lumfpack -lamd -lcolamd -lbtf -lcholmod -lsuitesparseconfig -lm -o "$tmp/ptdf-compute"

# measure NAME CMD...: "seconds peakKB" of CMD (stdout to $tmp/NAME.out)
measure() {
	_n=$1; shift
	/usr/bin/time -f '%e %M' -o "$tmp/$_n.time" "$@" >"$tmp/$_n.out" 2>"$tmp/$_n.err" ||
		{ echo "  $_n failed: $(tail -1 "$tmp/$_n.err")"; echo "0 0" >"$tmp/$_n.time"; }
	cat "$tmp/$_n.time"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "n/a" }'; }

# shared/ sits beside the repository ($WP_SHARED overrides, e.g. from a worktree)
shared=${WP_SHARED:-$top/../shared}
largest=$(ls -S "$shared"/data/matpower/*.m 2>/dev/null | grep -v make_reference | head -1)
[ -n "$largest" ] || largest=$top/tests/data/grid/case30.m
sh "$top/bench/gen-grid-case.sh" 2000 >"$tmp/synth2000.m"
sh "$top/bench/gen-grid-case.sh" 10000 >"$tmp/synth10000.m"

for c in "$largest" "$tmp/synth2000.m"; do
	name=$(basename "$c" .m)
	set -- $(measure cli grid-ptdf --wide "$c")
	cli_s=$1 cli_kb=$2
	set -- $(measure cli10 grid-ptdf --wide --digits 10 "$c")
	cli10_s=$1
	set -- $(measure lib "$tmp/ptdf-compute" "$c")
	lib_s=$1 lib_kb=$2
	read -r nb nl lib_in sum <"$tmp/lib.out"
	echo "full PTDF $name ($nb buses, $nl branches):"
	echo "  grid-ptdf --wide: ${cli_s} s (${cli10_s} s with --digits 10), peak ${cli_kb} KB," \
		"$(wc -c <"$tmp/cli.out") bytes of CSV"
	echo "  lib/grid, no output: ${lib_s} s (${lib_in} s in process), peak ${lib_kb} KB, sum|H| $sum"
	[ -n "$octave" ] || continue
	set -- $(measure oct "$octave" --norc -q "$top/bench/ptdf_anchor.m" "$c")
	oct_s=$1 oct_kb=$2
	read -r _ _ oct_in oct_sum <"$tmp/oct.out"
	echo "  octave dense anchor: ${oct_s} s (${oct_in} s in process), peak ${oct_kb} KB, sum|H| $oct_sum"
	echo "  ratio vs anchor, whole process without output: time $(ratio "$lib_s" "$oct_s")" \
		"faster, memory $(ratio "$lib_kb" "$oct_kb") less;" \
		"in-process compute $(ratio "$lib_in" "$oct_in") faster"
	echo "  ratio vs anchor, grid-ptdf writing CSV: time $(ratio "$cli_s" "$oct_s")" \
		"(--digits 10: $(ratio "$cli10_s" "$oct_s")), memory $(ratio "$cli_kb" "$oct_kb") less"
done

rows=$(seq -s, 1 20)
set -- $(measure rows grid-ptdf --wide --branch "$rows" "$tmp/synth10000.m")
rows_s=$1 rows_kb=$2
echo "20 PTDF rows of synth10000 (10,000 buses):" \
	"${rows_s} s, peak ${rows_kb} KB (target < 1 s)"
if [ -n "$octave" ] && [ "${BENCH_LARGE:-0}" = 1 ]; then
	set -- $(measure oct20 "$octave" --norc -q "$top/bench/ptdf_anchor.m" "$tmp/synth10000.m" 20)
	echo "  octave dense anchor (full H, then 20 rows): $1 s, peak $2 KB;" \
		"ratio: time $(ratio "$rows_s" "$1") faster, memory $(ratio "$rows_kb" "$2") less"
elif [ -n "$octave" ]; then
	echo "  (BENCH_LARGE=1 adds the Octave anchor: about 8 GB and 2.5 minutes)"
fi
