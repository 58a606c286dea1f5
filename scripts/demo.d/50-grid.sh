# 50-grid: case9 with one congested line, decomposed into energy and congestion.
# Sourced by scripts/demo ($top, say).
g=$top/tests/data/grid
say "grid-ptdf --branch 8-9 --bus 1,2,3,9 -o table case9_congested.m"
grid-ptdf --branch 8-9 --bus 1,2,3,9 -o table "$g/case9_congested.m"
say "cat case9_congested.mu.csv   # branch 8-9 at its 60 MW limit in the DC OPF"
cat "$g/case9_congested.mu.csv"
say "lmp-decompose -c case9_congested.m -e 28.31074962 case9_congested.mu.csv -o table"
lmp-decompose -c "$g/case9_congested.m" -e 28.31074962 "$g/case9_congested.mu.csv" -o table
