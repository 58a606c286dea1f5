#!/bin/sh
# tests/fakes/pjm keeps the "Fake server contract" of shared/api/pjm.md in
# the parts pjm-lmp does not exercise: CSV and download answers, the EPT
# filter, the archive and paging refusals, a GET with a body.
. "$(dirname "$0")/lib.sh"

start_fake pjm --key k1 --now 2025-06-01 --rate-limit 1000
U=$PJM_URL/api/v1
# get PATH?QUERY [CURL ARGS]: the answer's status in $code, body in $T/out.
get() {
	_p=$1; shift
	code=$(curl -s -o "$T/out" -w '%{http_code}' -H 'Ocp-Apim-Subscription-Key: k1' "$@" "$U/$_p")
	_cmd="GET $_p"
}
is() { check "$1" test "$2" = "$3"; }
W='datetime_beginning_utc=11%2F03%2F2024%2004%3A00to11%2F04%2F2024%2004%3A59'

code=$(curl -s -o "$T/out" -w '%{http_code}' "$U/da_hrl_lmps/metadata")
is "no key on /metadata: 401" "$code" 401
is "401 has an APIM body" "$(jq -r .statusCode "$T/out")" 401
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/no_such_feed")
is "unknown feed: 404 even without a key" "$code" 404

get "da_hrl_lmps?startRow=1&rowCount=10&$W&pnode_id=51288"
is "25 rows on the fall-back day" "$(jq .totalRows "$T/out")" 25
is "links self, next, metadata" "$(jq -r '[.links[].rel] | join(",")' "$T/out")" self,next,metadata
get "da_hrl_lmps?startRow=21&rowCount=10&$W&pnode_id=51288"
is "last page: 5 rows" "$(jq '.items | length' "$T/out")" 5
get "da_hrl_lmps?startRow=1&$W"
is "startRow without rowCount: 400" "$code" 400
get "da_hrl_lmps?startRow=1&rowCount=50001&$W"
is "rowCount over 50000: 400" "$code" 400

get "da_hrl_lmps?startRow=1&rowCount=50&datetime_beginning_ept=2024-11-03%2001:00:00to2024-11-03%2001:00:00&pnode_id=51288"
is "EPT filter, inclusive: 01:00 twice" "$(jq -r '[.items[].datetime_beginning_utc] | join(",")' "$T/out")" \
	2024-11-03T05:00:00,2024-11-03T06:00:00
get "da_hrl_lmps?startRow=1&rowCount=50&datetime_beginning_ept=2024-03-10%2000:00:00to2024-03-10%2023:59:00&pnode_id=1"
is "spring-forward day: 23 rows" "$(jq .totalRows "$T/out")" 23
is "some timestamps carry .000" "$(jq -r '.items[0].datetime_beginning_utc' "$T/out")" 2024-03-10T05:00:00.000

get "da_hrl_lmps?startRow=1&rowCount=5&datetime_beginning_utc=01%2F10%2F2023%2005:00to01%2F11%2F2023%2004:59&pnode_id=51288"
is "pnode_id on archived data: 400" "$(jq -r '.errors[0].message' "$T/out")" \
	"The API request contains invalid attribute(s) for archived data: pnode_id"
get "da_hrl_lmps?startRow=1&rowCount=5&datetime_beginning_utc=12%2F30%2F2022%2005:00to01%2F02%2F2023%2004:59"
is "archive across a year end: 400" "$(jq -r '.errors[0].message' "$T/out")" \
	"Archived data date range must be within same calendar year"
get "da_hrl_lmps?startRow=1&rowCount=5&datetime_beginning_utc=05%2F01%2F2023%2005:00to07%2F01%2F2023%2004:59"
check "window across the cutoff: 400" grep -q 'spans over archived and standard data' "$T/out"
get "da_hrl_lmps?startRow=1&rowCount=5&datetime_beginning_utc=01%2F10%2F2023%2005:00to01%2F11%2F2023%2004:59&sort=pnode_id"
check "sort on archived data: 400" grep -q 'Custom Sort is not an available option' "$T/out"
get "da_hrl_lmps?startRow=1&rowCount=5&datetime_beginning_utc=01%2F01%2F2024%2005:00to01%2F05%2F2025%2004:59"
check "over 366 days: 400" grep -q 'Date range cannot exceed 366 days' "$T/out"
get "da_hrl_lmps?startRow=1&rowCount=5"
check "archived feed without a time filter: 400" grep -q 'A datetime is missing' "$T/out"
get "rt_fivemin_hrl_lmps?startRow=1&rowCount=5&$W&type=HUB"
is "type on rt_fivemin_hrl_lmps: 400" "$code" 400
get "rt_unverified_fivemin_lmps?startRow=1&rowCount=5&$W&row_is_current=TRUE"
is "row_is_current on the unverified feed: 400" "$code" 400

get "rt_hrl_lmps?startRow=1&rowCount=50&$W&pnode_id=51288"
is "two versions of the 12:00 UTC row" "$(jq '[.items[] | select(.datetime_beginning_utc == "2024-11-03T12:00:00")] | length' "$T/out")" 2
get "rt_hrl_lmps?startRow=1&rowCount=50&$W&pnode_id=51288&row_is_current=TRUE"
is "row_is_current=TRUE keeps the latest" "$(jq '[.items[] | select(.datetime_beginning_utc == "2024-11-03T12:00:00") | .version_nbr] | join(",")' "$T/out")" '"2"'
get "da_hrl_lmps?startRow=1&rowCount=5&$W&type=AGGREGATE"
is "nothing matches: totalRows 0" "$(jq -c '[.totalRows, .items]' "$T/out")" '[0,[]]'

get "da_hrl_lmps?startRow=1&rowCount=5&$W&pnode_id=51288&format=csv"
is "format=csv in the published column order" "$(head -1 "$T/out" | tr -d '\r')" \
	datetime_beginning_utc,datetime_beginning_ept,pnode_id,pnode_name,voltage,equipment,type,zone,system_energy_price_da,total_lmp_da,congestion_price_da,marginal_loss_price_da,row_is_current,version_nbr
code=$(curl -s -D "$T/hdr" -o "$T/out.gz" -w '%{http_code}' -H 'Ocp-Apim-Subscription-Key: k1' \
	-H 'Accept-Encoding: gzip' "$U/da_hrl_lmps?download=true&$W&pnode_id=51288")
is "download=true: X-TotalRows" "$(grep -i '^X-TotalRows' "$T/hdr" | tr -d '\r' | cut -d' ' -f2)" 25
is "download=true: gzip'd rows only" "$(gzip -dc "$T/out.gz" | jq length)" 25

get "da_hrl_lmps?startRow=1&rowCount=5&$W" -X GET --data x
is "a GET with a body: 400" "$code" 400

start_fake pjm --key k1 --rate-limit 2 --rate-window 60
U=$PJM_URL/api/v1
get "pnode/metadata"; get "pnode?startRow=1&rowCount=1"; get "pnode?startRow=2&rowCount=1"
is "third request in the window: 429" "$code" 429
is "with Retry-After" "$(curl -s -D - -o /dev/null -H 'Ocp-Apim-Subscription-Key: k1' "$U/pnode/metadata" | grep -ci '^Retry-After: [0-9]')" 1

done_testing
