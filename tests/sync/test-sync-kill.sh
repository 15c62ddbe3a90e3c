#!/bin/sh
# SIGKILL at random points of backfills, incremental runs and full passes:
# the index is never partial (absent before the first complete sync, the
# previous complete one afterwards, always readable) and a rerun gives a
# complete, exact index.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 6000 --customers 300 || exit 1
shop_use sklep1
# slower calls so the kills land inside the sync
shop_ctl POST /__test/config '{"bucket_limit": 2, "bucket_bandwidth": 3}' >/dev/null

rand_ms() { # 0..$1-1
	echo $(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1))
}

index_state() { # "absent", "valid" or "invalid"
	[ -f "$T/index/orders.cdb" ] || { echo absent; return; }
	"$SYNC_BIN" -c "$CONF" lookup nobody@example.invalid >/dev/null 2>&1
	[ $? -le 1 ] && echo valid || echo invalid
}

bad=0
for i in 1 2 3 4 5 6 7 8; do
	args=sync
	[ "$i" -gt 5 ] && args="sync --full"
	if [ "$i" -gt 3 ]; then
		shop_ctl PUT /__test/orders/$((5000 + i)) '{"status_id": "7"}' >/dev/null
		shop_ctl POST /__test/orders '{"email":"kill'"$i"'@example.pl","firstname":"K","lastname":"L","sum":"1.00","status_id":"1"}' >/dev/null
	fi
	"$SYNC_BIN" -c "$CONF" $args >"$T/run.out" 2>&1 &
	pid=$!
	ms=$(rand_ms 2500)
	sleep "$(echo "$ms" | awk '{printf "%.3f", $1 / 1000}')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$(index_state)
	done_flag=$(sqlite3 "$STATE/state.db" "SELECT backfill_done FROM cursors" 2>/dev/null)
	echo "# kill $i after ${ms} ms ($args): index $st, backfill_done=${done_flag:-none}"
	case "$st" in
	invalid) bad=$((bad + 1)) ;;
	valid) [ "$done_flag" = 1 ] || bad=$((bad + 1)) ;;
	esac
	# a complete run between some kills, so later kills hit incremental
	# runs and full passes of a published shop
	[ "$i" = 3 ] && sync_run sync >/dev/null
done
tap "$bad" "after every SIGKILL the index is absent (never synced) or a complete, readable one"

shop_ctl POST /__test/config '{"bucket_limit": 10, "bucket_bandwidth": 2}' >/dev/null
sync_run sync
tap "$RC" "rerun after the kills exits 0"
sqlite3 "$STATE/state.db" "PRAGMA integrity_check" | grep -qx ok
tap $? "state database intact"
sync_compare sklep1 --lookups 15 --emails kill8@example.pl
tap $? "state and index complete and exact after the kills"
tap_end
