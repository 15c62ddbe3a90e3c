#!/bin/sh
# The daemon's poll cycle at BENCH_POLL_TOTAL (default 1,000,000) orders:
# a test shop of BENCH_POLL_ORDERS (default 20,000) orders, the state
# filled with synthetic copies to the total (bench/seed-state.py, as
# webhook-bench.sh does), then the daemon (interval 10 s) runs its first
# cycle (a full publish), and BENCH_POLL_CYCLES (default 3) more, each
# after one status change in the shop: incremental polls that publish
# only the orders they read, into the delta. Prints a markdown table: the
# first cycle's wall time, then per poll the shop's sync time and the
# publish time the daemon logs.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/poll-bench.sh
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ORDERS=${BENCH_POLL_ORDERS:-20000}
TOTAL=${BENCH_POLL_TOTAL:-1000000}
CYCLES=${BENCH_POLL_CYCLES:-3}
. "$TOP_SRCDIR/bench/bench-lib.sh"
bench_init poll-bench
shop_start "$T/ca" bench --orders "$ORDERS" --customers $((ORDERS / 5)) \
	--old-orders-pct 0 --login api --password secret || exit 1
shop_sync_conf "$T" "$T/index/orders.cdb" bench "interval = 10"
"$BIN" -c "$CONF" -q sync || exit 1
bench_seed "$ORDERS" "$TOTAL"
cycles() { grep -c "^index .*published" "$T/daemon.log"; }
cycles_reach() { [ "$(cycles)" -ge "$1" ]; }
wait_cycle() { wait_for 300 cycles_reach "$1"; } # N: the Nth cycle's line
t0=$(date +%s.%N)
shop_sync_daemon "$BIN" "$T/daemon.log" 300
t1=$(date +%s.%N)
printf '| cycle | orders in the index | time | publish |\n|---|---|---|---|\n'
awk -v a="$t0" -v b="$t1" -v n="$TOTAL" 'BEGIN { printf "| first (full publish) | %d | %.1f s | full |\n", n, b - a }'
echo "index: $(stat -c %s "$T/index/orders.cdb") bytes" >&2
ids=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT order_id FROM orders WHERE order_id < 10000000 ORDER BY order_id DESC LIMIT %d" % int(sys.argv[2])):
    print(r[0])' "$T/state/state.db" "$CYCLES")
k=1
for id in $ids; do
	shop_ctl PUT /__test/orders/$id "{\"status_id\": \"$((k % 2 == 0 ? 7 : 8))\"}" >/dev/null
	wait_cycle $((k + 1))
	k=$((k + 1))
done
python3 - "$T/daemon.log" "$TOTAL" <<'PY'
import re, sys
sync = None
n = 0
for l in open(sys.argv[1]):
    m = re.search(r", ([0-9.]+)s(,|$)", l)
    if m and not l.startswith("index "):
        sync = m.group(1)
        continue
    if not re.match(r"^index .*published", l):
        continue
    n += 1
    m = re.search(r"published, (\d+) orders changed \(incremental, (\d+) ms\)", l)
    if n > 1 and m:
        print("| incremental poll | %s | sync %s s | %s orders into the delta: %s ms |" % (sys.argv[2], sync, m.group(1), m.group(2)))
    elif n > 1:
        print("| %s | | sync %s s | |" % (l.strip(), sync))
PY
sed 's/^/# daemon: /' "$T/daemon.log" >&2
