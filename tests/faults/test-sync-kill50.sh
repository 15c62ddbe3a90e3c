#!/bin/sh
# shoper-sync killed with SIGKILL at random points of syncs (backfill,
# incremental runs, full passes). After every kill the published index is
# absent (before the first complete sync) or a whole cdb that is either
# byte for byte the previous one or a complete new one (every order the
# shop had at that run, the newest included); never empty or partial.
# A rerun then gives an exact index. FAULTS_KILLS kill points (default 10;
# the reliability report's run: FAULTS_KILLS=50); a kill after the sync had
# already finished does not count as one. tests/sync/test-sync-kill.sh
# does 8 kills with a lighter check; this one compares every index.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
KILLS=${FAULTS_KILLS:-10}
FAULTS=$TOP_SRCDIR/tests/faults
sync_init
sync_add_shop sklep1 --orders 3000 --customers 200 || exit 1
shop_use sklep1
IDX=$T/index/orders.cdb
# slower calls so that kills land inside the sync
slow() { shop_ctl POST /__test/config '{"bucket_limit": 2, "bucket_bandwidth": 3}' >/dev/null; }
slow

rand() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1)); }
ms_now() { date +%s%3N; }
orders() { python3 "$FAULTS/cdb_orders.py" "$IDX" "$@"; }

bad=0 hit=0 before=3
[ "$KILLS" -lt 6 ] && before=1
# 1) kills during the first backfill: nothing may be published
i=0
while [ $i -lt $before ]; do
	i=$((i + 1))
	"$SYNC_BIN" -c "$CONF" sync >"$T/run.out" 2>&1 &
	pid=$!
	ms=$(rand 1500)
	sleep "$(echo "$ms" | awk '{printf "%.3f", $1 / 1000}')"
	kill -9 "$pid" 2>/dev/null && hit=$((hit + 1))
	wait "$pid" 2>/dev/null
	if [ -e "$IDX" ]; then
		# a run resuming the killed ones may finish and publish: then
		# the index must be whole and hold every order (checked below)
		bf_count=$(orders 2>&1) || bad=$((bad + 1))
		echo "# kill $i after ${ms} ms (backfill): published: $bf_count"
	else
		echo "# kill $i after ${ms} ms (backfill): no index, as it must be"
	fi
done
# a complete run: the baseline (its time scales the later kill points)
t0=$(ms_now)
sync_run sync --full >/dev/null
full_ms=$(($(ms_now) - t0))
tap "$RC" "complete sync after the backfill kills exits 0 (${full_ms} ms)"
expect=$(orders | sed -n 's/^orders=//p')
tap_ok "baseline index holds the shop's orders ($expect)" [ "${expect:-0}" -gt 2000 ]
if [ -n "${bf_count:-}" ] && [ "$bf_count" != "orders=$expect" ]; then
	echo "# the index published during the backfill kills was partial: $bf_count"
	bad=$((bad + 1))
fi
t0=$(ms_now)
sync_run sync >/dev/null
inc_ms=$(($(ms_now) - t0))
echo "# a full pass takes ${full_ms} ms, an incremental run ${inc_ms} ms"
cp "$IDX" "$T/prev.cdb"

# 2) each round: the shop changes (a new order, a status change), a sync
# (every third a full pass) is killed at a random point of its run
# time (0 up to the time a complete run of its kind took)
# a round whose sync had already finished is not a kill point: rounds go
# on until KILLS kills have hit a running sync (at most 5 x KILLS rounds)
while [ "$hit" -lt "$KILLS" ] && [ $i -lt $((5 * KILLS)) ]; do
	i=$((i + 1))
	new=$(shop_ctl POST /__test/orders '{"email":"kill'"$i"'@example.pl","firstname":"K","lastname":"L","sum":"1.00","status_id":"1"}' |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
	shop_ctl PUT /__test/orders/$((100 + i)) '{"status_id": "7"}' >/dev/null
	expect=$((expect + 1))
	args=sync run_ms=$inc_ms
	[ $((i % 3)) = 0 ] && args="sync --full" run_ms=$full_ms
	"$SYNC_BIN" -c "$CONF" $args >"$T/run.out" 2>&1 &
	pid=$!
	ms=$(rand $((run_ms + 1)))
	sleep "$(echo "$ms" | awk '{printf "%.3f", $1 / 1000}')"
	if kill -9 "$pid" 2>/dev/null; then
		hit=$((hit + 1))
		how=killed
	else
		how="had finished"
	fi
	wait "$pid" 2>/dev/null
	if ! res=$(orders "#sklep1:$new" 2>&1); then
		echo "# kill $i ($args, ${ms} ms, $how): index not a whole cdb: $res"
		bad=$((bad + 1))
	elif cmp -s "$IDX" "$T/prev.cdb"; then
		echo "# kill $i ($args, ${ms} ms, $how): previous index kept"
	elif echo "$res" | grep -qx "orders=$expect" &&
		echo "$res" | grep -qx "#sklep1:$new=1"; then
		echo "# kill $i ($args, ${ms} ms, $how): new complete index ($expect orders)"
		cp "$IDX" "$T/prev.cdb"
	else
		echo "# kill $i ($args, ${ms} ms, $how): partial index: $(echo $res) (want $expect orders, order $new)"
		bad=$((bad + 1))
	fi
	"$SYNC_BIN" -c "$CONF" lookup kill$i@example.pl >/dev/null 2>&1
	[ $? -le 1 ] || { echo "# kill $i: shoper-sync cannot read the index"; bad=$((bad + 1)); }
done
tap "$bad" "$hit SIGKILLs inside a running sync ($i rounds): no empty, partial or unreadable index ever published"
tap_ok "$KILLS kills landed inside a running sync ($hit)" [ "$hit" -ge "$KILLS" ]

shop_ctl POST /__test/config '{"bucket_limit": 10, "bucket_bandwidth": 2}' >/dev/null
sync_run sync
tap "$RC" "rerun after the kills exits 0"
sqlite3 "$STATE/state.db" "PRAGMA integrity_check" | grep -qx ok
tap $? "state database intact"
res=$(orders "#sklep1:$new")
echo "$res" | grep -qx "orders=$expect" && echo "$res" | grep -qx "#sklep1:$new=1"
tap $? "the index after the rerun is complete ($expect orders, the newest included)"
sync_compare sklep1 --lookups 15 --emails kill$i@example.pl
tap $? "state and index exact after the rerun"
echo "# FIGURES sync-kill: kills_inside_sync=$hit rounds=$i bad=$bad"
tap_end
