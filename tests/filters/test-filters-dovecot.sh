#!/bin/sh
# shoper-sync filters with real Dovecot: the generated Sieve script (as
# sieve_before) tags delivered mail with keywords, the user's own script
# keeps working, the virtual folders Shoper/Status/<name> list the mail by
# status over IMAP, nothing is rewritten when nothing changed, and a status
# renamed in the shop regenerates everything at the next sync.
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags

o_sent=$(fl_order jan@example.com 6 1 50.00)
o_wait=$(fl_order ewa@example.com 2 0 900.00)
[ -n "$o_sent" ] && [ -n "$o_wait" ]
ok $? "orders placed in the test shop"
fl_sync sync
ok $RC "shoper-sync sync"
F=$T/filters
check "sync wrote shoper.sieve" test -s "$F/shoper.sieve"
check "sievec compiled it" test -s "$F/shoper.svbin"
check "status name in the script" grep -q '"Wysłane"' "$F/shoper.sieve"
check "tags mode: the sieve_after script is there and does nothing" sh -c \
	"test -s '$F/shoper-after.svbin' && ! grep -q '^[^#]' '$F/shoper-after.sieve'"
check "virtual folder for Wysłane (modified UTF-7 directory)" \
	grep -q '^  KEYWORD $shoper_status_wyslane HEADER X-Shoper-Order-Status "Wysłane"$' \
	"$F/virtual/Wys&AUI-ane/dovecot-virtual"

before=$(ls -li --time-style=+%s.%N "$F/shoper.sieve" "$F/shoper.svbin" \
	"$F/shoper-after.sieve" "$F/shoper-after.svbin" \
	"$F/virtual/Wys&AUI-ane/dovecot-virtual")
sleep 1
fl_sync filters
check "filters run again: unchanged" \
	test "$RC" = 0 -a "$OUT" = "filters $F: unchanged"
fl_sync sync
after=$(ls -li --time-style=+%s.%N "$F/shoper.sieve" "$F/shoper.svbin" \
	"$F/shoper-after.sieve" "$F/shoper-after.svbin" \
	"$F/virtual/Wys&AUI-ane/dovecot-virtual")
check "no rewrite, no recompile when the statuses did not change" \
	test "$before" = "$after"

chmod 644 "$DC_INDEX" 2>/dev/null
dc_start
ok $? "dovecot started (sieve_before, virtual namespace)"
# alice's own script: still runs after the generated one
dc_sieve alice <<'EOS'
require ["fileinto", "mailbox"];
if header :contains "Subject" "personal" { fileinto :create "Personal"; }
EOS
dc_msg m1 jan@example.com | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_msg m2 ewa@example.com | dc_lmtp ewa@example.com alice@test.example >/dev/null
dc_msg m3 nobody@example.com | dc_lmtp nobody@example.com alice@test.example >/dev/null
dc_msg m4 jan@example.com "personal question" |
	dc_lmtp jan@example.com alice@test.example >/dev/null
fl_imap flags alice INBOX >"$T/inbox.flags"
sed 's/^/# /' "$T/inbox.flags"
check "shipped order: \$shoper_closed and the status keyword" \
	grep -qx 'm1 $shoper_closed $shoper_status_wyslane' "$T/inbox.flags"
check "unpaid new order: type, status and \$shoper_unpaid keywords" \
	grep -qx 'm2 $shoper_new $shoper_status_oczekuje_na_platnosc $shoper_unpaid' \
	"$T/inbox.flags"
check "mail without an order: no keyword" grep -qx 'm3' "$T/inbox.flags"
fl_imap flags alice Personal >"$T/personal.flags"
check "the user's own script filed m4, with the keywords" \
	grep -qx 'm4 $shoper_closed $shoper_status_wyslane' "$T/personal.flags"

fl_imap list alice 'Shoper/Status/*' >"$T/list"
check "virtual folders listed over IMAP" \
	grep -qx 'Shoper/Status/Oczekuje na płatność' "$T/list"
check "one virtual folder per status (11 in the test shop)" \
	test "$(grep -c . "$T/list")" = 11
check "Shoper/Status/Wysłane shows m1 and m4 (any folder)" \
	test "$(fl_imap ids alice 'Shoper/Status/Wysłane' | tr '\n' ' ')" = "m1 m4 "
check "Shoper/Status/Oczekuje na płatność shows m2" \
	test "$(fl_imap ids alice 'Shoper/Status/Oczekuje na płatność' | tr '\n' ' ')" = "m2 "
check "Shoper/Status/Nowe is empty" \
	test -z "$(fl_imap ids alice 'Shoper/Status/Nowe')"

# rename status 6 in the shop: the next sync regenerates the filters
shop_ctl PUT /__test/statuses/6 '{"name": "Wysłane kurierem", "lang": "pl_PL"}' >/dev/null
ok $? "status 6 renamed in the shop"
fl_sync sync
ok $RC "sync after the rename"
check "script has the new name" grep -q '"Wysłane kurierem"' "$F/shoper.sieve"
check_not "script lost the old name" grep -q '"Wysłane"' "$F/shoper.sieve"
check "svbin recompiled" \
	test "$(ls -li --time-style=+%s.%N "$F/shoper.svbin")" != \
	"$(echo "$before" | grep -F /shoper.svbin)"
check "old virtual folder removed" test ! -e "$F/virtual/Wys&AUI-ane"
check "new virtual folder" test -f "$F/virtual/Wys&AUI-ane kurierem/dovecot-virtual"
dc_msg m5 jan@example.com | dc_lmtp jan@example.com alice@test.example >/dev/null
fl_imap flags alice INBOX >"$T/inbox2.flags"
check "new mail gets the new status keyword" \
	grep -qx 'm5 $shoper_closed $shoper_status_wyslane_kurierem' "$T/inbox2.flags"
check "renamed virtual folder lists the new mail" \
	test "$(fl_imap ids alice 'Shoper/Status/Wysłane kurierem' | tr '\n' ' ')" = "m5 "
fl_imap list alice 'Shoper/Status/*' >"$T/list2"
check_not "old virtual folder gone over IMAP" \
	grep -qx 'Shoper/Status/Wysłane' "$T/list2"

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
