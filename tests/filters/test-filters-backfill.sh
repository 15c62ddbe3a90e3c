#!/bin/sh
# shoper-sync tag-existing: mail stored before the integration (carol has
# no shoper_shops, so no X-Shoper-* headers and no keywords at delivery)
# gets the order keywords from the current index through doveadm.
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags
sed -i "/^filters_mode/a doveadm_config = $T/conf/dovecot.conf" "$FL_CONF"
fl_order jan@example.com 6 1 50.00 >/dev/null &&
	fl_order ewa@example.com 2 0 900.00 >/dev/null
ok $? "orders placed in the test shop"
fl_sync sync
ok $RC "shoper-sync sync"
dc_start
ok $? "dovecot started"
dc_msg b1 'Jan <Jan@Example.com>' | dc_lmtp jan@example.com carol@test.example >/dev/null
dc_msg b2 ewa@example.com | dc_lmtp ewa@example.com carol@test.example >/dev/null
dc_msg b3 nobody@example.com | dc_lmtp nobody@example.com carol@test.example >/dev/null
fl_imap flags carol INBOX >"$T/before"
check "stored without keywords" test "$(cat "$T/before" | tr '\n' ' ')" = "b1 b2 b3 "

fl_sync tag-existing -u carol --since 2099-01-01
check "--since after the mail: nothing tagged" \
	sh -c "test $RC = 0 && echo '$OUT' | grep -q '^0 messages, 0 with an order'"
fl_sync tag-existing -u carol --dry-run
check "--dry-run lists what it would add" \
	sh -c "echo '$OUT' | grep -q '^would add \$shoper_closed \$shoper_status_wyslane: uid '"
check "--dry-run changes nothing" \
	test "$(fl_imap flags carol INBOX | tr '\n' ' ')" = "b1 b2 b3 "
fl_sync tag-existing -u carol --mailbox INBOX --since 2020-01-01
ok $RC "tag-existing ran"
check "counts: 3 messages, 2 with an order" \
	sh -c "echo '$OUT' | grep -q '^3 messages, 2 with an order'"
fl_imap flags carol INBOX >"$T/after"
sed 's/^/# /' "$T/after"
check "b1 (From with a display name, other case): closed + status" \
	grep -qx 'b1 $shoper_closed $shoper_status_wyslane' "$T/after"
check "b2: new, unpaid, status" \
	grep -qx 'b2 $shoper_new $shoper_status_oczekuje_na_platnosc $shoper_unpaid' "$T/after"
check "b3 (no order): untouched" grep -qx 'b3' "$T/after"
check "no X-Shoper-* headers: the header-based virtual folder stays empty" \
	test "$(fl_imap ids carol 'Shoper/Status/Wysłane')" = ""
fl_sync tag-existing
check "usage error without -u" test "$RC" = 2

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
