# hh-basis over 20 years x 8 hubs of daily prices with a 30-day rolling
# correlation, against awk doing the same join and rolling figures.
set -eu
dir=$BENCH_TMP/hh-basis
mkdir -p "$dir"
# Long records: date, hub, price; a business-day calendar, random walks.
/usr/bin/python3 - "$dir/hubs.csv" <<'EOP'
import datetime, random, sys
hubs = ["Henry Hub", "Waha", "SoCal Citygate", "PG&E Citygate", "Chicago Citygate",
        "Houston Ship Channel", "Transco Zone 6 NY", "Algonquin Citygates", "Dominion South"]
random.seed(42)
p = [3.0] * len(hubs)
d = datetime.date(2005, 1, 3)
with open(sys.argv[1], "w") as f:
    f.write("date,hub,price\n")
    while d < datetime.date(2025, 1, 3):
        if d.weekday() < 5:
            for i, h in enumerate(hubs):
                p[i] += (random.random() - 0.5) * 0.2
                f.write("%s,%s,%.3f\n" % (d, h, p[i]))
        d += datetime.timedelta(days=1)
EOP
rows=$(($(wc -l <"$dir/hubs.csv") - 1))

# The anchor: the same basis, rolling sd of changes and correlation in awk.
cat >"$dir/anchor.awk" <<'EOA'
BEGIN { FS = ","; W = 30 }
NR == 1 { next }
$2 == "Henry Hub" { hh[$1] = $3; next }
{ d[++n] = $1; h[n] = $2; p[n] = $3 }
END {
	for (i = 1; i <= n; i++) {
		if (!(d[i] in hh)) continue
		k = h[i]; c = ++m[k]
		if (c > 1) { dx[k, c - 1] = p[i] - last[k]; dy[k, c - 1] = hh[d[i]] - lasth[k] }
		last[k] = p[i]; lasth[k] = hh[d[i]]
		vol = ""; cor = ""
		if (c - 1 >= W) {
			sx = sy = sxx = syy = sxy = 0
			for (j = c - W; j < c; j++) { x = dx[k, j]; y = dy[k, j]; sx += x; sy += y; sxx += x*x; syy += y*y; sxy += x*y }
			vx = (sxx - sx*sx/W) / (W - 1); vy = (syy - sy*sy/W) / (W - 1)
			vol = sqrt(vx); cor = (sxy - sx*sy/W) / (W - 1) / sqrt(vx * vy)
		}
		printf "%s,%s,%.6f,%s,%s\n", d[i], k, p[i] - hh[d[i]], vol, cor
	}
}
EOA
measure() { # label command...: wall seconds and peak RSS in KiB
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >"$dir/out" 2>/dev/null
	read -r s kb <"$dir/time"
	echo "$s $kb"
}
set -- $(measure hh-basis --window 30 -o csv "$dir/hubs.csv")
ws=$1 wkb=$2
wout=$(($(wc -l <"$dir/out") - 1))
set -- $(measure awk -f "$dir/anchor.awk" "$dir/hubs.csv")
as=$1 akb=$2
awk -v r="$rows" -v o="$wout" -v ws="$ws" -v wkb="$wkb" -v as="$as" -v akb="$akb" 'BEGIN {
	printf "input %d records (20 years x 9 hubs), %d basis records out\n", r, o
	printf "hh-basis --window 30: %.2f s, %.0f records/s, peak RSS %.1f MiB\n", ws, r / (ws > 0 ? ws : 0.01), wkb / 1024
	printf "awk, same join and rolling figures: %.2f s, peak RSS %.1f MiB\n", as, akb / 1024
	printf "ratio (awk time / hh-basis time): %.1fx\n", as / (ws > 0 ? ws : 0.01)
}'
