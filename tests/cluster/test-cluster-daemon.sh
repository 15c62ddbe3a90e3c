#!/bin/sh
# Many backends (doc/design.md, "Many backends"): three shoper-sync
# daemons, each with its own state and local index, one test shop and a
# private redis-server. Only the lease holder calls the shop, every
# index gets the orders, a killed leader is replaced, a late node catches
# up from the snapshot and the stream, and with Redis stopped every
# local index still answers (and catches up once Redis is back).
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 300 --customers 60 || exit 1
shop_use sklep1

. "$TOP_SRCDIR/tests/cluster/cluster-lib.sh"
some_email=$(shop_ctl GET /__test/orders/5 | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')

redis_start
[ -S "$REDIS_SOCK" ]
tap $? "a private redis-server runs"
node_conf a
node_conf b
node_conf c
sync_run -c "$T/a.conf" check
echo "$OUT" | grep -q "cluster"
tap $? "check knows the [cluster] section"

sync_run -c "$T/a.conf" sync
[ "$RC" = 3 ] && echo "$OUT" | grep -q "the daemon syncs the shops"
tap $? "a one-off sync is refused with [cluster] (it would call the shop outside the lease)"

# ---- two nodes, one leader ----
base=$(counter total)
node_start a
node_start b
wait_for 60 all_have "$some_email" a b
tap $? "both local indexes have the shop's orders"
wait_for 10 one_leader
tap $? "exactly one node leads the shop ($(leader | tr '\n' ' '))"
L=$(leader)
F=a
[ "$L" = a ] && F=b
[ "$(calls $F)" = 0 ]
tap $? "the follower ($F) made no call to the shop"
total=$(($(counter total) - base))
[ "$total" -gt 0 ] && [ "$total" -eq "$(calls $L)" ]
tap $? "every request the shop saw came from the leader ($total = $(calls $L))"

new_order "first.change@example.com"
wait_for 30 all_have first.change@example.com a b
tap $? "a new order reaches both local indexes"

# ---- the leader dies ----
node_kill "$L"
LIVE=$F
wait_for 20 sh -c "grep -q '^shop sklep1 role leader' '$T/$F/state/cluster.status'"
tap $? "the follower ($F) takes over the lease"
new_order "after.takeover@example.com"
wait_for 30 all_have after.takeover@example.com "$F"
tap $? "the new leader syncs and publishes"

# ---- a late node ----
node_start c
LIVE="$F c"
wait_for 30 all_have after.takeover@example.com c
tap $? "a late node (c) has every order from the snapshot and the stream"
has_email c first.change@example.com
tap $? "including the ones written before it started"
[ "$(calls c)" = 0 ]
tap $? "the late node made no call to the shop"
sync_run -c "$T/c.conf" check
echo "$OUT" | grep -q "follower"
tap $? "check on c shows it follows"

# ---- Redis stops ----
redis_stop
new_order "during.outage@example.com"
sleep 3
all_have "$some_email" "$F" c && all_have after.takeover@example.com "$F" c
tap $? "with Redis stopped every local index still answers"
kill -0 "$(eval echo \$NPID_$F)" 2>/dev/null && kill -0 "$NPID_c" 2>/dev/null
tap $? "and the daemons keep running"
grep -q "lease lost\|not reachable\|Redis" "$T/$F.log"
tap $? "the leader logged that Redis went away"
redis_start
wait_for 40 all_have during.outage@example.com "$F" c
tap $? "Redis back: the order placed during the outage reaches every index"
wait_for 10 one_leader
tap $? "and one node leads again"

node_kill "$F" TERM
node_kill c TERM
tap_end
