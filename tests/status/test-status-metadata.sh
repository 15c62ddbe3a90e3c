#!/bin/sh
# The status folders over IMAP METADATA (doc/status-change.md): GETMETADATA
# "" (/private/vendor/vendor.shoper/status-folders) lists the user's status
# folders with shop, status id and active flag, the active ones in the
# shop's own order (its statuses' "order", not their ids or names), the
# retired ones after them; readable without imap_metadata and without an
# attribute dict. The Roundcube plugin's "Set status" reads it.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
dc_user erin "userdb_shoper_shops=sklep1"
chown $DC_UID:$DC_UID "$T/home/erin"
ENTRY=/private/vendor/vendor.shoper/status-folders
meta() { $PY metadata $DC_IMAP_PORT "$1" "" $ENTRY; }
# the status ids of the active lines, in order
active_ids() { sed -n 's/^shop=\([^ ]*\) id=\([0-9]*\) active=1 .*/\1:\2/p' "$1" | tr '\n' ' '; }

use sklep1
# the shop's own order: Zwrócone (10) first, Nowe (1) last; Wstrzymane
# (11) is retired from the start
shop_ctl PUT /__test/statuses/10 '{"order": 0}' >/dev/null
shop_ctl PUT /__test/statuses/1 '{"order": 50}' >/dev/null
run_sync
check "first sync" [ "$RC" -eq 0 ]
check "status list in the shop's order (Zwrócone first)" \
	[ "$(sed -n 2p "$DC_INDEX.statuses" | sed 's/.* id=\([0-9]*\) .*/\1/')" = 10 ]
dc_start || { echo "not ok - dovecot did not start"; exit 1; }

meta erin >"$T/m1"; RC=$?
sed 's/^/# /' "$T/m1"
check "GETMETADATA answers with the entry" [ "$RC" -eq 0 ]
check "format line first" [ "$(head -n 1 "$T/m1")" = "shoper-status-folders 1" ]
check "active statuses in the shop's order" \
	[ "$(active_ids "$T/m1")" = "sklep1:10 sklep1:2 sklep1:3 sklep1:4 sklep1:5 sklep1:6 sklep1:7 sklep1:8 sklep1:9 sklep1:1 " ]
check "folder names percent-escaped (space as %20, UTF-8 as is)" \
	grep -qx 'shop=sklep1 id=4 active=1 folder=Shoper.W%20trakcie%20kompletowania' "$T/m1"
check_not "the never active status has no folder" grep -q ' id=11 ' "$T/m1"
meta alice >"$T/m-alice"
sed "s/^/# alice: /" "$T/m-alice"
check "two shops: each shop's folders under its level" \
	grep -qx 'shop=sklep2 id=6 active=1 folder=Shoper.sklep2.Wysłane' "$T/m-alice"

# retire a status: its folder stays, listed as retired after the active ones
shop_ctl PUT /__test/statuses/8 '{"active": 0}' >/dev/null
run_sync
meta erin >"$T/m2"
sed 's/^/# /' "$T/m2"
check "retired status listed with active=0" \
	grep -qx 'shop=sklep1 id=8 active=0 folder=Shoper.Anulowane' "$T/m2"
check "the retired one after the active ones" \
	[ "$(tail -n 1 "$T/m2")" = 'shop=sklep1 id=8 active=0 folder=Shoper.Anulowane' ]
check_not "not among the active" sh -c "grep -q ' id=8 active=1' '$T/m2'"

# the entry is read-only
check_not "SETMETADATA on it is refused" $SHOP_PYTHON -c '
import imaplib, sys
imaplib.Commands["SETMETADATA"] = ("AUTH", "SELECTED")
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login("erin", "secret")
typ, _ = m._simple_command("SETMETADATA", "\"\"", "(%s \"x\")" % sys.argv[2])
sys.exit(0 if typ == "OK" else 1)' $DC_IMAP_PORT $ENTRY
meta erin >"$T/m3"
check "unchanged after the attempt" cmp -s "$T/m2" "$T/m3"

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
