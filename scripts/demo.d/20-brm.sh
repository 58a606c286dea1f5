# 20-brm.sh (sourced by scripts/demo): BRM day-ahead auction trading on the
# local fake of Nord Pool's Auction API: the open auction and its
# contracts, a dry run, a small curve order placed, the orders, results.
# With real credentials and no BRM_BASE_URL the same commands reach BRM's
# test system (never production without --env prod).
BRM_BASE_URL=$(demo_fake brm)
export BRM_BASE_URL BRM_USERNAME=trader BRM_PASSWORD=trader-pass

say "brm-auctions -o table"
brm-auctions -o table
A=$(brm-auctions --state Open --fields auction_id -o csv --no-header)
say "brm-auctions --id $A --contracts   # 168 contracts: 96 x 15, 48 x 30, 24 x 60 min"
brm-auctions --id "$A" --contracts -o ndjson |
	jq -r -s 'group_by(.resolution_min) | map("\(.[0].resolution_min) min: \(length)") | join(", ")'
brm-auctions --id "$A" --contracts -o table --jq 'select(.resolution_min == 15)' \
	--fields contract_id,interval_start_utc,interval_start_local | head -5

say "brm-auctions --id $A --portfolios -o table"
brm-auctions --id "$A" --portfolios -o table \
	--fields portfolio,permission,area,resolution_min,min_volume_mw,max_volume_mw,min_price,max_price

# A buy curve for the first four quarter hours, as a spreadsheet would export it.
brm-auctions --id "$A" --contracts -o csv --no-header --fields contract_id \
	--jq 'select(.resolution_min == 15)' | head -4 |
	awk 'BEGIN { print "contract,price,volume" }
	     { print $1 ",-500,10"; print $1 ",80.5,4.5"; print $1 ",4000,0" }' >"$DEMO/curve.csv"
say "cat curve.csv | head -4"
head -4 "$DEMO/curve.csv"

say "sed 3s/4.5/12/ curve.csv | brm-order -a $A -p TP1   # a rising volume is refused, nothing sent"
sed '3s/4.5/12/' "$DEMO/curve.csv" | brm-order -a "$A" -p TP1 || echo "(exit $?)"

say "brm-order -a $A -p TP1 --dry-run < curve.csv | jq -c '.curves[0]'"
brm-order -a "$A" -p TP1 --dry-run <"$DEMO/curve.csv" | jq -c '.curves[0]'

say "brm-order -a $A -p TP1 --comment demo < curve.csv -o table"
brm-order -a "$A" -p TP1 --comment demo -o table <"$DEMO/curve.csv"

say "brm-orders -a $A -o table"
brm-orders -a "$A" -o table --fields order_id,kind,portfolio,area,state,version,curves,points

R=$(brm-auctions --state ResultsPublished --fields auction_id -o csv --no-header | tail -1)
say "brm-results -a $R -o table --fields ... | head -5"
brm-results -a "$R" -o table --fields interval_start_local,brm_resolution_min,lmp,currency | head -5
say "brm-results -a $R --trades -o table --fields ... | head -5"
brm-results -a "$R" --trades -o table --fields contract_id,side,volume_mw,price | head -5

say "brm-orders --journal -o table --fields time,environment,phase,method,outcome,order_id"
brm-orders --journal -o table --fields time,environment,phase,method,outcome,order_id
