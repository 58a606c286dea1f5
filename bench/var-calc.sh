# var-calc: the three workloads of issue 6, each against an anchor that
# computes the same quantity in the same run (awk and sort; R and Octave
# are not installed here). Figures are wall seconds and peak RSS; the
# compute-only time comes from var-calc -v.
set -eu
dir=$BENCH_TMP/var-calc
mkdir -p "$dir"

measure() { # command...: "seconds peak_KiB" of the command; stderr kept in $dir/err
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err"
	cat "$dir/time"
}
computed() { sed -n 's/.*computed in \([0-9.]*\) s.*/\1/p' "$dir/err"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a > 0 ? b / a : 0) }'; }

# 1. Historical VaR + ES at 99 % on 10,000,000 values (one CSV column).
awk 'BEGIN { srand(1); print "x"; for (i = 0; i < 10000000; i++) {
	u = rand(); v = rand(); printf "%.6f\n", sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v) } }' >"$dir/h.csv"
set -- $(measure var-calc -v --pnl -m historical -c 0.99 -o ndjson "$dir/h.csv")
ws=$1 wkb=$2 wc=$(computed)
wvar=$(jq .var "$dir/out")
# anchor: sort -n (the values are fixed-point), then the type 7 quantile and the tail mean in awk
set -- $(measure sh -c "tail -n +2 '$dir/h.csv' | sort -n -S 50% | awk '{ x[NR] = \$1 }
	END { g = (NR - 1) * 0.01; i = int(g); q = x[i + 1] + (g - i) * (x[i + 2] - x[i + 1]);
	for (j = 1; x[j] < q; j++) s += x[j]; printf \"%.10g %.10g\\n\", -q, -s / (j - 1) }'")
as=$1 akb=$2
echo "historical VaR+ES, 10,000,000 values: var-calc $ws s (compute $wc s, the rest reading CSV), peak $((wkb / 1024)) MiB; sort+awk $as s, peak $((akb / 1024)) MiB; ratio $(ratio "$ws" "$as")x"
echo "  VaR var-calc $wvar, anchor $(cut -d' ' -f1 "$dir/out")"

# Shared input for 2 and 3: 1,000 days x 50 instruments of returns, one common factor.
awk 'BEGIN { srand(2); printf "date"; for (j = 1; j <= 50; j++) printf ",i%02d", j; print "";
	for (t = 0; t < 1000; t++) { u = rand(); c = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * rand());
		printf "%d", t; for (j = 1; j <= 50; j++) { u = rand(); e = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * rand());
			printf ",%.6f", 0.01 * (0.6 * c + 0.8 * e) * (1 + j / 50) + (rand() < 0.01 ? -0.05 : 0) } print "" } }' >"$dir/w.csv"
weights=
for j in $(seq -w 1 50); do weights="$weights -w i$j=0.02"; done

# 2. Monte Carlo: 1,000,000 draws x 50 instruments (Cholesky, one portfolio).
set -- $(measure var-calc -v -m montecarlo --sims 1000000 -c 0.99 $weights -o ndjson "$dir/w.csv")
ws=$1 wkb=$2 wc=$(computed)
wvar=$(jq -s '.[-1].var' "$dir/out")
# anchor: awk draws 20,000 portfolio values through the same Cholesky factor
cat >"$dir/mc.awk" <<'EOA'
BEGIN { FS = ","; srand(3) }
NR > 1 { n++; for (j = 2; j <= NF; j++) { x[n, j - 1] = $j; s[j - 1] += $j } k = NF - 1 }
END {
	for (a = 1; a <= k; a++) mu[a] = s[a] / n
	for (a = 1; a <= k; a++) for (b = 1; b <= a; b++) { c = 0
		for (t = 1; t <= n; t++) c += (x[t, a] - mu[a]) * (x[t, b] - mu[b]); C[a, b] = c / (n - 1) }
	for (a = 1; a <= k; a++) for (b = 1; b <= a; b++) { v = C[a, b]
		for (e = 1; e < b; e++) v -= L[a, e] * L[b, e]
		L[a, b] = (a == b) ? sqrt(v) : v / L[b, b] }
	for (d = 1; d <= SIMS; d++) {
		for (a = 1; a <= k; a++) z[a] = sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
		p = 0; for (a = 1; a <= k; a++) { v = mu[a]; for (b = 1; b <= a; b++) v += L[a, b] * z[b]; p += 0.02 * v }
		print p }
}
EOA
set -- $(measure sh -c "awk -v SIMS=20000 -f '$dir/mc.awk' '$dir/w.csv' | sort -g | awk '{ x[NR] = \$1 } END { g = (NR - 1) * 0.01; i = int(g); printf \"%.6g\\n\", -(x[i + 1] + (g - i) * (x[i + 2] - x[i + 1])) }'")
as=$1 akb=$2
echo "montecarlo, 1,000,000 draws x 50 instruments: var-calc $ws s (compute $wc s), peak $((wkb / 1024)) MiB; awk 20,000 draws $as s; per draw var-calc is $(awk -v a="$ws" -v b="$as" 'BEGIN { printf "%.0f", (b / 20000) / (a / 1000000) }')x faster"
echo "  portfolio VaR var-calc $wvar, awk (20,000 draws) $(cat "$dir/out")"

# 3. Portfolio Gaussian + modified VaR/ES with contributions, 1,000 days x 50.
set -- $(measure var-calc -v -m gaussian,modified -c 0.99 $weights -o ndjson "$dir/w.csv")
ws=$1 wkb=$2 wc=$(computed)
wg=$(jq -s 'map(select(.instrument == "portfolio")) | .[0].var' "$dir/out")
wm=$(jq -s 'map(select(.instrument == "portfolio")) | .[1].var' "$dir/out")
# anchor: the same two portfolio VaRs in awk (covariance, then the book's co-moments)
cat >"$dir/port.awk" <<'EOA'
BEGIN { FS = ","; z = -2.3263478740408408 }
NR > 1 { n++; for (j = 2; j <= NF; j++) { x[n, j - 1] = $j; s[j - 1] += $j } k = NF - 1 }
END {
	for (a = 1; a <= k; a++) { mu[a] = s[a] / n; m += 0.02 * mu[a] }
	for (a = 1; a <= k; a++) for (b = 1; b <= k; b++) { c = 0
		for (t = 1; t <= n; t++) c += (x[t, a] - mu[a]) * (x[t, b] - mu[b]); v += 0.0004 * c / (n - 1) }
	for (t = 1; t <= n; t++) { p = 0; for (a = 1; a <= k; a++) p += 0.02 * (x[t, a] - mu[a]); m3 += p^3; m4 += p^4 }
	sd = sqrt(v); S = m3 / n / sd^3; K = m4 / n / v^2 - 3
	h = z + (z^2 - 1) * S / 6 + (z^3 - 3 * z) * K / 24 - (2 * z^3 - 5 * z) * S^2 / 36
	printf "%.10g %.10g\n", -m - z * sd, -m - h * sd
}
EOA
set -- $(measure awk -f "$dir/port.awk" "$dir/w.csv")
as=$1 akb=$2
echo "portfolio gaussian+modified, 1,000 days x 50: var-calc $ws s (compute $wc s), peak $((wkb / 1024)) MiB; awk $as s; ratio $(ratio "$ws" "$as")x"
echo "  VaR gaussian $wg / modified $wm; awk $(cat "$dir/out")"
