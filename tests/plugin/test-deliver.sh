#!/bin/sh
# The plugin at delivery with a private Dovecot and Pigeonhole: LMTP and
# dovecot-lda, Sieve filing by every header, forged and hostile headers,
# per-recipient scopes, match keys, a user without the plugin.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
trap 'dc_cleanup' EXIT INT TERM
# more scopes for one transaction: shoper_max_orders makes blocks differ
for u in "m1 1" "m2 2" "m3 3"; do
	set -- $u
	dc_user "$1" "userdb_shoper_shops=sklep1,sklep2 userdb_shoper_max_orders=$2"
done
dc_user s1 "userdb_shoper_shops=sklep1"
chown -R $DC_UID:$DC_UID "$T/home"
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"

# alice files a copy into one folder per header whose value is as expected
dc_sieve alice <<'S'
require ["fileinto", "mailbox"];
if header :is "X-Shoper-Order-Id" "777" { fileinto :create "h-id"; }
if header :is "X-Shoper-Shop" "sklep2" { fileinto :create "h-shop"; }
if header :is "X-Shoper-Order-Status" "Nowe" { fileinto :create "h-status"; }
if header :is "X-Shoper-Order-Status-Type" "new" { fileinto :create "h-type"; }
if header :is "X-Shoper-Order-Date" "2026-11-25 08:00:00" { fileinto :create "h-date"; }
if header :is "X-Shoper-Customer" "Jan Kowalski" { fileinto :create "h-customer"; }
if header :is "X-Shoper-Order-Total" "99.00 EUR" { fileinto :create "h-total"; }
if header :is "X-Shoper-Order-Paid" "no" { fileinto :create "h-paid"; }
if header :is "X-Shoper-Order-Url" "https://sklep2.example.pl/admin/orders/view/id/777" { fileinto :create "h-url"; }
if header :is "X-Shoper-Orders" "sklep2:777, sklep1:12345, sklep1:12001" { fileinto :create "h-orders"; }
if header :is "X-Shoper-Match" "from" { fileinto :create "h-match"; }
if header :is "X-Shoper-Synced" "2026-11-29 10:16:00" { fileinto :create "h-synced"; }
if header :is "X-Shoper-Order-Status" "Wysłane" { fileinto :create "h-utf8"; }
if header :is "X-Shoper-Order-Tracking" "00812345678901" { fileinto :create "h-tracking"; }
if header :is "X-Shoper-Order-Status-Type" "closed" { fileinto :create "closed"; }
if header :is "X-Shoper-Order-Status-Type" "in-progress" { fileinto :create "in-progress"; }
if header :is "X-Shoper-Order-Status-Type" "not-completed" { fileinto :create "not-completed"; }
if exists "X-Shoper-Forged" { fileinto :create "forged"; }
if header :contains "Subject" "plain original" { fileinto :create "h-plain"; }
keep;
S
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }

hdrs() { sed -n '1,/^\r\{0,1\}$/p' "$1"; }
count_shoper() { hdrs "$1" | grep -ci '^x-shoper'; }

# --- LMTP: filing by each header --------------------------------------
dc_msg m1 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
ok $? "LMTP delivery to alice accepted"
for h in id shop status type date customer total paid url orders match synced; do
	f=$(dc_find alice "h-$h" m1)
	check "Sieve filed by X-Shoper header ($h) at LMTP delivery" [ -n "$f" ]
done
f=$(dc_find alice "" m1)
check "the stored message is kept in INBOX too" [ -n "$f" ]
check "stored message carries X-Shoper-Order-Id 777 (newest order)" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = 777 ]
check "X-Shoper-Orders lists alice's shops newest first" \
	[ "$(dc_hdr "$f" X-Shoper-Orders)" = "sklep2:777, sklep1:12345, sklep1:12001" ]
check "no tracking header when the order has none" \
	[ -z "$(dc_hdr "$f" X-Shoper-Order-Tracking)" ]
check "no h-tracking copy" [ -z "$(dc_find alice h-tracking m1)" ]

# --- dovecot-lda: same mechanism --------------------------------------
dc_msg m2 'Ola <ola@example.com>' | dc_lda alice ola@example.com
ok $? "dovecot-lda delivery exits 0"
f=$(dc_find alice in-progress m2)
check "LDA: Sieve filed by status type in-progress" [ -n "$f" ]
check "LDA: X-Shoper-Order-Paid: no stored" [ "$(dc_hdr "$f" X-Shoper-Order-Paid)" = no ]
check "LDA: X-Shoper-Customer stored" [ "$(dc_hdr "$f" X-Shoper-Customer)" = "Ola Nowak" ]

# --- RFC 2047 status seen decoded by Sieve, over TCP LMTP ---------------
printf '{"shop":"sklep1","order_id":"1","date":"2026-01-01 00:00:00","status_name":"Wysłane","status_type":3,"total":"1","currency":"PLN","paid":true,"tracking":"00812345678901","email":"utf@example.com"}\n' \
	| cat "$TOP_SRCDIR/tests/plugin/orders.jsonl" - | dc_index
dc_msg m3 'utf@example.com' | dc_lmtp_tcp utf@example.com alice@test.example >/dev/null
f=$(dc_find alice h-utf8 m3)
check "Sieve matches the decoded non-ASCII status (header :is Wysłane)" [ -n "$f" ]
check "non-ASCII status stored as an RFC 2047 encoded-word" \
	sh -c "dc_hdr() { :; }; grep -q '^X-Shoper-Order-Status: =?utf-8?[qQbB]?' '$f'"
check "closed order filed by status type" [ -n "$(dc_find alice closed m3)" ]
check "tracking header present and filed" [ -n "$(dc_find alice h-tracking m3)" ]

# --- forged headers are removed ----------------------------------------
forged='X-Shoper-Order-Status-Type: closed
x-shoper-forged: lower case
X-SHOPER-ORDER-ID: 666
 666-continued
X-Shoper-Forged : space before colon
X-Shoper-Match:from
'
dc_msg m4 'evil@evil.test' 'hi' "$forged" | dc_lmtp evil@evil.test alice@test.example >/dev/null
f=$(dc_find alice "" m4)
check "forged mail stays in INBOX" [ -n "$f" ]
check "no forged header reaches Sieve (not filed as closed)" [ -z "$(dc_find alice closed m4)" ]
check "no forged header reaches Sieve (exists test)" [ -z "$(dc_find alice forged m4)" ]
check "no X-Shoper header stored for an unknown sender" [ "$(count_shoper "$f")" -eq 0 ]
check_not "folded continuation of a forged header removed" grep -q '666-continued' "$f"
check "rest of the message intact" grep -q '^body of m4' "$f"
{ printf 'X-Shoper-Order-Id: 1\n'; dc_msg m5 'Jan <jan@example.com>' 'x' 'X-Shoper-Order-Paid: yes
'; printf 'X-Shoper-Order-Id: in the body\n'; } | dc_lda alice jan@example.com
f=$(dc_find alice "" m5)
check "forged first/middle header replaced by ours" [ "$(hdrs "$f" | grep -c '^X-Shoper-Order-Id:')" -eq 1 ] 
check "our value wins over the forged one" [ "$(dc_hdr "$f" X-Shoper-Order-Paid)" = no ]
check "X-Shoper lines in the body are not touched" grep -q '^X-Shoper-Order-Id: in the body' "$f"
printf 'From: jan@example.com\nMessage-ID: <m6@test>\nX-Shoper-Order-Id: 5' | dc_lda alice jan@example.com
f=$(dc_find alice "" m6)
check "header-only message without blank line gets our headers only" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = 777 ]

# --- hostile values ------------------------------------------------------
dc_msg m7 'hostile@example.com' | dc_lmtp hostile@example.com alice@test.example >/dev/null
f=$(dc_find alice "" m7)
check "hostile: delivered with headers" [ "$(dc_hdr "$f" X-Shoper-Order-Id)" = 700 ]
check_not "hostile: no injected header line" grep -qi '^X-Injected\|^X-Evil' "$f"
check "hostile: no NUL or bare CR in the header" \
	sh -c "sed -n '1,/^\$/p' '$f' | tr -d '\n' | grep -q \"\$(printf '[\\001-\\010\\016-\\037\\r]')\" && exit 1 || exit 0"
check "hostile: every header line at most 998 bytes" \
	sh -c "sed -n '1,/^\$/p' '$f' | awk 'length > 998 { bad = 1 } END { exit bad }'"
check "hostile: unsafe URL left out" [ -z "$(dc_hdr "$f" X-Shoper-Order-Url)" ]
cust=$(hdrs "$f" | python3 -c '
import email, sys
from email.header import decode_header, make_header
m = email.message_from_string(sys.stdin.read())
v = str(make_header(decode_header(m["X-Shoper-Customer"])))
print("good" if len(v) <= 120 and v.startswith("Za\u017c\ufffd")
      and v.endswith("AAA") else "bad %d %r" % (len(v), v[:10]))')
check "hostile: 5000-char invalid UTF-8 customer cut, U+FFFD ($cust)" \
	[ "$cust" = good ]
check "hostile: status decoded clean" [ "$(dc_hdr "$f" X-Shoper-Order-Status)" = "Sent X-Injected: yes" ]
check "hostile: tracking control chars cleaned" [ "$(dc_hdr "$f" X-Shoper-Order-Tracking)" = "T1 T2" ]

# --- nothing to strip or add: Sieve and the store get the original --------
same_as_sent() {	# STORED SENT: Dovecot only puts its trace headers in front
	python3 -c 'import sys
a = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
b = open(sys.argv[2], "rb").read().replace(b"\r\n", b"\n")
sys.exit(0 if a.endswith(b) and b"X-Shoper-" not in a else 1)' "$1" "$2"
}
dc_msg p1 'Nobody <nobody@nowhere.test>' 'a plain original' >"$T/sent"
dc_lmtp nobody@nowhere.test alice@test.example <"$T/sent" >/dev/null
f=$(dc_find alice h-plain p1)
check "no orders, no X-Shoper lines: Sieve still tests the mail (LMTP)" [ -n "$f" ]
check "no orders, no X-Shoper lines: stored exactly as sent (LMTP)" \
	eval '[ -n "$f" ] && same_as_sent "$f" "$T/sent"'
dc_msg p2 'Nobody <nobody@nowhere.test>' 'a plain original' >"$T/sent"
dc_lda alice nobody@nowhere.test <"$T/sent"
f=$(dc_find alice h-plain p2)
check "no orders, no X-Shoper lines: Sieve still tests the mail (LDA)" [ -n "$f" ]
check "no orders, no X-Shoper lines: stored exactly as sent (LDA)" \
	eval '[ -n "$f" ] && same_as_sent "$f" "$T/sent"'

# --- match keys -----------------------------------------------------------
dc_msg m8 'nobody@nowhere.test' 'hi' 'Reply-To: "R" <ReplyTo@Example.com>
' | dc_lmtp nobody@nowhere.test alice@test.example >/dev/null
f=$(dc_find alice not-completed m8)
check "Reply-To key: matched and filed" [ -n "$f" ]
check "X-Shoper-Match: reply-to" [ "$(dc_hdr "$f" X-Shoper-Match)" = reply-to ]
dc_msg m9 'nobody@nowhere.test' | dc_lmtp env@example.com alice@test.example >/dev/null
f=$(dc_find alice closed m9)
check "envelope key: X-Shoper-Match: envelope, order 602" \
	[ "$(dc_hdr "$f" X-Shoper-Match) $(dc_hdr "$f" X-Shoper-Order-Id)" = "envelope 602" ]
dc_msg m10 'nobody@nowhere.test' 'Re: zamówienie 12001 - pytanie' | dc_lmtp nobody@nowhere.test alice@test.example >/dev/null
f=$(dc_find alice closed m10)
check "subject key: order named in Subject is the single order" \
	[ "$(dc_hdr "$f" X-Shoper-Match) $(dc_hdr "$f" X-Shoper-Order-Id)" = "subject 12001" ]
check "subject key: X-Shoper-Orders lists that customer's orders" \
	[ "$(dc_hdr "$f" X-Shoper-Orders)" = "sklep2:777, sklep1:12345, sklep1:12001" ]
dc_msg m11 'nobody@nowhere.test' 'Order #777' | dc_lmtp nobody@nowhere.test alice@test.example bob@test.example >/dev/null
check "subject key: order of a shop in scope matches (bob, sklep2)" \
	[ "$(dc_hdr "$(dc_find bob "" m11)" X-Shoper-Order-Id)" = 777 ]
dc_msg m12 'nobody@nowhere.test' 'Order #12345' | dc_lmtp nobody@nowhere.test bob@test.example >/dev/null
check "subject key: order number of another shop does not count (bob)" \
	[ "$(count_shoper "$(dc_find bob "" m12)")" -eq 0 ]
dc_msg m12b 'nobody@nowhere.test' 'Order #12345' | dc_lmtp nobody@nowhere.test dave@test.example >/dev/null
check "subject key: with shoper_shops = * every shop of the index counts (dave)" \
	[ "$(dc_hdr "$(dc_find dave "" m12b)" X-Shoper-Match) $(dc_hdr "$(dc_find dave "" m12b)" X-Shoper-Order-Id)" = "subject 12345" ]
dc_msg m13 'Jan <jan@example.com>' 'hi' 'Reply-To: ola@example.com
' | dc_lmtp env@example.com alice@test.example >/dev/null
check "From is tried before Reply-To and envelope" \
	[ "$(dc_hdr "$(dc_find alice "" m13)" X-Shoper-Match)" = from ]

# --- scopes: several recipients in one LMTP transaction -------------------
scope_test() {	# label
	dc_msg "s$1" 'Jan <jan@example.com>' 'hi' 'X-Shoper-Order-Id: 1
' | dc_lmtp jan@example.com carol@test.example bob@test.example alice@test.example dave@test.example >/dev/null
	ok $? "$1: LMTP transaction to carol, bob, alice, dave accepted"
	check "$1: bob's copy has only sklep2" \
		[ "$(dc_hdr "$(dc_find bob "" "s$1")" X-Shoper-Orders)" = "sklep2:777" ]
	check "$1: alice's copy has both shops" \
		[ "$(dc_hdr "$(dc_find alice "" "s$1")" X-Shoper-Orders)" = "sklep2:777, sklep1:12345, sklep1:12001" ]
	check "$1: dave (*) has all shops" \
		[ "$(dc_hdr "$(dc_find dave "" "s$1")" X-Shoper-Orders)" = "sklep2:777, sklep1:12345, sklep1:12001" ]
	f=$(dc_find carol "" "s$1")
	check "$1: carol (no shoper_shops) gets no headers of ours" \
		[ "$(dc_hdr "$f" X-Shoper-Orders)" = "" ]
	check "$1: carol's forged X-Shoper-Order-Id removed too (plugin inactive)" \
		[ "$(count_shoper "$f")" -eq 0 ]
	check "$1: bob's copy has exactly one X-Shoper-Order-Id" \
		[ "$(hdrs "$(dc_find bob "" "s$1")" | grep -c '^X-Shoper-Order-Id:')" -eq 1 ]
	# ola's orders are all in sklep1: nothing for bob, after alice's copy
	dc_msg "o$1" 'Ola <ola@example.com>' | dc_lmtp ola@example.com alice@test.example bob@test.example dave@test.example >/dev/null
	check "$1: alice gets ola's order" [ "$(dc_hdr "$(dc_find alice "" "o$1")" X-Shoper-Order-Id)" = 600 ]
	check "$1: bob after alice gets the original, not alice's copy" \
		[ "$(count_shoper "$(dc_find bob "" "o$1")")" -eq 0 ]
	check "$1: dave after bob gets ola's order" [ "$(dc_hdr "$(dc_find dave "" "o$1")" X-Shoper-Order-Id)" = 600 ]
	dc_msg "f$1" 'Ola <ola@example.com>' 'hi' 'X-Shoper-Order-Status-Type: closed
' | dc_lmtp ola@example.com alice@test.example bob@test.example >/dev/null
	check "$1: forged header stripped for bob (nothing to add)" \
		[ "$(count_shoper "$(dc_find bob "" "f$1")")" -eq 0 ]
	check "$1: alice's copy has our status type only" \
		[ "$(dc_hdr "$(dc_find alice "" "f$1")" X-Shoper-Order-Status-Type)" = in-progress ]
}
# more scopes in one transaction than the plugin keeps copies for: five
# different header blocks (shops, shoper_max_orders), then dave, whose
# block equals alice's (the first copy, long freed)
dc_msg many 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example m1@test.example m2@test.example bob@test.example s1@test.example m3@test.example dave@test.example >/dev/null
ok $? "one transaction to seven recipients of six scopes accepted"
many_ok=0
for want in "alice sklep2:777, sklep1:12345, sklep1:12001" "m1 sklep2:777" \
	"m2 sklep2:777, sklep1:12345" "bob sklep2:777" \
	"s1 sklep1:12345, sklep1:12001" \
	"m3 sklep2:777, sklep1:12345, sklep1:12001" \
	"dave sklep2:777, sklep1:12345, sklep1:12001"; do
	u=${want%% *}
	got=$(dc_hdr "$(dc_find "$u" "" many)" X-Shoper-Orders)
	[ "$got" = "${want#* }" ] || { many_ok=1; echo "# $u: '$got'"; }
done
ok $many_ok "each of the seven recipients got its own scope's X-Shoper-Orders"

scope_test sieve
# without Sieve, LMTP hands recipients 2..n the first saved copy
dc_stop
dc_delivery_plugins shoper
dc_start || { echo "Bail out! dovecot did not restart"; exit 1; }
scope_test nosieve
dc_msg s2 'Jan <jan@example.com>' | dc_lmtp jan@example.com bob@test.example alice@test.example >/dev/null
check "nosieve: alice after bob still gets her own scope" \
	[ "$(dc_hdr "$(dc_find alice "" s2)" X-Shoper-Orders)" = "sklep2:777, sklep1:12345, sklep1:12001" ]

echo "1..$DC_TESTNUM"
