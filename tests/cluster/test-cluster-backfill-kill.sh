#!/bin/sh
# Many backends: the leader killed during the first backfill. While it
# backfills the other node makes no call; after the kill the other takes
# the lease, backfills itself and publishes to both; the killed node,
# restarted, catches up from the snapshot without calling the shop.
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
command -v redis-server >/dev/null 2>&1 || {
	echo "1..0 # SKIP redis-server not installed"
	exit 0
}
sync_init
sync_add_shop sklep1 --orders 6000 --customers 600 || exit 1
shop_use sklep1

REDIS_DIR="$T/redis"
mkdir -p "$REDIS_DIR"
REDIS_SOCK="$REDIS_DIR/redis.sock"
REDIS_PID=
redis_start() {
	# appendonly: the lease counter must survive a restart (fencing)
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
		--dir "$REDIS_DIR" --save "" --appendonly yes \
		--appendfsync always >"$REDIS_DIR/log" 2>&1 &
	REDIS_PID=$!
	_i=0
	while [ ! -S "$REDIS_SOCK" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
redis_stop() {
	[ -n "$REDIS_PID" ] || return 0
	kill "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}

PIDS=
node_conf() { # NAME: a config of its own (state, index), one [cluster]
	mkdir -p "$T/$1/index"
	chmod 2750 "$T/$1/index"
	sed -e "s|^index = .*|index = $T/$1/index/orders.cdb|" \
		-e "s|^state_dir = .*|state_dir = $T/$1/state\ninterval = 10|" "$CONF" \
		>"$T/$1.conf"
	printf '\n[cluster]\nredis = unix:%s\nnode = %s\nlease_ms = 1500\ntimeout_ms = 400\n' \
		"$REDIS_SOCK" "$1" >>"$T/$1.conf"
}
node_start() {
	"$SYNC_BIN" -c "$T/$1.conf" daemon >"$T/$1.log" 2>&1 &
	eval "NPID_$1=\$!"
	PIDS="$PIDS $!"
}
node_kill() { # NAME [SIGNAL]
	eval "_p=\$NPID_$1"
	kill "-${2:-KILL}" "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}
cleanup() {
	for _p in $PIDS; do kill -KILL "$_p" 2>/dev/null; done
	redis_stop
	sync_cleanup
}
trap cleanup EXIT
# the node's view: its status file's line of the shop
shop_line() { grep '^shop sklep1 ' "$T/$1/state/cluster.status" 2>/dev/null; }
role() { shop_line "$1" | awk '{ print $4 }'; }
calls() { shop_line "$1" | sed -n 's/.* calls \([0-9]*\).*/\1/p'; }
has_email() { # NODE EMAIL: the node's local index has an order for it
	"$SYNC_BIN" -c "$T/$1.conf" lookup "$2" 2>/dev/null | grep -q sklep1
}
wait_for() { # SECONDS CMD...: until CMD succeeds
	_w=$1
	shift
	_i=0
	while ! "$@"; do
		_i=$((_i + 1))
		[ "$_i" -ge $((_w * 10)) ] && return 1
		sleep 0.1
	done
}
LIVE="a b" # a dead node's status file stays as it last wrote it
leader() {
	for _n in $LIVE; do
		[ "$(role $_n)" = leader ] && echo $_n
	done
}
one_leader() { [ "$(leader | wc -l)" -eq 1 ]; }
new_order() { # EMAIL: an order placed in the shop
	shop_ctl POST /__test/orders "{\"email\":\"$1\",\"firstname\":\"A\",\"lastname\":\"B\",\"sum\":\"1.00\",\"status_id\":\"1\"}" >/dev/null
}
all_have() { # EMAIL NODES...
	_e=$1
	shift
	for _n in "$@"; do has_email "$_n" "$_e" || return 1; done
}
a_called() { [ "$(counter total)" -gt $((base + 2)) ]; }
some_email=$(shop_ctl GET /__test/orders/5 | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')
last_email=$(shop_ctl GET /__test/orders/5990 | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')
redis_start
node_conf a
node_conf b
base=$(counter total)
# every bulk call answers after 2 s: the backfill (5 of them at least)
# is still running when a is killed after its first answer
shop_ctl POST /__test/faults '{"kind": "timeout", "count": 1000, "path": "/webapi/rest/bulk", "seconds": 2, "answer": true}' >/dev/null
node_start a
wait_for 20 sh -c "grep -q 'this node leads' '$T/a.log'"
tap $? "a leads"
node_start b
# a is backfilling: the shop has answered some of its calls, no index yet
wait_for 30 test -s "$T/b/state/cluster.status"
wait_for 30 a_called
[ ! -e "$T/a/index/orders.cdb" ] && [ "$(counter total)" -gt "$base" ]
tap $? "a is in its backfill (calls made, nothing published yet)"
[ "$(calls b)" = 0 ]
tap $? "b makes no call meanwhile"
node_kill a
LIVE=b
shop_ctl DELETE /__test/faults >/dev/null
wait_for 30 sh -c "grep -q '^shop sklep1 role leader' '$T/b/state/cluster.status'"
tap $? "b takes the lease after the kill"
wait_for 120 all_have "$last_email" b
tap $? "b backfills and publishes the shop ($(shop_line b))"
has_email b "$some_email"
tap $? "old and new orders alike"
node_start a
LIVE="a b"
wait_for 30 all_have "$last_email" a
tap $? "a, restarted, has every order from the snapshot"
sleep 1
[ "$(role a)" = follower ] && [ "$(calls a)" = 0 ]
tap $? "and follows without calling the shop"
node_kill a TERM
node_kill b TERM
tap_end
