#!/bin/sh
# Many backends: status requests cross backends, exactly once. Two
# private Dovecots (main: the leader's, b: a follower's), three
# shoper-sync nodes (a on main, b on b, c a standby on main) on one
# private Redis. A message moved into a status folder over IMAP on b's
# Dovecot reaches the shop's leader through Redis, gets one PUT, and its
# keyword is set in b's Dovecot; a refusal gets $ShoperStatusFailed and
# the notice there; the leader killed while its PUT waits for the shop's
# answer: the new leader finds the order changed and makes no second
# PUT; Redis stopped during moves: the requests wait in b's queue and
# are carried out once when it is back.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
command -v redis-server >/dev/null 2>&1 || {
	echo "1..0 # SKIP redis-server not installed"
	exit 0
}
ST_ORDERS=20 ST_CUSTOMERS=10
. "$TOP_SRCDIR/tests/status/status-lib.sh"
DC_PY="$SHOP_PYTHON $TOP_SRCDIR/tests/lib/dovecot_client.py"
st_setup
use sklep1
O1=$(new_order c1@example.com) O2=$(new_order c2@example.com)
O3=$(new_order c3@example.com) O4=$(new_order c4@example.com)
O5=$(new_order c5@example.com)
st_first_sync
MAIN_T=$T MAIN_INDEX=$DC_INDEX MAIN_CONF=$DC_CONF

# b's Dovecot: the imap module, erin, the queue dir (the status list
# comes from node b, which has the statuses through Redis)
dc_instance b
cp "$MOD" "$T/modules/"
dc_plugins imap imap_shoper
dc_set shoper_status_folder Shoper
chgrp $DC_UID "$T/index"
chmod 2750 "$T/index"
mkdir -p "$T/index/queue"
chgrp $DC_UID "$T/index/queue"
chmod 2770 "$T/index/queue"
dc_user erin "userdb_shoper_shops=sklep1"
chown $DC_UID:$DC_UID "$T/home/erin"
dc_start || { echo "not ok - dovecot b did not start"; exit 1; }
B_T=$T B_INDEX=$DC_INDEX B_CONF=$DC_CONF
T=$MAIN_T

REDIS_DIR="$MAIN_T/redis"
REDIS_SOCK="$REDIS_DIR/redis.sock"
REDIS_PID=
mkdir -p "$REDIS_DIR"
redis_start() {
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
		--dir "$REDIS_DIR" --save "" --appendonly yes \
		--appendfsync always >>"$REDIS_DIR/log" 2>&1 &
	REDIS_PID=$!
	wait_for 10 test -S "$REDIS_SOCK"
}
redis_stop() {
	kill "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
}
NODE_PIDS=
cleanup() {
	for p in $NODE_PIDS; do kill -KILL "$p" 2>/dev/null; done
	[ -n "$REDIS_PID" ] && redis_stop
	st_cleanup
}
trap cleanup EXIT
node_conf() { # NAME INDEX DOVECOT-CONF: its own state, index, Dovecot
	mkdir -p "$MAIN_T/$1"
	mkdir -p -m 700 "$MAIN_T/$1/state"
	sed -e "s|^index = .*|index = $2|" \
		-e "s|^doveadm_config = .*|doveadm_config = $3|" \
		-e "s|^state_dir = .*|state_dir = $MAIN_T/$1/state|" \
		-e "s|^interval = .*|interval = 10|" \
		"$CONF" >"$MAIN_T/$1.conf"
	printf '\n[cluster]\nredis = unix:%s\nnode = %s\nlease_ms = 1500\ntimeout_ms = 400\n' \
		"$REDIS_SOCK" "$1" >>"$MAIN_T/$1.conf"
}
node_start() {
	"$SYNC" -c "$MAIN_T/$1.conf" daemon >>"$MAIN_T/$1.log" 2>&1 &
	eval "NPID_$1=\$!"
	NODE_PIDS="$NODE_PIDS $!"
}
role() { grep "^shop sklep1 " "$MAIN_T/$1/state/cluster.status" 2>/dev/null | awk '{ print $4 }'; }
leads() { [ "$(role "$1")" = leader ]; }
in_index() { "$SYNC" -c "$MAIN_T/$1.conf" lookup "$2" 2>/dev/null | grep -q sklep1; }
ms() { echo $(($(date +%s%N) / 1000000)); }
queued() { ls "$B_T/index/queue" 2>/dev/null | grep -c '\.\(req\|work\)$'; }

mkdir -p "$MAIN_T/c/index"
node_conf a "$MAIN_INDEX" "$MAIN_CONF"
node_conf b "$B_INDEX" "$B_CONF"
node_conf c "$MAIN_T/c/index/orders.cdb" "$MAIN_CONF"
redis_start
node_start a
check "a leads sklep1" wait_for 30 leads a
leads a || { sed 's/^/# /' "$MAIN_T/a.log"; echo "Bail out! no leader"; exit 1; }
node_start b
node_start c
check "b's index gets the orders through Redis" wait_for 30 in_index b c5@example.com
check "and b writes the status list for its Dovecot" wait_for 30 test -s "$B_INDEX.statuses"
dc_use b
for i in 1 2 3 4 5; do deliver m$i c$i@example.com erin; done
check "delivered into b's Dovecot with the order headers" \
	[ "$($PY header $DC_IMAP_PORT erin INBOX X-Shoper-Order-Id "$O1")" -eq 1 ]
PUTS_START=$(counter status_puts)

# a move on b: the leader a carries it out, b sets the keyword
PUTS0=$(counter status_puts)
t0=$(ms)
check "erin moves m1 into Shoper.Wysłane on b's Dovecot" \
	$PY move $DC_IMAP_PORT erin INBOX m1 Shoper.Wysłane
check "\$ShoperStatusDone on it in b's Dovecot" \
	wait_for 30 has_flag erin Shoper.Wysłane m1 '$ShoperStatusDone'
echo "# move to keyword across backends: $(($(ms) - t0)) ms"
check "one PUT" [ "$(counter status_puts)" -eq $((PUTS0 + 1)) ]
check "order $O1 is Wysłane (6) in the shop" [ "$(shop_status $O1)" = 6 ]
check "b sent it to the leader" grep -q "order=$O1 new=6: sent to the shop's leader" "$MAIN_T/b.log"
check "the leader a carried it out" \
	grep -q "status change: user=erin shop=sklep1 order=$O1 old=1 (Nowe) new=6 (Wysłane) result=done" "$MAIN_T/a.log"
check "b's queue is empty" [ "$(queued)" -eq 0 ]
check "b's index shows the new status" \
	wait_for 20 sh -c "'$SYNC' -c '$MAIN_T/b.conf' lookup --json c1@example.com | grep -q '\"status_id\": *\"6\"'"

# the shop refuses: failed, with the notice in b's Dovecot
shop_ctl POST /__test/config "{\"reject_status_change\": {\"order_id\": \"$O2\", \"error_description\": \"Zamowienie zablokowane\"}}" >/dev/null
check "erin copies m2 into Shoper.Anulowane on b" \
	$PY copy $DC_IMAP_PORT erin INBOX m2 Shoper.Anulowane
check "\$ShoperStatusFailed on it in b's Dovecot" \
	wait_for 30 has_flag erin Shoper.Anulowane m2 '$ShoperStatusFailed'
check "the notice with the shop's reason next to it" \
	wait_for 10 sh -c "[ \"\$($PY text $DC_IMAP_PORT erin Shoper.Anulowane zablokowane)\" -eq 1 ]"
check "order $O2 unchanged in the shop" [ "$(shop_status $O2)" = 1 ]

# the leader killed while its PUT waits for the shop's answer (the shop
# applies it after 3 s all the same): the next leader reads the order,
# finds it done, and makes no second PUT
shop_ctl POST /__test/faults '{"kind": "timeout", "count": 1, "method": "PUT", "path": "/webapi/rest/orders", "seconds": 3, "answer": true}' >/dev/null
PUTS0=$(counter status_puts)
t0=$(ms)
check "erin moves m3 into Shoper.Wysłane on b" \
	$PY move $DC_IMAP_PORT erin INBOX m3 Shoper.Wysłane
wait_for 20 grep -q "order=$O3 new=6: sent to the shop's leader" "$MAIN_T/b.log"
sleep 1
check "a still leads when it is killed, its PUT unanswered" leads a
kill -KILL "$NPID_a"
wait "$NPID_a" 2>/dev/null
o3_applied() { [ "$(shop_status $O3)" = 6 ]; }
check "the shop applied the dead leader's PUT" wait_for 10 o3_applied
check "\$ShoperStatusDone on m3 in b's Dovecot" \
	wait_for 60 has_flag erin Shoper.Wysłane m3 '$ShoperStatusDone'
echo "# move to keyword with the leader killed: $(($(ms) - t0)) ms"
NEW=$(leads b && echo b || echo c)
check "the new leader ($NEW) found it done" \
	grep -q "order=$O3 old=.* new=6 (Wysłane) result=done" "$MAIN_T/$NEW.log"
check "exactly one PUT for it" [ "$(counter status_puts)" -eq $((PUTS0 + 1)) ]
shop_ctl DELETE /__test/faults >/dev/null

# Redis stopped during moves: they wait in b's queue, then go once
redis_stop
REDIS_PID=
PUTS0=$(counter status_puts)
check "with Redis stopped erin moves m4 into Shoper.Wysłane" \
	$PY move $DC_IMAP_PORT erin INBOX m4 Shoper.Wysłane
check "and m5 into Shoper.Zrealizowane" \
	$PY move $DC_IMAP_PORT erin INBOX m5 Shoper.Zrealizowane
sleep 2
check "both wait in b's queue" [ "$(queued)" -eq 2 ]
check_not "no keyword yet" has_flag erin Shoper.Wysłane m4 '$ShoperStatus'
t0=$(ms)
redis_start
check "Redis back: \$ShoperStatusDone on m4" \
	wait_for 60 has_flag erin Shoper.Wysłane m4 '$ShoperStatusDone'
check "and on m5" wait_for 30 has_flag erin Shoper.Zrealizowane m5 '$ShoperStatusDone'
echo "# Redis back to both keywords: $(($(ms) - t0)) ms"
check "two PUTs" [ "$(counter status_puts)" -eq $((PUTS0 + 2)) ]
check "orders $O4 and $O5 are 6 and 7" [ "$(shop_status $O4)" = 6 ] && [ "$(shop_status $O5)" = 7 ]
check "b's queue is empty" [ "$(queued)" -eq 0 ]
TOTAL=$(($(counter status_puts) - PUTS_START))
echo "# status PUTs: $TOTAL for 5 requests (0 double, 0 lost)"
check "five requests, five PUTs" [ "$TOTAL" -eq 5 ]
"$SYNC" -c "$MAIN_T/b.conf" check >"$MAIN_T/check.out" 2>&1
grep 'status requests' "$MAIN_T/check.out" | sed 's/^/# /'
check "check on b: nothing waits in Redis or in b's queue" \
	sh -c "grep -q 'sklep1. status requests in Redis: 0 waiting' '$MAIN_T/check.out' &&
		grep -q 'queued on this node, not yet in Redis: 0' '$MAIN_T/check.out'"
for n in b c; do eval "kill -TERM \$NPID_$n"; done
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
