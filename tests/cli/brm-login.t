#!/bin/sh
# brm-login against tests/fakes/brm: password grant, token cache, refusals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/brm.sh"

run brm-login --help
expect_code 0
check "--help lists --check" grep -q -- '--check' "$T/out"

run brm-login -o ndjson
expect_code 0
expect_jq '[.environment, .user, .fresh_login] | @csv' '"test","trader",true'
expect_jq '.token_url' "$BRM_URL/connect/token"
check "one password grant, scope auction_api, public client" test "$(jq -r \
	'select(.path == "/connect/token") | [.auth, .form.grant_type, .form.scope, .form.username] | join(" ")' \
	"$T/brm.log")" = "Basic password auction_api trader"
cache=$XDG_CACHE_HOME/wattpipe/brm-token.json
check "token cached with mode 0600" test "$(stat -c %a "$cache")" = 600
check "the cache holds no password" sh -c "! grep -q trader-pass '$cache'"

# Within the token's lifetime a second run does not log in again.
run brm-login -o ndjson
expect_code 0
expect_jq '.fresh_login' 'false'
check "still one login" test "$(logins)" = 1

run brm-login --check
expect_code 0
expect_empty_out
check "--check always logs in" test "$(logins)" = 2

# A cache file others can read is not trusted.
chmod 644 "$cache"
run brm-login -o ndjson
expect_jq '.fresh_login' 'true'

run env BRM_PASSWORD=wrong-secret-9 brm-login --check -v
expect_code 77 'login refused for user trader.*invalid_username_or_password'
check "the password is not in the trace or message" sh -c "! grep -q wrong-secret-9 '$T/err'"

# The exchange refuses a token still fresh here, and the new login is
# refused too: 77, and nothing of the first refusal left behind.
run brm-login
ctl clock '{"advance": 7200}' >/dev/null
run env BRM_PASSWORD=wrong-secret-9 brm-auctions --id "$OPEN" -o ndjson
expect_code 77 'login refused for user trader'
expect_empty_out
ctl clock '{"advance": -7200}' >/dev/null

run env -u BRM_PASSWORD brm-login
expect_code 78 'BRM_PASSWORD'
run env -u BRM_USERNAME brm-login
expect_code 78 'BRM_USERNAME'
run brm-login --secret-file "$(secret_file pw trader-pass)" --check
expect_code 0
run env BRM_PASSWORD= brm-login --secret-file "$T/missing" --check
expect_code 66

run brm-login --env staging
expect_code 78 "unknown environment 'staging'"
run env BRM_ENV=uat brm-login
expect_code 78 "unknown environment 'uat'"
done_testing
