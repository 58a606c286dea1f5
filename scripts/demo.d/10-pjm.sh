# 10-pjm.sh (sourced by scripts/demo): PJM day-ahead prices at the hubs on
# the 2024 fall-back day, from the local fake Data Miner 2. With a real key
# in PJM_API_KEY and no PJM_BASE_URL the same commands reach api.pjm.com.
#
# The fake and pjm-lmp share a clock set to 2025-06-01, when 2024-11-03 was
# not yet in PJM's archive (731 days for day-ahead prices).
demo_fake pjm --key demo-key --now 2025-06-01 --rate-limit 1000 >"$DEMO/pjm.url"
export PJM_BASE_URL="$(cat "$DEMO/pjm.url")/api/v1" PJM_API_KEY=demo-key WATTPIPE_NOW=2025-06-01
# A local fake needs no spacing; PJM asks non-members for 10 s between calls.
mkdir -p "$XDG_CONFIG_HOME/wattpipe"
printf '[pjm]\nmin_interval = 0\nrate_max = 0\n' >>"$XDG_CONFIG_HOME/wattpipe/config"

say "pjm-nodes --type hub -o table"
pjm-nodes --type hub -o table

say "pjm-lmp --market da --from 2024-11-03 --type hub | wp-fmt -o table --fields ...   # 25 hours: 01:00 twice"
pjm-lmp --market da --from 2024-11-03 --type hub |
	wp-fmt -o table --fields interval_start_local,location,lmp,energy,congestion,loss

say "pjm-lmp --market da --from 2024-11-03 --node 'western hub' -o csv | head -4"
pjm-lmp --market da --from 2024-11-03 --node 'western hub' -o csv | head -4
