#!/bin/sh
# Two shops, one failing: the other syncs and the failing one keeps its
# previous data in the index. New credentials take effect on the next run
# and on SIGHUP in daemon mode; SIGTERM ends the daemon cleanly.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 2000 --customers 150 --seed 1 || exit 1
sync_add_shop sklep2 --orders 1500 --customers 100 --seed 2 || exit 1

sync_run sync
tap "$RC" "two shops: sync exits 0"
sync_compare sklep1 --lookups 10
tap $? "sklep1 exact"
sync_compare sklep2 --lookups 10
tap $? "sklep2 exact"

email2=$(sqlite3 "$STATE/state.db" "SELECT email FROM orders WHERE shop='sklep2' ORDER BY order_id DESC LIMIT 1")
n2=$(sqlite3 "$STATE/state.db" "SELECT count(*) FROM orders WHERE shop='sklep2'")
shop_use sklep2
shop_ctl POST /__test/faults '{"kind": "500", "count": 1000}' >/dev/null
shop_use sklep1
shop_ctl PUT /__test/orders/1900 '{"status_id": "8"}' >/dev/null
sync_run sync
[ "$RC" -eq 1 ]
tap $? "one shop failing: exit 1"
echo "$OUT" | grep -q "sklep2: FAILED" && echo "$OUT" | grep -q "sklep1: ok"
tap $? "sklep2 reported failed, sklep1 synced"
sync_compare sklep1 --lookups 10
tap $? "sklep1 exact while sklep2 fails"
[ "$(sqlite3 "$STATE/state.db" "SELECT count(*) FROM orders WHERE shop='sklep2'")" = "$n2" ]
tap $? "sklep2's state untouched by its failed sync"
sync_run lookup --json "$email2"
echo "$OUT" | grep -q '"shop": *"sklep2"'
tap $? "sklep2's previous orders still in the published index"
shop_use sklep2
shop_ctl DELETE /__test/faults >/dev/null

# a wrong password: refused at once although a token is cached
printf 'wrong\n' >"$T/sklep2.password"
sync_run sync --shop sklep2
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "sklep2: FAILED"
tap $? "changed (wrong) password takes effect on the next run"
! echo "$OUT" | grep -q "wrong"
tap $? "the password is not printed"
printf 'pw-sklep2\n' >"$T/sklep2.password"
sync_run sync --shop sklep2
tap "$RC" "right password again: sync exits 0"

# daemon: SIGHUP reloads credentials, SIGTERM exits 0
sed -i 's/^interval.*//; s/^\[sync\]$/[sync]\ninterval = 10/' "$CONF"
"$SYNC_BIN" -c "$CONF" daemon >"$T/daemon.log" 2>&1 &
dpid=$!
wait_log() { # PATTERN COUNT: wait until PATTERN is in the log COUNT times
	_i=0
	while [ "$(grep -c "$1" "$T/daemon.log")" -lt "$2" ] && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ $_i -lt 300 ]
}
wait_log "index .*published" 1
tap $? "daemon: first cycle publishes"
printf 'wrong\n' >"$T/sklep2.password"
kill -HUP $dpid
wait_log "sklep2: FAILED" 1
tap $? "daemon: SIGHUP with a wrong password: the next cycle uses it"
printf 'pw-sklep2\n' >"$T/sklep2.password"
kill -HUP $dpid
wait_log "sklep2: ok" 2
tap $? "daemon: SIGHUP with the right password: sklep2 syncs again"
kill -TERM $dpid
_i=0
while kill -0 $dpid 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
wait $dpid
tap $? "daemon: SIGTERM exits 0"
sed 's/^/# daemon: /' "$T/daemon.log" | tail -8
tap_end
