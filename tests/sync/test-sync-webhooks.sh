#!/bin/sh
# Webhooks in: `webhooks install` (idempotent), status, remove, the 403
# message; the daemon's listener takes the test shop's signed webhooks and
# the orders they name show in the index (paid, status, parcel, deleted);
# forged, oversized and non-POST requests are refused with nothing
# changed; duplicates and reordering are harmless; a lost webhook is
# caught by the next poll; `check` reports them. Latencies are printed
# (# latency ...), never asserted.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 300 --customers 60 --seed 3 || exit 1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s|^\[sync\]$|[sync]\ninterval = 3600\nwebhook_listen = 127.0.0.1:$PORT|" "$CONF"
HOOK_URL="http://127.0.0.1:$PORT/shoper/sklep1"
shop_use sklep1

sync_run sync
tap "$RC" "backfill"

sync_run webhooks install --shop sklep1 --url "$HOOK_URL"
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "installed"
tap $? "webhooks install registers a webhook"
sync_run webhooks install --shop sklep1 --url "$HOOK_URL"
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "updated"
tap $? "webhooks install again updates it"
rows() {
	"$SYNC_BIN" -c "$CONF" webhooks status --shop sklep1 2>&1 | grep -c "webhook [0-9]*:"
}
n_rows=$(shop_ctl GET /__test/webhooks/sent >/dev/null; python3 - "$SHOP_URL" "$T/ca/ca.pem" <<'PY'
import json, ssl, sys, urllib.request, base64
url, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
req = urllib.request.Request(url + "/webapi/rest/auth", data=b"", method="POST",
    headers={"Authorization": "Basic " + base64.b64encode(b"api-sklep1:pw-sklep1").decode()})
tok = json.load(urllib.request.urlopen(req, context=ctx))["access_token"]
req = urllib.request.Request(url + "/webapi/rest/webhooks",
    headers={"Authorization": "Bearer " + tok})
d = json.load(urllib.request.urlopen(req, context=ctx))
print(len(d["list"]), ",".join(sorted(d["list"][0]["events"])), d["list"][0]["format"])
PY
)
echo "# shop's webhooks: $n_rows"
case "$n_rows" in
"1 order.create,order.delete,order.edit,order.paid,order.status,parcel.create,parcel.delete,parcel.dispatch 0") r=0 ;;
*) r=1 ;;
esac
tap $r "the shop has one webhook row with the 8 events, format JSON"
mode=$(stat -c %a "$STATE/sklep1.webhook")
[ "$mode" = 600 ]
tap $? "the secret is kept 0600 ($mode)"
sync_run webhooks status
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "as expected"
tap $? "webhooks status: as expected"

sync_start_daemon
tap $? "daemon: first cycle publishes"

# order_field ID FIELD: the order's FIELD as `lookup --json` shows it
# (GONE when the index has no such order)
order_field() { sync_order_field sklep1 "$1" "$2"; }
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
# wait_field ID FIELD PATTERN: up to 20 s; LAT = ms it took
wait_field() {
	_t0=$(now_ms)
	_i=0
	until order_field "$1" "$2" | grep -q "$3"; do
		_i=$((_i + 1))
		[ $_i -lt 400 ] || return 1
		sleep 0.05
	done
	LAT=$(($(now_ms) - _t0))
	echo "# latency $2 of $1: $LAT ms"
}

ids=$(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND paid=0 ORDER BY order_id DESC LIMIT 8")
set -- $ids
A=$1 B=$2 C=$3 D=$4 E=$5 F=$6 G=$7 H=$8
for id in $ids; do order_field "$id" paid >/dev/null; done

shop_ctl PUT /__test/orders/$A '{"is_paid": true}' >/dev/null
wait_field "$A" paid true
tap $? "order paid in the shop: the index shows it paid"
shop_ctl PUT /__test/orders/$B '{"status_id": "8"}' >/dev/null
wait_field "$B" status_id '"8"'
tap $? "status changed: the index shows the new status"
shop_ctl POST /__test/orders/$C/parcels '{"shipping_code": "99887766554433"}' >/dev/null
wait_field "$C" tracking 99887766554433
tap $? "parcel sent: the index shows its tracking number"
shop_ctl DELETE /__test/orders/$D >/dev/null
wait_field "$D" paid GONE
tap $? "order deleted: gone from the index"

other_status() { # a status the order has not
	[ "$(order_field "$1" status_id)" = '"8"' ] && echo 7 || echo 8
}
# forged signature: refused, nothing changed, counted
n=$(sent_codes | wc -w)
se=$(other_status "$E")
shop_ctl POST /__test/webhooks/faults '{"kind": "bad_signature"}' >/dev/null
shop_ctl PUT /__test/orders/$E "{\"status_id\": \"$se\"}" >/dev/null
wait_sent $((n + 1))
sent_codes | grep -q "bad_signature:401"
tap $? "forged signature: 401"
sleep 1
[ "$(order_field "$E" status_id)" != "\"$se\"" ]
tap $? "forged signature: the order is unchanged in the index"
grep -q "refused (401): bad X-Webhook-Sha1, shop sklep1" "$T/daemon.log"
tap $? "forged signature: a log line"

post() { # post BYTES METHOD CHUNKED: a request to the listener; the code
	python3 - "$PORT" "$1" "$2" "$3" <<'PY'
import socket, sys
port, n, method, chunked = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
body = b'{"order_id":"1","x":"' + b"a" * n + b'"}'
s = socket.create_connection(("127.0.0.1", port), timeout=10)
head = "%s /shoper/sklep1 HTTP/1.1\r\nHost: x\r\nX-Webhook-Id: 1\r\nX-Webhook-Sha1: %s\r\n" % (method, "0" * 40)
head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else "Content-Length: %d\r\n\r\n" % len(body)
try:
    s.sendall(head.encode())
    if chunked:
        for i in range(0, len(body), 65536):
            c = body[i:i + 65536]
            s.sendall(b"%x\r\n" % len(c) + c + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    else:
        s.sendall(body[:1000])
except OSError:
    pass
try:
    print(s.recv(100).split()[1].decode())
except (OSError, IndexError):
    print("none")
PY
}
code=$(post 2000000 POST 0)
[ "$code" = 413 ]
tap $? "oversized body (Content-Length): 413 ($code)"
code=$(post 2000000 POST 1)
[ "$code" = 413 ]
tap $? "oversized body (chunked): 413 ($code)"
code=$(post 0 GET 0)
[ "$code" = 405 ]
tap $? "not a POST: 405 ($code)"
! grep -q "aaaaaaaa" "$T/daemon.log"
tap $? "no body in the log"

# duplicates and reordering: the final state is the shop's
shop_ctl POST /__test/webhooks/faults '{"kind": "duplicate"}' >/dev/null
shop_ctl PUT /__test/orders/$F '{"status_id": "3"}' >/dev/null
shop_ctl POST /__test/webhooks/faults '{"kind": "reorder"}' >/dev/null
shop_ctl PUT /__test/orders/$F '{"status_id": "4"}' >/dev/null
shop_ctl PUT /__test/orders/$F '{"status_id": "5"}' >/dev/null
wait_field "$F" status_id '"5"'
sleep 1
[ "$(order_field "$F" status_id)" = '"5"' ]
tap $? "duplicated and reordered webhooks: the index has the last status"

# a lost webhook: the next poll (SIGHUP starts one) catches it
n=$(sent_codes | wc -w)
sg=$(other_status "$G")
shop_ctl POST /__test/webhooks/faults '{"kind": "lose"}' >/dev/null
shop_ctl PUT /__test/orders/$G "{\"status_id\": \"$sg\"}" >/dev/null
wait_sent $((n + 1))
sleep 1
[ "$(order_field "$G" status_id)" != "\"$sg\"" ]
tap $? "lost webhook: not seen before the poll"
kill -HUP $dpid
wait_field "$G" status_id "\"$sg\""
tap $? "lost webhook: caught by the next poll"

# latencies at test size (printed, for the README's figures)
: >"$T/lat"
for i in 1 2 3 4 5 6 7 8 9 10; do
	st=$((i % 2 == 0 ? 3 : 4))
	shop_ctl PUT /__test/orders/$H "{\"status_id\": \"$st\"}" >/dev/null
	wait_field "$H" status_id "\"$st\"" >/dev/null && echo "$LAT" >>"$T/lat"
done
sort -n "$T/lat" | awk '{v[NR]=$1} END {if (NR) printf "# webhook -> lookup latency, %d changes: p50 %d ms, max %d ms\n", NR, v[int((NR+1)/2)], v[NR]}'

sync_run check
echo "$OUT" | grep -q "webhook 1 registered: $HOOK_URL; last received 20.*accepted, [1-9][0-9]* failed the signature"
tap $? "check: registered, last received, signature failures"

kill -TERM $dpid
wait $dpid
tap $? "daemon: SIGTERM exits 0"
sed 's/^/# daemon: /' "$T/daemon.log" | tail -6

shop_ctl POST /__test/config '{"forbidden": ["webhooks"]}' >/dev/null
sync_run webhooks status --shop sklep1
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "lacks the 'webhooks' permission"
tap $? "403: says which permission the account lacks"
shop_ctl POST /__test/config '{"forbidden": []}' >/dev/null

sync_run webhooks remove --shop sklep1
[ "$RC" -eq 0 ] && [ ! -e "$STATE/sklep1.webhook" ] &&
	echo "$OUT" | grep -q "removed (1 row)"
tap $? "webhooks remove: the row and the file are gone"
sync_run webhooks status --shop sklep1
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "no webhook installed"
tap $? "webhooks status after remove: none installed"
tap_end
