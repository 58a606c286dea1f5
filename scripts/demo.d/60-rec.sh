# 60-rec.sh (sourced by scripts/demo): renewable energy certificates. Import
# an M-RETS and a NAR holdings export into the ledger (SQLite under
# $XDG_DATA_HOME), then the holdings of the local fake M-RETS API, retire
# for Minnesota's 2024 compliance year, and report the position, deadlines
# and CO2 avoided. With MRETS_API_KEY set and no MRETS_BASE_URL, --mrets
# reaches app.mrets.org.
demo_fake mrets --key demo-key >"$DEMO/mrets.url"
export MRETS_BASE_URL="$(cat "$DEMO/mrets.url")/v1/public/rec" MRETS_API_KEY=demo-key
recdata=$top/tests/data/rec

say "rec-import mrets-holdings.csv nar-holdings.csv -o table"
rec-import "$recdata/mrets-holdings.csv" "$recdata/nar-holdings.csv" -o table

say "rec-import --mrets -o table   # the same M-RETS batches are known; one is new"
rec-import --mrets -o table

say "rec-list --state MN --year 2024 --banking-years 1 -o table"
rec-list --state MN --year 2024 --banking-years 1 -o table

say "rec-retire --state MN --year 2024 --banking-years 1 -n 600 --reason RPS --beneficiary 'Acme Co-op' --commit -o table"
rec-retire --state MN --year 2024 --banking-years 1 -n 600 --reason RPS \
	--beneficiary 'Acme Co-op' --commit -o table --fields registry,serial,certificates,vintage,status

say "rec-report --obligations obligations.csv --region AKGD --today 2025-03-01 -o table   # AKGD: the one (illustrative) rate shipped"
printf 'state,year,obligation_mwh\nMN,2024,800\nPA,2024,100\n' >"$DEMO/obligations.csv"
rec-report --obligations "$DEMO/obligations.csv" --region AKGD --today 2025-03-01 -o table \
	--fields state,compliance_year,obligation_mwh,retired_mwh,shortfall_mwh,next_deadline,co2_avoided_t

say "rec-report --upcoming --year 2024 --state PA --today 2025-03-01 -o table"
rec-report --upcoming --year 2024 --state PA --today 2025-03-01 -o table

say "rec-audit -o table && rec-audit --verify"
rec-audit -o table
rec-audit --verify
