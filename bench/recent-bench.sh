#!/bin/sh
# Cost of re-reading recent orders (recent_days) for a shop with
# BENCH_RECENT_PER_DAY (default 1,000) orders a day: the calls an
# incremental sync makes with the default slice (recent_pages = 19) and
# with the whole 14-day window each sync (recent_pages = 300), the orders
# re-read per sync and the syncs one rotation through the window takes.
# Prints a markdown table (README has the last result).
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/recent-bench.sh
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
PER_DAY=${BENCH_RECENT_PER_DAY:-1000}
DAYS=14
N=$((PER_DAY * 182)) # the test shop spreads orders over 182 days
make -s -C "$TOP_BUILDDIR/cli" shoper-sync >/dev/null || exit 1
. "$TOP_SRCDIR/bench/bench-lib.sh"
bench_init recent-bench
echo "recent-bench: generating a shop with $N orders ($PER_DAY a day)..." >&2
shop_start "$T/ca" bench --orders "$N" --customers $((N / 5)) \
	--old-orders-pct 0 --bucket-limit 10 --bucket-bandwidth 10 \
	--login api --password secret || exit 1
conf() { # RECENT_PAGES: a 20-day history keeps the backfill short
	shop_sync_conf "$T" "$T/index/orders.cdb" bench \
		"recent_days = $DAYS" "recent_pages = $1" &&
		echo "history_days = 20" >>"$CONF" # in [shop bench], the last
}
bulk_calls() {
	shop_ctl GET /__test/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["bulk_calls"])'
}
reread() { sed -n 's/.*, \([0-9]*\) recent orders re-read.*/\1/p' "$1"; }

conf 19
echo "recent-bench: backfill of 20 days..." >&2
"$BIN" -c "$CONF" sync >"$T/first" 2>&1 || { cat "$T/first" >&2; exit 1; }
cat "$T/first" >&2
in_window=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM orders WHERE date >= datetime(\"now\", \"localtime\", \"-14 days\")").fetchone()[0])' "$T/state/state.db")

# default slice: syncs until the rotation wraps
syncs=0 total=0 calls=0 max_calls=0
while [ $syncs -lt 100 ]; do
	shop_ctl POST /__test/reset-counters >/dev/null
	"$BIN" -c "$CONF" sync >"$T/inc" 2>&1 || { cat "$T/inc" >&2; exit 1; }
	c=$(bulk_calls)
	r=$(reread "$T/inc")
	syncs=$((syncs + 1)) total=$((total + ${r:-0})) calls=$((calls + c))
	[ "$c" -gt "$max_calls" ] && max_calls=$c
	[ "$total" -ge "$in_window" ] && break
done
per_sync=$((total / syncs))

# the whole window every sync, from its start
conf 300
python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute("UPDATE refresh SET cursor=0"); db.commit()' "$T/state/state.db"
shop_ctl POST /__test/reset-counters >/dev/null
"$BIN" -c "$CONF" sync >"$T/all" 2>&1 || { cat "$T/all" >&2; exit 1; }
cat "$T/all" >&2
all_calls=$(bulk_calls)
all_reread=$(reread "$T/all")

# off
conf 19
sed -i "s/^recent_days = .*/recent_days = 0/" "$CONF"
shop_ctl POST /__test/reset-counters >/dev/null
"$BIN" -c "$CONF" sync >"$T/off" 2>&1 || exit 1
off_calls=$(bulk_calls)

echo "| bench | metric | value | target |"
echo "|---|---|---|---|"
echo "| recent | shop: orders a day / orders of the last $DAYS days | $PER_DAY / $in_window | |"
echo "| recent | recent_days = 0: bulk calls, idle incremental sync | $off_calls | |"
echo "| recent | recent_pages = 19 (default): bulk calls per sync (max) | $((calls / syncs)) ($max_calls) | = recent_days 0 |"
echo "| recent | recent_pages = 19: orders re-read per sync | $per_sync | |"
echo "| recent | recent_pages = 19: syncs per rotation through the window | $syncs | |"
echo "| recent | recent_pages = 300: bulk calls, one sync re-reading all | $all_calls | |"
echo "| recent | recent_pages = 300: orders re-read | ${all_reread:-0} | $in_window |"
