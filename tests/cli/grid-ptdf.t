#!/bin/sh
# grid-ptdf: PTDF values against MATPOWER's makePTDF, subsets, slack, errors.
. "$(dirname "$0")/lib.sh"
G=$DATA/grid

# max |ours - MATPOWER| over a --wide matrix (3 leading columns) and a reference CSV
maxdiff() {
	awk -F, 'NR == FNR { if (FNR > 1) for (i = 1; i <= NF; i++) ref[FNR, i] = $i; next }
		FNR > 1 { for (i = 4; i <= NF; i++) { d = $i - ref[FNR, i - 3]; if (d < 0) d = -d; if (d > m) m = d } }
		END { print (m <= 1e-8) ? "within 1e-8" : "off by " m }' "$1" "$2"
}

run grid-ptdf --help
expect_code 0
check "--help names every option" grep -q -- '--slack SPEC' "$T/out"

for c in case9 case14 case30; do
	run grid-ptdf --wide "$G/$c.m"
	expect_code 0
	check "$c: full PTDF matches makePTDF to 1e-8" test "$(maxdiff "$G/$c.ptdf.csv" "$T/out")" = "within 1e-8"
done

run grid-ptdf --wide --digits 10 "$G/case9.m"
expect_code 0
check "--digits 10 prints like MATPOWER's %.10g" test "$(sed -n 3p "$T/out" | cut -d, -f5-6)" = "-0.3613396005,-0.6151586369"
run grid-ptdf --digits 18 "$G/case9.m"
expect_code 64 'digits'

# one row as records: branch 2 (4-5) of case9, lmp.md's second anchor
run grid-ptdf --branch 4-5 -o ndjson "$G/case9.m"
expect_code 0
expect_lines 9
expect_jq '-s [.[] | .ptdf * 10000 | round / 10000] | map(tostring) | join(" ")' \
	'0 -0.3613 -0.6152 0 -0.8649 -0.6152 -0.4671 -0.3613 -0.1249'
expect_jq '-s .[4] | [.branch, .from_bus, .to_bus, .bus] | map(tostring) | join(",")' '2,4,5,5'

# columns for two buses (solved by columns) agree with the reference rows
run grid-ptdf --bus 7049,9 -o csv "$G/case30.m"
expect_code 64 'no in-service bus 7049'
run grid-ptdf --bus 8,30 --branch 10,35 -o csv "$G/case30.m"
expect_code 0
expect_lines 5
# reference rows 11 and 36 of the CSV (header first), columns 8 and 30
check "subset by columns matches makePTDF to 1e-8" awk -F, '
	NR == FNR { if (FNR == 11) { r[10, 8] = $8; r[10, 30] = $30 }
		    if (FNR == 36) { r[35, 8] = $8; r[35, 30] = $30 }; next }
	FNR > 1 { d = $5 - r[$1, $4]; if (d < 0) d = -d; if (d > 1e-8 || !(($1, $4) in r)) bad = 1 }
	END { exit bad }' "$G/case30.ptdf.csv" "$T/out"

# slack at bus 5: its column is 0; load-weighted slack: rows weigh to 0
run grid-ptdf --slack 5 --bus 5 --wide "$G/case9.m"
expect_code 0
check "slack bus column is zero" test "$(cut -d, -f4 "$T/out" | sort -u | tr '\n' ' ')" = "0 5 "
run grid-ptdf --slack load --branch 1 -o ndjson "$G/case9.m"
expect_code 0
expect_jq '-s [.[] | .ptdf * (if .bus == 5 then 90 elif .bus == 7 then 100 elif .bus == 9 then 125 else 0 end)] | add | fabs < 1e-12' true
# only the weights' ratios count, however large they are
run grid-ptdf --slack 1=1,2=1 --branch 1 "$G/case9.m"
cp "$T/out" "$T/unit-weights"
run grid-ptdf --slack 1=1e308,2=1e308 --branch 1 "$G/case9.m"
expect_code 0
check "weights near DBL_MAX split the slack as 1=1,2=1 does" cmp -s "$T/unit-weights" "$T/out"

# out-of-service branches, version-1 syntax, bus 220 (t_auction_case)
run grid-ptdf --branch 18 --bus 15,220 -o ndjson "$G/t_auction_case.m"
expect_code 0
expect_jq '[.branch, .from_bus, .to_bus, .bus, (.ptdf * 100000 | round / 100000)] | map(tostring) | join(",")' \
	"$(printf '18,12,15,15,-0.53047\n18,12,15,220,-0.13422')"
run grid-ptdf --branch 25 "$G/t_auction_case.m"
expect_code 64 'branch 25 is out of service'

# bad case files: exit 65 naming the line
run grid-ptdf "$G/bad/row-length.m"
expect_code 65 'row-length.m:17: branch row 6 has 12 columns'
run grid-ptdf "$G/bad/unknown-bus.m"
expect_code 65 'unknown-bus.m:17: branch 6 \(5-6\): unknown bus 6'
run grid-ptdf "$G/bad/zero-x.m"
expect_code 65 'zero-x.m:17: branch 6 \(2-4\) has zero reactance'
run grid-ptdf "$G/bad/no-ref.m"
expect_code 65 'no-ref.m:4: no reference bus'
run grid-ptdf "$G/bad/island.m"
expect_code 65 'island.m: 2 buses not connected to reference bus 1 \(islands\): 4 5'
expect_empty_out
printf 'mpc.baseMVA = 100;\nmpc.bus = [1 3 0 0 0 0 1 1 0 345 1 1.1 0.9];\nmpc.bus(1, 3) = 5;\n' >"$T/idx.m"
run grid-ptdf "$T/idx.m"
expect_code 65 'idx.m:3: indexed assignment to bus is not supported'

# usage and input errors
run grid-ptdf
expect_code 64 'expected one case file'
run grid-ptdf "$T/missing.m"
expect_code 66 'missing.m'
run grid-ptdf --branch 99 "$G/case9.m"
expect_code 64 'no branch 99'
run grid-ptdf --branch 4-7 "$G/case9.m"
expect_code 64 'no in-service branch between buses 4 and 7'
run grid-ptdf --slack 4=x "$G/case9.m"
expect_code 64 'weight'
run grid-ptdf --wide -o ndjson "$G/case9.m"
expect_code 64 '--wide'
run grid-ptdf --frobnicate "$G/case9.m"
expect_code 64 'unknown option'

done_testing
