#!/bin/sh
# gen-grid-case.sh N [SEED]: a synthetic meshed MATPOWER case `synthN` with
# about N buses on stdout (save it as synthN.m for Octave), for benchmarks:
# a lattice of buses (numbered 10, 20, ... so ids are not row numbers)
# with random reactances, long-range ties, a few transformers with taps,
# phase shifters, series-compensated (x < 0) ties and out-of-service
# branches. Bus 10 is the reference.
set -eu
n=${1:?usage: gen-grid-case.sh N [SEED]}
seed=${2:-1}
awk -v n="$n" -v seed="$seed" '
function id(i) { return 10 * i }
function br(f, t, x, tap, shift, st) {
	printf "\t%d\t%d\t%.4f\t%.5f\t0\t0\t0\t0\t%s\t%s\t%d\t-360\t360;\n", \
		id(f), id(t), x / 4, x, tap, shift, st
}
BEGIN {
	srand(seed)
	name = n
	cols = int(sqrt(n)); rows = int((n + cols - 1) / cols); n = rows * cols
	printf "function mpc = synth%d\n%%SYNTH%d  synthetic %d-bus meshed case (wattpipe bench/gen-grid-case.sh, seed %d)\n", name, name, n, seed
	print "mpc.version = '\''2'\'';\nmpc.baseMVA = 100;\nmpc.bus = ["
	for (i = 1; i <= n; i++) {
		type = i == 1 ? 3 : (i % 10 == 0 ? 2 : 1)
		pd = type == 1 ? sprintf("%.1f", rand() * 40) : 0
		printf "\t%d\t%d\t%s\t0\t0\t0\t1\t1\t0\t230\t1\t1.1\t0.9;\n", id(i), type, pd
	}
	print "];\nmpc.gen = ["
	for (i = 1; i <= n; i++)
		if (i == 1 || i % 10 == 0)
			printf "\t%d\t0\t0\t300\t-300\t1\t100\t1\t500\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0;\n", id(i)
	print "];\nmpc.branch = ["
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			i = r * cols + c + 1
			tap = rand() < 0.03 ? sprintf("%.3f", 0.95 + rand() * 0.1) : 0
			if (c + 1 < cols) br(i, i + 1, 0.01 + rand() * 0.15, tap, 0, 1)
			if (r + 1 < rows) br(i, i + cols, 0.01 + rand() * 0.15, 0, 0, 1)
		}
	for (k = 0; k < n / 20; k++) {     # long-range ties, some unusual
		f = 1 + int(rand() * n); t = 1 + int(rand() * n)
		if (f == t) continue
		u = rand()
		x = u < 0.02 ? -0.002 : 0.02 + rand() * 0.3
		shift = u > 0.98 ? sprintf("%.1f", rand() * 10 - 5) : 0
		st = u > 0.95 && u <= 0.98 ? 0 : 1
		br(f, t, x, 0, shift, st)
	}
	print "];\nmpc.gencost = ["
	for (i = 1; i <= n; i++)
		if (i == 1 || i % 10 == 0)
			printf "\t2\t0\t0\t3\t%.4f\t%.2f\t0;\n", 0.01 + rand() * 0.05, 10 + rand() * 30
	print "];"
}'
