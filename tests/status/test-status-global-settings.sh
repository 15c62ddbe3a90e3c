#!/bin/sh
# shoper_shops and shoper_status_folder set for everyone in dovecot.conf
# (Dovecot 2.3: plugin {}, 2.4: top level), not in the userdb: shoper-sync
# reads carol's scope and folder through doveadm config as the IMAP module
# does (doveadm user shows userdb fields only), so her status request is
# carried out, not refused as out of scope. On 2.4, doveadm config prints
# nothing for plugin/shoper_shops: that alone must not look unset.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
dc_set shoper_shops sklep1
dc_set shoper_status_folder Sklep

use sklep1
G1=$(new_order g1@example.com)
G2=$(new_order g2@example.com)
st_first_sync
check "doveadm user: carol has no shoper_shops of her own" \
	[ -z "$(/usr/bin/doveadm -c "$DC_CONF" user -f shoper_shops carol 2>/dev/null)" ]
deliver g1 g1@example.com carol
deliver g2 g2@example.com carol
$PY list $DC_IMAP_PORT carol >"$T/list"
check "carol's status folders come from the global settings (Sklep.Wysłane)" \
	grep -qx 'Sklep.Wysłane' "$T/list"

PUTS0=$(counter status_puts)
check "UID MOVE g1 into Sklep.Wysłane" $PY move $DC_IMAP_PORT carol INBOX g1 Sklep.Wysłane
check "request queued" [ "$(nfiles .req)" -eq 1 ]
run_sync
check "accepted: the shop received the PUT" [ "$(counter status_puts)" -eq $((PUTS0 + 1)) ]
check "order $G1 is Wysłane (6)" [ "$(shop_status $G1)" = 6 ]
check "logged as done" grep -q "user=carol shop=sklep1 order=$G1 .*result=done" "$T/sync.out"
check_not "not refused as out of scope" grep -q 'not in the shoper_shops' "$T/sync.out"
check "\$ShoperStatusDone on the message" has_flag carol Sklep.Wysłane g1 '$ShoperStatusDone'

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
