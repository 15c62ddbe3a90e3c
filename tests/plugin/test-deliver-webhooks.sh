#!/bin/sh
# Real time through a real delivery: test shop -> webhook -> shoper-sync
# daemon -> index -> LMTP. An order paid, its status changed, a parcel
# sent, the order deleted in the shop: the next delivery shows it within
# seconds (polled up to 20 s; the measured latency is printed, never
# asserted). A forged webhook changes nothing.
set -u
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
. "$TOP_SRCDIR/tests/lib/shop.sh"
dc_setup
dc_shop --orders 20 --customers 10
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
shop_sync_conf "$T/sync" "$DC_INDEX" sklep1 "tracking_days = 3650" \
	"interval = 3600" "webhook_listen = 127.0.0.1:$PORT"
dc_start || {
	echo "Bail out! dovecot did not start"
	exit 1
}
jget() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

oid=$(shop_ctl POST /__test/orders '{"email":"klient.rt@example.com",
	"status_id":"1","firstname":"Ewa","lastname":"Lis"}' | jget order_id)
shop_ctl PUT "/__test/orders/$oid" '{"is_paid": false}' >/dev/null
"$SYNC" -c "$CONF" sync >"$T/sync.out" 2>&1
ok $? "shoper-sync sync"
"$SYNC" -c "$CONF" webhooks install --shop sklep1 \
	--url "http://127.0.0.1:$PORT/shoper/sklep1" >"$T/install.out" 2>&1
ok $? "webhooks install"
shop_sync_daemon "$SYNC" "$T/daemon.log" 30

deliver() { # a new mail from the customer; prints the stored file
	_id=rt$(date +%s%N)
	dc_msg "$_id" 'Ewa <klient.rt@example.com>' 'question' |
		dc_lmtp klient.rt@example.com alice@test.example >/dev/null
	dc_find alice "" "$_id"
}
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
# until_hdr NAME PATTERN [NOT]: deliveries until one shows it (20 s at
# most); with NOT: until the value is no longer NOT
until_hdr() {
	_t0=$(now_ms)
	while :; do
		_f=$(deliver)
		if [ $# -gt 2 ]; then
			_v=$(dc_hdr "$_f" "$1")
			[ -n "$_v" ] && [ "$_v" != "$3" ] && break
		else
			dc_hdr "$_f" "$1" | grep -q -- "$2" && break
		fi
		[ $(($(now_ms) - _t0)) -lt 20000 ] || return 1
		sleep 0.1
	done
	echo "# latency $1 ~ $2: $(($(now_ms) - _t0)) ms (shop change -> delivery showing it)"
}

f=$(deliver)
check "before: X-Shoper-Order-Paid: no" [ "$(dc_hdr "$f" X-Shoper-Order-Paid)" = no ]
shop_ctl PUT "/__test/orders/$oid" '{"is_paid": true}' >/dev/null
check "order paid in the shop: a delivery shows X-Shoper-Order-Paid: yes" \
	until_hdr X-Shoper-Order-Paid '^yes$'
before=$(dc_hdr "$f" X-Shoper-Order-Status)
shop_ctl PUT "/__test/orders/$oid" '{"status_id": "8"}' >/dev/null
check "status changed: a delivery shows a new status (was: $before)" \
	until_hdr X-Shoper-Order-Status "" "$before"
shop_ctl POST "/__test/orders/$oid/parcels" '{"shipping_code":"55544433322211"}' >/dev/null
check "parcel sent: a delivery shows its tracking number" \
	until_hdr X-Shoper-Order-Tracking 55544433322211

shop_ctl POST /__test/webhooks/faults '{"kind": "bad_signature"}' >/dev/null
shop_ctl PUT "/__test/orders/$oid" '{"is_paid": false}' >/dev/null
sleep 2
f=$(deliver)
check "forged webhook: the delivery still shows paid (nothing changed)" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Paid)" = yes ]
check "forged webhook: refused with a log line" \
	grep -q "refused (401): bad X-Webhook-Sha1" "$T/daemon.log"

shop_ctl DELETE "/__test/orders/$oid" >/dev/null
t0=$(now_ms)
while :; do
	f=$(deliver)
	[ -z "$(dc_hdr "$f" X-Shoper-Order-Id)" ] && break
	[ $(($(now_ms) - t0)) -lt 20000 ] || break
	sleep 0.1
done
check "order deleted: a delivery has no order headers" \
	[ -z "$(dc_hdr "$f" X-Shoper-Order-Id)" ]
sed 's/^/# daemon: /' "$T/daemon.log" | tail -5
echo "1..$DC_TESTNUM"
