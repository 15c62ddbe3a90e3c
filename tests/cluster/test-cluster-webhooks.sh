#!/bin/sh
# Webhooks under [cluster] (doc/design.md, "Many backends"): three nodes,
# each with its listener, the poll interval long (300 s) so that only a
# webhook explains a quick change. A webhook sent to a follower is handed
# to the leader through Redis and reaches every local index, with no call
# of the follower to the shop; one sent to the leader too; a forged one
# on a follower is refused and not forwarded; a hand-over entry that is
# no list of ids is dropped with a log line; with Redis stopped the
# follower answers 503 and keeps the id, which reaches every index once
# Redis is back (and an order changed without a webhook meanwhile does
# not: no poll ran); after SIGHUP the follower's listener serves again.
# Times are printed, never asserted.
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 200 --customers 40 --seed 5 || exit 1
shop_use sklep1
CL_INTERVAL=300
# long enough that the leader keeps its lease through a short outage
CL_LEASE_MS=15000
. "$TOP_SRCDIR/tests/cluster/cluster-lib.sh"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
redis_start
for n in a b c; do
	node_conf $n
	p=$(free_port)
	eval "PORT_$n=$p"
	sed -i "s|^interval = .*|&\nwebhook_listen = 127.0.0.1:$p|" "$T/$n.conf"
done
LIVE="a b c"
some_email=$(shop_ctl GET /__test/orders/5 | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')
node_start a
node_start b
node_start c
wait_for 90 all_have "$some_email" a b c
tap $? "three nodes with listeners: every local index has the shop's orders"
wait_for 20 one_leader
tap $? "one node leads ($(leader | tr '\n' ' '))"
L=$(leader)
set -- $(echo a b c | tr ' ' '\n' | grep -v "^$L$")
F=$1 F2=$2

# the webhook (one row in the shop) points at the follower's listener;
# its secret file goes to every node, as an admin copies it
hook_to() { # NODE: the shop's webhook sends to NODE's listener
	eval "_p=\$PORT_$1"
	"$SYNC_BIN" -c "$T/a.conf" webhooks install --shop sklep1 \
		--url "http://127.0.0.1:$_p/shoper/sklep1" >"$T/install.out" 2>&1 || return 1
	for _n in b c; do
		cp -p "$T/a/state/sklep1.webhook" "$T/$_n/state/sklep1.webhook" || return 1
	done
}
hook_to "$F"
tap $? "webhook installed, pointing at the follower $F"

# idx_field NODE ID FIELD: the order's FIELD in NODE's local index
email_of() { shop_ctl GET /__test/orders/$1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])'; }
idx_field() { lookup_field "$T/$1.conf" "$(cat "$T/email.$2")" "$2" "$3"; }
all_status() { # ID STATUS: every node's index shows it
	for _n in a b c; do
		[ "$(idx_field $_n "$1" status_id)" = "\"$2\"" ] || return 1
	done
}
none_status() { # ID STATUS: no node's index shows it
	for _n in a b c; do
		[ "$(idx_field $_n "$1" status_id)" != "\"$2\"" ] || return 1
	done
}
set_status() { shop_ctl PUT /__test/orders/$1 "{\"status_id\": \"$2\"}" >/dev/null; }
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
sent_n() { sent_codes | wc -w; }
last_code() { sent_codes | tr ' ' '\n' | tail -1; }
# fire ID STATUS [FAULT]: the status changed in the shop, its webhook
# (with FAULT) delivered
fire() {
	_n=$(sent_n)
	[ -z "${3:-}" ] || shop_ctl POST /__test/webhooks/faults "{\"kind\": \"$3\"}" >/dev/null
	set_status "$1" "$2"
	wait_sent $((_n + 1))
}
# orders within the history window (an older one re-read leaves the index)
set -- $(sqlite3 "$T/$L/state/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id NOT IN ('7','8') ORDER BY order_id DESC LIMIT 7")
O1=$1 O2=$2 O3=$3 O4=$4 O5=$5 O6=$6 O7=$7
for id in "$@"; do email_of $id >"$T/email.$id"; done
calls_l0=$(calls "$L")
base=$(counter total)

# ---- a webhook at a follower ----
n=$(sent_n)
t0=$(now_ms)
set_status $O1 8
wait_for 60 all_status $O1 8
r=$?
echo "# webhook at the follower -> every index: $(($(now_ms) - t0)) ms (poll interval 300 s)"
tap $r "a webhook sent to the follower $F: the change is in every local index long before the poll"
wait_sent $((n + 1))
[ "$(last_code)" = "None:200" ]
tap $? "the follower answered the shop 200 ($(last_code))"
grep -q "re-read (1 handed over)" "$T/$L.log"
tap $? "the leader $L re-read the order handed over"
[ "$(calls "$F")" = 0 ] && [ "$(calls "$F2")" = 0 ] && ! grep -q "re-read" "$T/$F.log"
tap $? "the followers made no call to the shop"
total=$(($(counter total) - base))
[ "$total" -gt 0 ] && [ "$total" -eq $(($(calls "$L") - calls_l0)) ]
tap $? "every request the shop saw came from the leader ($total = $(($(calls "$L") - calls_l0)))"

# ---- forged on a follower: refused, not forwarded ----
fire $O2 7 bad_signature
[ "$(last_code)" = "bad_signature:401" ]
tap $? "a forged webhook at the follower: 401"
grep -q "refused (401): bad X-Webhook-Sha1, shop sklep1" "$T/$F.log"
tap $? "with a log line on the follower"
# a genuine one after it, at the same follower: once it is everywhere,
# the forged one would have been too, had it been handed over
set_status $O3 8
wait_for 60 all_status $O3 8 && none_status $O2 7
tap $? "the forged one was not forwarded: the genuine one after it arrived, its order did not change"

# ---- a hand-over entry that is no list of ids ----
redis-cli -s "$REDIS_SOCK" XADD "shoper:{sklep1}:hooks" '*' orders "1 x" >/dev/null
wait_for 10 grep -q "hand-over entries dropped" "$T/$L.log"
tap $? "an entry that does not parse is dropped with a log line"

# ---- a webhook at the leader ----
hook_to "$L"
base=$(counter total)
calls_l0=$(calls "$L")
set_status $O4 8
wait_for 60 all_status $O4 8
tap $? "a webhook sent to the leader $L: in every local index"
total=$(($(counter total) - base))
[ "$total" -eq $(($(calls "$L") - calls_l0)) ] && [ "$(calls "$F")" = 0 ]
tap $? "still only the leader called the shop ($total)"

# ---- Redis stopped: 503, the id kept, nothing lost ----
hook_to "$F"
base=$(counter total)
calls_l0=$(calls "$L")
redis_stop
fire $O5 8
[ "$(last_code)" = "None:503" ]
tap $? "Redis stopped: the follower answers the webhook 503 ($(last_code))"
grep -q "order $O5 kept here, answered 503" "$T/$F.log"
tap $? "and keeps the order id (log line)"
# an order changed without a webhook: only a poll would bring it
fire $O6 8 lose
redis_start
t0=$(now_ms)
wait_for 60 all_status $O5 8
r=$?
echo "# Redis back -> the kept webhook in every index: $(($(now_ms) - t0)) ms"
tap $r "Redis back: the kept order reaches every local index"
none_status $O6 8
tap $? "through the kept webhook, not a poll (an order changed without one is not there)"
[ "$(leader)" = "$L" ]
tap $? "the leader kept its lease through the outage"
total=$(($(counter total) - base))
[ "$(calls "$F")" = 0 ] && [ "$(calls "$F2")" = 0 ] &&
	[ "$total" -eq $(($(calls "$L") - calls_l0)) ]
tap $? "and no follower called the shop ($total = leader's)"

# ---- a reload restarts the follower's listener ----
eval "kill -HUP \$NPID_$F"
listening() { python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; }
eval "_p=\$PORT_$F"
wait_for 20 grep -q "configuration reloaded" "$T/$F.log" && wait_for 20 listening "$_p"
tap $? "SIGHUP: the follower $F reloads and listens again"
fire $O7 8
wait_for 60 all_status $O7 8
tap $? "and its listener takes the next webhook to every index ($(last_code))"

for n in a b c; do node_kill $n TERM; done
tap_end
