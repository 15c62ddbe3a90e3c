#!/bin/sh
# [sync] doveadm_socket: shoper-sync sets the outcome keyword and saves the
# notice through Dovecot's doveadm server (doveadm CMD -S SOCKET), so it
# needs no root. The doveadm configuration shoper-sync is given has a mail
# location that leads nowhere: only the server, with the real one, can
# reach the mailboxes (the control run without the socket shows it).
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
# the doveadm server socket belongs to an unprivileged user, as it would
# to shoper-sync's (root may use it all the same); so does the userdb
# socket, so that user may look up any user's shoper_shops (auth restricts
# a peer other than the owner of a 0666 socket to its own uid)
ST_DOVEADM_USER=nobody
ST_USERDB_USER=nobody
st_setup

# config checks first (no network): the key is known, and a path
printf '[sync]\nbogus = 1\n[shop s]\nurl = https://127.0.0.1:1\nlogin = a\npassword_file = /nonexistent\n' >"$T/bad.conf"
"$SYNC" -c "$T/bad.conf" sync >"$T/bad.out" 2>&1
check "unknown key's message lists doveadm_socket" grep -q 'doveadm_socket' "$T/bad.out"
printf '[sync]\ndoveadm_socket = run/doveadm-server\n[shop s]\nurl = https://127.0.0.1:1\nlogin = a\npassword_file = /nonexistent\n' >"$T/bad.conf"
"$SYNC" -c "$T/bad.conf" sync >"$T/bad.out" 2>&1
check "a relative doveadm_socket is refused" grep -q 'doveadm_socket = run/doveadm-server is not an absolute path' "$T/bad.out"

use sklep2
B1=$(new_order b1@example.com); B2=$(new_order b2@example.com)
B3=$(new_order b3@example.com); B4=$(new_order b4@example.com)
st_first_sync
for m in b1 b2 b3 b4; do deliver $m $m@example.com alice; done
W2=Shoper.sklep2.Wysłane
check "doveadm server socket in the run dir" [ -S "$T/run/doveadm-server" ]

mkdir -m 1777 "$T/nowhere"	# an empty mail store of its own
dc_config "$T/conf/client.conf" "$T/nowhere"
sed "s|^doveadm_config = .*|doveadm_config = $T/conf/client.conf|" "$CONF" >"$T/local.conf"
sed "s|^doveadm_config = .*|doveadm_config = $T/conf/client.conf\\
doveadm_socket = $T/run/doveadm-server|" "$CONF" >"$T/socket.conf"
check "socket configured" grep -q "^doveadm_socket = $T/run/doveadm-server\$" "$T/socket.conf"

# control: run locally with that configuration, doveadm sets the keyword
# in the empty store (its folder made there, as doveadm 2.3 panics on a
# missing one), not on the moved message
/usr/bin/doveadm -c "$T/conf/client.conf" mailbox create -u alice $W2
check "UID MOVE b1" $PY move $DC_IMAP_PORT alice INBOX b1 $W2
run_sync "$T/local.conf"
check "control: change done" grep -q "order=$B1 .*result=done" "$T/sync.out"
check_not "control: no keyword on b1 without the server" \
	has_flag alice $W2 b1 '$ShoperStatus'

# through the doveadm server
check "UID MOVE b2" $PY move $DC_IMAP_PORT alice INBOX b2 $W2
run_sync "$T/socket.conf"
check "change done" [ "$(shop_status $B2)" = 6 ]
check_not "keyword set without complaint" grep -q 'could not' "$T/sync.out"
check "\$ShoperStatusDone arrives over IMAP" has_flag alice $W2 b2 '$ShoperStatusDone'

# a refusal: keyword and the notice (doveadm save -S) through the server
shop_ctl POST /__test/config "{\"reject_status_change\": {\"order_id\": \"$B3\", \"error_description\": \"Zamowienie zablokowane\"}}" >/dev/null
check "UID MOVE b3 into Anulowane" $PY move $DC_IMAP_PORT alice INBOX b3 Shoper.sklep2.Anulowane
run_sync "$T/socket.conf"
check "refused" grep -q "order=$B3 .*result=failed: .*zablokowane" "$T/sync.out"
check "\$ShoperStatusFailed arrives over IMAP" \
	has_flag alice Shoper.sklep2.Anulowane b3 '$ShoperStatusFailed'
check "the notice is saved next to it" \
	[ "$($PY text $DC_IMAP_PORT alice Shoper.sklep2.Anulowane 'Reason: shop sklep2')" -eq 1 ]

# shoper-sync as an unprivileged user that owns its state, index and
# password files, is a member of the mail group (the index dir's: the
# requests are 0660) and may use the doveadm server socket: no root
chown -R nobody "$T/sstate" "$T/index" "$T/sklep1.password" "$T/sklep2.password"
check "UID MOVE b4" $PY move $DC_IMAP_PORT alice INBOX b4 $W2
setpriv --reuid=nobody --regid=nogroup --groups $DC_UID \
	"$SYNC" -c "$T/socket.conf" sync >"$T/sync.out" 2>&1
sed 's/^/# nobody: /' "$T/sync.out"
check "as nobody: change done" grep -q "order=$B4 .*result=done" "$T/sync.out"
check_not "as nobody: no complaint" grep -q 'could not' "$T/sync.out"
check "as nobody: \$ShoperStatusDone arrives over IMAP" \
	has_flag alice $W2 b4 '$ShoperStatusDone'

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
