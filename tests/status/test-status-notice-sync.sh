#!/bin/sh
# shoper-sync's notice of a refused status change follows the IMAP
# module's notice settings (doc/status-change.md): by default Polish and
# English, from "Shoper <shoper-status@localhost>" (not MAILER-DAEMON),
# Auto-Submitted: auto-generated, X-Shoper-Notice; per user (userdb)
# shoper_notice_language, _from and _text; set for everyone in
# dovecot.conf (read through doveadm config, 2.3 and 2.4).
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
st_notice_user erin
text() { $PY text $DC_IMAP_PORT "$1" "$2" "$3"; }
hdr() { $PY header $DC_IMAP_PORT "$1" "$2" "$3" "$4"; }	# USER BOX NAME TEXT

use sklep1
N1=$(new_order n1@example.com) N2=$(new_order n2@example.com)
N3=$(new_order n3@example.com)
rule() { printf '{"order_id": "%s", "error_description": "Zamowienie zablokowane"}' "$1"; }
shop_ctl POST /__test/config "{\"reject_status_change\": [$(rule $N1), $(rule $N2), $(rule $N3)]}" >/dev/null
st_first_sync
deliver n1 n1@example.com alice
deliver n2 n2@example.com erin
deliver n3 n3@example.com alice

A=Shoper.sklep1.Anulowane
check "alice moves n1 into $A" $PY move $DC_IMAP_PORT alice INBOX n1 $A
check "erin moves n2 into Shoper.Anulowane" $PY move $DC_IMAP_PORT erin INBOX n2 Shoper.Anulowane
run_sync
check "the shop refused both" [ "$(grep -c 'result=failed: .*Zamowienie zablokowane' "$T/sync.out")" -eq 2 ]
check "alice's copy is marked \$ShoperStatusFailed" has_flag alice $A n1 '$ShoperStatusFailed'
check "a notice next to it, in Polish" [ "$(text alice $A "Sklep odm")" -eq 1 ]
check "and in English" [ "$(text alice $A "The shop refused to set order $N1 to status 8")" -eq 1 ]
check "with the shop's reason" [ "$(text alice $A 'Reason: shop sklep1')" -eq 1 ]
check "the subject names the order" [ "$(text alice $A "Order $N1 (sklep1): status not changed")" -eq 1 ]
check "from the default sender" [ "$(hdr alice $A From 'Shoper <shoper-status@localhost>')" -eq 1 ]
check "not from MAILER-DAEMON" [ "$(text alice $A 'MAILER-DAEMON')" -eq 0 ]
check "Auto-Submitted: auto-generated" [ "$(hdr alice $A Auto-Submitted auto-generated)" -eq 1 ]
check "X-Shoper-Notice for clients" [ "$(hdr alice $A X-Shoper-Notice "sklep1:$N1")" -eq 1 ]

E=Shoper.Anulowane
check "erin's notice: her first line" [ "$(text erin $E "Custom:$N2/sklep1/$E.")" -eq 1 ]
check "English only" [ "$(text erin $E "The shop refused to set order $N2")" -eq 1 ] &&
	[ "$(text erin $E 'Sklep odm')" -eq 0 ]
check "from her sender" [ "$(hdr erin $E From 'support@shop.example')" -eq 1 ]
check "the reason still there" [ "$(text erin $E 'zablokowane')" -eq 1 ]

# for everyone in dovecot.conf: Polish only, another sender
dc_set shoper_notice_language pl
dc_set shoper_notice_from obsluga@shop.example
O=Shoper.sklep1.Odrzucone
check "alice moves n3 into $O" $PY move $DC_IMAP_PORT alice INBOX n3 $O
run_sync
check "notice from the configured sender" [ "$(hdr alice $O From 'obsluga@shop.example')" -eq 1 ]
check "in Polish" [ "$(text alice $O 'Sklep odm')" -eq 1 ]
check "only" [ "$(text alice $O 'The shop refused')" -eq 0 ]
check "the subject in Polish" [ "$(text alice $O "(sklep1): status nie zmieniony")" -eq 1 ]
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
