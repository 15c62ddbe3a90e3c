#!/bin/sh
# Many backends: the leader killed during the first backfill. While it
# backfills the other node makes no call; after the kill the other takes
# the lease, backfills itself and publishes to both; the killed node,
# restarted, catches up from the snapshot without calling the shop.
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 6000 --customers 600 || exit 1
shop_use sklep1

. "$TOP_SRCDIR/tests/cluster/cluster-lib.sh"
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
