#!/bin/sh
# The automatic-action recipes of conf.d/sieve/ at delivery with real
# Dovecot + Pigeonhole: autoreply with the tracking number, priority for
# unpaid or large orders, a copy of cancelled-order mail to a colleague
# (replies and redirects land in the harness's fake sendmail outbox).
set -u
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
R=$TOP_SRCDIR/conf.d/sieve
dc_setup
trap dc_cleanup EXIT
trap 'exit 1' INT TERM
dc_index <<'EOF2'
{"shop":"sklep1","order_id":"501","date":"2026-11-20 14:03:22","status_id":"6","status_name":"Wysłane","status_type":3,"total":"164.98","currency":"PLN","paid":true,"tracking":"PX00123456","customer":"Jan Kowalski","email":"parcel@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"502","date":"2026-11-21 10:00:00","status_id":"3","status_name":"Przyjęte do realizacji","status_type":2,"total":"20.00","currency":"PLN","paid":true,"customer":"Ewa Nowak","email":"noparcel@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"503","date":"2026-11-22 10:00:00","status_id":"2","status_name":"Oczekuje na płatność","status_type":1,"total":"20.00","currency":"PLN","paid":false,"customer":"Ola Unpaid","email":"unpaid@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"504","date":"2026-11-22 11:00:00","status_id":"3","status_name":"Przyjęte do realizacji","status_type":2,"total":"1200.50","currency":"PLN","paid":true,"customer":"Big Buyer","email":"big@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"505","date":"2026-11-22 12:00:00","status_id":"3","status_name":"Przyjęte do realizacji","status_type":2,"total":"499.99","currency":"PLN","paid":true,"customer":"Small Buyer","email":"small@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"507","date":"2026-11-24 10:00:00","status_id":"6","status_name":"Wysłane","status_type":3,"total":"30.00","currency":"PLN","paid":true,"tracking":"PX00222222","customer":"Anna Druga","email":"parcel2@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"508","date":"2026-11-24 11:00:00","status_id":"6","status_name":"Wysłane","status_type":3,"total":"40.00","currency":"PLN","paid":true,"tracking":"PX00333333","customer":"Ewa Trzecia","email":"parcel3@example.com","synced":"2026-11-29 10:15:00"}
{"shop":"sklep1","order_id":"506","date":"2026-11-23 12:00:00","status_id":"8","status_name":"Anulowane","status_type":4,"total":"80.00","currency":"PLN","paid":false,"customer":"Cancel Person","email":"cancel@example.com","synced":"2026-11-29 10:15:00"}
EOF2
ok $? "index published"
dc_start
ok $? "dovecot started"
outbox() { cat "$T"/outbox/* 2>/dev/null; }
nout() { ls "$T/outbox" | wc -l; }

# autoreply-where-is-my-parcel
dc_sieve dave <"$R/autoreply-where-is-my-parcel.sieve"
dc_msg p1 parcel@example.com "Where is my parcel?" |
	dc_lmtp parcel@example.com dave@test.example >/dev/null
check "parcel question: one autoreply" test "$(nout)" -eq 1
check "autoreply names the tracking number" sh -c \
	"cat '$T'/outbox/* | grep -q 'tracking number is'" 
check "autoreply carries order 501 and PX00123456" sh -c \
	"cat '$T'/outbox/* | tr -d '\r' | grep -q '^Subject: Order 501: tracking number PX00123456'"
check "autoreply goes to the customer" sh -c \
	"cat '$T'/outbox/* | grep -qi '^To: .*parcel@example.com'"
check "the question is still stored" test -n "$(dc_find dave "" p1)"
dc_msg p2 noparcel@example.com "gdzie jest moja paczka" |
	dc_lmtp noparcel@example.com dave@test.example >/dev/null
check "no tracking number yet: no autoreply" test "$(nout)" -eq 1
dc_msg p3 parcel@example.com "invoice please" |
	dc_lmtp parcel@example.com dave@test.example >/dev/null
check "other question: no autoreply" test "$(nout)" -eq 1
rm -f "$T"/outbox/*

# Order data only to the order's own address (the envelope sender, where
# vacation replies go).
# leak GREP-ARGS: a reply since the last `fresh` matches
leak() { grep -l "$@" "$T"/outbox/* >/dev/null 2>&1; }
fresh() { rm -f "$T"/outbox/*; }
# match_is ID KEY: dave's copy of ID was matched by KEY (X-Shoper-Match)
match_is() { [ "$(dc_hdr "$(dc_find dave "" "$1")" X-Shoper-Match)" = "$2" ]; }
# a stranger names an order in the Subject
dc_msg s1 stranger@evil.example "Where is my parcel? order 501" |
	dc_lmtp stranger@evil.example dave@test.example >/dev/null
check "stranger + order number in Subject: the mail got the order" match_is s1 subject
check_not "stranger + order number in Subject: no reply with its tracking number" \
	leak PX00123456
fresh
# forged From: (the customer's address) with the stranger's envelope
dc_msg s2 'Jan Kowalski <parcel@example.com>' "where is my parcel" |
	dc_lmtp stranger2@evil.example dave@test.example >/dev/null
check "forged From: the mail got the customer's order" match_is s2 from
check_not "forged From + stranger envelope: no reply with order data" \
	leak -e PX00123456 -e 'Order 501'
fresh
# the customer's address first in From: (the plugin matches the first),
# the stranger's (= envelope) second
dc_msg s3 'parcel@example.com, stranger3@evil.example' "where is my parcel" |
	dc_lmtp stranger3@evil.example dave@test.example >/dev/null
check "two From addresses: the mail got the first one's order" match_is s3 from
check_not "customer + stranger in From, stranger envelope: no reply with order data" \
	leak -e PX00123456 -e 'Order 501'
fresh
# forged Reply-To: with the stranger's From and envelope
dc_msg s4 stranger4@evil.example "where is my parcel" \
	'Reply-To: parcel@example.com
' | dc_lmtp stranger4@evil.example dave@test.example >/dev/null
check "forged Reply-To: the mail got the customer's order" match_is s4 reply-to
check_not "forged Reply-To + stranger envelope: no reply with order data" \
	leak -e PX00123456 -e 'Order 501'
fresh
# one sender walks through order numbers (a per-order :handle each)
for o in 501 507 508; do
	dc_msg "w$o" walker@evil.example "gdzie jest moja paczka, zamówienie $o" |
		dc_lmtp walker@evil.example dave@test.example >/dev/null
done
check_not "three order numbers from one sender: no reply carries order data" \
	leak -e PX00123456 -e PX00222222 -e PX00333333 -e 'Order 50[178]'
check "no reply at all to that sender" test "$(nout)" -eq 0
fresh
# the customer writes from another From: but the envelope is the order's
dc_msg p4 'Anna <anna.work@elsewhere.example>' "where is my parcel" |
	dc_lmtp parcel2@example.com dave@test.example >/dev/null
check "another From: the mail got the envelope sender's order" match_is p4 envelope
check "order found by the envelope sender: reply with its tracking number" \
	leak PX00222222
check "that reply goes to the envelope sender" sh -c \
	"cat '$T'/outbox/* | grep -qi '^To: .*parcel2@example.com'"
fresh
# From: and envelope the order's, in another case
dc_msg p5 'Ewa <Parcel3@Example.COM>' "where is my parcel" |
	dc_lmtp parcel3@example.com dave@test.example >/dev/null
check "From = envelope (any case): reply with the tracking number" \
	leak PX00333333
rm -f "$T"/outbox/*

# priority-unpaid-or-large
dc_sieve dave <"$R/priority-unpaid-or-large.sieve"
for c in unpaid big small; do
	dc_msg "q-$c" "$c@example.com" | dc_lmtp "$c@example.com" dave@test.example >/dev/null
done
dc_msg q-none nobody@example.com | dc_lmtp nobody@example.com dave@test.example >/dev/null
f=$(dc_find dave "" q-unpaid)
check "unpaid order: flagged with \$shoper_priority" sh -c \
	"echo '$f' | grep -q ':2,.*F' && grep -q '\$shoper_priority' '$T/mail/dave/Maildir/dovecot-keywords'"
check "total 1200.50 (>= 500): flagged" sh -c "echo '$(dc_find dave "" q-big)' | grep -q ':2,[a-z]*F'"
check_not "total 499.99, paid: not flagged" sh -c "echo '$(dc_find dave "" q-small)' | grep -q ':2,.*F'"
check_not "no order: not flagged" sh -c "echo '$(dc_find dave "" q-none)' | grep -q ':2,.*F'"

# forward-cancelled
dc_sieve dave <"$R/forward-cancelled.sieve"
dc_msg c1 cancel@example.com "refund?" | dc_lmtp cancel@example.com dave@test.example >/dev/null
check "cancelled order: a copy went out" test "$(nout)" -eq 1
check "the copy is the customer's message with the order headers" sh -c \
	"cat '$T'/outbox/* | grep -q '^Message-ID: <c1@test>' && cat '$T'/outbox/* | grep -q '^X-Shoper-Order-Status-Type: not-completed'"
check "the original stays in INBOX" test -n "$(dc_find dave "" c1)"
dc_msg c2 big@example.com "thanks" | dc_lmtp big@example.com dave@test.example >/dev/null
check "order in progress: no copy" test "$(nout)" -eq 1

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
