#!/bin/sh
# shoper-sync against the test shop over TLS: backfill of 10,000 orders with
# exact contents, the window, an idle run's calls, new orders, status
# changes, parcels, a renamed status, a deletion (full pass), file modes.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 10000 --customers 400 || exit 1
shop_use sklep1

sync_run sync
tap "$RC" "first sync (backfill) exits 0"
echo "$OUT" | grep -q "sklep1: ok (full pass), 9000 orders fetched.* 9000 held"
tap $? "9000 orders of the window fetched and held, 1000 older ones skipped"
echo "$OUT" | grep -q "published, 9000 orders"
tap $? "index published with 9000 orders"
sync_compare sklep1
tap $? "state and index match the shop exactly after the backfill"

n=$(sqlite3 "$STATE/state.db" "SELECT count(*) FROM orders WHERE date < (SELECT window_start FROM cursors)") || n=error
[ "$n" = 0 ]
tap $? "no order older than the window in the state ($n)"

shop_ctl POST /__test/reset-counters >/dev/null
sync_run sync
tap "$RC" "idle incremental sync exits 0"
calls=$(counter total)
echo "# idle run: $calls calls"
[ "$calls" -le 3 ]
tap $? "idle run makes <= 3 calls ($calls)"

# a customer orders, an admin moves orders on, a parcel goes out, a status
# is renamed in the shop
new=$(shop_ctl POST /__test/orders '{"email":"Nowy.Klient@Example.PL","firstname":"Zażółć","lastname":"Gęślą","sum":"12.34","status_id":"1"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
shop_ctl PUT /__test/orders/9500 '{"status_id": "3"}' >/dev/null
shop_ctl POST /__test/orders/9600/parcels '{"shipping_code": "TRACK9600", "sent": true}' >/dev/null
shop_ctl POST /__test/orders/$new/parcels '{"shipping_code": "NEWTRACK1", "sent": false}' >/dev/null
shop_ctl PUT /__test/statuses/2 '{"name": "W realizacji (nowa nazwa)", "lang": "pl_PL"}' >/dev/null
sync_run sync
tap "$RC" "incremental sync after changes exits 0"
sync_compare sklep1 --emails nowy.klient@example.pl
tap $? "new order, status change, parcels and renamed status all in state and index"
sync_run lookup nowy.klient@example.pl
echo "$OUT" | grep -q "NEWTRACK1"
tap $? "lookup shows the new order with its tracking number"
sync_run statuses
echo "$OUT" | grep -q "W realizacji (nowa nazwa)"
tap $? "statuses shows the renamed status"

shop_ctl DELETE /__test/orders/9700 >/dev/null
sync_run sync --full
tap "$RC" "full pass exits 0"
echo "$OUT" | grep -q " 1 deleted"
tap $? "full pass removes the order deleted in the shop"
sync_compare sklep1
tap $? "state and index match the shop exactly after the full pass"

mode() { stat -c %a "$1"; }
[ "$(mode "$STATE")" = 700 ] && [ "$(mode "$STATE/sklep1.token")" = 600 ] &&
	[ "$(mode "$T/index/orders.cdb")" = 640 ]
tap $? "state_dir 0700, token 0600, index 0640"
! grep -rq "pw-sklep1" "$T/index" "$STATE" && ! echo "$OUT" | grep -q "pw-sklep1"
tap $? "the password appears in no output, state or index"
tap_end
