#!/bin/sh
# What live shops do (doc: shoper-webapi.md section 11) and the sync must
# survive: refused sub-requests (403 insufficient_scope, 404 for a filter
# field) are final and degrade the data instead of failing the shop, zero
# dates mean "no date", a redirecting shop URL names the URL to set, order
# rows without the embedded status, pages past the last answering
# "page":1, and recent orders re-read so edits other than a status change
# arrive before the daily full pass.
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
N=2000
sync_add_shop sklep1 --orders $N --customers 300 || exit 1
shop_use sklep1

cfg() { shop_ctl POST /__test/config "$1" >/dev/null; }
put() { shop_ctl PUT "/__test/orders/$1" "$2" >/dev/null; }
# order ORDER_ID KEY: a field of the order as the index answers it
order() {
	_e=$(shop_ctl GET "/__test/orders/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')
	"$SYNC_BIN" -c "$CONF" lookup --json "$_e" | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["shop"] == "sklep1" and o["order_id"] == sys.argv[1]:
        v = o[sys.argv[2]]
        print(v if not isinstance(v, bool) else ("yes" if v else "no"))
        break
else:
    print("MISSING")' "$1" "$2"
}
shop_field() { # ORDER_ID KEY: as the shop has it now
	shop_ctl GET "/__test/orders/$1" | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(("yes" if v else "no") if isinstance(v, bool) else v)' "$2"
}
degraded() { sqlite3 "$STATE/state.db" "SELECT what FROM degraded ORDER BY what" | tr '\n' ' '; }
check_out() { CHECK=$("$SYNC_BIN" -c "$CONF" check 2>&1); echo "$CHECK" | sed 's/^/# check: /'; }

# ---- live order rows: no embedded status object ----
cfg '{"embedded_status": false}'
[ "$(shop_ctl GET /__test/orders/5 | python3 -c 'import json,sys; print("status" in json.load(sys.stdin))')" = False ]
tap $? "the test shop sends orders without an embedded status (switch)"
sync_run sync
tap "$RC" "backfill of orders without an embedded status exits 0"
sync_compare sklep1 --lookups 10
tap $? "exact contents: status from the top-level status_id"

# ---- a page past the last answers "page":1 ----
shop_ctl GET /__test/orders >/dev/null
page=$(python3 - "$SHOP_URL" "$SHOP_CA" <<'EOF'
import json, ssl, sys, urllib.request, base64
url, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
req = urllib.request.Request(url + "/webapi/rest/auth", method="POST",
    headers={"Authorization": "Basic " + base64.b64encode(b"api-sklep1:pw-sklep1").decode()})
tok = json.load(urllib.request.urlopen(req, context=ctx))["access_token"]
req = urllib.request.Request(url + "/webapi/rest/statuses?page=7",
    headers={"Authorization": "Bearer " + tok})
j = json.load(urllib.request.urlopen(req, context=ctx))
print(j["page"], len(j["list"]))
EOF
)
[ "$page" = "1 0" ]
tap $? "the test shop answers a page past the last with \"page\":1 and no rows"
shop_ctl POST /__test/orders '{"email": "nowy@example.pl"}' >/dev/null
sync_run sync
tap "$RC" "an incremental sync reading speculative pages past the last exits 0"
sync_compare sklep1 --lookups 5
tap $? "exact contents after it"

# ---- recent orders are re-read: a payment without a status change ----
R=$((N - 7))
put $R '{"status_id": "1", "is_paid": false}'
sync_run sync
was=$(order $R paid)
put $R '{"is_paid": true}'
[ "$was" = no ] && [ "$(shop_field $R is_paid)" = yes ]
tap $? "a recent order is marked paid in the shop without a status change"
shop_ctl POST /__test/reset-counters >/dev/null
sync_run sync
tap "$RC" "the next incremental sync exits 0"
[ "$(order $R paid)" = yes ]
tap $? "the payment is in the index at the next sync, not the full pass"
echo "$OUT" | grep -q "recent orders re-read"
tap $? "the sync says how many recent orders it re-read"
[ "$(counter bulk_calls)" -eq 1 ]
tap $? "an idle sync with the refresh still costs one bulk call"
put $R '{"sum": "12.34"}'
sync_run sync
[ "$(order $R total)" = 12.34 ]
tap $? "a corrected total arrives the same way"

# ---- zero dates: no date, never a cursor ----
Z=$((N - 3))
put $Z '{"date": "0000-00-00 00:00:00", "status_date": "0000-00-00 00:00:00"}'
sync_run sync
tap "$RC" "a sync meeting an order with a zero date exits 0"
[ "$(order $Z date)" = "" ]
tap $? "an order with a zero date is indexed without a date (no date header)"
since=$(sqlite3 "$STATE/state.db" "SELECT status_since FROM cursors WHERE shop='sklep1'")
case $since in 0000*) false ;; *) true ;; esac
tap $? "a zero status_date is never the status cursor ($since)"
sync_run sync --full
[ "$(order $Z date)" = "" ]
tap $? "the dateless order survives a full pass"
put $Z "{\"date\": \"$(shop_field $((Z - 1)) date)\"}"
sync_run sync --full
sync_compare sklep1 --lookups 5
tap $? "exact contents once it has a date again"

# ---- refused reference streams: final, degraded, never a failed sync ----
cfg '{"forbidden": ["shippings", "currencies"]}'
shop_ctl POST /__test/reset-counters >/dev/null
sync_run sync --full
tap "$RC" "shippings and currencies refused (403 insufficient_scope): the sync exits 0"
echo "$OUT" | grep -q "sklep1: warning: the shop refuses shippings (HTTP 403: insufficient_scope.*grant the webapi account access to shipping methods"
tap $? "one warning naming the permission to grant for shippings"
[ "$(echo "$OUT" | grep -c 'warning: the shop refuses currencies')" -eq 1 ]
tap $? "exactly one warning for currencies"
[ "$(shop_ctl GET /__test/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["bulk_requests"].get("GET /webapi/rest/shippings", 0))')" -eq 1 ]
tap $? "the refused sub-request is not retried"
[ "$(degraded)" = "currencies shippings " ]
tap $? "the degraded streams are kept in the state"
check_out
echo "$CHECK" | grep -q "problem: \[shop sklep1\] degraded: the shop refuses shippings (HTTP 403"
tap $? "check reports the degraded shippings with the permission to grant"
echo "$CHECK" | grep -q "degraded: the shop refuses currencies"
tap $? "check reports the degraded currencies"
sync_compare sklep1 --lookups 5 >/dev/null
[ "$(order $R currency)" != "" ]
tap $? "currency names known before stay"
cfg '{"forbidden": ["parcels"]}'
sync_run sync
tap "$RC" "parcels refused: the sync exits 0"
echo "$OUT" | grep -q "warning: the shop refuses parcels (HTTP 403.*przesyłki"
tap $? "the parcels warning names the permission"
[ "$(degraded)" = "parcels " ]
tap $? "shippings and currencies served again: only parcels stay degraded"
cfg '{"forbidden": []}'
sync_run sync
check_out
[ "$(degraded)" = "" ] && echo "$CHECK" | grep -q "no shop refuses a stream"
tap $? "once served again nothing is degraded and check says so"

# ---- application-config refused: time zone degraded ----
cfg '{"forbidden": ["application-config"]}'
python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM shop_zone"); db.commit()' "$STATE/state.db"
sync_run sync
tap "$RC" "application-config refused: the sync exits 0"
echo "$OUT" | grep -q "warning: the shop refuses application-config (HTTP 403"
tap $? "one warning for application-config"
[ "$(degraded)" = "application-config " ]
tap $? "application-config is kept degraded"
cfg '{"forbidden": []}'
python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM shop_zone"); db.commit()' "$STATE/state.db"
sync_run sync
[ "$(degraded)" = "" ]
tap $? "asked again (once a day) and served: no longer degraded"

# ---- refused filters: a way without them ----
cfg '{"unfilterable": {"orders": ["status_date"], "parcels": ["order_id"]}}'
S=$((N - 9))
shop_ctl POST "/__test/orders/$S/parcels" '{"shipping_code": "LIVE0000000001"}' >/dev/null
put $S '{"status_id": "7"}'
sync_run sync
tap "$RC" "status_date and parcels' order_id filters refused (404): the sync exits 0"
echo "$OUT" | grep -q "warning: the shop refuses orders.status_date (HTTP 404"
tap $? "a warning for the refused status_date filter"
echo "$OUT" | grep -q "warning: the shop refuses parcels.order_id (HTTP 404"
tap $? "a warning for the refused parcels filter"
[ "$(order $S status_id)" = 7 ]
tap $? "the status change arrives by re-reading recent orders"
order $S tracking | grep -q LIVE0000000001
tap $? "the new parcel arrives read by parcel id"
check_out
echo "$CHECK" | grep -q "ok: \[shop sklep1\] degraded: the shop refuses the filter orders.status_date"
tap $? "check notes the refused filter"
put $S '{"status_id": "8"}'
sync_run sync
[ "$(order $S status_id)" = 8 ] && degraded | grep -q orders.status_date
tap $? "later syncs keep the way without the filter"
sync_run sync --full
tap "$RC" "a full pass with the filters refused exits 0"
sync_compare sklep1 --lookups 10
tap $? "exact contents after the full pass"
cfg '{"unfilterable": {}}'
sync_run sync --full
[ "$(degraded)" = "" ]
tap $? "the full pass asks again: a filter served again is no longer degraded"

# ---- a refused order list is a clear error at once, no retries ----
cfg '{"forbidden": ["orders"]}'
sync_run sync
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "grant the webapi account access to orders"
tap $? "orders refused: the shop fails at once, naming the permission"
cfg '{"forbidden": []}'

# ---- status changes: status_id a JSON number, shown at once ----
C=$((N - 11))
put $C '{"status_id": "2"}'
sync_run sync
cfg '{"forbidden": ["bulk"]}'
shop_ctl POST /__test/reset-counters >/dev/null
OUT=$("$SYNC_BIN" -c "$CONF" set-status --shop sklep1 $C 7 2>&1)
echo "$OUT" | sed 's/^/# /'
[ "$(shop_field $C status_id)" = 7 ]
tap $? "set-status changes the order in the shop"
[ "$(shop_ctl GET /__test/counters | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status_id_types"))')" = "{'int': 1}" ]
tap $? "status_id is sent as a JSON number"
[ "$(order $C status_id)" = 7 ]
tap $? "the index shows the new status at once, though the sync after it failed"
cfg '{"forbidden": []}'
sync_run sync
[ "$(order $C status_id)" = 7 ]
tap $? "the next sync keeps it"

# ---- a redirecting shop URL ----
sync_add_shop sklep2 --orders 50 || exit 1
shop_use sklep1
before=$(counter auth)
shop_use sklep2
cfg "{\"redirect\": \"$URL_sklep1\"}"
sync_run sync --shop sklep2
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "set url = $URL_sklep1 in \[shop sklep2\]"
tap $? "a redirect fails the shop naming the URL to configure"
shop_use sklep1
[ "$(counter auth)" -eq "$before" ]
tap $? "the redirect is never followed: the other host got no credentials"
shop_use sklep2
echo "$OUT" | grep -q "no error description"
tap $((1 - $?)) "no bare 'HTTP 301 (no error description)'"
check_out
echo "$CHECK" | grep -q "problem: \[shop sklep2\].*set url = $URL_sklep1"
tap $? "check names the URL to configure"
tap_end
