#!/bin/sh
# Many backends: a node that never led the shop has the shop's statuses
# (doc/design.md, "Many backends"): its status list (<index>.statuses,
# what the IMAP module reads), `shoper-sync statuses` and its filters are
# the leader's, from Redis, without a call to the shop; a status renamed
# in the shop reaches them and the follower's index. A steady cycle (the
# leader re-reads recent orders, nothing changed) writes no stream entry.
# A status request on the follower is checked against those statuses.
SYNC_TIMEOUT=5
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 120 --customers 40 || exit 1
shop_use sklep1

. "$TOP_SRCDIR/tests/cluster/cluster-lib.sh"
with_filters() { # NODE: filters_dir of its own in [sync]
	sed -i "s|^state_dir = .*|&\nfilters_dir = $T/$1/filters|" "$T/$1.conf"
}
list() { cat "$T/$1/index/orders.cdb.statuses" 2>/dev/null; }
statuses() { "$SYNC_BIN" -c "$T/$1.conf" statuses 2>&1; }
same_lists() { [ -n "$(list a)" ] && [ "$(list a)" = "$(list b)" ]; }
stream_top() {
	redis-cli -s "$REDIS_SOCK" XREVRANGE 'shoper:{sklep1}:changes' + - COUNT 1 |
		head -1
}
calls_moved() { [ "$(calls "$1")" != "$2" ]; }
next_cycle() { # NODE: until its next cycle is over (its shop calls grow)
	wait_for 40 calls_moved "$1" "$(calls "$1")"
}

redis_start
node_conf a
node_conf b
with_filters a
with_filters b
KID=$(shop_ctl POST /__test/orders '{"email":"kurier@example.com","firstname":"A","lastname":"B","sum":"1.00","status_id":"6"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
node_start a
wait_for 20 sh -c "grep -q 'this node leads' '$T/a.log'"
tap $? "a leads the shop"
wait_for 60 all_have kurier@example.com a
tap $? "a has synced and published the shop"
node_start b
LIVE="a b"
wait_for 30 all_have kurier@example.com b
tap $? "b, which never led the shop, has its orders"
wait_for 20 same_lists
tap $? "b's status list is the leader's ($(list b | wc -l) lines)"
list b | grep -q "^shop=sklep1 id=6 active=1 name=Wysłane$"
tap $? "with the shop's statuses, by id and name"
[ "$(statuses b)" = "$(statuses a)" ] && statuses b | grep -q "Wysłane"
tap $? "shoper-sync statuses on b shows the leader's statuses"
# the compiled scripts (.svbin) differ in bytes of their own
[ -s "$T/b/filters/shoper.sieve" ] &&
	diff -r -x '*.svbin' "$T/a/filters" "$T/b/filters" >/dev/null
tap $? "b's filters are the leader's"
[ "$(calls b)" = 0 ] && [ "$(role b)" = follower ]
tap $? "b made no call to the shop"

# ---- a status renamed in the shop ----
shop_ctl PUT /__test/statuses/6 '{"name": "Wysłane kurierem", "lang": "pl_PL"}' >/dev/null
wait_for 40 sh -c "grep -q 'name=Wysłane%20kurierem$' '$T/b/index/orders.cdb.statuses'"
tap $? "the renamed status reaches b's status list"
statuses b | grep -q "Wysłane kurierem"
tap $? "and shoper-sync statuses on b"
grep -rq "Wysłane kurierem" "$T/b/filters"
tap $? "and b's filters"
wait_for 20 sh -c "'$SYNC_BIN' -c '$T/b.conf' lookup kurier@example.com | grep -q 'Wysłane kurierem'"
tap $? "b's index shows the order's new status name"

# ---- steady cycles: nothing changed, nothing written ----
next_cycle a
top1=$(stream_top)
next_cycle a
next_cycle a
top2=$(stream_top)
[ -n "$top1" ] && [ "$top1" = "$top2" ]
tap $? "two steady cycles of the leader write no stream entry ($top1 = $top2)"
[ "$(calls b)" = 0 ]
tap $? "b still made no call"

# a status request on b is checked against the statuses from Redis
"$SYNC_BIN" -c "$T/b.conf" set-status --shop sklep1 "$KID" "Wysłane kurierem" >"$T/set.out" 2>&1
grep -q "^queued: shop=sklep1 order=$KID status=6;" "$T/set.out"
tap $? "set-status on b finds the status by its new name (queued for order $KID: $(head -1 "$T/set.out"))"

node_kill a TERM
node_kill b TERM
tap_end
