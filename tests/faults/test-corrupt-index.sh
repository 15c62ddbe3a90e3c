#!/bin/sh
# Corrupt index variants that tests/plugin/test-index-faults.sh does not
# make (it covers missing, truncated, random bytes and empty): zeroed, wrong
# format version, and huge lengths at every level (cdb record length, cdb
# hash tables, a record's order count, a string length, a meta table
# count). For each: 5 LMTP deliveries and one dovecot-lda delivery succeed,
# every message is stored exactly as sent, and each process logs one
# warning naming the index.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
# "one warning for 5 deliveries" is the rate limit of one LMTP process:
# keep one process for every connection (2.4's default starts one each)
dc_service lmtp restart_request_count unlimited
trap 'dc_cleanup' EXIT INT TERM
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }
warnings() { grep -c "shoper: order index $DC_INDEX unusable" "$T/log/dovecot.log"; }
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
cp "$DC_INDEX" "$T/valid.cdb"

# stored file ends with the message exactly as sent (Dovecot only puts
# its trace headers in front)
same_as_sent() {	# STORED SENT
	python3 -c 'import sys
a = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
b = open(sys.argv[2], "rb").read().replace(b"\r\n", b"\n")
sys.exit(0 if a.endswith(b) and b"X-Shoper-" not in a else 1)' "$1" "$2"
}

variant() {	# NAME
	python3 "$TOP_SRCDIR/tests/faults/corrupt_index.py" "$1" "$T/valid.cdb" \
		"$T/index/new" || { ok 1 "$1: variant made"; return; }
	chmod 644 "$T/index/new"
	mv "$T/index/new" "$DC_INDEX"
	before=$(warnings)
	all=0 same=0 i=0
	while [ $i -lt 5 ]; do
		i=$((i + 1))
		dc_msg "$1-$i" 'Jan <jan@example.com>' "order 12345" >"$T/sent"
		dc_lmtp jan@example.com alice@test.example <"$T/sent" >"$T/lmtp.out" &&
			grep -q ' 250$' "$T/lmtp.out" || all=1
		f=$(dc_find alice "" "$1-$i")
		[ -n "$f" ] && same_as_sent "$f" "$T/sent" || same=1
	done
	ok $all "$1: 5 LMTP deliveries accepted (250)"
	ok $same "$1: all 5 stored exactly as sent"
	n=$(($(warnings) - before))
	check "$1: one warning for 5 LMTP deliveries ($n)" [ "$n" -eq 1 ]
	dc_msg "$1-lda" 'Jan <jan@example.com>' "order 12345" >"$T/sent"
	before=$(warnings)
	dc_lda alice jan@example.com <"$T/sent"
	ok $? "$1: dovecot-lda exits 0"
	f=$(dc_find alice "" "$1-lda")
	check "$1: dovecot-lda stored it exactly as sent" \
		eval '[ -n "$f" ] && same_as_sent "$f" "$T/sent"'
	n=$(($(warnings) - before))
	check "$1: dovecot-lda logged one warning ($n)" [ "$n" -eq 1 ]
}

for v in zeroed wrong-version huge-cdb-len huge-tables huge-count \
	huge-string huge-meta; do
	variant "$v"
done
grep "shoper: order index" "$T/log/dovecot.log" | sed 's/^[^:]*: /# /' |
	sed 's/^.*Warning: /# /' | sort -u | head -n 12

# the valid index again: used at once, headers back
cp "$T/valid.cdb" "$T/index/new" && chmod 644 "$T/index/new" &&
	mv "$T/index/new" "$DC_INDEX"
dc_msg back 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
check "the valid index is used again at the next delivery" \
	[ "$(dc_hdr "$(dc_find alice "" back)" X-Shoper-Order-Id)" = 777 ]
check "no lmtp or lda process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"
echo "1..$DC_TESTNUM"
