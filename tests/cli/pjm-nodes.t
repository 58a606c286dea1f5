#!/bin/sh
# pjm-nodes against tests/fakes/pjm: the pnode feed, newest row per node.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-51c0de
printf '[pjm]\nmin_interval = 0\nrate_max = 0\nbackoff = 0.05\n' >"$XDG_CONFIG_HOME/wattpipe/config"
export PJM_API_KEY=$KEY
start_fake pjm --key "$KEY" --rate-limit 1000
export PJM_BASE_URL=$PJM_URL/api/v1

run pjm-nodes --help
expect_code 0
check "--help lists --type" grep -q -- '--type' "$T/out"

run pjm-nodes -o ndjson
expect_code 0
expect_lines 4
expect_jq '-s map(.pnode_id) | join(",")' '1,51217,51288,32417527'
expect_jq 'select(.pnode_id == "51288") | [.pnode_name, .pnode_type, .effective_date, .termination_date] | join("|")' \
	'WESTERN HUB|HUB|2010-01-01|9999-12-31'
check "active nodes only by default" \
	test "$(jq -r '.params.termination_date' "$T/pjm.log" | tail -1)" = "12/31/9999exact"

# Terminated rows too; a node listed per effective date keeps its newest row.
run pjm-nodes --all
expect_code 0
expect_lines 4
expect_jq 'select(.pnode_id == "51288") | .pnode_name' 'WESTERN HUB'

run pjm-nodes --type hub
expect_code 0
expect_jq '-s map(.pnode_name) | join(",")' 'EASTERN HUB,WESTERN HUB'
run pjm-nodes --name '*gen*'
expect_code 0
expect_jq '.pnode_id' '32417527'
run pjm-nodes --zone PECO -o csv
expect_code 0
expect_out 'pnode_id,pnode_name,pnode_type,pnode_subtype,zone,voltage_level,effective_date,termination_date
32417527,TESTGEN1 13 KV UNIT1,GEN,GEN,PECO,13 KV,2010-01-01,9999-12-31'

# Paging: two rows a page.
printf 'page_rows = 2\n' >>"$XDG_CONFIG_HOME/wattpipe/config"
run pjm-nodes --no-cache
expect_code 0
expect_lines 4
check "two pages asked" test "$(jq -r '.params.startRow' "$T/pjm.log" | tail -2 | tr '\n' ' ')" = "1 3 "

run env PJM_BASE_URL="$PJM_URL/api/v1/" pjm-nodes --type hub --no-cache
expect_code 0
expect_lines 2

run pjm-nodes --type bus
expect_code 64 "unknown node type 'bus'"
run env -u PJM_API_KEY pjm-nodes
expect_code 78 'PJM_API_KEY'
run env PJM_API_KEY=sk-wrong-0 pjm-nodes -v --no-cache
expect_code 77 'refused the API key'
check "the key is not in the trace" sh -c "! grep -q sk-wrong-0 '$T/err'"

done_testing
