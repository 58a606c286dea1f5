#!/bin/sh
# wp-fmt: conversions with exact output, bad input with its line, exit codes.
. "$(dirname "$0")/lib.sh"

D=$DATA/wp-fmt
HEAD=interval_start_utc,interval_end_utc,interval_start_local,iso,market,run,location,location_id,location_type,price_kind,lmp,energy,congestion,loss,ghg,currency,unit

run wp-fmt --help
expect_code 0
check "--help lists --keep-going" grep -q -- '--keep-going' "$T/out"

# ---- conversions ----

run wp-fmt -o csv "$D/prices.ndjson"
expect_code 0
expect_out "$HEAD
2024-11-03T05:00:00Z,2024-11-03T06:00:00Z,2024-11-03T01:00:00-04:00,PJM,DA,final,WESTERN HUB,51288,HUB,lmp,17.956076,17.94,0.005357,0.011552,,USD,MWh
2024-11-03T06:00:00Z,2024-11-03T07:00:00Z,2024-11-03T01:00:00-05:00,PJM,DA,final,WESTERN HUB,51288,HUB,lmp,21.5,21.47,-0.02,0.05,,USD,MWh
2024-11-03T06:00:00Z,2024-11-03T07:00:00Z,2024-11-03T01:00:00-05:00,PJM,DA,final,PSEG,1,ZONE,lmp,-3.25,,,,,USD,MWh"
cp "$T/out" "$T/prices.csv"

# CSV back to NDJSON: the same records, ids now numbers, nulls kept.
run_in "$T/prices.csv" wp-fmt
expect_code 0
expect_lines 3
expect_jq 'select(.location == "PSEG") | [.location_id, .lmp, .energy, .ghg, .unit] | tojson' '[1,-3.25,null,null,"MWh"]'
expect_jq 'select(.interval_start_local == "2024-11-03T01:00:00-04:00") | [.lmp, .congestion] | tojson' '[17.956076,0.005357]'

run_in "$D/notes.csv" wp-fmt -o ndjson
expect_code 0
expect_out '{"node":"BUS 5, 13 KV","note":"say \"hi\"","lmp":31.25}
{"node":"WEST","note":"two\r\nlines","lmp":null}
{"node":"X","note":null,"lmp":"007"}'

run wp-fmt -o csv "$D/notes.csv"
expect_code 0
printf 'node,note,lmp\n"BUS 5, 13 KV","say ""hi""",31.25\nWEST,"two\r\nlines",\nX,,007\n' >"$T/want.csv"
check "CSV -> CSV: quotes only where needed, CR LF kept inside the quotes, LF line ends" \
	cmp -s "$T/want.csv" "$T/out"

run wp-fmt -o tsv "$D/notes.csv"
expect_code 0
expect_out 'node	note	lmp
BUS 5, 13 KV	say "hi"	31.25
WEST	two\r\nlines	
X		007'

run wp-fmt -o table --fields interval_start_local,location,lmp,energy "$D/prices.ndjson"
expect_code 0
expect_out 'interval_start_local       location           lmp  energy
2024-11-03T01:00:00-04:00  WESTERN HUB  17.956076   17.94
2024-11-03T01:00:00-05:00  WESTERN HUB       21.5   21.47
2024-11-03T01:00:00-05:00  PSEG             -3.25'

run wp-fmt -o ndjson --fields lmp,location,nope "$D/prices.ndjson"
expect_code 0
expect_out '{"lmp":17.956076,"location":"WESTERN HUB","nope":null}
{"lmp":21.5,"location":"WESTERN HUB","nope":null}
{"lmp":-3.25,"location":"PSEG","nope":null}'

run wp-fmt -o csv --no-header --fields location,lmp "$D/prices.ndjson"
expect_code 0
expect_out 'WESTERN HUB,17.956076
WESTERN HUB,21.5
PSEG,-3.25'

WATTPIPE_FORMAT=tsv run wp-fmt --fields location "$D/prices.ndjson"
expect_out 'location
WESTERN HUB
WESTERN HUB
PSEG'
WATTPIPE_FORMAT=tsv run wp-fmt -o csv --fields location,lmp "$D/prices.ndjson"
expect_out 'location,lmp
WESTERN HUB,17.956076
WESTERN HUB,21.5
PSEG,-3.25'

# Several inputs in turn; "-" is standard input.
printf 'location,lmp\nPSEG,1.5\n' >"$T/one.csv"
run_in "$T/one.csv" wp-fmt -o csv --fields location,lmp "$D/prices.ndjson" -
expect_code 0
expect_out 'location,lmp
WESTERN HUB,17.956076
WESTERN HUB,21.5
PSEG,-3.25
PSEG,1.5'

# ---- jq ----

run wp-fmt -o csv --jq 'select(.lmp > 0) | {location, lmp}' "$D/prices.ndjson"
expect_code 0
expect_out 'location,lmp
WESTERN HUB,17.956076
WESTERN HUB,21.5'

run wp-fmt --jq '.location as $l | (.energy, .congestion) | {l: $l, v: .}' "$D/prices.ndjson"
expect_code 0
expect_out '{"l":"WESTERN HUB","v":17.94}
{"l":"WESTERN HUB","v":0.005357}
{"l":"WESTERN HUB","v":21.47}
{"l":"WESTERN HUB","v":-0.02}
{"l":"PSEG","v":null}
{"l":"PSEG","v":null}'

run wp-fmt --jq 'empty' "$D/prices.ndjson"
expect_code 0
expect_empty_out

run wp-fmt --jq '.location | ascii_downcase' "$D/prices.ndjson"
expect_code 0
expect_out '"western hub"
"western hub"
"pseg"'

# ---- numbers and text ----

printf '{"a":0.30000000000000004,"b":1e21,"c":-0.0,"d":17.9560760,"e":12345678901234567890,"f":1E-7}\n' >"$T/num.ndjson"
run_in "$T/num.ndjson" wp-fmt -o csv
expect_code 0
expect_out 'a,b,c,d,e,f
0.30000000000000004,1e+21,-0,17.956076,12345678901234567000,1e-7'

printf '{"s":"Caf\\u00e9 \\ud83d\\ude00","r":"Zürich ⚡","c":"tab\\there"}\n' >"$T/utf.ndjson"
run_in "$T/utf.ndjson" wp-fmt
expect_code 0
expect_out '{"s":"Café 😀","r":"Zürich ⚡","c":"tab\there"}'

# ---- bad input ----

printf '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n' >"$T/bad.ndjson"
run_in "$T/bad.ndjson" wp-fmt -o csv
expect_code 65 '^wp-fmt: stdin:3: invalid JSON: Unfinished JSON term'
expect_out 'a
1
2'

printf '{"a":1}\n7\n[{"a":3},{"a":4}]\n{"a":1e400}\n\n{"a":6}\n' >"$T/bad2.ndjson"
run_in "$T/bad2.ndjson" wp-fmt --keep-going
expect_code 65 'wp-fmt: 2 bad records skipped'
expect_out '{"a":1}
{"a":3}
{"a":4}
{"a":6}'
check "each skipped record named with its line" \
	test "$(grep -c -e '^wp-fmt: stdin:2: a number, not an object$' \
		-e '^wp-fmt: stdin:4: number out of range$' "$T/err")" -eq 2

printf 'a,b\n1,2\n3,4,5\n6\n7,8\n' >"$T/ragged.csv"
run_in "$T/ragged.csv" wp-fmt
expect_code 65 '^wp-fmt: stdin:3: 3 fields, header has 2$'
expect_out '{"a":1,"b":2}'

run wp-fmt --keep-going "$T/ragged.csv"
expect_code 65 "ragged.csv:4: 1 field, header has 2"
check "file name in the message" grep -q "^wp-fmt: $T/ragged.csv:3: 3 fields, header has 2" "$T/err"
check "--keep-going counts" grep -q '^wp-fmt: 2 bad records skipped$' "$T/err"
expect_out '{"a":1,"b":2}
{"a":7,"b":8}'

printf 'a,b\n1,"x\ny\n' >"$T/open.csv"
run_in "$T/open.csv" wp-fmt
expect_code 65 '^wp-fmt: stdin:2: quoted field not closed at end of input$'

printf 'a,b\n1,x"y"\n' >"$T/quote.csv"
run_in "$T/quote.csv" wp-fmt
expect_code 65 '^wp-fmt: stdin:2: malformed CSV'

# A jq error belongs to its record.
run wp-fmt --jq '.lmp | ascii_downcase' "$D/prices.ndjson"
expect_code 65 'prices.ndjson:1: jq: explode input must be a string'

# CSV output needs objects; NDJSON takes any value.
run wp-fmt -o csv --jq '.lmp' "$D/prices.ndjson"
expect_code 65 'prices.ndjson:1: record is not an object but number'

# -i forces the reader: a CSV header that starts with '['.
printf '[a],b\n1,2\n' >"$T/bracket.csv"
run_in "$T/bracket.csv" wp-fmt
expect_code 65 'stdin:1: invalid JSON'
run_in "$T/bracket.csv" wp-fmt -i csv
expect_code 0
expect_out '{"[a]":1,"b":2}'

# ---- output and usage ----

awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"i\":%d}\n", i }' >"$T/many.ndjson"
wp-fmt -o csv "$T/many.ndjson" 2>"$T/err" | head -1 >"$T/out"
check "| head -1: pipeline exits 0" test $? -eq 0
expect_out 'i'
check "| head -1: nothing on stderr" test ! -s "$T/err"

wp-fmt -o csv "$T/many.ndjson" >/dev/full 2>"$T/err"
rc=$? _cmd="wp-fmt >/dev/full"
expect_code 73 '^wp-fmt: .*No space left on device'

run wp-fmt --bogus
expect_code 64 "unknown option"
run wp-fmt -o xml "$D/prices.ndjson"
expect_code 64 "unknown format 'xml'"
expect_empty_out
run wp-fmt -i tsv "$D/prices.ndjson"
expect_code 64 "tsv"
run wp-fmt --jq '.a |||' "$D/prices.ndjson"
expect_code 64 '^wp-fmt: --jq: syntax error'
expect_empty_out
run wp-fmt --fields 'a,,b' "$D/prices.ndjson"
expect_code 64 'empty field name'
run wp-fmt "$T/no-such-file"
expect_code 66 "no-such-file"

done_testing
