#!/bin/sh
# filters_mode = tags+folders: mail with an order is filed into a folder per
# status type (filters_folders prefix), with the keywords. The filing is
# done by the generated sieve_after script, so a user's own script still
# runs on order mail first: its fileinto and redirect happen, and only mail
# it keeps is filed by status type.
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags+folders
fl_order jan@example.com 6 1 50.00 >/dev/null
ok $? "order placed in the test shop"
fl_sync sync
ok $RC "shoper-sync sync"
check "the sieve_after script files into Orders/Closed" \
	grep -q 'fileinto :create "Orders/Closed"' "$T/filters/shoper-after.sieve"
check "sievec compiled the sieve_after script" test -s "$T/filters/shoper-after.svbin"
fl_sync filters --print
check "filters --print shows both scripts" sh -c \
	"printf '%s' \"\$1\" | grep -q '^# --- shoper-after.sieve' && printf '%s' \"\$1\" | grep -q 'addflag'" x "$OUT"
dc_start
ok $? "dovecot started"
# alice's own script: files and redirects some order mail, flags other
dc_sieve alice <<'EOS'
require ["fileinto", "mailbox", "imap4flags"];
if header :contains "Subject" "personal" {
  fileinto :create "Personal";
  redirect "colleague@example.com";
}
if header :contains "Subject" "mine" { addflag "$mine"; }
EOS
dc_msg f1 jan@example.com "urgent question" | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_msg f2 nobody@example.com | dc_lmtp nobody@example.com alice@test.example >/dev/null
dc_msg f3 jan@example.com "personal question" | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_msg f4 jan@example.com "mine" | dc_lmtp jan@example.com alice@test.example >/dev/null
fl_imap flags alice Orders/Closed >"$T/closed"
sed 's/^/# /' "$T/closed"
check "f1 filed into Orders/Closed with its keywords" \
	grep -q '^f1 $shoper_closed $shoper_status_wyslane$' "$T/closed"
fl_imap ids alice INBOX >"$T/inbox"
check "only the mail without an order stays in INBOX" test "$(cat "$T/inbox")" = "f2"
fl_imap flags alice Personal >"$T/personal" 2>/dev/null
sed 's/^/# /' "$T/personal"
check "the personal fileinto ran on order mail (f3 in Personal, with keywords)" \
	grep -q '^f3 $shoper_closed $shoper_status_wyslane$' "$T/personal"
check "the personal redirect ran on order mail (f3 in the outbox)" \
	sh -c "grep -l '^Message-ID: <f3@test>' '$T'/outbox/* >/dev/null 2>&1"
check_not "mail the personal script filed is not filed by status type too" \
	grep -q '^f3' "$T/closed"
check "a personal addflag reaches the copy filed by status type" \
	grep -q '^f4 \$mine \$shoper_closed \$shoper_status_wyslane$' "$T/closed"
# dave has no script of his own: before and after run back to back
dc_msg f5 jan@example.com | dc_lmtp jan@example.com dave@test.example >/dev/null
check "without a personal script order mail is filed by status type" \
	test "$(fl_imap ids dave Orders/Closed)" = "f5"
check_not "the generated sieve_before never cancels the implicit keep" \
	grep -q 'fileinto' "$T/filters/shoper.sieve"
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
