#!/bin/sh
# A status request is bound to its message by the order's delivery
# e-mail too (customers write from either address): From the delivery
# address queues the request, a stranger naming the order is refused.
# Real Dovecot IMAP, test shop over TLS, shoper-sync.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
use sklep2
O=$(shop_ctl POST /__test/orders '{"email": "kasia@example.com",
	"delivery_email": "Paczki.Kasi@example.com", "firstname": "Kasia",
	"lastname": "Test", "sum": "10.00", "status_id": "1"}' |
	sed -n 's/.*"order_id": *"\([0-9]*\)".*/\1/p')
check "order $O with a delivery_email" [ -n "$O" ]
st_first_sync
LOG=$T/log/dovecot.log
append() {	# USER ID FROM ORDER
	dc_msg "$2" "$3" question "$(printf 'X-Shoper-Shop: sklep2\nX-Shoper-Order-Id: %s\n' "$4")
" | $PY append $DC_IMAP_PORT "$1" INBOX
}
queued() { grep -q "status change queued: shop=sklep2 order=$1 " "$LOG"; }
refused() {
	grep -q "order sklep2:$1 to $2 refused: the message is not from this order's customer" "$LOG"
}

check "APPEND a stranger's message naming order $O" \
	append bob s1 'Mallory <mallory@example.com>' "$O"
check "UID MOVE into Shoper.Anulowane" \
	$PY move $DC_IMAP_PORT bob INBOX s1 Shoper.Anulowane
check "refused: not the order's address" refused "$O" Shoper.Anulowane
check "no request queued" [ "$(nfiles .req)" -eq 0 ]

check "APPEND a message From the delivery address (other case)" \
	append bob s2 'Kasia <PACZKI.kasi@example.com>' "$O"
check "UID MOVE into Shoper.Wysłane" \
	$PY move $DC_IMAP_PORT bob INBOX s2 Shoper.Wysłane
check "one request queued, for order $O" \
	sh -c "[ \"\$(ls '$T/index/queue' 2>/dev/null | grep -c '.req\$')\" -eq 1 ]"
grep 'queued\|refused' "$LOG" | sed 's/^/# /'
check "logged as queued" queued "$O"
echo "1..$DC_TESTNUM"
