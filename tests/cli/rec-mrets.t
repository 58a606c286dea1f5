#!/bin/sh
# rec-import --mrets and rec-retire --mrets against tests/fakes/mrets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rec-lib.sh"

KEY=mrets-test-7f3a9c
start_fake mrets --key "$KEY" --rate-limit 8 --rate-window 2
export MRETS_BASE_URL=$MRETS_URL/v1/public/rec
# The client's limiter kept under the fake's limit (M-RETS: 10 per 5 s), so
# timing skew between the two never ends in a 429.
printf '[rec]\nrate_max = 6\nrate_window = 2\nretries = 0\n' >"$XDG_CONFIG_HOME/wattpipe/config"
# reset_fake LIMIT WINDOW: fixture reloaded, counters and rate window cleared.
reset_fake() {
	/usr/bin/python3 -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__reset", method="POST",
    data=("{\"rate_limit\": %s, \"rate_window\": %s}" % (sys.argv[2], sys.argv[3])).encode()))' \
		"$MRETS_URL" "$1" "$2"
}

run rec-import --mrets
expect_code 78 'no api_key: set MRETS_API_KEY'
MRETS_API_KEY=wrong run rec-import --mrets
expect_code 77 'HTTP 401.*missing or invalid API key'
check "nothing imported after the refusal" test ! -s "$DB" -o "$(rec-list 2>/dev/null | wc -l)" -eq 0

# The key from config [rec] api_key: only in a file nobody else can read.
printf '[rec]\nrate_max = 6\nrate_window = 2\nretries = 0\napi_key = %s\n' "$KEY" >"$T/cfg"
chmod 644 "$T/cfg"
run rec-import --mrets --dry-run --config "$T/cfg"
expect_code 78 'chmod 600'
chmod 600 "$T/cfg"
run rec-import --mrets --dry-run --config "$T/cfg"
expect_code 0
expect_jq '[.added, .dry_run] | join(" ")' '3 true'

# The key from a 0600 file; it is sent as X-Api-Key and never shown.
SECRET=$(secret_file key "$KEY")
run rec-import --mrets --secret-file "$SECRET" -v
expect_code 0
expect_jq '[.format, .added, .unchanged] | join(" ")' 'mrets-api 3 0'
check "key redacted from the -v trace" sh -c "! grep -q '$KEY' '$T/err'"
check "key sent in X-Api-Key" test "$(jq -r 'select(.path | endswith("certificate_quantities")) | .key_ok' "$T/mrets.log" | tail -1)" = true
expect_jq '.source' "$MRETS_BASE_URL"
check "active quantities asked for, with their certificates, 1000 a page" \
	test "$(jq -r '.params | "\(."filter[status]") \(.include) \(."page[size]")"' "$T/mrets.log" | tail -1)" = 'active certificate,account 1000'
export MRETS_API_KEY=$KEY
run rec-list --registry M-RETS
expect_jq '-s map("\(.serial)|\(.vintage)|\(.account_id)|\(.eligibilities | join(";"))") | join(",")' \
	'805-MN-06-2023-A7F3-1 to 400|2023-06|ACME-MAIN|MN RES;WI-RPS,805-MN-01-2024-B9C2-1 to 250|2024-01|ACME-MAIN|MN RES;WI-RPS,2290-WI-09-2024-D4E1-1 to 90|2024-09|ACME-MAIN|WI-RPS'
run rec-import --mrets
expect_jq '[.added, .unchanged] | join(" ")' '0 3'

# Retire at M-RETS and in the ledger: 450 for MN 2024 (400 of 2023, 50 of 2024).
: >"$T/mrets.log"
run rec-retire --mrets --state MN --year 2024 --banking-years 1 -n 450 --reason RPS --quarter Q2 --commit
expect_code 0
expect_jq '-s map(.serial) | join(",")' '805-MN-06-2023-A7F3-1 to 400,805-MN-01-2024-B9C2-1 to 50'
check "one retirement transaction sent" test "$(jq -r 'select(.method == "POST" and (.path | endswith("user_transactions"))) | .body.data.attributes | "\(.transaction_type)|\(.retirement_type)|\(.retired_to)|\(.retired_quarter)|\(.compliance_period)"' "$T/mrets.log")" = 'retirement|RPS|MN|Q2|2024'
check "one detail per range" test "$(jq -r 'select(.path | endswith("transaction_details")) | .body.data | "\(.relationships.certificate.data.id):\(.attributes.serial_number_start)-\(.attributes.serial_number_end)"' "$T/mrets.log" | paste -sd,)" = 'c1:1-400,c2:1-50'
check "then enqueued" test "$(jq -r 'select(.method == "PUT") | .path' "$T/mrets.log")" = '/v1/public/rec/user_transactions/t1001/enqueue'
run rec-audit
expect_jq '-s .[-1].detail.registry_receipt | "\(.registry) \(.transaction_id) \(.transaction_status)"' 'M-RETS t1001 complete'
# The journal: a line before and after each write, chained by SHA-256.
J=$XDG_STATE_HOME/wattpipe/rec-journal.ndjson
check "journal is 0600" test "$(stat -c %a "$J")" = 600
check "journal: request and response of each write" test "$(jq -r '"\(.phase):\(.method):\(.status)"' "$J" | paste -sd,)" = \
	'request:POST:null,response:POST:201,request:POST:null,response:POST:201,request:POST:null,response:POST:201,request:PUT:null,response:PUT:200'
/usr/bin/python3 -c 'import hashlib, json, sys
prev = "0" * 64
for line in open(sys.argv[1], "rb").read().splitlines():
    if json.loads(line)["prev_sha256"] != prev: sys.exit(1)
    prev = hashlib.sha256(line).hexdigest()' "$J"
check "journal lines chained by SHA-256 (checked with hashlib)" test $? -eq 0
check "no key in the journal" sh -c "! grep -q '$KEY' '$J'"
# M-RETS now holds the remainders under new ids: a new import knows them.
run rec-import --mrets
expect_jq '[.added, .unchanged] | join(" ")' '0 2'
run rec-audit --verify
expect_code 0

# An internal transfer, at M-RETS and in the ledger.
: >"$T/mrets.log"
run rec-transfer --mrets --to ACME-SUB --serial '805-MN-01-2024-B9C2-51 to 100'
expect_code 0
expect_jq '[.serial, .account_id] | join("|")' '805-MN-01-2024-B9C2-51 to 100|ACME-SUB'
check "an internal transfer sent" test "$(jq -r 'select(.method == "POST" and (.path | endswith("user_transactions"))) | .body.data.attributes.transaction_type' "$T/mrets.log")" = 'internal transfer'
check "its detail names both accounts" test "$(jq -r 'select(.path | endswith("transaction_details")) | .body.data.relationships | "\(.from_account.data.id)>\(.to_account.data.id)"' "$T/mrets.log")" = 'ACME-MAIN>ACME-SUB'
run rec-import --mrets --account ACME-SUB
expect_jq '[.added, .unchanged] | join(" ")' '0 1'
run rec-transfer --mrets --registry NAR --to X -n 1
expect_code 64 '--mrets moves M-RETS certificates only'

# M-RETS refuses (an unknown retirement option): exit 76, ledger unchanged.
dump before
run rec-retire --mrets --state MN --year 2024 -n 10 --reason XYZ --commit
expect_code 76 'M-RETS user_transactions: .*422.*retirement_option is required'
unchanged_since before
# A range the ledger has but M-RETS does not: nothing sent, nothing changed.
printf '{"registry":"M-RETS","serial":"999-MN-01-2024-ZZ-1 to 5","vintage":"2024-01","eligibilities":["MN RES"],"account_id":"ACME-MAIN"}\n' >"$T/own.ndjson"
rec-import "$T/own.ndjson" >/dev/null
dump before
run rec-retire --mrets --state MN --year 2024 --serial '999-MN-01-2024-ZZ-1 to 5' --commit
expect_code 65 "M-RETS does not hold '999-MN-01-2024-ZZ-1 to 5' as active in account ACME-MAIN"
expect_code 65 'draft transaction t[0-9]+ was not enqueued'
unchanged_since before
run rec-retire --mrets --registry NAR --type voluntary -n 1 --commit
expect_code 64 '--mrets moves M-RETS certificates only'
# Dry run: nothing sent to M-RETS.
: >"$T/mrets.log"
run rec-retire --mrets --type voluntary -n 5
expect_code 0 'dry run'
check "dry run sends nothing" test ! -s "$T/mrets.log"

# Rate limit: with the fake at 3 requests per 30 s and the client's limiter
# off and no retries, the 4th request gets 429 -> exit 75.
reset_fake 3 30
printf '[rec]\nrate_max = 0\nretries = 0\n' >"$XDG_CONFIG_HOME/wattpipe/config"
i=0 rc=0
while [ $i -lt 12 ] && [ $rc -eq 0 ]; do run rec-import --mrets --dry-run; i=$((i + 1)); done
expect_code 75 'HTTP 429'
check "the 4th request was refused" test $i -eq 4
# With the client's limiter under the fake's limit, a burst passes,
# waiting instead.
reset_fake 8 2
printf '[rec]\nrate_max = 6\nrate_window = 2\n' >"$XDG_CONFIG_HOME/wattpipe/config"
i=0 rc=0
while [ $i -lt 12 ] && [ $rc -eq 0 ]; do run rec-import --mrets --dry-run; i=$((i + 1)); done
expect_code 0
check "12 requests in a row passed under the limiter" test $i -eq 12

# A quantity whose range is not numbers (a registry answering what it
# should not): exit 76 naming it, not an abort; the ledger as it was.
cat >"$T/odd-quantity.json" <<'JSON'
{"/v1/public/rec/user_transactions": [{"status": 201, "body": "{\"data\":{\"type\":\"user_transactions\",\"id\":\"t7\"}}"}],
 "/v1/public/rec/certificate_quantities": [{"body": "{\"data\":[{\"type\":\"certificate_quantities\",\"id\":\"q9\",\"attributes\":{\"serial_number_start\":null,\"serial_number_end\":400,\"status\":\"active\"},\"relationships\":{\"certificate\":{\"data\":{\"type\":\"certificates\",\"id\":\"c1\"}}}}],\"included\":[{\"type\":\"certificates\",\"id\":\"c1\",\"attributes\":{\"serial_number_base\":\"805-MN-06-2023-A7F3\"}}]}"}]}
JSON
start_fake http-scripted --script "$T/odd-quantity.json"
DB=$T/odd.db # from here on, for dump and unchanged_since
rec-import --db "$DB" "$RECDATA/mrets-holdings.csv" >/dev/null
dump odd
MRETS_BASE_URL=$HTTP_SCRIPTED_URL/v1/public/rec run rec-retire --db "$DB" --mrets --type voluntary -n 5 --commit
expect_code 76 'M-RETS quantity q9 without a serial range'
check "no transaction detail sent" sh -c "! grep -q transaction_details '$T/http-scripted.log'"
unchanged_since odd

done_testing
