# gen-prices.awk: N synthetic PJM day-ahead price records in the shared
# price schema (shared/api/prices-schema.md), one NDJSON object a line.
#   awk -v n=100000 -f bench/gen-prices.awk
# Hourly intervals from 2024-01-01T05:00Z for 250 locations, wrapping
# within 2024; prices with
# two to six decimals, as PJM publishes them. Deterministic (fixed seed).
function two(x) { return (x < 10 ? "0" : "") x }
# "YYYY-MM-DDTHH:00:00" for hour h counted from 2024-01-01T00:00 (2024 only).
function stamp(h,    d, m) {
	h %= 8784
	d = int(h / 24)
	for (m = 1; d >= mdays[m]; m++)
		d -= mdays[m]
	return "2024-" two(m) "-" two(d + 1) "T" two(h % 24) ":00:00"
}
function price(lo, hi, places,    p) {
	p = lo + rand() * (hi - lo)
	return sprintf("%.*f", places, p) + 0
}
BEGIN {
	srand(42)
	split("31 29 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	split("HUB ZONE AGGREGATE NODE INTERFACE", types, " ")
	for (i = 0; i < 250; i++) {
		name[i] = (i == 0 ? "WESTERN HUB" : i == 1 ? "PSEG" : "BUS " 1000 + i * 7 " KV")
		id[i] = 51288 + i * 104729
		type[i] = types[i % 5 + 1]
	}
	for (r = 0; r < n; r++) {
		loc = r % 250
		h = 5 + int(r / 250)
		energy = price(15, 60, 2 + r % 5)
		cong = price(-5, 8, 6)
		loss = price(-1, 1, 6)
		lmp = energy + cong + loss
		printf "{\"interval_start_utc\":\"%sZ\",\"interval_end_utc\":\"%sZ\"," \
		       "\"interval_start_local\":\"%s-05:00\",\"iso\":\"PJM\",\"market\":\"DA\"," \
		       "\"run\":\"final\",\"location\":\"%s\",\"location_id\":\"%d\"," \
		       "\"location_type\":\"%s\",\"price_kind\":\"lmp\",\"lmp\":%.6f," \
		       "\"energy\":%s,\"congestion\":%s,\"loss\":%s,\"ghg\":null," \
		       "\"currency\":\"USD\",\"unit\":\"MWh\"}\n",
		       stamp(h), stamp(h + 1), stamp(h - 5), name[loc], id[loc], type[loc],
		       lmp, energy, cong, loss
	}
}
