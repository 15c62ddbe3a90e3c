#!/bin/sh
# A missing, truncated or garbage index never fails a delivery: the message
# is stored without forged X-Shoper-* headers and one warning is logged per
# failure state (not per message); a replaced index is used at once.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
trap 'dc_cleanup' EXIT INT TERM
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }
forged='X-Shoper-Order-Status-Type: closed
'
warnings() { grep -c 'shoper: order index .* unusable' "$T/log/dovecot.log"; }

deliver_n() {	# LABEL N: N deliveries on one LMTP connection each
	i=0
	while [ $i -lt "$2" ]; do
		i=$((i + 1))
		dc_msg "$1-$i" 'Jan <jan@example.com>' 'hi' "$forged" |
			dc_lmtp jan@example.com alice@test.example >/dev/null || return 1
	done
}

fault_case() {	# LABEL: index already broken in some way
	before=$(warnings)
	deliver_n "$1" 5
	ok $? "$1: 5 LMTP deliveries accepted"
	f=$(dc_find alice "" "$1-5")
	check "$1: message stored" [ -n "$f" ]
	check "$1: stored without any X-Shoper header (forged one removed)" \
		[ "$(sed -n '1,/^\r\{0,1\}$/p' "$f" | grep -ci '^x-shoper')" -eq 0 ]
	check "$1: one warning for 5 deliveries" [ $(($(warnings) - before)) -eq 1 ]
	dc_msg "$1-lda" 'Jan <jan@example.com>' 'hi' "$forged" | dc_lda alice jan@example.com
	ok $? "$1: dovecot-lda exits 0"
	f=$(dc_find alice "" "$1-lda")
	check "$1: LDA stored it without X-Shoper headers" \
		[ "$(sed -n '1,/^$/p' "$f" | grep -ci '^x-shoper')" -eq 0 ]
}

rm -f "$DC_INDEX"
fault_case missing

dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
dc_msg good1 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
check "index created while running is used without a restart" \
	[ "$(dc_hdr "$(dc_find alice "" good1)" X-Shoper-Order-Id)" = 777 ]

size=$(wc -c <"$DC_INDEX")
head -c $((size / 2)) "$DC_INDEX" >"$T/index/trunc"
chmod 644 "$T/index/trunc"
mv "$T/index/trunc" "$DC_INDEX"
fault_case truncated

head -c 8192 /dev/urandom >"$T/index/garbage"
chmod 644 "$T/index/garbage"
mv "$T/index/garbage" "$DC_INDEX"
fault_case garbage

: >"$T/index/empty"
chmod 644 "$T/index/empty"
mv "$T/index/empty" "$DC_INDEX"
fault_case empty

# replaced between deliveries on the same LMTP process
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
dc_msg r1 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
check "repaired index used at the next delivery" \
	[ "$(dc_hdr "$(dc_find alice "" r1)" X-Shoper-Order-Status-Type)" = new ]
sed 's/"status_type":1/"status_type":3/; s/"Nowe"/"Zamknięte"/' \
	"$TOP_SRCDIR/tests/plugin/orders.jsonl" | dc_index
dc_msg r2 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
check "replaced index: new status seen at the next delivery" \
	[ "$(dc_hdr "$(dc_find alice "" r2)" X-Shoper-Order-Status-Type)" = closed ]
check "no lmtp or lda process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal [^1]' '$T/log/dovecot.log'"

echo "1..$DC_TESTNUM"
