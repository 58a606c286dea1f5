# 40-risk (sourced by scripts/demo): prices -> P&L -> VaR/ES tables, stress
# and a backtest. The PJM part uses the fake started by 10-pjm.sh; the book
# of power and gas uses the synthetic prices in tests/data/var-calc.
r=$top/tests/data/var-calc

if [ -n "${PJM_BASE_URL:-}" ]; then
	say "pjm-lmp --market da --from 2024-10-01 --to 2024-11-15 --node 'western hub' | var-calc --from-prices -p 'WESTERN HUB=50' -m historical,gaussian -c 0.99 -o table   # hour-to-hour P&L of 50 MW"
	pjm-lmp --market da --from 2024-10-01 --to 2024-11-15 --node 'western hub' |
		var-calc --from-prices -p 'WESTERN HUB=50' -m historical,gaussian -c 0.99 -o table \
			--fields instrument,method,confidence,n,var,es,tail_n
fi

say "var-calc --from-prices -p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10 -m historical,gaussian,montecarlo -c 0.99 -o table prices.ndjson   # book with contributions"
var-calc --from-prices -p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10 -m historical,gaussian,montecarlo \
	-c 0.99 --seed 1 -o table --fields instrument,method,var,es,marginal_var,component_var,pct_var \
	"$r/prices.ndjson"

say "var-stress -p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10 -s scenarios.ndjson --jq 'select(.instrument == \"portfolio\")' -o table prices.ndjson"
var-stress -p PJM-WEST=50 -p HH=-200 -p ERCOT-N=10 \
	-s "$top/tests/data/var-stress/scenarios.ndjson" --jq 'select(.instrument == "portfolio")' \
	-o table --fields scenario,kind,pnl,worst_day_pnl,var,es "$r/prices.ndjson"

say "var-backtest --from-prices -p PJM-WEST=50 -p HH=-200 --window 100 -c 0.95 --summary -o table prices.ndjson"
var-backtest --from-prices -p PJM-WEST=50 -p HH=-200 --window 100 -c 0.95 --summary -o table \
	--fields days,exceptions,expected,lr_pof,p_pof,lr_ind,p_ind,zone "$r/prices.ndjson"
