#!/bin/sh
# pjm-lmp against tests/fakes/pjm. Fake prices follow formulas (see the
# fake's header): DA energy = 20 + UTC hour + day/100, RT adds 1.5, 5-min
# adds minute/100; WESTERN HUB congestion 1.25, loss 0.1.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-7f3a9c
cat >"$XDG_CONFIG_HOME/wattpipe/config" <<'CFG'
[http]
backoff = 0.05
[pjm]
min_interval = 0
rate_max = 0
backoff = 0.05
backoff_max = 2
timeout = 1
CFG
export WATTPIPE_NOW=2025-06-01 PJM_API_KEY=$KEY

# fake [ARGS]: a fresh fake PJM with the test key and an empty log; points
# PJM_BASE_URL at it.
fake() {
	# Stop the previous fake first: a stalled reply must not log into the new log.
	[ -z "$_pids" ] || kill ${_pids##* } 2>/dev/null
	: >"$T/pjm.log"
	start_fake pjm --key "$KEY" --rate-limit 1000 --now "${FAKE_NOW:-2025-06-01}" --stall 2 "$@"
	export PJM_BASE_URL=$PJM_URL/api/v1
}
# sent JQ: jq over the data requests the fake received.
sent() { jq -r "select(.path | endswith(\"/metadata\") | not) | $1" "$T/pjm.log"; }

run pjm-lmp --help
expect_code 0
check "--help lists --market" grep -q -- '--market' "$T/out"

# ---- day-ahead on both DST days ------------------------------------------
fake
run pjm-lmp --market da --from 2024-11-03 --node 51288 -o ndjson
expect_code 0
expect_lines 25
expect_jq '-s [.[] | select(.interval_start_local | startswith("2024-11-03T01:00")) | .interval_start_local] | join(" ")' \
	'2024-11-03T01:00:00-04:00 2024-11-03T01:00:00-05:00'
expect_jq '-s .[0] | [.interval_start_utc, .interval_end_utc, .interval_start_local] | join(" ")' \
	'2024-11-03T04:00:00Z 2024-11-03T05:00:00Z 2024-11-03T00:00:00-04:00'
expect_jq '-s .[-1] | [.interval_start_utc, .interval_start_local] | join(" ")' \
	'2024-11-04T04:00:00Z 2024-11-03T23:00:00-05:00'
expect_jq 'select(.interval_start_utc == "2024-11-03T06:00:00Z") | [.lmp, .energy, .congestion, .loss, .ghg] | map(tostring) | join(" ")' \
	'27.38 26.03 1.25 0.1 null'
expect_jq '-s map([.iso, .market, .run, .location, .location_id, .location_type, .price_kind, .currency, .unit] | join(",")) | unique | .[]' \
	'PJM,DA,final,WESTERN HUB,51288,HUB,lmp,USD,MWh'
check "the request carries the key in the header only" \
	test "$(sent '[.headers["Ocp-Apim-Subscription-Key"], (.query | test("sk-test|subscription-key"))] | map(tostring) | join(" ")')" = "<matched> false"
check "the request asks for the UTC day, end - 1 min, current rows, sorted" \
	test "$(sent '.params | [.datetime_beginning_utc, .pnode_id, .row_is_current, .sort, .order, .startRow, .rowCount] | join("|")')" = \
	"11/03/2024 04:00to11/04/2024 04:59|51288|TRUE|datetime_beginning_utc|Asc|1|50000"

run pjm-lmp --market da --from 2024-03-10 --node 51288
expect_code 0
expect_lines 23
expect_jq '-s [.[] | select(.interval_start_local | test("T02:"))] | length' '0'
expect_jq '-s .[1:3] | map(.interval_start_utc + " " + .interval_start_local) | join(" ")' \
	'2024-03-10T06:00:00Z 2024-03-10T01:00:00-05:00 2024-03-10T07:00:00Z 2024-03-10T03:00:00-04:00'

# Several nodes, several days: each interval in location order.
run pjm-lmp --from 2024-11-04 --to 2024-11-05 --node 51288 --node 51217 --node 1
expect_code 0
expect_lines 144
expect_jq '-s .[0:3] | map(.location) | join(",")' 'EASTERN HUB,PJM-RTO,WESTERN HUB'
expect_jq '-s map(.interval_start_utc) | (. == sort)' 'true'

# A name is resolved through the pnode feed.
run pjm-lmp --from 2024-11-04 --node 'western hub' --fields location_id,lmp -o csv
expect_code 0
check "CSV of the chosen fields" test "$(head -2 "$T/out" | tr '\n' ' ')" = 'location_id,lmp 51288,26.39 '
run pjm-lmp --from 2024-11-04 --node 'NOWHERE HUB'
expect_code 64 "no active PJM node named 'NOWHERE HUB'"

run pjm-lmp --from 2024-11-04 --type aggregate
expect_code 0
expect_empty_out

run pjm-lmp --from 2024-11-04 --node 51288 -o csv
expect_code 0
check "CSV header is the price schema's" test "$(head -1 "$T/out")" = \
	'interval_start_utc,interval_end_utc,interval_start_local,iso,market,run,location,location_id,location_type,price_kind,lmp,energy,congestion,loss,ghg,currency,unit'

# ---- real-time hourly: versions ------------------------------------------
run pjm-lmp --market rt --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
expect_jq 'select(.interval_start_utc == "2024-11-03T12:00:00Z") | [.market, .lmp, .pjm_version_nbr] | map(tostring) | join(" ")' \
	'RTH 34.88 2'
fake --stale-current
run pjm-lmp --market rt --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
expect_jq 'select(.interval_start_utc == "2024-11-03T12:00:00Z") | [.lmp, .pjm_version_nbr] | map(tostring) | join(" ")' \
	'34.88 2'

# ---- 5-minute ------------------------------------------------------------
FAKE_NOW=2024-12-01 fake
WATTPIPE_NOW=2024-12-01 run pjm-lmp --market rt5 --from 2024-11-03 --node 51288
expect_code 0
expect_lines 300
expect_jq 'select(.interval_start_utc == "2024-11-03T05:05:00Z") | [.market, .interval_end_utc, .lmp, .energy] | map(tostring) | join(" ")' \
	'RT5 2024-11-03T05:10:00Z 27.93 26.58'
expect_jq '-s [.[] | select(.interval_start_local | startswith("2024-11-03T01:05"))] | length' '2'
WATTPIPE_NOW=2024-12-01 run pjm-lmp --market rt5 --from 2024-11-04 --type hub
expect_code 0
expect_jq '-s map(.location) | unique | join(",")' 'EASTERN HUB,WESTERN HUB'
expect_lines 576
check "type is filtered here: rt_fivemin_hrl_lmps refuses it" \
	test "$(sent '.params.type // "none"' | tail -1)" = none
WATTPIPE_NOW=2024-12-01 run pjm-lmp --market rt5 --prelim --from 2024-11-04 --node 51217
expect_code 0
expect_lines 288
expect_jq 'select(.interval_start_utc == "2024-11-04T05:05:00Z") | [.run, .lmp, .energy, .congestion] | map(tostring) | join(" ")' \
	'prelim 29.29 26.59 2.5'
check "row_is_current is not sent to the unverified feed" \
	test "$(sent '.params.row_is_current // "none"' | tail -1)" = none

FAKE_NOW=2024-04-01 fake
WATTPIPE_NOW=2024-04-01 run pjm-lmp --market rt5 --from 2024-03-10 --node 51288
expect_code 0
expect_lines 276

# ---- paging ----------------------------------------------------------------
fake --no-next-on-last
printf '[pjm]\npage_rows = 10\n' >>"$XDG_CONFIG_HOME/wattpipe/config"
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
expect_jq '-s map(.interval_start_utc) | unique | length' '25'
check "three pages asked, startRow 1, 11, 21" \
	test "$(sent '.params.startRow' | tr '\n' ' ')" = "1 11 21 "
fake --short-page
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 76 'short page'
sed -i '/^page_rows/d' "$XDG_CONFIG_HOME/wattpipe/config"

# ---- errors --------------------------------------------------------------
run pjm-lmp --from 2024-02-30
expect_code 64 "invalid date '2024-02-30'"
run pjm-lmp --market dam --from 2024-11-03
expect_code 64 "unknown market 'dam'"
run pjm-lmp --frm 2024-11-03
expect_code 64 'unknown option'
run pjm-lmp --from 2024-11-04 --type bus
expect_code 64 "unknown node type 'bus'"
run pjm-lmp --from 2024-11-05 --to 2024-11-04
expect_code 64 'after'

fake
run env -u PJM_API_KEY pjm-lmp --from 2024-11-03
expect_code 78 'PJM_API_KEY'
expect_empty_out
run env PJM_API_KEY=sk-wrong-55d1e0 pjm-lmp -v --no-cache --from 2024-11-03 --node 51288
expect_code 77 'refused the API key'
check "the wrong key never reaches stderr or the trace" sh -c "! grep -q sk-wrong-55d1e0 '$T/err'"
check "-v traces the requests" grep -q 'da_hrl_lmps' "$T/err"
run pjm-lmp -v --no-cache --from 2024-11-03 --node 51288
expect_code 0
check "the good key never reaches the trace either" sh -c "! grep -q '$KEY' '$T/err'"

secret=$(secret_file pjm.key "$KEY")
run env -u PJM_API_KEY pjm-lmp --secret-file "$secret" --no-cache --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
cp "$XDG_CONFIG_HOME/wattpipe/config" "$T/cfg"
printf 'api_key = %s\n' "$KEY" >>"$T/cfg"
chmod 644 "$T/cfg"
run env -u PJM_API_KEY pjm-lmp --config "$T/cfg" --from 2024-11-03 --node 51288
expect_code 78 'chmod'
chmod 600 "$T/cfg"
run env -u PJM_API_KEY pjm-lmp --config "$T/cfg" --no-cache --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25

run env PJM_BASE_URL="$PJM_URL/api/v9" pjm-lmp --from 2024-11-03
expect_code 69 'no such PJM feed'

# PJM's own 400 message comes through (the fake's clock puts the day in the archive).
FAKE_NOW=2026-11-25 fake
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 76 'PJM rejected the request \(HTTP 400\): .* for archived data'

# An error body of another shape (errors[] holding text) is read, not a crash.
kill ${_pids##* } 2>/dev/null
cat >"$T/script.json" <<'JSON'
{"/api/v1/da_hrl_lmps/metadata": [{"body": "{\"enableArchiving\": false}"}],
 "/api/v1/da_hrl_lmps": [{"status": 400, "body": "{\"errors\": [\"Date range too long\", 7]}"}]}
JSON
start_fake http-scripted --script "$T/script.json"
run env PJM_BASE_URL="$HTTP_SCRIPTED_URL/api/v1" pjm-lmp --from 2024-11-03 --node 51288
expect_code 76 'PJM rejected the request \(HTTP 400\): Date range too long$'
expect_empty_out

# ---- rate limit, faults ----------------------------------------------------
fake --rate-limit 1 --rate-window 1
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
check "429 with Retry-After was met, then waited out" \
	test "$(jq -r 'select(.status == 429)' "$T/pjm.log" | wc -l)" -ge 1
fake --rate-limit 1 --rate-window 5 --no-retry-after
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 75 '429'
expect_empty_out

fake --faults 503,500,stall
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 0
expect_lines 25
fake --faults 503,503,503,503,503
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 75 '503'
expect_empty_out
printf '[pjm]\npage_rows = 10\n' >>"$XDG_CONFIG_HOME/wattpipe/config"
fake --faults ok,500,500,500,500,500
run pjm-lmp --from 2024-11-03 --node 51288
expect_code 75 '500'
expect_lines 9
expect_jq '-s map(select(.lmp != null)) | length' '9'
sed -i '/^page_rows/d' "$XDG_CONFIG_HOME/wattpipe/config"

# ---- archive ---------------------------------------------------------------
fake
run pjm-lmp --from 2023-01-10 --node 51288
expect_code 64 'archive-all-nodes'
check "nothing but /metadata was asked" test -z "$(sent .path)"
run pjm-lmp --from 2023-01-10 --node 51288 --archive-all-nodes
expect_code 0 'archived: fetching every node'
expect_lines 24
expect_jq '-s map(.location_id) | unique | join(",")' '51288'
check "no pnode_id, sort or order on archived data" \
	test "$(sent '.params | [has("pnode_id"), has("sort"), has("order")] | map(tostring) | join(" ")')" = "false false false"
run pjm-lmp --from 2023-05-30 --to 2023-06-01 --type hub
expect_code 0
expect_lines 144
check "split at the cutoff: two requests" \
	test "$(sent '.params.datetime_beginning_utc' | tail -2 | tr '\n' '|')" = \
	"05/30/2023 04:00to06/01/2023 03:59|06/01/2023 04:00to06/02/2023 03:59|"

# ---- cache -----------------------------------------------------------------
# Settled days are kept; a recent day is asked again (it may not be posted yet).
fake
run pjm-lmp --from 2024-11-03 --node 51288
run pjm-lmp --from 2024-11-03 --node 51288
expect_lines 25
check "a settled day comes from the cache the second time" test "$(sent .path | wc -l)" -eq 1
FAKE_NOW=2024-11-05 fake
WATTPIPE_NOW=2024-11-05 run pjm-lmp --from 2024-11-04 --node 51288
WATTPIPE_NOW=2024-11-05 run pjm-lmp --from 2024-11-04 --node 51288
expect_lines 24
check "a recent day is asked for again" test "$(sent .path | wc -l)" -eq 2

# ---- output ----------------------------------------------------------------
fake
{ pjm-lmp --market rt --from 2024-11-04 --to 2024-11-10 2>"$T/err"; } | head -1 >"$T/out"
rc=$? _cmd="pjm-lmp ... | head -1"
expect_code 0
expect_lines 1
check "| head -1 is quiet" test ! -s "$T/err"
run sh -c 'pjm-lmp --from 2024-11-03 >/dev/full'
expect_code 73

done_testing
