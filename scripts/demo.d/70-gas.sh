# Henry Hub: the futures strip from the EIA fake, then a basis table from a
# spreadsheet-style CSV of hub prices.
EIA_BASE_URL=$(demo_fake eia)/v2
export EIA_BASE_URL EIA_API_KEY=demo-eia-key
printf '[gas]\nmin_interval = 0\n' >>"$XDG_CONFIG_HOME/wattpipe/config"

say "hh-futures --curve 2024-11-22 -n 6 -o table"
hh-futures --curve 2024-11-22 -n 6 -o table
say "hh-basis --window 2 $top/tests/data/hh-basis/hubs.csv --fields date,hub,basis,vol -o table"
hh-basis --window 2 "$top/tests/data/hh-basis/hubs.csv" --fields date,hub,basis,vol -o table
say "hh-storage -s NW2_EPG0_SWO_R48_BCF --from 2026-10-20 --to 2026-11-20 -o table"
hh-storage -s NW2_EPG0_SWO_R48_BCF --from 2026-10-20 --to 2026-11-20 -o table
