#!/bin/sh
# The listener's other two forms: TLS itself (webhook_tls_cert/_key; the
# test shop posts over https, a verifying client sees our certificate)
# and a unix socket (as behind a reverse proxy): a webhook signed with
# the stored secret is taken, one for another shop's id refused, a burst
# of signed ones all taken, and a flood of refused ones from one source
# gets 429 while the daemon goes on.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 100 --customers 30 --seed 4 || exit 1
shop_use sklep1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$CONF" "$CONF.base"
sed -i "s|^\[sync\]$|[sync]\ninterval = 3600\nwebhook_listen = 127.0.0.1:$PORT\nwebhook_tls_cert = $T/ca/server.pem\nwebhook_tls_key = $T/ca/server.key|" "$CONF"
sync_run sync
tap "$RC" "backfill"
sync_run webhooks install --shop sklep1 --url "https://127.0.0.1:$PORT/shoper/sklep1"
tap "$RC" "webhooks install with an https URL"

stop_daemon() {
	kill -TERM $dpid
	wait $dpid
}
status_of() { # ORDER_ID: its status_id in the state
	sqlite3 "$STATE/state.db" "SELECT status_id FROM orders WHERE shop='sklep1' AND order_id=$1"
}
status_is() { [ "$(status_of "$1")" = "$2" ]; } # ORDER_ID STATUS
wait_status() { wait_for 20 status_is "$@"; } # ORDER_ID STATUS: 20 s at most
sync_start_daemon "$PORT"
python3 - "$PORT" "$T/ca/ca.pem" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        t.sendall(b"GET /shoper/sklep1 HTTP/1.1\r\nHost: x\r\n\r\n")
        sys.exit(0 if t.recv(100).split()[1] == b"405" else 1)
PY
tap $? "TLS: a verifying client accepts the listener's certificate"
A=$(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id != 8 ORDER BY order_id DESC LIMIT 1")
shop_ctl PUT /__test/orders/$A '{"status_id": "8"}' >/dev/null
wait_status "$A" 8
tap $? "TLS: the shop's webhook over https updates the order"
stop_daemon

# a unix socket; the webhook sent by hand, signed with the stored secret
cp "$CONF.base" "$CONF"
SOCK="$T/hook.sock"
sed -i "s|^\[sync\]$|[sync]\ninterval = 3600\nwebhook_listen = unix:$SOCK|" "$CONF"
sync_start_daemon "unix:$SOCK"
[ "$(stat -c %a "$SOCK")" = 660 ]
tap $? "unix socket made, mode 0660"
B=$(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id != 8 ORDER BY order_id DESC LIMIT 1 OFFSET 1")
shop_ctl POST /__test/webhooks/faults '{"kind": "lose"}' >/dev/null
shop_ctl PUT /__test/orders/$B '{"status_id": "8"}' >/dev/null
send() { # ORDER_ID ID_DELTA COUNT [XFF [THEN]]: COUNT webhooks (ID_DELTA 0:
	# signed) with X-Forwarded-For: XFF; prints the codes; with THEN, one
	# signed one from THEN right after, its code printed as then:CODE
	python3 - "$SOCK" "$STATE/sklep1.webhook" "$@" <<'PY'
import hashlib, socket, sys
sock, wfile, oid, delta, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
xff = sys.argv[6] if len(sys.argv) > 6 else None
then = sys.argv[7] if len(sys.argv) > 7 else None
w = dict(l.rstrip("\n").split("=", 1) for l in open(wfile) if "=" in l)
body = ('{"order_id":"%s","status_id":"1"}' % oid).encode()
def post(delta, xff):
    hid = str(int(w["id"]) + delta)
    sig = hashlib.sha1(("%s:%s:" % (hid, w["secret"])).encode() + body).hexdigest()
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(("POST /shoper/sklep1 HTTP/1.1\r\nHost: x\r\nX-Webhook-Id: %s\r\n"
               "X-Webhook-Sha1: %s\r\nX-Webhook-Name: order.status\r\n%s"
               "Content-Length: %d\r\nConnection: close\r\n\r\n" % (
                   hid, sig, "X-Forwarded-For: %s\r\n" % xff if xff else "",
                   len(body))).encode() + body)
    c = s.recv(100).split()[1].decode()
    s.close()
    return c
codes = {}
for _ in range(count):
    c = post(delta, xff)
    codes[c] = codes.get(c, 0) + 1
out = ["%s:%d" % kv for kv in sorted(codes.items())]
if then:
    out.append("then:" + post(0, then))
print(" ".join(out))
PY
}
codes=$(send "$B" 1 1)
[ "$codes" = "401:1" ]
tap $? "unix socket: another webhook id refused ($codes)"
sleep 0.5
[ "$(status_of "$B")" != 8 ]
tap $? "unix socket: nothing re-read for it"
codes=$(send "$B" 0 1)
[ "$codes" = "200:1" ]
tap $? "unix socket: a webhook signed with the stored secret taken ($codes)"
wait_status "$B" 8
tap $? "unix socket: the order re-read from the shop (the body's status ignored)"
codes=$(send "$B" 0 400)
[ "$codes" = "200:400" ]
tap $? "400 signed webhooks at once (a bulk edit) are all taken ($codes)"
codes=$(send "$B" 1 400)
echo "# flood of 400 refused: $codes"
echo "$codes" | grep -q "429:[1-9]"
tap $? "a flood of refused requests from one source gets 429"
C=$(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id != 8 ORDER BY order_id DESC LIMIT 1 OFFSET 2")
sleep 3 # the source's bucket refills
shop_ctl PUT /__test/orders/$C '{"status_id": "8"}' >/dev/null
codes=$(send "$C" 0 1)
wait_status "$C" 8
tap $? "after the flood the daemon still takes webhooks ($codes)"
stop_daemon
tap $? "daemon: SIGTERM exits 0"
[ ! -e "$SOCK" ]
tap $? "the socket is removed at exit"

# behind a trusted proxy (webhook_trusted_proxy = unix): the allowance is
# per X-Forwarded-For, so a flood of forgeries through the proxy does not
# shut out the shop's webhooks from another address
sed -i "s|^\[sync\]$|[sync]\nwebhook_trusted_proxy = unix|" "$CONF"
sync_start_daemon "unix:$SOCK"
codes=$(send "$B" 1 400 "192.0.2.1" "198.51.100.7, 192.0.2.2")
echo "# flood of 400 refused from 192.0.2.1, then one from 192.0.2.2: $codes"
echo "$codes" | grep -q "429:[1-9]"
tap $? "trusted proxy: a flood of refused requests from one forwarded source gets 429"
echo "$codes" | grep -q "then:200"
tap $? "trusted proxy: a signed webhook from another forwarded source right after is taken"
grep -q "webhook from 192.0.2.1 refused (401)" "$T/daemon.log"
tap $? "trusted proxy: the refusals are logged with the forwarded source"
stop_daemon
sed -i "s|^webhook_trusted_proxy = unix$|webhook_trusted_proxy = 10.0.0.1|" "$CONF"
sync_start_daemon "unix:$SOCK"
codes=$(send "$B" 1 3 "192.0.2.3")
grep -q "webhook from unix refused (401)" "$T/daemon.log" &&
	! grep -q "webhook from 192.0.2.3" "$T/daemon.log"
tap $? "another peer's X-Forwarded-For is not trusted: the source is the peer"
stop_daemon
grep "re-read" "$T/daemon.log" | tail -3 | sed 's/^/# daemon: /'
tap_end
