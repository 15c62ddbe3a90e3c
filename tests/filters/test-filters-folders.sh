#!/bin/sh
# filters_mode = tags+folders: the generated script also files mail into a
# folder per status type (filters_folders prefix), with the keywords.
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags+folders
fl_order jan@example.com 6 1 50.00 >/dev/null
ok $? "order placed in the test shop"
fl_sync sync
ok $RC "shoper-sync sync"
check "script files into Orders/Closed" \
	grep -q 'fileinto :create "Orders/Closed"' "$T/filters/shoper.sieve"
dc_start
ok $? "dovecot started"
dc_msg f1 jan@example.com "urgent question" | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_msg f2 nobody@example.com | dc_lmtp nobody@example.com alice@test.example >/dev/null
fl_imap flags alice Orders/Closed >"$T/closed"
sed 's/^/# /' "$T/closed"
check "f1 filed into Orders/Closed with its keywords" \
	grep -q '^f1 $shoper_closed $shoper_status_wyslane' "$T/closed"
fl_imap ids alice INBOX >"$T/inbox"
check "f1 not also kept in INBOX" test "$(cat "$T/inbox")" = "f2"
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
