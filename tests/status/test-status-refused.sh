#!/bin/sh
# A move the IMAP module refuses gets a visible outcome, like a shop's
# refusal: $ShoperStatusFailed on the copy and a short notice next to it
# (Polish and English by default, from shoper_notice_from, no bounce), and
# no request. Per user: shoper_notice_language, _from, _text.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
st_notice_user erin

use sklep1
A1=$(new_order a1@example.com) A2=$(new_order a2@example.com)
st_first_sync
deliver a1 a1@example.com alice
deliver a2 a2@example.com erin
dc_msg plain someone@example.net "no order" | dc_lmtp someone@example.net alice@test.example >/dev/null
W2=Shoper.sklep2.Wysłane
text() { $PY text $DC_IMAP_PORT "$1" "$2" "$3"; }
nq() { ls "$T/index/queue" 2>/dev/null | grep -c '\.req$'; }

check "alice moves sklep1's a1 into sklep2's folder" $PY move $DC_IMAP_PORT alice INBOX a1 $W2
check "no request queued" [ "$(nq)" -eq 0 ]
check "the moved message is marked \$ShoperStatusFailed" has_flag alice $W2 a1 '$ShoperStatusFailed'
check "a notice next to it, in English" \
	[ "$(text alice $W2 'Reason: the folder belongs to another shop')" -eq 1 ]
check "and in Polish" [ "$(text alice $W2 'Przeniesienie wiadomo')" -eq 1 ]
check "naming the order" [ "$(text alice $W2 "Order $A1 (sklep1): status not changed")" -eq 1 ]
check "with an X-Shoper-Notice header for clients" [ "$(text alice $W2 "sklep1:$A1")" -ge 1 ]
check "from the default sender" [ "$(text alice $W2 'shoper-status@localhost')" -eq 1 ]
check "not from MAILER-DAEMON" [ "$(text alice $W2 'MAILER-DAEMON')" -eq 0 ]
check "the message and the notice: 2 in the folder" [ "$($PY count $DC_IMAP_PORT alice $W2)" -eq 2 ]

check "alice copies a message without order headers into a status folder" \
	$PY copy $DC_IMAP_PORT alice INBOX plain Shoper.sklep1.Wysłane
check "it is marked \$ShoperStatusFailed" has_flag alice Shoper.sklep1.Wysłane plain '$ShoperStatusFailed'
check "its notice says there is no order" \
	[ "$(text alice Shoper.sklep1.Wysłane 'Reason: the message is about no order')" -eq 1 ]

# APPEND is no move: nothing to refuse, no notice
dc_msg app c@example.com q | $PY append $DC_IMAP_PORT alice Shoper.sklep1.Nowe
check "an APPENDed message gets no notice" [ "$($PY count $DC_IMAP_PORT alice Shoper.sklep1.Nowe)" -eq 1 ]
check_not "nor a keyword" has_flag alice Shoper.sklep1.Nowe app '$ShoperStatus'

# erin (sklep1 only): a message from someone else with a2's headers
dc_msg x2 mallory@example.net q "X-Shoper-Shop: sklep1
X-Shoper-Order-Id: $A2
" | $PY append $DC_IMAP_PORT erin INBOX
check "erin moves a made-up message of order $A2" $PY move $DC_IMAP_PORT erin INBOX x2 Shoper.Wysłane
check "marked failed" has_flag erin Shoper.Wysłane x2 '$ShoperStatusFailed'
check "erin's notice: her wording" \
	[ "$(text erin Shoper.Wysłane "Custom:$A2/sklep1/Shoper.Wys")" -eq 1 ]
check "with the reason" [ "$(text erin Shoper.Wysłane "Reason: the message is not from this order's customer")" -eq 1 ]
check "English only" [ "$(text erin Shoper.Wysłane 'Przeniesienie')" -eq 0 ] &&
	[ "$(text erin Shoper.Wysłane 'Powod')" -eq 0 ]
check "from her sender" [ "$(text erin Shoper.Wysłane 'support@shop.example')" -eq 1 ]
check "no request queued" [ "$(nq)" -eq 0 ]
# a good move still works and gets no notice
check "erin moves a2 itself" $PY move $DC_IMAP_PORT erin INBOX a2 Shoper.Wysłane
check "one request queued" [ "$(nq)" -eq 1 ]
check_not "a2 not marked failed" has_flag erin Shoper.Wysłane a2 '$ShoperStatusFailed'
echo "1..$DC_TESTNUM"
