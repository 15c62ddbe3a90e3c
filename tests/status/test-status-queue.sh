#!/bin/sh
# The status-change queue under trouble, end to end (test shops over TLS,
# a private Dovecot, IMAP): a shop out of reach holds up no other shop's
# change and no daemon spins; unreadable queue files go aside as .bad;
# shoper-sync re-checks a request's user scope and order (the queue dir is
# writable by the whole mail group) and touches only the user's own status
# folders, never a user mask or mailbox pattern; a status list over 64 KiB.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup

use sklep1
A1=$(new_order a1@example.com); A2=$(new_order a2@example.com)
A3=$(new_order a3@example.com)
use sklep2
B1=$(new_order b1@example.com); B2=$(new_order b2@example.com)
B3=$(new_order b3@example.com); B4=$(new_order b4@example.com)
st_first_sync
for m in a1 a2 a3 b1 b2 b3 b4; do deliver $m $m@example.com alice; done
W1=Shoper.sklep1.Wysłane W2=Shoper.sklep2.Wysłane

# --- shop sklep1 refuses connections: sklep2's change still happens ---
GOOD_CONF=$T/good.conf
cp "$CONF" "$GOOD_CONF"
DEAD=$($DC_PY port)	# a free port nobody listens on
sed "s|^url = $URL_sklep1\$|url = https://127.0.0.1:$DEAD|" "$GOOD_CONF" >"$CONF"
check "config points sklep1 at a closed port" grep -q ":$DEAD\$" "$CONF"
check "alice moves sklep1's a1" $PY move $DC_IMAP_PORT alice INBOX a1 $W1
run_sync
check "sklep1's request kept in shoper-sync's own state dir" [ "$(nkept)" -eq 1 ]
check "not in the queue the mail group can write" [ "$(nfiles .work)" -eq 0 ]
check "with its try counted" grep -q '^tries=1$' "$KEPT"/*.work
check "and its writer's uid" grep -q "^owner=$DC_UID\$" "$KEPT"/*.work
check "and a next try in the future" \
	[ -n "$(find "$KEPT" -name '*.work' -newermt '+30 seconds')" ]
check_not "a1 not marked" has_flag alice $W1 a1 '$ShoperStatus'
# then a change for sklep2, and another for sklep1
check "then alice moves sklep2's b1" $PY move $DC_IMAP_PORT alice INBOX b1 $W2
check "and sklep1's a2" $PY move $DC_IMAP_PORT alice INBOX a2 $W1
run_sync
use sklep2
check "sklep2's change carried out though sklep1 is down" [ "$(shop_status $B1)" = 6 ]
check "b1 marked done" has_flag alice $W2 b1 '$ShoperStatusDone'
check_not "before its time the kept request is not tried again" \
	grep -q "shop=sklep1 order=$A1: shop unreachable" "$T/sync.out"
check "the new one for the down shop is tried once and kept" \
	[ "$(grep -c "shop=sklep1 order=$A2: shop unreachable" "$T/sync.out")" -eq 1 ]
check "both kept" [ "$(nkept)" -eq 2 ]
check "no request left waiting" [ "$(nfiles .req)" -eq 0 ]

# the daemon with sklep1 still down: one cycle, then it waits
"$SYNC" -c "$CONF" daemon >"$T/daemon.out" 2>&1 &
DAEMON_PID=$!
cycles() { grep -c '^index .*published' "$T/daemon.out"; }
one_cycle() { [ "$(cycles)" -ge 1 ]; }
tries() { grep -c 'shop=sklep1 .*shop unreachable' "$T/daemon.out"; }
wait_for 40 one_cycle
sleep 4
check "daemon does not start cycle after cycle ($(cycles) in 4 s)" [ "$(cycles)" -eq 1 ]
check "nor try the kept requests before their time ($(tries) tries)" [ "$(tries)" -eq 0 ]
check "a move while it waits" $PY move $DC_IMAP_PORT alice INBOX b2 $W2
check "b2 marked done by the daemon" \
	wait_for 30 has_flag alice $W2 b2 '$ShoperStatusDone'
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
grep 'status change' "$T/daemon.out" | sed 's/^/# daemon: /'

# sklep1 back; once their time has come the kept requests are carried out
cp "$GOOD_CONF" "$CONF"
kept_due
run_sync
use sklep1
check "kept request for $A1 carried out when the shop is back" \
	[ "$(shop_status $A1)" = 6 ]
check "and the one for $A2" [ "$(shop_status $A2)" = 6 ]
check "a1 marked done" has_flag alice $W1 a1 '$ShoperStatusDone'
check "no .work left" [ "$(nfiles .work)" -eq 0 ] && [ "$(nkept)" -eq 0 ]
check "no .req left" [ "$(nfiles .req)" -eq 0 ]

# --- unreadable .work files go aside, the rest goes on ---
Q=$T/index/queue
ln -s /etc/passwd "$Q/6161.1.work"
head -c 70000 /dev/zero | tr '\0' x >"$Q/6161.2.work"
printf 'garbage\001\n' >"$Q/6161.3.work"
$PY move $DC_IMAP_PORT alice INBOX b3 $W2
run_sync
use sklep2
check "a good request carried out past unreadable ones" [ "$(shop_status $B3)" = 6 ]
check "symlink, oversize and garbage set aside as .bad" [ "$(nfiles .bad)" -eq 3 ]
check "no .work left" [ "$(nfiles .work)" -eq 0 ]
check "the setting aside is logged" grep -q 'set aside as .bad' "$T/sync.out"
rm -f "$Q"/*.bad "$Q"/*.work	# each part below starts from an empty queue

# --- requests written into the queue by hand (any mail group process) ---
forge() { st_forge req "$(date +%s)" "$@"; }	# USER SHOP ORDER STATUS MAILBOX UID
dc_msg bobs c@example.com q | $PY append $DC_IMAP_PORT bob INBOX
dc_msg daves c@example.com q | $PY append $DC_IMAP_PORT dave INBOX
# a message in one of bob's status folders (APPENDed: no request)
BOBF=$($PY list $DC_IMAP_PORT bob | grep '^Shoper\.' | head -n 1)
check "bob has a status folder ($BOBF)" [ -n "$BOBF" ]
dc_msg bobf c@example.com q | $PY append $DC_IMAP_PORT bob "$BOBF"
BOBF_UID=$($PY uid $DC_IMAP_PORT bob "$BOBF" bobf)
n_inbox() { $PY count $DC_IMAP_PORT "$1" INBOX; }
BOB_N=$(n_inbox bob) DAVE_N=$(n_inbox dave) CAROL_N=$(n_inbox carol)
use sklep1
PUTS0=$(shop_ctl GET /__test/counters | sed -n 's/.*"status_puts": *\([0-9]*\).*/\1/p')
forge bob sklep1 "$A3" 7 INBOX 1	# bob's shoper_shops: sklep2 only
forge alice sklep1 99999999 7 INBOX 1	# not in the index
forge "" sklep2 "$B4" 7 INBOX 1	# no user, not written by root
forge carol sklep1 "$A2" 7 INBOX 1	# no shoper_shops at all
forge nosuchuser sklep2 "$B3" 7 INBOX 1	# unknown to the userdb
run_sync
use sklep1
check "out-of-scope request not carried out" [ "$(shop_status $A3)" = 1 ]
check "refusal logged with the reason" \
	grep -q "user=bob shop=sklep1 order=$A3 .*result=failed: shop sklep1 is not in the shoper_shops of user bob" "$T/sync.out"
# INBOX is no status folder: a refused request touches nothing there
check_not "bob's INBOX message not marked" has_flag bob INBOX bobs '$ShoperStatus'
check "no notice in bob's INBOX" [ "$(n_inbox bob)" -eq "$BOB_N" ]
check "no notice in carol's INBOX" [ "$(n_inbox carol)" -eq "$CAROL_N" ]
check "order not in the index refused" \
	grep -q "order=99999999 .*result=failed: .*not in the index" "$T/sync.out"
check "user without shoper_shops refused" \
	grep -q "user=carol shop=sklep1 order=$A2 .*result=failed" "$T/sync.out"
check "status of $A2 unchanged" [ "$(shop_status $A2)" = 6 ]
use sklep2
check "request without a user from the mail group refused" [ "$(shop_status $B4)" = 1 ]
check "request of an unknown user refused" \
	grep -q "user=nosuchuser shop=sklep2 order=$B3 .*result=failed: no such user" "$T/sync.out"
check "its order unchanged" [ "$(shop_status $B3)" = 6 ]
check "and logged" grep -q "order=$B4 .*result=failed: request without a user" "$T/sync.out"
check "the log names the status as the state does, not as the request" \
	grep -q "order=$A3 old=1 (Nowe) new=7 (Zrealizowane) result=failed" "$T/sync.out"
use sklep1
check "no PUT for any of them" [ "$(shop_ctl GET /__test/counters | sed -n 's/.*"status_puts": *\([0-9]*\).*/\1/p')" -eq "$PUTS0" ]

# a user mask or a mailbox pattern is never handed to doveadm
forge '*' sklep2 "$B4" 7 INBOX 1
forge alice sklep1 99999998 7 'Shoper.sklep1.*' 1
forge 'd?ve' sklep1 99999997 7 INBOX 1
forge 'x%0Astatus%20change:%20forged' sklep1 99999996 7 INBOX 1
run_sync
check_not "a user name can't add a line to the log" \
	grep -q '^status change: forged' "$T/sync.out"
check "a request for user * refused" grep -q "user=\* .*order=$B4 .*result=failed: user name \* is not one user" "$T/sync.out"
check "and d?ve" grep -q "order=99999997 .*result=failed: user name d?ve is not one user" "$T/sync.out"
check_not "no one's message 1 marked (bob)" has_flag bob INBOX bobs '$ShoperStatus'
check_not "(dave)" has_flag dave INBOX daves '$ShoperStatus'
check "no notice in any INBOX" \
	[ "$(n_inbox bob)" -eq "$BOB_N" ] && [ "$(n_inbox dave)" -eq "$DAVE_N" ] &&
	[ "$(n_inbox carol)" -eq "$CAROL_N" ]
check "a mailbox pattern refused request logged" grep -q "order=99999998 .*result=failed" "$T/sync.out"
check_not "and marks no message of the folders it matches" \
	has_flag alice $W1 a1 '$ShoperStatusFailed'
# a refused request for a message in the user's own status folder: marked,
# and the notice says shoper-sync refused, with the state's status name
forge bob sklep1 "$A3" 8 "$BOBF" "$BOBF_UID"
run_sync
check "refused in bob's status folder" \
	grep -q "user=bob shop=sklep1 order=$A3 .*result=failed: shop sklep1 is not" "$T/sync.out"
check "\$ShoperStatusFailed on bob's message there" has_flag bob "$BOBF" bobf '$ShoperStatusFailed'
check "the notice says shoper-sync refused, and why" \
	[ "$($PY text $DC_IMAP_PORT bob "$BOBF" 'shoper-sync refused to set order')" -eq 1 ] &&
	[ "$($PY text $DC_IMAP_PORT bob "$BOBF" 'Reason: shop sklep1 is not in the shoper_shops of user bob')" -eq 1 ]
check "names the status as the state has it" \
	[ "$($PY text $DC_IMAP_PORT bob "$BOBF" 'status 8 (Anulowane)')" -eq 1 ]
check "and never quotes the request's own status name" \
	[ "$($PY text $DC_IMAP_PORT bob "$BOBF" 'mallory')" -eq 0 ]

# the scope can't be read (doveadm fails): kept for later, not refused
sed 's|^doveadm = .*|doveadm = /bin/false|' "$GOOD_CONF" >"$T/false.conf"
forge alice sklep1 "$A3" 7 INBOX 1
run_sync "$T/false.conf"
check "scope unreadable: request kept" [ "$(nkept)" -eq 1 ]
check "and not refused" grep -q "order=$A3: could not read shoper_shops" "$T/sync.out"
check_not "nor logged as a change" grep -q "order=$A3 .*result=" "$T/sync.out"
rm -f "$KEPT"/*.work
# dave's shoper_shops is "*": every shop
DAVEF=$($PY list $DC_IMAP_PORT dave | grep '^Shoper\.sklep1\.' | head -n 1)
dc_msg davef c@example.com q | $PY append $DC_IMAP_PORT dave "$DAVEF"
forge dave sklep1 "$A3" 7 "$DAVEF" "$($PY uid $DC_IMAP_PORT dave "$DAVEF" davef)"
run_sync
check "a user with * may change any shop's order" [ "$(shop_status $A3)" = 7 ]
check "and gets \$ShoperStatusDone" has_flag dave "$DAVEF" davef '$ShoperStatusDone'

# --- a status list over 64 KiB (45 shops of 25 statuses) ---
L=$DC_INDEX.statuses
cp "$L" "$T/statuses.orig"
{
	cat "$T/statuses.orig"
	echo 'shop=sklep1 id=99 active=1 name=Paczkomat'
	s=0
	while [ $s -lt 44 ]; do
		i=0
		while [ $i -lt 25 ]; do
			echo "shop=sklep-numer-$s id=$i active=1 name=W%20trakcie%20kompletowania%20przesy%C5%82ki"
			i=$((i + 1))
		done
		s=$((s + 1))
	done
} >"$L.new"
mv "$L.new" "$L"
chmod 644 "$L"
check "the list is over 64 KiB ($(wc -c <"$L") bytes)" [ "$(wc -c <"$L")" -gt 65536 ]
$PY list $DC_IMAP_PORT alice >"$T/list"
check "its folders still appear" grep -qx 'Shoper.sklep1.Paczkomat' "$T/list"
check "the others too" grep -qx "$W2" "$T/list"
# a list that can't be read: a warning in the log, not only at debug level
printf 'shoper-statuses 1\nnonsense\n' >"$L"
$PY list $DC_IMAP_PORT alice >/dev/null
check "an unreadable status list is logged as a warning" \
	grep -q 'Warning: .*shoper: no status folders: .*bad line' "$T/log/dovecot.log"
cp "$T/statuses.orig" "$L"

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
