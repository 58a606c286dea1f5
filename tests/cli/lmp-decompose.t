#!/bin/sh
# lmp-decompose: model mode against MATPOWER's DC OPF and the lmp.md anchor,
# market mode (shares, basis, rank), the shadow-price estimate, errors.
. "$(dirname "$0")/lib.sh"
G=$DATA/grid

run lmp-decompose --help
expect_code 0
check "--help names every option" grep -q -- '--by-constraint' "$T/out"

# model mode, fed MATPOWER's own branch results (from,to,...,mu_sf,mu_st):
# LMP = lambda - H'mu must equal its LAM_P to 1e-6
run lmp-decompose --case "$G/case30_congested.m" --energy 3.265961972 -o csv \
	"$G/case30_congested.dcopf-branches.csv"
expect_code 0
expect_lines 31
check "case30_congested: LMPs match rundcopf to 1e-6" awk -F, '
	NR == FNR { if (FNR > 1) ref[$1] = $2; next }
	FNR > 1 { d = $2 - ref[$1]; if (d < 0) d = -d; if (d > 1e-6) bad = 1; n++ }
	END { exit bad || n != 30 }' "$G/case30_congested.dcopf.csv" "$T/out"
check "energy + congestion + loss = lmp" awk -F, 'FNR > 1 { d = $3 + $4 + $5 - $2; if (d < -1e-9 || d > 1e-9) bad = 1 } END { exit bad }' "$T/out"
check "bus 8 is driven by branch 10 (6-8)" grep -q '^8,18.04214668[0-9]*,3.265961972,14.77618[0-9]*,0,10,' "$T/out"

# the demo: case9 with branch 8-9 binding; at the DC OPF optimum each
# generator's marginal cost 2 c2 P + c1 equals the LMP at its bus:
# 2*0.085*115.821665+1.2 = 20.88968, 2*0.1225*93.220383+1 = 23.83899
# (dispatch from tests/data/grid/case9_congested.py)
run lmp-decompose -c "$G/case9_congested.m" -e 28.31074962 "$G/case9_congested.mu.csv"
expect_code 0
expect_jq 'select(.bus <= 3 or .bus == 9) | [.bus, (.lmp * 1e5 | round / 1e5), .top_branch] | map(tostring) | join(" ")' \
	"$(printf '1 28.31075 null\n2 20.88968 8\n3 23.83899 8\n9 29.76151 8')"

# the lmp.md worked anchor: t_auction_case, branch 18 binding at 1.953 $/MW
printf '{"branch":18,"mu":1.953}\n' >"$T/mu18"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016
expect_code 0
expect_jq 'select(.bus == 1 or .bus == 2 or .bus == 15 or .bus == 12 or .bus == 220) | [.bus, (.lmp * 10000 | round / 10000)] | map(tostring) | join(" ")' \
	"$(printf '1 52.016\n2 52.0203\n12 51.6613\n15 53.052\n220 52.2781')"
# load-weighted reference: bus 15 congestion +0.7924, bus 12 -0.5983
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.2596 --slack load
expect_code 0
expect_jq 'select(.bus == 15 or .bus == 12) | .congestion * 10000 | round / 10000' \
	"$(printf -- '-0.5983\n0.7924')"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --by-constraint
expect_code 0
expect_jq 'select(.bus == 15) | [.branch, .from_bus, .to_bus, (.ptdf * 100000 | round / 100000)] | map(tostring) | join(" ")' \
	'18 12 15 -0.53047'

# given marginal loss factors: loss = -lambda * LF, added to the LMP
printf 'bus,lf\n15,0.02\n12,-0.01\n' >"$T/lf.csv"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --loss-factors "$T/lf.csv"
expect_code 0
expect_jq 'select(.bus == 15 or .bus == 12 or .bus == 1) | [.bus, .loss, (.lmp * 10000 | round / 10000)] | map(tostring) | join(" ")' \
	"$(printf '1 0 52.016\n12 0.52016 52.1814\n15 -1.04032 52.0117')"
printf 'bus,lf\n15,0.02\n16x,0.01\n' >"$T/lf.csv"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --loss-factors "$T/lf.csv"
expect_code 65 'lf.csv:3: a loss-factor record needs bus and lf numbers'
printf 'bus,lf\n99,0.01\n' >"$T/lf.csv"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --loss-factors "$T/lf.csv"
expect_code 65 'lf.csv:2: no in-service bus 99'
printf 'bus,lf\n15,0.02\n12.5,0.01\n' >"$T/lf.csv"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --loss-factors "$T/lf.csv"
expect_code 65 'lf.csv:3: no in-service bus 12.5'
expect_empty_out
printf 'bus,lf\n15,0.02\n15,0.01\n' >"$T/lf.csv"
run_in "$T/mu18" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --loss-factors "$T/lf.csv"
expect_code 65 'lf.csv:3: bus 15 has a loss factor already'
expect_empty_out
run lmp-decompose --loss-factors "$T/lf.csv"
expect_code 64 'model mode'

# MATPOWER-style rows, out-of-service branch 10-20 among them (mu 0)
printf 'from,to,mu_sf,mu_st\n10,20,0,0\n12,15,1.953,0\n' >"$T/mu.csv"
run_in "$T/mu.csv" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016
expect_code 0
expect_jq 'select(.bus == 15) | .lmp * 10000 | round / 10000' '53.052'

# no binding constraint: congestion 0 everywhere
printf 'branch,mu\n18,0\n' >"$T/mu0"
run_in "$T/mu0" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016
expect_code 0
expect_jq '-s map(.congestion) | unique | map(tostring) | join(" ")' '0'

# bad shadow-price records: exit 65 naming the line
printf '{"branch":18,"mu":1}\n{"branch":99,"mu":1}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:2: no branch 99'
expect_empty_out
printf '{"from":12,"to":15,"mu":1}\n{"from":12,"to":16,"mu":1}\n{"from":3,"to":5,"mu":1}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:3: no in-service branch between buses 3 and 5'
printf '{"branch":25,"mu":2}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:1: branch 25 is out of service'
printf '{"branch":18}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:1: no shadow price'
printf '{"branch":18,"mu":1}\n{"from":15,"to":12,"mu":1}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:2: branch 18 has a shadow price already \(line 1\)'
printf '{"branch":18,"mu":"high"}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 50
expect_code 65 'stdin:1: .*must be numbers'
printf '{"branch":99,"mu":1}\n{"branch":18,"mu":1.953}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose --case "$G/t_auction_case.m" --energy 52.016 --keep-going
expect_code 65 '1 bad record skipped'
expect_lines 30
run_in "$T/mu18" lmp-decompose --case "$G/bad/island.m" --energy 50
expect_code 65 'island.m: 2 buses not connected to reference bus 1 \(islands\): 4 5'

# market mode: shares, hub basis, congestion rank per interval
run lmp-decompose --hub BUS1 "$G/case30.prices.ndjson"
expect_code 0
expect_lines 60
expect_jq 'select(.location == "BUS8") | [.interval_start_utc, .congestion_rank, (.basis * 1e6 | round / 1e6), (.congestion_share * 1e4 | round / 1e4)] | map(tostring) | join(" ")' \
	"$(printf '2024-07-01T16:00:00Z 1 14.776185 0.819\n2024-07-01T17:00:00Z 1 0 0')"
expect_jq '-s map(select(.interval_start_utc == "2024-07-01T16:00:00Z") | .congestion_rank) | max' 30
run lmp-decompose --hub NOWHERE -o csv "$G/case30.prices.ndjson"
expect_code 0
check "unknown hub: basis is empty, not 0" awk -F, 'NR == 2 { exit !($17 == "" && $18 == "") }' "$T/out"
# sparse records: what is missing stays null; ties and order of rank
printf '{"interval_start_utc":"T1","location":"A","lmp":30,"congestion":1}\n{"interval_start_utc":"T1","location":"B","lmp":31,"congestion":2}\n{"interval_start_utc":"T1","location":"C","lmp":31,"congestion":2}\n' >"$T/sparse"
run_in "$T/sparse" lmp-decompose --hub A
expect_code 0
expect_jq '[.location, .iso, .energy, .congestion_rank, .basis_congestion, .basis_energy] | map(tostring) | join(" ")' \
	"$(printf 'A null null 3 0 null\nB null null 1 1 null\nC null null 1 1 null')"
printf '{"interval_start_utc":"2024-07-01T16:00:00Z","location":"A","lmp":30}\n{"interval_start_utc":"2024-07-01T16:00:00Z","location":"B"}\n' >"$T/bad"
run_in "$T/bad" lmp-decompose
expect_code 65 'stdin:2: no lmp for B'
expect_empty_out

# shadow prices back from the published congestion components
run lmp-decompose --case "$G/case30_congested.m" --map "$G/case30.map.csv" --branch 10,30,35 "$G/case30.prices.ndjson"
expect_code 0
expect_lines 6
expect_jq 'select(.interval_start_utc == "2024-07-01T16:00:00Z") | [.branch, (.mu * 1e6 | round / 1e6), .nodes, (.residual_rms < 1e-6)] | map(tostring) | join(" ")' \
	"$(printf '10 17.157779 30 true\n30 -0.387022 30 true\n35 -3.809277 30 true')"
head -3 "$G/case30.map.csv" >"$T/map3.csv"
run lmp-decompose --case "$G/case30_congested.m" --map "$T/map3.csv" --branch 10,30,35 "$G/case30.prices.ndjson"
expect_code 65 'need more than 3 priced nodes'
printf 'location,bus\nBUS1,1\nBUS2,77\n' >"$T/badmap.csv"
run lmp-decompose --case "$G/case30_congested.m" --map "$T/badmap.csv" --branch 10 "$G/case30.prices.ndjson"
expect_code 65 'badmap.csv:3: no in-service bus 77'

# usage errors
run lmp-decompose --energy 30
expect_code 64 '--energy needs --case'
run lmp-decompose --case "$G/case30.m"
expect_code 64 'give --map and --branch'
run lmp-decompose --case "$G/case30.m" --energy abc
expect_code 64 'energy'
run lmp-decompose --case "$T/nope.m" --energy 30
expect_code 66 'nope.m'

done_testing
