#!/bin/sh
# Each virtual folder Shoper/Status/<name> shows exactly the mail of its
# status, also when another status's name contains it ("Wysłane" and
# "Wysłane do paczkomatu", IMAP SEARCH HEADER being a case-insensitive
# substring match) or differs from it only in case ("NOWE" and "Nowe",
# equal to Sieve's default comparator); each message gets exactly one
# status keyword.
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags
s_locker=$(shop_ctl POST /__test/statuses '{"name": "Wysłane do paczkomatu", "type": 3}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["status_id"])')
s_upper=$(shop_ctl POST /__test/statuses '{"name": "NOWE", "type": 1}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["status_id"])')
[ -n "$s_locker" ] && [ -n "$s_upper" ]
ok $? "statuses 'Wysłane do paczkomatu' and 'NOWE' added to the test shop"
fl_order jan@example.com 6 1 >/dev/null &&
	fl_order ewa@example.com "$s_locker" 1 >/dev/null &&
	fl_order ola@example.com "$s_upper" 1 >/dev/null &&
	fl_order ula@example.com 1 1 >/dev/null
ok $? "one order in each of the four statuses"
fl_sync sync
ok $RC "shoper-sync sync"
dc_start
ok $? "dovecot started"
dc_msg m1 jan@example.com | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_msg m2 ewa@example.com | dc_lmtp ewa@example.com alice@test.example >/dev/null
dc_msg m3 ola@example.com | dc_lmtp ola@example.com alice@test.example >/dev/null
dc_msg m4 ula@example.com | dc_lmtp ula@example.com alice@test.example >/dev/null
fl_imap flags alice INBOX >"$T/flags"
sed 's/^/# /' "$T/flags"
for m in m1 m2 m3 m4; do
	n=$(grep "^$m " "$T/flags" | tr ' ' '\n' | grep -c '^\$shoper_status_')
	check "$m has exactly one status keyword" test "$n" = 1
done
check "the four messages have four different status keywords" test \
	"$(grep -o '\$shoper_status_[a-z0-9_]*' "$T/flags" | sort -u | wc -l)" = 4
check "Shoper/Status/Wysłane shows only m1" \
	test "$(fl_imap ids alice 'Shoper/Status/Wysłane' | tr '\n' ' ')" = "m1 "
check "Shoper/Status/Wysłane do paczkomatu shows only m2" \
	test "$(fl_imap ids alice 'Shoper/Status/Wysłane do paczkomatu' | tr '\n' ' ')" = "m2 "
check "Shoper/Status/NOWE shows only m3" \
	test "$(fl_imap ids alice 'Shoper/Status/NOWE' | tr '\n' ' ')" = "m3 "
check "Shoper/Status/Nowe shows only m4" \
	test "$(fl_imap ids alice 'Shoper/Status/Nowe' | tr '\n' ' ')" = "m4 "
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
