#!/bin/sh
# The daily full pass reads the window as pages of one bulk call (page 1,
# 2, ... of one filter): an order deleted in the shop between two of those
# sub-requests shifts the later pages by one, so an unrelated order (the
# first of the next page) is not in the answers. It must not be swept from
# the state and the index for that: only what the shop confirms gone is.
# The same for parcels (their tracking numbers), also when a new one comes
# as one goes (the list's count stays). The test shop deletes the order
# just before it answers the second page (a "delete" fault rule).
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 1000 --customers 200 || exit 1
shop_use sklep1
IDX=$T/index/orders.cdb
q() { sqlite3 "$STATE/state.db" "$1"; }
in_index() { python3 "$TOP_SRCDIR/tests/faults/cdb_orders.py" "$IDX" "#sklep1:$1" | grep -q "=1$"; }

sync_run sync
tap "$RC" "first sync exits 0"

# orders: the first of the window goes while page 2 is answered; the first
# order of page 2 (the 51st) then moves to page 1, which was already read
gone=$(q "SELECT order_id FROM orders ORDER BY order_id LIMIT 1")
other=$(q "SELECT order_id FROM orders ORDER BY order_id LIMIT 1 OFFSET 50")
shop_ctl POST /__test/faults "{\"kind\": \"delete\", \"path\": \"/webapi/rest/orders\", \"skip\": 1, \"order_id\": $gone}" >/dev/null
sync_run sync --full
tap "$RC" "full pass with order $gone deleted between two pages exits 0"
tap_ok "the unrelated order $other stays in the state" [ "$(q "SELECT count(*) FROM orders WHERE order_id=$other")" -eq 1 ]
in_index "$other"
tap $? "and in the index"

# parcels: an order with one parcel on the first page of parcels goes and
# a new order with one parcel comes while the second page is answered (so
# the list keeps its count); the 51st parcel would go unseen
pgone=$(q "SELECT order_id FROM parcels WHERE order_id != $gone GROUP BY order_id HAVING count(*) = 1 ORDER BY min(parcel_id) LIMIT 1")
pother=$(q "SELECT parcel_id FROM parcels WHERE order_id != $gone ORDER BY parcel_id LIMIT 1 OFFSET 50")
pcode=$(q "SELECT shipping_code FROM parcels WHERE parcel_id=$pother")
shop_ctl POST /__test/faults "{\"kind\": \"delete\", \"path\": \"/webapi/rest/parcels\", \"skip\": 1, \"order_id\": $pgone, \"create\": {\"email\": \"late@example.pl\"}, \"create_parcel\": true}" >/dev/null
sync_run sync --full
tap "$RC" "full pass with order $pgone replaced by a new one between two pages of parcels exits 0"
tap_ok "the unrelated parcel $pother (tracking $pcode) stays" [ "$(q "SELECT count(*) FROM parcels WHERE parcel_id=$pother")" -eq 1 ]
left=$(shop_ctl GET /__test/faults | python3 -c 'import json,sys; print(sum(f.get("count",0) for f in json.load(sys.stdin)["faults"]))')
tap_ok "both deletions happened mid-pass ($left rules left)" [ "$left" -eq 0 ]

# what the shop deleted was read before it went: the next pass sweeps it
sync_run sync --full
tap "$RC" "the next full pass exits 0"
tap_ok "it sweeps the deleted orders $gone and $pgone and their parcels" \
	[ "$(q "SELECT count(*) FROM orders WHERE order_id IN ($gone, $pgone)")" -eq 0 ] &&
	[ "$(q "SELECT count(*) FROM parcels WHERE order_id IN ($gone, $pgone)")" -eq 0 ]
in_index "$gone" || in_index "$pgone"
tap_ok "they are gone from the index" [ $? -ne 0 ]
sync_compare sklep1 --lookups 25
tap $? "state and index match the shop exactly"
tap_end
