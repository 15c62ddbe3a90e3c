#!/bin/sh
# Headers read back over IMAP (FETCH, SEARCH HEADER), the Sieve recipes of
# conf.d/sieve (compiled with sievec, then used at delivery), and
# doveadm shoper lookup.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
DOVEADM_MOD=/usr/lib/dovecot/modules/doveadm/lib99_doveadm_shoper_plugin.so
installed_doveadm=
cleanup() {
	[ -n "$installed_doveadm" ] && rm -f "$DOVEADM_MOD"
	dc_cleanup
}
trap cleanup EXIT INT TERM
{
	cat "$TOP_SRCDIR/tests/plugin/orders.jsonl"
	printf '%s\n' '{"shop":"sklep1","order_id":"900","date":"2026-11-28 09:00:00","status_name":"Wysłane","status_type":3,"total":"12.00","currency":"PLN","paid":true,"tracking":"00812345678901","customer":"Piotr","email":"ship@example.com","synced":"2026-11-29 10:15:00"}'
} | dc_index
recipes=$TOP_SRCDIR/conf.d/sieve

for f in "$recipes"/*.sieve; do
	r=$(basename "$f" .sieve)
	sievec "$f" "$T/$r.svbin" >"$T/sievec.log" 2>&1
	ok $? "sievec compiles conf.d/sieve/$r.sieve"
done
dc_sieve dave <"$recipes/file-by-status-type.sieve"
dc_sieve bob <"$recipes/flag-unpaid.sieve"
dc_sieve alice <"$recipes/autoreply-tracking.sieve"
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }

# file-by-status-type (dave sees all shops)
dc_msg f1 'jan@example.com' | dc_lmtp jan@example.com dave@test.example >/dev/null
dc_msg f2 'ola@example.com' | dc_lmtp ola@example.com dave@test.example >/dev/null
dc_msg f3 'ship@example.com' | dc_lmtp ship@example.com dave@test.example >/dev/null
dc_msg f4 'replyto@example.com' | dc_lmtp replyto@example.com dave@test.example >/dev/null
dc_msg f5 'stranger@example.com' 'hi' 'X-Shoper-Order-Status-Type: closed
' | dc_lmtp stranger@example.com dave@test.example >/dev/null
check "file-by-status-type: new order -> Orders.New" [ -n "$(dc_find dave Orders.New f1)" ]
check "file-by-status-type: in-progress -> Orders.In-progress" [ -n "$(dc_find dave Orders.In-progress f2)" ]
check "file-by-status-type: closed -> Orders.Closed" [ -n "$(dc_find dave Orders.Closed f3)" ]
check "file-by-status-type: not-completed -> Orders.Not-completed" [ -n "$(dc_find dave Orders.Not-completed f4)" ]
check "file-by-status-type: no order (forged header) -> INBOX" [ -n "$(dc_find dave "" f5)" ]

# flag-unpaid (bob: sklep2, jan's order 777 is unpaid)
dc_msg u1 'jan@example.com' | dc_lmtp jan@example.com bob@test.example >/dev/null
dc_msg u2 'ship@example.com' | dc_lmtp ship@example.com bob@test.example >/dev/null
f=$(dc_find bob "" u1)
check "flag-unpaid: unpaid order's mail is \\Flagged" sh -c "echo '$f' | grep -q ':2,[a-zA-Z]*F'"
f=$(dc_find bob "" u2)
check "flag-unpaid: mail without an order in bob's shops not flagged" sh -c "echo '$f' | grep -qv ':2,[a-zA-Z]*F'"

# autoreply-tracking (alice: sklep1 order 900 closed with tracking)
dc_msg a1 'Piotr <ship@example.com>' 'where is my parcel' | dc_lmtp ship@example.com alice@test.example >/dev/null
reply=$(cat "$T"/outbox/* 2>/dev/null)
check "autoreply-tracking: a reply was sent" [ -n "$reply" ]
check "autoreply-tracking: reply quotes the order number" sh -c "printf '%s' \"\$1\" | grep -q 'Your order 900 has been shipped'" x "$reply"
check "autoreply-tracking: reply quotes the tracking number" sh -c "printf '%s' \"\$1\" | grep -q '00812345678901'" x "$reply"
check "autoreply-tracking: reply goes to the customer" sh -c "printf '%s' \"\$1\" | grep -qi '^To: .*ship@example.com'" x "$reply"
n=$(ls "$T/outbox" | wc -l)
dc_msg a2 'jan@example.com' | dc_lmtp jan@example.com alice@test.example >/dev/null
check "autoreply-tracking: no reply for an order not yet shipped" [ "$(ls "$T/outbox" | wc -l)" -eq "$n" ]

# IMAP: FETCH header fields, SEARCH HEADER
out=$($DC_PY fetch "$DC_IMAP_PORT" alice secret INBOX X-SHOPER-ORDER-ID X-SHOPER-ORDER-TRACKING X-SHOPER-MATCH 2>&1)
check "IMAP FETCH returns X-Shoper-Order-Id of a1" sh -c "printf '%s' \"\$1\" | grep -q '^X-Shoper-Order-Id: 900'" x "$out"
check "IMAP FETCH returns X-Shoper-Order-Tracking" sh -c "printf '%s' \"\$1\" | grep -q '^X-Shoper-Order-Tracking: 00812345678901'" x "$out"
check "IMAP SEARCH HEADER X-Shoper-Order-Id 900 finds 1" \
	[ "$($DC_PY search "$DC_IMAP_PORT" alice secret INBOX X-Shoper-Order-Id 900)" = 1 ]
check "IMAP SEARCH HEADER X-Shoper-Order-Status-Type new finds 1" \
	[ "$($DC_PY search "$DC_IMAP_PORT" alice secret INBOX X-Shoper-Order-Status-Type new)" = 1 ]
check "IMAP SEARCH HEADER X-Shoper-Order-Status (encoded) Wysłane finds 1" \
	[ "$($DC_PY search "$DC_IMAP_PORT" alice secret INBOX X-Shoper-Order-Status Wysłane)" = 1 ]
check "IMAP SEARCH HEADER X-Shoper-Shop sklep3 finds 0" \
	[ "$($DC_PY search "$DC_IMAP_PORT" alice secret INBOX X-Shoper-Shop sklep3)" = 0 ]
check "IMAP SEARCH for the forged header on dave finds none" \
	[ "$($DC_PY search "$DC_IMAP_PORT" dave secret INBOX X-Shoper-Order-Status-Type closed)" = 0 ]

# autoreply-tracking answers only the order's own address (the envelope
# sender, where vacation replies go): not a stranger naming the order in
# the Subject, nor one forging the customer's From:
rm -f "$T"/outbox/*
dc_msg a3 stranger@evil.example 'order 900: where is it?' |
	dc_lmtp stranger@evil.example alice@test.example >/dev/null
m=$(dc_hdr "$(dc_find alice "" a3)" X-Shoper-Match)
check "a3 (stranger, order number in Subject) got order 900 by subject" [ "$m" = subject ]
dc_msg a4 'Piotr <ship@example.com>' 'where is my parcel' |
	dc_lmtp stranger2@evil.example alice@test.example >/dev/null
m=$(dc_hdr "$(dc_find alice "" a4)" X-Shoper-Match)
check "a4 (forged From, stranger envelope) got order 900 by from" [ "$m" = from ]
check_not "autoreply-tracking: no reply to a stranger carries order 900's data" \
	sh -c "grep -l -e '00812345678901' -e 'order 900' '$T'/outbox/* >/dev/null 2>&1"

# doveadm shoper lookup: doveadm loads modules only from its compile-time
# directory, so the module is installed there for this test and removed.
if [ -e "$DOVEADM_MOD" ] && ! cmp -s "$DOVEADM_MOD" "$TOP_BUILDDIR/plugin/doveadm/.libs/lib99_doveadm_shoper_plugin.so"; then
	skip "a different $DOVEADM_MOD is installed"
else
	if [ ! -e "$DOVEADM_MOD" ]; then
		cp "$TOP_BUILDDIR/plugin/doveadm/.libs/lib99_doveadm_shoper_plugin.so" "$DOVEADM_MOD"
		installed_doveadm=1
	fi
	# a sanitizer build's module needs the ASan runtime in doveadm too
	da() { LD_PRELOAD=$DC_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		doveadm -c "$T/conf/dovecot.conf" "$@"; }
	out=$(da shoper lookup -u bob jan@example.com 2>&1)
	check "doveadm shoper lookup -u bob prints bob's scope" \
		sh -c "printf '%s' \"\$1\" | grep -q '^X-Shoper-Orders: sklep2:777\$'" x "$out"
	out=$(da shoper lookup -u alice JAN@example.com 2>&1)
	check "doveadm shoper lookup -u alice prints alice's scope" \
		sh -c "printf '%s' \"\$1\" | grep -q '^X-Shoper-Orders: sklep2:777, sklep1:12345, sklep1:12001\$'" x "$out"
	da shoper lookup -u bob nobody@example.com >/dev/null 2>&1
	check "doveadm shoper lookup: unknown address exits 68" [ $? -eq 68 ]
	da shoper lookup -u carol jan@example.com >/dev/null 2>&1
	check "doveadm shoper lookup: user without shoper_shops exits non-zero" [ $? -ne 0 ]
fi
echo "1..$DC_TESTNUM"
