#!/bin/sh
# Status change from any mail client, end to end: the test shops over TLS,
# shoper-sync, a private Dovecot with the imap_shoper module, Python's
# imaplib doing UID MOVE / UID COPY / APPEND.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ST_ORDERS=40 ST_CUSTOMERS=20
. "$TOP_SRCDIR/tests/status/status-lib.sh"
# one interpreter for every helper (a pyenv shim costs a second a call)
DC_PY="$SHOP_PYTHON $TOP_SRCDIR/tests/lib/dovecot_client.py"
st_setup
dc_user erin "userdb_shoper_shops=sklep1"
chown $DC_UID:$DC_UID "$T/home/erin"
index_status() {	# EMAIL ORDER: the order's status id in the index
	"$SYNC" -c "$CONF" lookup --json "$1" 2>/dev/null | "$SHOP_PYTHON" -c '
import json, sys
def walk(x):
    if isinstance(x, dict):
        if x.get("order_id") == sys.argv[1]:
            print(x.get("status_id")); sys.exit(0)
        x = list(x.values())
    if isinstance(x, list):
        for y in x: walk(y)
walk(json.load(sys.stdin))' "$2"
}
nreq() { ls "$T/index/queue" 2>/dev/null | grep -c '\.req$'; }

use sklep1
O1=$(new_order c1@example.com); O2=$(new_order c2@example.com)
O3=$(new_order c3@example.com); O4=$(new_order c4@example.com)
O5=$(new_order c5@example.com); O6=$(new_order c6@example.com)
O7=$(new_order c7@example.com); O8=$(new_order c8@example.com)
run_sync
check "first sync" [ "$RC" -eq 0 ]
check "status list written next to the index" [ -s "$DC_INDEX.statuses" ]
check "queue dir created for the mail group" [ -d "$T/index/queue" ]
dc_start || { echo "not ok - dovecot did not start"; exit 1; }
for i in 1 2 3 4 5 6 7 8; do deliver m$i c$i@example.com erin; done

$PY list $DC_IMAP_PORT erin >"$T/list"
sed 's/^/# /' "$T/list"
check "status folder per active status" grep -qx 'Shoper.Wysłane' "$T/list"
check_not "no folder for an inactive status" grep -qx 'Shoper.Wstrzymane' "$T/list"
check_not "one shop in scope: no shop level" grep -q 'Shoper.sklep1' "$T/list"
$PY list $DC_IMAP_PORT alice >"$T/list-alice"
check "two shops in scope: Shoper.<shop>.<status>" \
	grep -qx 'Shoper.sklep2.Nowe' "$T/list-alice"

# MOVE -> queued request -> PUT at the next sync -> index -> keyword
PUTS0=$(counter status_puts)
check "UID MOVE into Shoper.Wysłane" $PY move $DC_IMAP_PORT erin INBOX m1 Shoper.Wysłane
check "one request queued" [ "$(nreq)" -eq 1 ]
check "request names user, shop, order and target" grep -q "^order_id=$O1" "$T"/index/queue/*.req
run_sync
check "shop received the PUT" [ "$(counter status_puts)" -eq $((PUTS0 + 1)) ]
check "order $O1 is Wysłane (6) in the shop" [ "$(shop_status $O1)" = 6 ]
check "index shows the new status" [ "$(index_status c1@example.com $O1)" = 6 ]
check "change logged once with old and new status" \
	[ "$(grep -c "status change: user=erin shop=sklep1 order=$O1 old=1 (Nowe) new=6 (Wysłane) result=done" "$T/sync.out")" -eq 1 ]
check "queue empty afterwards" [ "$(nreq)" -eq 0 ]
check "\$ShoperStatusDone on the moved message" has_flag erin Shoper.Wysłane m1 '$ShoperStatusDone'

# COPY, and the same order twice quickly: the last one wins
check "UID COPY into W trakcie kompletowania" \
	$PY copy $DC_IMAP_PORT erin INBOX m3 'Shoper.W trakcie kompletowania'
check "then UID MOVE into Zrealizowane" $PY move $DC_IMAP_PORT erin INBOX m3 Shoper.Zrealizowane
check "one request for the order" [ "$(nreq)" -eq 1 ]
PUTS0=$(counter status_puts)
run_sync
check "one PUT for the two moves" [ "$(counter status_puts)" -eq $((PUTS0 + 1)) ]
check "last one won: Zrealizowane (7)" [ "$(shop_status $O3)" = 7 ]
check "index shows 7" [ "$(index_status c3@example.com $O3)" = 7 ]
check "keyword on the message in Zrealizowane" has_flag erin Shoper.Zrealizowane m3 '$ShoperStatusDone'

# the shop refuses
shop_ctl POST /__test/config "{\"reject_status_change\": {\"order_id\": \"$O2\", \"error_description\": \"Zamowienie zablokowane\"}}" >/dev/null
check "UID COPY into Anulowane" $PY copy $DC_IMAP_PORT erin INBOX m2 Shoper.Anulowane
run_sync
check "refused change: status unchanged in the shop" [ "$(shop_status $O2)" = 1 ]
check "refusal logged with the shop's reason" \
	grep -q "order=$O2 .*result=failed: .*Zamowienie zablokowane" "$T/sync.out"
check "\$ShoperStatusFailed on the copy" has_flag erin Shoper.Anulowane m2 '$ShoperStatusFailed'
check_not "no \$ShoperStatusDone on it" has_flag erin Shoper.Anulowane m2 '$ShoperStatusDone'
check "a notice with the shop's reason next to it" \
	[ "$($PY text $DC_IMAP_PORT erin Shoper.Anulowane 'Reason: shop sklep1')" -eq 1 ]
$PY text $DC_IMAP_PORT erin Shoper.Anulowane zablokowane >"$T/n"
check "the notice names the reason" [ "$(cat "$T/n")" -eq 1 ]
check "original stays in INBOX" stored erin INBOX m2

# out of scope, made up, or no headers: stored, no request
PUTS0=$(counter status_puts)
dc_msg x1 c4@example.com q "X-Shoper-Shop: sklep1
X-Shoper-Order-Id: $O4
" | $PY append $DC_IMAP_PORT bob INBOX
check "bob (sklep2) moves a made-up sklep1 message" \
	$PY move $DC_IMAP_PORT bob INBOX x1 Shoper.Wysłane
dc_msg x2 c4@example.com q "X-Shoper-Shop: sklep1
X-Shoper-Order-Id: $O4
" | $PY append $DC_IMAP_PORT bob Shoper.Wysłane
check "APPEND into a status folder is stored" stored bob Shoper.Wysłane x2
dc_msg x3 c9@example.com q "X-Shoper-Shop: sklep1
X-Shoper-Order-Id: 99999999
" | $PY append $DC_IMAP_PORT erin INBOX
$PY move $DC_IMAP_PORT erin INBOX x3 Shoper.Wysłane
dc_msg x4 c9@example.com q | $PY append $DC_IMAP_PORT erin INBOX
check "message without our headers moves in" \
	$PY move $DC_IMAP_PORT erin INBOX x4 Shoper.Wysłane
check "none of these queued a request" [ "$(nreq)" -eq 0 ]
grep 'shoper: order .* refused' "$T/log/dovecot.log" | sed 's/^/# /'
check "out-of-scope refusal logged" grep -q "order sklep1:$O4 to Shoper.Wysłane refused: shop not in" "$T/log/dovecot.log"
run_sync
check "no PUT for them" [ "$(counter status_puts)" -eq "$PUTS0" ]
check "order $O4 untouched" [ "$(shop_status $O4)" = 1 ]

# the shop unreachable: the request is kept and carried out next time
shop_ctl POST /__test/faults '{"kind": "reset", "count": 3, "path": "/webapi/rest/orders"}' >/dev/null
$PY move $DC_IMAP_PORT erin INBOX m8 Shoper.Wysłane
run_sync
nwork() { nkept; }
check "shop unreachable: request kept" [ "$(nwork)" -eq 1 ]
check "message is in the status folder" stored erin Shoper.Wysłane m8
check_not "not marked done" has_flag erin Shoper.Wysłane m8 '$ShoperStatus'
shop_ctl DELETE /__test/faults >/dev/null
run_sync
check "not tried again before its next try" [ "$(shop_status $O8)" = 1 ]
check "still kept until then" [ "$(nwork)" -eq 1 ]
kept_due	# its time has come
run_sync
check "carried out at the next sync after that" [ "$(shop_status $O8)" = 6 ]
check "no longer kept" [ "$(nwork)" -eq 0 ]
check "then marked done" has_flag erin Shoper.Wysłane m8 '$ShoperStatusDone'

# helper down while requests queue up, then the daemon starts
$PY move $DC_IMAP_PORT erin INBOX m4 Shoper.Wysłane
$PY move $DC_IMAP_PORT erin INBOX m5 Shoper.Zrealizowane
check "two requests wait while no helper runs" [ "$(nreq)" -eq 2 ]
"$SYNC" -c "$CONF" daemon >"$T/daemon.out" 2>&1 &
DAEMON_PID=$!
check "daemon carries them out" wait_for 30 has_flag erin Shoper.Zrealizowane m5 '$ShoperStatusDone'
check "order $O4 changed in the shop" [ "$(shop_status $O4)" = 6 ]
check "order $O5 changed in the shop" [ "$(shop_status $O5)" = 7 ]
idx_is() { [ "$(index_status "$1" "$2")" = "$3" ]; }
check "index refreshed by the daemon" wait_for 20 idx_is c4@example.com $O4 6
# a move while the daemon sleeps (interval 300 s) is carried out at once
$PY move $DC_IMAP_PORT erin INBOX m6 Shoper.Wysłane
check "daemon carries out a new request at once" wait_for 30 has_flag erin Shoper.Wysłane m6 '$ShoperStatusDone'
"$SYNC" -c "$CONF" set-status --shop sklep1 "$O7" 'gotowe do wysyłki' >"$T/set.out" 2>&1
check "set-status with a daemon running queues" grep -q '^queued' "$T/set.out"
shop7() { [ "$(shop_status $O7)" = 5 ]; }
check "daemon carries out set-status" wait_for 30 shop7
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
sed 's/^/# daemon: /' "$T/daemon.out" | grep 'status change' 

# set-status from a shell, by id, no daemon: published into the delta,
# the base index not rewritten (the daemon's polls left a delta: a new one
# may get its inode back within the same second, hence mtime in ns)
base0=$(stat -c '%i %Y %s' "$DC_INDEX")
delta0=$(stat -c '%i %y %s' "$DC_INDEX.delta" 2>/dev/null)
"$SYNC" -c "$CONF" set-status --shop sklep1 "$O7" 7 >"$T/set.out" 2>&1
check "set-status by id" [ $? -eq 0 ]
check "shop follows" [ "$(shop_status $O7)" = 7 ]
check "index follows" idx_is c7@example.com $O7 7
check "set-status: the base index not rewritten" [ "$(stat -c '%i %Y %s' "$DC_INDEX")" = "$base0" ]
new_delta() { [ -s "$DC_INDEX.delta" ] && [ "$(stat -c '%i %y %s' "$DC_INDEX.delta")" != "$delta0" ]; }
check "set-status: a new delta holds the change" new_delta
"$SYNC" -c "$CONF" set-status --shop sklep1 "$O7" Wstrzymane >/dev/null 2>&1
check "set-status refuses an inactive status" [ $? -eq 1 ]

# status renamed and retired in the shop
shop_ctl PUT /__test/statuses/6 '{"name": "Wysłane kurierem", "lang": "pl_PL"}' >/dev/null
shop_ctl PUT /__test/statuses/8 '{"active": "0"}' >/dev/null
run_sync
$PY list $DC_IMAP_PORT erin >"$T/list"
sed 's/^/# /' "$T/list"
check "folder follows the rename" grep -qx 'Shoper.Wysłane kurierem' "$T/list"
check_not "old name gone" grep -qx 'Shoper.Wysłane' "$T/list"
check "moved mail went with the folder" has_flag erin 'Shoper.Wysłane kurierem' m1 '$ShoperStatusDone'
check "retired status keeps its folder and mail" stored erin Shoper.Anulowane m2
$PY move $DC_IMAP_PORT erin INBOX m6 Shoper.Anulowane 2>/dev/null
check "retired folder queues nothing" [ "$(nreq)" -eq 0 ]

# the queue can't take a request (not writable for the mail uid): the
# command fails with a NO that says so, the message stays where it was
Q=$T/index/queue
chmod 0550 "$Q"
if $PY move $DC_IMAP_PORT erin INBOX m7 Shoper.Zrealizowane 2>"$T/no"; then
	ok 1 "queue not writable: UID MOVE refused"
else
	ok 0 "queue not writable: UID MOVE refused"
fi
sed 's/^/# /' "$T/no"
check "the NO says the status change can't be requested now" \
	grep -q "^NO .*order $O7 .*can't be requested now" "$T/no"
check "the message is still in INBOX" stored erin INBOX m7
check_not "and not in the status folder" stored erin Shoper.Zrealizowane m7
check_not "UID COPY refused too" $PY copy $DC_IMAP_PORT erin INBOX m7 Shoper.Zrealizowane 2>/dev/null
check_not "nothing in the status folder" stored erin Shoper.Zrealizowane m7
check "the refusal logged with its cause" grep -q "status change of order sklep1:$O7 not queued, the command fails: .*Permission denied" "$T/log/dovecot.log"
chmod 2770 "$Q"
check "no request and no temporary file left" [ -z "$(ls "$Q")" ]
check "writable again: the UID MOVE goes through" $PY move $DC_IMAP_PORT erin INBOX m7 Shoper.Zrealizowane
check "its request queued with the message's UID" grep -q '^uid=[1-9][0-9]*$' "$Q"/*.req
check_not "no placeholder UID left" grep -q '^uid=4294967295$' "$Q"/*.req

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
