#!/bin/sh
# An order whose data the index cannot hold (its tracking numbers joined
# are over the index's 64 KiB value limit) is left out of the index and
# every other order published; the run's summary line counts it, and
# `check` names it until it is gone from the shop.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 300 --customers 50 || exit 1
shop_use sklep1
chmod 2750 "$T/index" # no other problem for check to report

sync_run sync
tap "$RC" "first sync exits 0"
echo "$OUT" | grep -q "published, [0-9]* orders$"
tap $? "nothing left out: the summary line counts none"
"$SYNC_BIN" -c "$CONF" check >"$T/check" 2>&1
rc=$?
sed 's/^/# /' "$T/check"
grep -q "^ok: no order is left out of the index" "$T/check"
tap $? "check: no order left out"
tap_ok "check exits 0 (got $rc)" [ "$rc" -eq 0 ]

oid=$(shop_ctl POST /__test/orders '{"email":"big@example.pl","firstname":"B","lastname":"G","sum":"1.00","status_id":"2"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
code=$(python3 -c 'print("7" * 40000)')
for i in 1 2; do
	shop_ctl POST "/__test/orders/$oid/parcels" "{\"shipping_code\": \"$code$i\"}" >/dev/null
done
shop_ctl POST /__test/orders '{"email":"small@example.pl","firstname":"S","lastname":"M","sum":"2.00","status_id":"2"}' >/dev/null
n=$(sqlite3 "$STATE/state.db" "SELECT count(*) FROM orders")
sync_run sync
tap "$RC" "sync with an order of 80 KB of tracking numbers exits 0"
echo "$OUT" | grep -q "published, $((n + 1)) orders, 1 left out"
tap $? "the summary line counts the order left out ($((n + 1)) published, 1 left out)"
"$SYNC_BIN" -c "$CONF" lookup small@example.pl >/dev/null 2>&1
tap $? "the other new order is published"
"$SYNC_BIN" -c "$CONF" lookup big@example.pl >/dev/null 2>&1
tap_ok "the order that cannot be held is not" [ $? -eq 1 ]
"$SYNC_BIN" -c "$CONF" check >"$T/check" 2>&1
rc=$?
sed 's/^/# /' "$T/check"
grep "^problem: \[shop sklep1\] 1 order(s) left out of the index" "$T/check" |
	grep "order $oid (the tracking value is longer than 65536 bytes)" |
	grep -q "shorten the value in the shop"
tap $? "check names the order, why and the fix"
tap_ok "check exits 1 (got $rc)" [ "$rc" -eq 1 ]

shop_ctl DELETE "/__test/orders/$oid" >/dev/null
sync_run sync --full
tap "$RC" "after the order is deleted in the shop, a full pass exits 0"
echo "$OUT" | grep -q "published, [0-9]* orders$"
tap $? "the summary line counts none left out"
"$SYNC_BIN" -c "$CONF" check >"$T/check" 2>&1
grep -q "^ok: no order is left out of the index" "$T/check"
tap $? "check: no order left out any more"
tap_end
