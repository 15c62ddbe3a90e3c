#!/bin/sh
# The Roundcube plugin (contrib/roundcube/shoper) in a real browser:
# Debian's Roundcube under `php -S`, headless Chromium through Selenium,
# against the private Dovecot (imap_shoper, status folders) and the test
# shops. Reads the order card (links, badges, decoded Polish text), sets a
# status from the card (the shop gets the PUT, the list badge turns to
# done), a refused one shows the shop's reason, and a stranger's mail with
# forged headers shows no card. Screenshots: build/tests/artifacts/roundcube/.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
. "$TOP_SRCDIR/tests/roundcube/rc-lib.sh"
rc_require
# The plan up front: a check that never ran counts as failed (the
# runner fails a script that reports fewer results than its plan). Add
# one per check, rc_checks's count per browser step.
echo "1..31"
T0=$(date +%s)
st_setup
trap 'rc_stop; st_cleanup' EXIT

use sklep1
# sklep1's own order of statuses is neither by id nor by name: Zwrócone
# (10) first, Nowe (1) last
shop_ctl PUT /__test/statuses/10 '{"order": 0}' >/dev/null
shop_ctl PUT /__test/statuses/1 '{"order": 50}' >/dev/null
A=$(shop_ctl POST /__test/orders '{"email": "grzegorz@example.com", "firstname": "Grzegorz", "lastname": "Wójcik", "sum": "218.99", "status_id": "1", "shipping_id": "2", "is_paid": true}' |
	jget "['order_id']")
TRACK=59509325558394
shop_ctl POST "/__test/orders/$A/parcels" "{\"shipping_code\": \"$TRACK\", \"sent\": false}" >/dev/null
use sklep2
B=$(shop_ctl POST /__test/orders '{"email": "bartlomiej@example.com", "firstname": "Bartłomiej", "lastname": "Ślęzak", "sum": "104.48", "status_id": "1", "is_paid": false}' |
	jget "['order_id']")
shop_ctl POST /__test/config "{\"reject_status_change\": {\"order_id\": \"$B\", \"error_description\": \"Zamówienie zablokowane\"}}" >/dev/null
st_first_sync
printf 'From: =?utf-8?q?Grzegorz_W=C3=B3jcik?= <grzegorz@example.com>\nTo: support@test.example\nSubject: =?utf-8?q?Gdzie_jest_moja_paczka=3F?=\nMessage-ID: <m1@test>\nDate: Sat, 29 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nDzień dobry,\nbody of m1\n' |
	dc_lmtp grzegorz@example.com alice@test.example >/dev/null
dc_msg m2 bartlomiej@example.com "Jak zapłacić?" | dc_lmtp bartlomiej@example.com alice@test.example >/dev/null
# a stranger forges the headers of sklep1's order: delivery strips them
dc_msg m3 stranger@example.net "question" "X-Shoper-Shop: sklep1
X-Shoper-Order-Id: $A
X-Shoper-Customer: Mallory
" | dc_lmtp stranger@example.net alice@test.example >/dev/null
M1=$(dc_find alice "" m1)
check "m1 delivered with the order's headers" [ -n "$(dc_hdr "$M1" X-Shoper-Order-Id)" ]
dec() { dc_hdr "$M1" "$1" | $SHOP_PYTHON -c 'import sys, email.header as h; print(str(h.make_header(h.decode_header(sys.stdin.read().strip()))))'; }
URL=$(dec X-Shoper-Order-Url) TURL=$(dec X-Shoper-Order-Tracking-Url)
STATUS=$(dec X-Shoper-Order-Status) SHIPPING=$(dec X-Shoper-Order-Shipping)
check "m1 has an admin URL and a tracking URL" [ -n "$URL" ] && [ -n "$TURL" ]
uid() { $PY uid $DC_IMAP_PORT alice "$1" "$2"; }
U1=$(uid INBOX m1) U2=$(uid INBOX m2) U3=$(uid INBOX m3)
# Odrzucone (9) retired after its folder was made: the folder stays
$PY list $DC_IMAP_PORT alice >/dev/null
use sklep1
shop_ctl PUT /__test/statuses/9 '{"active": 0}' >/dev/null
run_sync
check "the retired status keeps its folder" \
	sh -c "$PY list $DC_IMAP_PORT alice | grep -qx Shoper.sklep1.Odrzucone"
S1="Zwrócone|Oczekuje na płatność|Przyjęte do realizacji|W trakcie kompletowania|Gotowe do wysyłki|Wysłane|Zrealizowane|Anulowane|Nowe"

"$SYNC" -c "$CONF" daemon >"$T/daemon.out" 2>&1 &
DAEMON_PID=$!
rc_start pl_PL || { echo "not ok - roundcube did not start"; exit 1; }
echo "# setup took $(($(date +%s) - T0)) s"
T1=$(date +%s)

rc_browser card alice INBOX "$U1" "title=sklep1 #$A" "href=$URL" \
	"status=$STATUS" "paid=opłacone" "customer=Grzegorz Wójcik" \
	"tracking=$TRACK" "tracking_href=$TURL" "shipping=$SHIPPING" \
	"orders=sklep1:$A" "age=dane sklepu z" shot=card
check "the card links the admin URL of the order ($URL)" [ -n "$URL" ]
grep -F "'options': '" "$T/browser.out" | sed "s/.*'options': '\([^']*\)'.*/\1/" >"$T/options"
check "\"Set status\" offers sklep1's active statuses in the shop's order" \
	[ "$(cat "$T/options")" = "$S1" ]
check_not "the retired Odrzucone is not offered" grep -q Odrzucone "$T/options"
rc_browser nocard alice INBOX "$U3"

use sklep1
PUTS0=$(counter status_puts)
rc_browser set alice INBOX "$U1" "Wysłane"
check "the shop got the PUT" wait_for 120 sh -c "[ \"\$($(command -v "$SHOP_PYTHON") $TOP_SRCDIR/tests/shop/shopctl.py --url $SHOP_URL --ca $SHOP_CA GET /__test/counters | sed -n 's/.*\"status_puts\": *\([0-9]*\).*/\1/p')\" -gt $PUTS0 ]"
check "order $A is Wysłane in the shop" [ "$(shop_status "$A")" = 6 ]
rc_browser badge alice Shoper.sklep1.Wysłane "Gdzie jest moja paczka" done
rc_browser card alice Shoper.sklep1.Wysłane "$(uid Shoper.sklep1.Wysłane m1)" \
	"outcome=Status zmieniony" shot=card-done

rc_browser set alice INBOX "$U2" "Anulowane"
rc_browser badge alice Shoper.sklep2.Anulowane "Jak zapłacić" failed
use sklep2
check "order $B unchanged in the shop" [ "$(shop_status "$B")" = 1 ]
rc_browser card alice Shoper.sklep2.Anulowane "$(uid Shoper.sklep2.Anulowane m2)" \
	"outcome=Zamówienie zablokowane" "paid=nieopłacone" shot=card-failed
echo "# browser steps took $(($(date +%s) - T1)) s"
[ "$DC_FAILED" -eq 0 ]
