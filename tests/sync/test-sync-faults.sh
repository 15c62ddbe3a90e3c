#!/bin/sh
# Faults during syncs: 429 storms, 500/503, timeouts, resets, garbage and
# truncated JSON (whole calls and bulk items), token expiry mid-sync, and
# a shop that keeps failing (exit 1, previous data kept).
SYNC_TIMEOUT=3
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 3000 --customers 200 || exit 1
shop_use sklep1

fault() { shop_ctl POST /__test/faults "$1" >/dev/null; }
faults_left() {
	shop_ctl GET /__test/faults | python3 -c 'import json,sys; print(sum(f.get("count",0) for f in json.load(sys.stdin)["faults"]))'
}

# token expiry in the middle of a backfill: a slow bucket keeps it going
shop_ctl POST /__test/config '{"bucket_limit": 2, "bucket_bandwidth": 2}' >/dev/null
"$SYNC_BIN" -c "$CONF" sync >"$T/bg.out" 2>&1 &
bg=$!
sleep 1.2
shop_ctl POST /__test/tokens/expire >/dev/null
wait $bg
rc=$?
sed 's/^/# /' "$T/bg.out"
shop_ctl POST /__test/config '{"bucket_limit": 10, "bucket_bandwidth": 2}' >/dev/null
tap "$rc" "backfill survives a token expiring mid-sync"
[ "$(counter auth)" -ge 2 ]
tap $? "it logged in again after the 401"
sync_compare sklep1 --lookups 10
tap $? "exact contents after the token expiry"

check_fault() { # DESC FAULT-JSON...
	_d=$1
	shift
	shop_ctl PUT /__test/orders/2500 "{\"status_id\": \"$(( (RANDOM_STATUS = ${RANDOM_STATUS:-3} % 9 + 1) ))\"}" >/dev/null 2>&1
	for _f in "$@"; do fault "$_f"; done
	sync_run sync --full
	tap "$RC" "$_d: sync exits 0"
	[ "$(faults_left)" -eq 0 ]
	tap $? "$_d: every injected fault was met"
	shop_ctl DELETE /__test/faults >/dev/null
	sync_compare sklep1 --lookups 10
	tap $? "$_d: exact contents"
}

check_fault "429 storm" '{"kind": "429", "count": 6}'
check_fault "500 and 503" '{"kind": "500", "count": 2}' '{"kind": "503", "count": 2}'
check_fault "timeouts" '{"kind": "timeout", "count": 1, "seconds": 5}'
check_fault "connection resets" '{"kind": "reset", "count": 2}'
check_fault "garbage and truncated JSON" '{"kind": "garbage", "count": 2}' '{"kind": "truncated", "count": 2}'
check_fault "failing bulk items" '{"kind": "500", "count": 3, "path": "/webapi/rest/orders", "skip": 2}' \
	'{"kind": "garbage", "count": 1, "path": "/webapi/rest/parcels"}'

# a shop that keeps failing: exit 1, message, the index keeps its data
before=$(sqlite3 "$STATE/state.db" "SELECT count(*) FROM orders" 2>/dev/null)
fault '{"kind": "503", "count": 1000}'
shop_ctl PUT /__test/orders/2600 '{"status_id": "8"}' >/dev/null
sync_run sync
[ "$RC" -eq 1 ]
tap $? "a shop failing after all retries: exit 1"
echo "$OUT" | grep -q "sklep1: FAILED"
tap $? "the failure is reported for the shop"
echo "$OUT" | grep -q "published, $before orders"
tap $? "the index is published with the shop's previous data"
shop_ctl DELETE /__test/faults >/dev/null
sync_run sync
tap "$RC" "next sync after the shop recovers exits 0"
sync_compare sklep1 --lookups 10
tap $? "exact contents after recovery"
tap_end
