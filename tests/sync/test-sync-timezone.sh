#!/bin/sh
# The history window is computed in the shop's time zone (application-
# config's locale_timezone: the test shop says Europe/Warsaw and dates its
# orders in it), not in the host's: a host 13 hours ahead keeps an order
# just inside the window, a host 11 hours behind drops one just outside.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
for z in Europe/Warsaw Pacific/Kiritimati Etc/GMT+10; do
	if [ ! -f "/usr/share/zoneinfo/$z" ]; then
		echo "1..0 # SKIP no tzdata ($z)"
		exit 0
	fi
done
sync_init
sync_add_shop sklep1 --orders 30 --customers 10 || exit 1
shop_use sklep1

# the window's start as the shop sees it (183 days back, Warsaw time),
# and an order 3 hours inside and one 3 hours outside of it
set -- $(python3 -c '
import datetime, zoneinfo
w = zoneinfo.ZoneInfo("Europe/Warsaw")
start = (datetime.datetime.now(datetime.timezone.utc) -
         datetime.timedelta(days=183)).astimezone(w).replace(tzinfo=None)
f = lambda d: d.strftime("%Y-%m-%d_%H:%M:%S")
print(f(start), f(start + datetime.timedelta(hours=3)),
      f(start - datetime.timedelta(hours=3)))')
start=$(echo "$1" | tr _ ' ') inside=$(echo "$2" | tr _ ' ') outside=$(echo "$3" | tr _ ' ')
echo "# window starts $start (Warsaw); orders at $inside and $outside"
shop_ctl POST /__test/orders "{\"email\":\"tz-inside@example.pl\",\"date\":\"$inside\"}" >/dev/null &&
	shop_ctl POST /__test/orders "{\"email\":\"tz-outside@example.pl\",\"date\":\"$outside\"}" >/dev/null
tap $? "two orders at the window's edge placed in the shop"

# same shop, two hosts: each its own state and index
for h in ahead behind; do
	sed -e "s|^index = .*|index = $T/index/$h.cdb|" \
		-e "s|^state_dir = .*|state_dir = $T/state-$h|" "$CONF" >"$T/$h.conf"
done
run() { # HOST-TZ CONF ARGS...: shoper-sync on a host in that zone
	_tz=$1 _c=$2
	shift 2
	OUT=$(TZ=$_tz "$SYNC_BIN" -c "$_c" "$@" 2>&1)
	RC=$?
	echo "$OUT" | sed 's/^/# /'
}

run Pacific/Kiritimati "$T/ahead.conf" sync
tap "$RC" "sync on a host 13 hours ahead of the shop exits 0"
run Pacific/Kiritimati "$T/ahead.conf" lookup tz-inside@example.pl
tap "$RC" "host ahead: the order 3 hours inside the shop's window is kept"
syn=$(echo "$OUT" | sed -n 's/^ *synced *//p')
python3 -c '
import datetime, sys, zoneinfo
now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Warsaw"))
s = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S")
sys.exit(abs((now.replace(tzinfo=None) - s).total_seconds()) > 300)' "$syn"
tap $? "host ahead: synced is shop-local like the order dates ($syn)"
ws=$(sqlite3 "$T/state-ahead/state.db" "SELECT window_start FROM cursors")
python3 -c '
import datetime, sys
f = lambda s: datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
sys.exit(abs((f(sys.argv[1]) - f(sys.argv[2])).total_seconds()) > 300)' "$ws" "$start"
tap $? "host ahead: the window starts at the shop's local time ($ws)"
z=$(sqlite3 "$T/state-ahead/state.db" "SELECT zone FROM shop_zone WHERE shop='sklep1'")
[ "$z" = Europe/Warsaw ]
tap $? "the shop's zone is kept in the state ($z)"

run Etc/GMT+10 "$T/behind.conf" sync
tap "$RC" "sync on a host 11 hours behind the shop exits 0"
run Etc/GMT+10 "$T/behind.conf" lookup tz-outside@example.pl
[ "$RC" -eq 1 ]
tap $? "host behind: the order 3 hours outside the shop's window is not kept"
run Etc/GMT+10 "$T/behind.conf" lookup tz-inside@example.pl
tap "$RC" "host behind: the order inside is kept"

shop_ctl POST /__test/reset-counters >/dev/null
run Etc/GMT+10 "$T/behind.conf" sync
n=$(shop_ctl GET /__test/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get("GET /webapi/rest/application-config", 0))')
[ "$n" = 0 ]
tap $? "the next sync does not ask for the zone again ($n calls)"
# a shop in another zone: its zone, not Warsaw's nor the host's (UTC)
shop1_conf() { # NAME HOST: a config of shop NAME alone, own state and index
	printf '[sync]\nindex = %s/index/%s.cdb\nstate_dir = %s/state-%s\n\n[shop %s]\nurl = %s\nlogin = api-%s\npassword_file = %s/%s.password\nca_file = %s/ca/ca.pem\n' \
		"$T" "$2" "$T" "$2" "$1" "$SHOP_URL" "$1" "$T" "$1" "$T" >"$T/$2.conf"
}
sync_add_shop sklep2 --orders 20 --customers 10 --timezone America/New_York || exit 1
shop1_conf sklep2 ny
inside=$(python3 -c '
import datetime, zoneinfo
z = zoneinfo.ZoneInfo("America/New_York")
print((datetime.datetime.now(datetime.timezone.utc) -
       datetime.timedelta(days=183, hours=-3)).astimezone(z).strftime("%Y-%m-%d %H:%M:%S"))')
shop_ctl POST /__test/orders "{\"email\":\"tz-ny@example.pl\",\"date\":\"$inside\"}" >/dev/null
run UTC "$T/ny.conf" sync
tap "$RC" "a shop in America/New_York: sync on a UTC host exits 0"
run UTC "$T/ny.conf" lookup tz-ny@example.pl
tap "$RC" "its order 3 hours inside its own window is kept (UTC or Warsaw would drop it)"

# a zone this host doesn't know: the host's zone, and check says so
sync_add_shop sklep3 --orders 20 --customers 10 --timezone Mars/Olympus_Mons || exit 1
shop1_conf sklep3 mars
run UTC "$T/mars.conf" sync
tap "$RC" "a shop naming an unknown zone: sync exits 0"
ws=$(sqlite3 "$T/state-mars/state.db" "SELECT window_start FROM cursors")
z=$(sqlite3 "$T/state-mars/state.db" "SELECT zone FROM shop_zone")
python3 -c '
import datetime, sys
s = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S")
u = datetime.datetime.utcnow() - datetime.timedelta(days=183)
sys.exit(abs((u - s).total_seconds()) > 300)' "$ws" && [ -z "$z" ]
tap $? "unknown zone: the window is in the host's zone ($ws UTC), none kept"
run UTC "$T/mars.conf" check
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "^problem: \[shop sklep3\] time zone 'Mars/Olympus_Mons' (locale_timezone) is unknown on this host.*; install the tzdata package"
tap $? "check: the unknown zone is a problem with its fix"
tap_end
