#!/bin/sh
# Status requests kept while their shop is out of reach (test shops over
# TLS, a private Dovecot, IMAP): keeping a request changes nothing of its
# trust (a forged one behind a real one is checked, not set aside and
# rewritten as shoper-sync's own); a kept request is carried out only if
# the order did not change in the shop after it (else refused, marked and
# explained), and no request is carried out after status_request_max_age.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup

use sklep1
A1=$(new_order a1@example.com); A2=$(new_order a2@example.com)
A3=$(new_order a3@example.com); A4=$(new_order a4@example.com)
st_first_sync
for m in a1 a3; do deliver $m $m@example.com alice; done
W1=Shoper.sklep1.Wysłane
text() { $PY text $DC_IMAP_PORT alice $W1 "$1"; }
due() {	# every kept request's next try has come (wherever it is kept)
	for f in "$KEPT"/*.work "$T"/index/queue/*.work; do
		[ -e "$f" ] && touch -d '-2 hours' "$f"
	done
}

GOOD_CONF=$T/good.conf
cp "$CONF" "$GOOD_CONF"
DEAD=$($DC_PY port)
sed "s|^url = $URL_sklep1\$|url = https://127.0.0.1:$DEAD|" "$GOOD_CONF" >"$CONF"

# --- sklep1 down: alice's moves are kept; a forged request is not ---
check "alice moves a1 to Wysłane" $PY move $DC_IMAP_PORT alice INBOX a1 $W1
check "and a3" $PY move $DC_IMAP_PORT alice INBOX a3 $W1
# a .work as a crash would leave it, without a user, by the mail uid: it
# comes after the .req files, when the shop is already known to be down
st_forge work "$(date +%s)" "" sklep1 "$A2" 8 "" 0
run_sync
check "alice's requests kept" [ "$(nkept)" -eq 2 ]
check "the forged one checked at once and refused" \
	grep -q "order=$A2 .*result=failed: request without a user written by uid $DC_UID" "$T/sync.out"
check "not kept" [ ! -e "$KEPT/$(hex sklep1).$A2.work" ]
check "nothing left in the shared queue" [ "$(ls "$T/index/queue" | grep -c 'work$')" -eq 0 ]

# meanwhile, in the shop's panel (two minutes later on its clock): A1 is
# cancelled, A3 set to Wysłane already
use sklep1
shop_ctl POST /__test/clock '{"advance": 120}' >/dev/null
shop_ctl PUT "/__test/orders/$A1" '{"status_id": "8"}' >/dev/null
shop_ctl PUT "/__test/orders/$A3" '{"status_id": "6"}' >/dev/null
check "A1 cancelled in the shop" [ "$(shop_status $A1)" = 8 ]
PUTS0=$(counter status_puts)

# --- sklep1 back, the kept requests' time has come ---
cp "$GOOD_CONF" "$CONF"
due
run_sync
use sklep1
check "the newer change in the shop stays (A1 still cancelled)" \
	[ "$(shop_status $A1)" = 8 ]
check "refused with the reason" \
	grep -q "order=$A1 .*result=failed: the order's status was changed in the shop at .*after this request" "$T/sync.out"
check "a1 marked \$ShoperStatusFailed" has_flag alice $W1 a1 '$ShoperStatusFailed'
check "the notice says why" [ "$(text 'changed in the shop')" -eq 1 ]
check "and that shoper-sync refused" [ "$(text 'shoper-sync refused to set order')" -eq 1 ]
check "A3, already where the request wants it, counts as done" \
	grep -q "order=$A3 .*result=done" "$T/sync.out"
check "a3 marked \$ShoperStatusDone" has_flag alice $W1 a3 '$ShoperStatusDone'
check "no PUT for either" [ "$(counter status_puts)" -eq "$PUTS0" ]
check "the forged request never changed A2" [ "$(shop_status $A2)" = 1 ]
check "nothing kept any more" [ "$(nkept)" -eq 0 ]

# --- a request older than status_request_max_age ---
sed "s|^\[sync\]\$|[sync]\\
status_request_max_age = 600|" "$GOOD_CONF" >"$T/age.conf"
check "the key is accepted" grep -q '^status_request_max_age = 600$' "$T/age.conf"
dc_msg a4 a4@example.com q | $PY append $DC_IMAP_PORT alice $W1
st_forge req "$(($(date +%s) - 3600))" alice sklep1 "$A4" 6 $W1 \
	"$($PY uid $DC_IMAP_PORT alice $W1 a4)"
run_sync "$T/age.conf"
check "an hour-old request not carried out" [ "$(shop_status $A4)" = 1 ]
check "refused as too old" \
	grep -q "order=$A4 .*result=failed: the request waited longer than status_request_max_age (600 s)" "$T/sync.out"
check "a4 marked \$ShoperStatusFailed" has_flag alice $W1 a4 '$ShoperStatusFailed'
check "the notice says why" [ "$(text 'longer than status_request_max_age')" -eq 1 ]
printf '[sync]\nstatus_request_max_age = 10\n[shop s]\nurl = https://127.0.0.1:1\nlogin = a\npassword_file = /nonexistent\n' >"$T/bad.conf"
"$SYNC" -c "$T/bad.conf" sync >"$T/bad.out" 2>&1
check "a max age under a minute is refused" \
	grep -q 'status_request_max_age = 10 is not a whole number from 60' "$T/bad.out"

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
