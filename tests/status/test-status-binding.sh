#!/bin/sh
# A status request is bound to its message: X-Shoper-* headers in a
# message a client APPENDed (or stored before the delivery plugin) name
# an order only when the order is the sender's (From, Reply-To,
# Return-Path) or its number is in the Subject. Real Dovecot IMAP, test
# shop over TLS, shoper-sync.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
# tom matches by sender only: no subject pattern compiled in his process
dc_user tom "userdb_shoper_shops=sklep2 userdb_shoper_match=from"
chown $DC_UID:$DC_UID "$T/home/tom"

use sklep2
V=$(new_order victim@example.com); W=$(new_order wanda@example.com)
S=$(new_order sam@example.com); R=$(new_order rita@example.com)
D=$(new_order dora@example.com); N=$(new_order nick@example.com)
M=$(new_order mike@example.com); E=$(new_order erika@example.com)
st_first_sync
LOG=$T/log/dovecot.log
hdrs() { printf 'X-Shoper-Shop: sklep2\nX-Shoper-Order-Id: %s\n' "$1"; }
append() {	# USER ID FROM SUBJECT ORDER [MORE-HEADERS]
	dc_msg "$2" "$3" "$4" "$(hdrs "$5")
${6:-}" | $PY append $DC_IMAP_PORT "$1" INBOX
}
queued() { grep -q "status change queued: shop=sklep2 order=$1 " "$LOG"; }
refused() {
	grep -q "order sklep2:$1 to $2 refused: the message is not from this order's customer" "$LOG"
}

# (1) forged: another customer's order, From a stranger, the number only
# as part of a longer one in the Subject
PUTS0=$(counter status_puts)
check "APPEND a stranger's message naming order $V" \
	append bob f1 'Mallory <mallory@example.com>' "zamówienie #${V}0" "$V" \
	'Reply-To: mallory@example.net'
check "UID MOVE into Shoper.Anulowane" \
	$PY move $DC_IMAP_PORT bob INBOX f1 Shoper.Anulowane
check "the message is stored there" stored bob Shoper.Anulowane f1
check "no request queued" [ "$(nfiles .req)" -eq 0 ]
grep 'refused' "$LOG" | sed 's/^/# /'
check "refusal logged" refused "$V" Shoper.Anulowane
check_not "nothing logged as queued" queued "$V"
run_sync
check "no PUT at the shop" [ "$(counter status_puts)" -eq "$PUTS0" ]
check "order $V untouched (Nowe)" [ "$(shop_status $V)" = 1 ]
# refused visibly (shoper-status-notice.c), never marked done
check "marked \$ShoperStatusFailed" has_flag bob Shoper.Anulowane f1 '$ShoperStatusFailed'
check_not "not \$ShoperStatusDone" has_flag bob Shoper.Anulowane f1 '$ShoperStatusDone'

# (2) From the order's customer, other case, with a display name
check "APPEND wanda's message (From in capitals)" \
	append bob f2 '"Wanda Test" <Wanda@EXAMPLE.com>' question "$W"
check "UID MOVE into Shoper.Wysłane" \
	$PY move $DC_IMAP_PORT bob INBOX f2 Shoper.Wysłane
one_req_for() { [ "$(nfiles .req)" -eq 1 ] && queued "$1"; }
check "one request queued, for order $W" one_req_for "$W"
# Reply-To the customer (From a stranger) counts too
append bob f4 'Office <office@example.net>' question "$R" \
	'Reply-To: "Rita" <RITA@example.COM>'
$PY move $DC_IMAP_PORT bob INBOX f4 Shoper.Zrealizowane
check "Reply-To = customer: queued" queued "$R"

# (3) the order number in the Subject, From unrelated
check "APPEND a message about 'zamówienie nr $S' from someone else" \
	append bob f3 'Helper <helper@example.org>' "Re: zamówienie nr $S" "$S"
check "UID COPY into Shoper.Zrealizowane" \
	$PY copy $DC_IMAP_PORT bob INBOX f3 Shoper.Zrealizowane
check "request queued" queued "$S"
PUTS0=$(counter status_puts)
run_sync
check "three PUTs at the shop" [ "$(counter status_puts)" -eq $((PUTS0 + 3)) ]
check "order $W is Wysłane (6)" [ "$(shop_status $W)" = 6 ]
check "order $R is Zrealizowane (7)" [ "$(shop_status $R)" = 7 ]
check "order $S is Zrealizowane (7)" [ "$(shop_status $S)" = 7 ]
check "wanda's message marked done" has_flag bob Shoper.Wysłane f2 '$ShoperStatusDone'
check "the subject's message marked done" has_flag bob Shoper.Zrealizowane f3 '$ShoperStatusDone'

# without a subject pattern (tom): the number counts as a word of its own
check "tom: APPEND 'question about $N' from someone else" \
	append tom t1 'x@example.org' "question about $N, thanks" "$N"
$PY move $DC_IMAP_PORT tom INBOX t1 Shoper.Wysłane
check "tom: number of its own in the Subject: queued" queued "$N"
append tom t2 'x@example.org' "invoice 9${M}" "$M"
$PY move $DC_IMAP_PORT tom INBOX t2 Shoper.Wysłane
check "tom: number inside a longer one: refused" refused "$M" Shoper.Wysłane
check_not "tom: and not queued" queued "$M"

# (4) mail delivered through LMTP with the plugin (Return-Path, From)
deliver d1 dora@example.com bob
check "delivered message carries order $D" \
	grep -q "^X-Shoper-Order-Id: $D" "$(dc_find bob '' d1)"
check "UID MOVE of the delivered message" \
	$PY move $DC_IMAP_PORT bob INBOX d1 Shoper.Wysłane
check "request queued" queued "$D"
# matched at delivery by the envelope sender alone: Return-Path binds it
dc_msg d2 'Someone <someone@example.net>' 'order question' |
	dc_lmtp erika@example.com bob@test.example >/dev/null
check "delivered by envelope: carries order $E" \
	grep -q "^X-Shoper-Order-Id: $E" "$(dc_find bob '' d2)"
check "and has Return-Path <erika@example.com>" \
	grep -q "^Return-Path: <erika@example.com>" "$(dc_find bob '' d2)"
$PY move $DC_IMAP_PORT bob INBOX d2 Shoper.Zrealizowane
check "Return-Path = customer: queued" queued "$E"
run_sync
check "order $E is Zrealizowane (7)" [ "$(shop_status $E)" = 7 ]
check "order $D is Wysłane (6)" [ "$(shop_status $D)" = 6 ]
check "order $N is Wysłane (6)" [ "$(shop_status $N)" = 6 ]
check "order $M untouched" [ "$(shop_status $M)" = 1 ]
check "delivered message marked done" has_flag bob Shoper.Wysłane d1 '$ShoperStatusDone'

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
