# tests/cli/brm.sh: what the brm-*.t scripts share, sourced after lib.sh.
# Starts tests/fakes/brm, points the programs at it with made-up
# credentials, and names the fixture auctions the way the fake does:
# bidding for delivery day D (a CET day) is auction BRM_QH_DA_1-<D-1>.
start_fake brm
export BRM_BASE_URL=$BRM_URL BRM_USERNAME=trader BRM_PASSWORD=trader-pass
printf '[brm]\nbackoff = 0.05\n' >"$XDG_CONFIG_HOME/wattpipe/config"
chmod 600 "$XDG_CONFIG_HOME/wattpipe/config"

cet_day() { TZ=Europe/Brussels date -d "$1" +%Y%m%d; }
# cet_utc DAY HH:MM: that CET wall time in UTC, RFC 3339.
cet_utc() { date -u -d "@$(TZ=Europe/Brussels date -d "$(TZ=Europe/Brussels date -d "$1" +%F) $2" +%s)" +%FT%TZ; }
# day_hours DAY: hours in that CET day (23 or 25 on DST change days).
day_hours() { echo $((($(date -d "$(cet_utc "$1 + 1 day" 00:00)" +%s) - $(date -d "$(cet_utc "$1" 00:00)" +%s)) / 3600)); }
OPEN=BRM_QH_DA_1-$(cet_day '+1 day')      # delivers D+2, bidding open
OPEN_DAY=$(cet_day '+2 days')
CLOSED=BRM_QH_DA_1-$(cet_day today)      # delivers tomorrow, closed
RESULTS=BRM_QH_DA_1-$(cet_day '-1 day')  # delivers today, results out
JOURNAL=$XDG_STATE_HOME/wattpipe/brm-journal.ndjson

# ctl PATH [JSON]: the fake's control API (not part of the real one).
ctl() {
	/usr/bin/python3 -c 'import sys, urllib.request as u
r = u.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")
print(u.urlopen(r).read().decode())' "$BRM_URL/_fake/$1" "${2:-{\}}"
}
fault() { ctl fault "$1" >/dev/null; }
logins() { ctl stats | jq -r .logins; }
# sent METHOD PATH-REGEX: how many such requests the fake received.
sent() { jq -r --arg m "$1" --arg p "$2" 'select(.method == $m and (.path | test($p))) | .path' \
	"$T/brm.log" | wc -l; }
# qh N: contract id of the Nth quarter hour of the open auction's day.
qh() { printf 'BRM_QH_DA_1-%s-%02d_QH' "$OPEN_DAY" "$1"; }
# curve_csv N: a simple buy curve for the first N quarter hours.
curve_csv() {
	echo contract,price,volume
	i=1
	while [ $i -le "$1" ]; do
		echo "$(qh $i),-500,10"
		echo "$(qh $i),80.5,4.5"
		echo "$(qh $i),4000,0"
		i=$((i + 1))
	done
}
