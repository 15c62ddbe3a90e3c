#!/bin/sh
# The sync benchmark: a first sync (backfill) of BENCH_SYNC_ORDERS (default
# 100,000) orders, all inside the history window, from the test shop over
# TLS with Shoper's default bucket (capacity 10, 2 calls/s, a bulk call
# costs one), then an incremental run with nothing changed. Prints a
# markdown table (README has the last result); progress goes to stderr.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/sync-bench.sh
# Targets: calls <= 1.05 x ceil(N/1250), wall <= 1.1 x the bucket bound
# ((minimum calls - capacity) / rate), idle run <= 3 calls, peak RSS <= 256 MB.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
N=${BENCH_SYNC_ORDERS:-100000}
CAP=10
RATE=2
make -s -C "$TOP_BUILDDIR/cli" shoper-sync >/dev/null || exit 1
. "$TOP_SRCDIR/bench/bench-lib.sh"
bench_init sync-bench
echo "sync-bench: generating a shop with $N orders..." >&2
shop_start "$T/ca" bench --orders "$N" --customers $((N / 5)) \
	--old-orders-pct 0 --bucket-limit $CAP --bucket-bandwidth $RATE \
	--bulk-cost one --login api --password secret || exit 1
shop_sync_conf "$T" "$T/index/orders.cdb" bench

counters() {
	shop_ctl GET /__test/counters | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["total"], d["auth"], d["bulk_calls"], d["bulk_items"], d["429"])'
}

# peak RSS: GNU time when present, else the shell's children rusage
run_sync() { # OUTFILE
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$BIN" -c "$CONF" sync >"$1" 2>"$1.time"
		rc=$?
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1.time")
	else
		python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=open(sys.argv[-1] + ".out", "w"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$BIN" -c "$CONF" sync >"$1.rss"
		rc=$?
		rss=$(cat "$1.rss")
	fi
	return $rc
}

shop_ctl POST /__test/reset-counters >/dev/null
echo "sync-bench: backfill..." >&2
t0=$(date +%s.%N)
run_sync "$T/first" || { cat "$T/first"* >&2; exit 1; }
t1=$(date +%s.%N)
cat "$T/first" >&2
set -- $(counters)
calls=$1 auth=$2 bulk=$3 items=$4 throttled=$5
rss1=$rss
shop_ctl POST /__test/reset-counters >/dev/null
echo "sync-bench: idle incremental run..." >&2
run_sync "$T/idle" || { cat "$T/idle"* >&2; exit 1; }
cat "$T/idle" >&2
set -- $(counters)
idle=$1

python3 - "$N" "$CAP" "$RATE" "$calls" "$auth" "$bulk" "$items" \
	"$throttled" "$t0" "$t1" "$rss1" "$idle" <<'EOP'
import math, sys
n, cap, rate, calls, auth, bulk, items, thr = map(float, sys.argv[1:9])
t0, t1, rss, idle = map(float, sys.argv[9:13])
minimum = math.ceil(n / 1250)
bound = max(0.0, (minimum - cap) / rate)
wall = t1 - t0
rows = [
    ("orders backfilled (N)", "%d" % n, ""),
    ("API calls, backfill (auth + bulk)", "%d (%d + %d)" % (calls, auth, bulk),
     "<= %.0f (1.05 x %d)" % (1.05 * minimum, minimum)),
    ("calls / minimum ceil(N/1250)", "%.3f" % (calls / minimum), "<= 1.05"),
    ("bulk sub-requests", "%d" % items, ""),
    ("429 answers", "%d" % thr, ""),
    ("wall time, backfill", "%.1f s" % wall,
     "<= %.1f s (1.1 x %.1f s bucket bound)" % (1.1 * bound, bound)),
    ("wall / bucket bound", "%.3f" % (wall / bound if bound else 0), "<= 1.1"),
    ("peak RSS, backfill", "%.1f MB" % (rss / 1024), "<= 256 MB"),
    ("API calls, idle incremental run", "%d" % idle, "<= 3"),
]
print("| sync (%d orders, bucket %d, %g/s) | value | target |" % (n, cap, rate))
print("|---|---|---|")
for r in rows:
    print("| %s | %s | %s |" % r)
EOP
