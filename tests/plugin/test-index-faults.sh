#!/bin/sh
# A missing, truncated or garbage index never fails a delivery: the message
# is stored without forged X-Shoper-* headers and one warning is logged per
# failure state (not per message, shared by dovecot-lda processes through
# a stamp in the queue dir); a replaced index is used at once.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
# "one warning for 5 deliveries" is the rate limit of one LMTP process:
# keep one process for every connection (2.4's default starts one each)
dc_service lmtp restart_request_count unlimited
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
# dovecot-lda runs one process per message: the warning's rate limit is
# shared through the stamp <index dir>/queue/.shoper-warned (key + mtime)
notices() { grep -c 'shoper: order index .* usable again' "$T/log/dovecot.log"; }
STAMP=$T/index/queue/.shoper-warned
mkdir -m 2770 "$T/index/queue"
chgrp $DC_UID "$T/index/queue"
lda_n() {	# LABEL N [FORGED]: N dovecot-lda deliveries, a process each
	i=0
	while [ $i -lt "$2" ]; do
		i=$((i + 1))
		dc_msg "$1-$i" 'Jan <jan@example.com>' 'hi' "${3:-}" |
			dc_lda alice jan@example.com || return 1
	done
}
unchanged() {	# ID: stored as sent (Dovecot only prepends Return-Path)
	f=$(dc_find alice "" "$1")
	dc_msg "$1" 'Jan <jan@example.com>' 'hi' >"$T/sent"
	[ -n "$f" ] && grep -v '^Return-Path: ' "$f" | cmp -s - "$T/sent"
}
head -c 8192 /dev/urandom >"$T/index/garbage2"
chmod 644 "$T/index/garbage2"
mv "$T/index/garbage2" "$DC_INDEX"
before=$(warnings)
lda_n stamp 5
ok $? "stamp: 5 dovecot-lda deliveries exit 0"
n=0
for i in 1 2 3 4 5; do unchanged "stamp-$i" && n=$((n + 1)); done
check "stamp: all 5 messages stored unchanged ($n)" [ "$n" -eq 5 ]
check "stamp: one warning for 5 dovecot-lda processes" \
	[ $(($(warnings) - before)) -eq 1 ]
key=$(grep 'shoper: order index .* unusable' "$T/log/dovecot.log" |
	tail -n 1 | sed 's/.*X-Shoper headers: //')
check "stamp: holds the logged error key (with inode and size)" \
	sh -c "[ \"\$(cat '$STAMP')\" = '$key' ] && grep -q 'inode' '$STAMP'"
check "stamp: a regular file the mail group can read and write" \
	[ -f "$STAMP" ] && [ ! -L "$STAMP" ] &&
	[ "$(stat -c '%a %g' "$STAMP")" = "660 $DC_UID" ]
dc_msg stamp-lmtp 'Jan <jan@example.com>' | dc_lmtp jan@example.com \
	alice@test.example >/dev/null
check "stamp: an LMTP process honours it too" \
	[ $(($(warnings) - before)) -eq 1 ]
check "stamp: queue scan and temp cleanup names don't match it" \
	sh -c "ls -a '$T/index/queue' | grep -v '^\.\{1,2\}\$' |
		grep -c '\.req\$\|\.work\$\|\.tmp\.' | grep -qx 0"

touch -d '11 minutes ago' "$STAMP"
before=$(warnings)
lda_n stamp-old 2
check "stamp older than 10 minutes: warned again, once" \
	[ $(($(warnings) - before)) -eq 1 ]
rm -f "$STAMP"
ln -s /etc/hostname "$STAMP"
before=$(warnings)
lda_n stamp-link 2
check "a symlink isn't followed: warned once and replaced by a stamp" \
	[ $(($(warnings) - before)) -eq 1 ] && [ ! -L "$STAMP" ] &&
	[ "$(cat "$STAMP")" = "$key" ]

dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
before=$(notices)
lda_n stamp-ok 3
ok $? "recovered: 3 dovecot-lda deliveries exit 0"
check "recovered: one notice for 3 processes" \
	[ $(($(notices) - before)) -eq 1 ]
check "recovered: the stamp is removed" [ ! -e "$STAMP" ]
check "recovered: headers added again" \
	[ "$(dc_hdr "$(dc_find alice "" stamp-ok-3)" X-Shoper-Order-Id)" = 777 ]

# without a queue dir (or one the mail processes can't write) each
# process rate-limits on its own: under dovecot-lda, a warning per message
rm -rf "$T/index/queue"
head -c 8192 /dev/urandom >"$T/index/garbage3"
chmod 644 "$T/index/garbage3"
mv "$T/index/garbage3" "$DC_INDEX"
before=$(warnings)
lda_n noqueue 3 "$forged"
ok $? "no queue dir: dovecot-lda deliveries exit 0"
check "no queue dir: one warning per dovecot-lda process (as before)" \
	[ $(($(warnings) - before)) -eq 3 ]
check "no queue dir: no stamp written anywhere" \
	sh -c "! ls -a '$T/index' | grep -q shoper-warned"
check "no lmtp or lda process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal [^1]' '$T/log/dovecot.log'"

echo "1..$DC_TESTNUM"
