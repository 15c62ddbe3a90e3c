#!/bin/sh
# Webhook -> visible: a test shop of BENCH_HOOK_ORDERS (default 10,000)
# orders, the shoper-sync daemon with webhook_listen, BENCH_HOOK_N
# (default 50) status changes one after another, each timed from the
# shop's change to `shoper-sync lookup` showing it (polled every 20 ms),
# then a burst: one bulk edit of BENCH_HOOK_BURST (default 1,000) orders
# in the shop (one webhook each), every order timed until the index shows
# it, checked against the bucket's time bound (BENCH_HOOK_BULK_COST: the
# shop's --bulk-cost, one or each). Publishing is the incremental one
# (sync_publish_orders). Prints a markdown table.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/webhook-bench.sh
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ORDERS=${BENCH_HOOK_ORDERS:-10000}
N=${BENCH_HOOK_N:-50}
BURST=${BENCH_HOOK_BURST:-1000}
# orders in the index: the shop's ORDERS and synthetic copies in the state
TOTAL=${BENCH_HOOK_TOTAL:-$ORDERS}
BULK_COST=${BENCH_HOOK_BULK_COST:-one}
. "$TOP_SRCDIR/bench/bench-lib.sh"
bench_init webhook-bench
shop_start "$T/ca" bench --orders "$ORDERS" --customers $((ORDERS / 5)) \
	--old-orders-pct 0 --bucket-limit 10 --bucket-bandwidth 2 \
	--bulk-cost "$BULK_COST" \
	--login api --password secret || exit 1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
shop_sync_conf "$T" "$T/index/orders.cdb" bench "interval = 3600" \
	"webhook_listen = 127.0.0.1:$PORT"
"$BIN" -c "$CONF" -q sync || exit 1
if bench_seed "$ORDERS" "$TOTAL"; then
	# the next sync publishes the whole index from the copies
	"$BIN" -c "$CONF" -q sync || exit 1
	E=$(sqlite3 "$T/state/state.db" "SELECT email FROM orders WHERE order_id >= 10000000 ORDER BY order_id DESC LIMIT 1")
	"$BIN" -c "$CONF" lookup "$E" >/dev/null || {
		echo "a synthetic order is not in the index" >&2
		exit 1
	}
	echo "index: $(stat -c %s "$T/index/orders.cdb") bytes" >&2
fi
"$BIN" -c "$CONF" -q webhooks install --shop bench \
	--url "http://127.0.0.1:$PORT/shoper/bench" >/dev/null || exit 1
# the daemon's first cycle (a poll and a full publish): webhooks taken
# meanwhile wait for its end, so the measuring starts after it
t0=$(date +%s.%N)
shop_sync_daemon "$BIN" "$T/daemon.log" 300
CYCLE=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
python3 - "$T" "$BIN" "$SHOP_URL" "$SHOP_CA" "$N" "$BURST" "$ORDERS" \
	"$TOP_BUILDDIR/bench/index-watch" "$TOTAL" <<'PY'
import json, sqlite3, ssl, subprocess, sys, time, urllib.request
T, BIN, URL, CA, N, BURST, ORDERS, WATCH, TOTAL = sys.argv[1:10]
N, BURST = int(N), int(BURST)
ctx = ssl.create_default_context(cafile=CA)
ctx.check_hostname = False
def ctl(method, path, body):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    return urllib.request.urlopen(req, context=ctx).read()
db = sqlite3.connect(T + "/state/state.db")
rows = db.execute("SELECT order_id, email, status_id FROM orders WHERE order_id < 10000000 ORDER BY order_id DESC LIMIT ?", (N + BURST,)).fetchall()
db.close()
def status_of(email):
    out = subprocess.run([BIN, "-c", T + "/shoper-sync.conf", "lookup", "--json", email],
                         capture_output=True, text=True).stdout
    try:
        d = json.loads(out)
    except ValueError:
        return {}
    found = {}
    def walk(x):
        if isinstance(x, dict):
            if "order_id" in x:
                found[str(x["order_id"])] = str(x.get("status_id"))
            for v in x.values(): walk(v)
        elif isinstance(x, list):
            for v in x: walk(v)
    walk(d)
    return found
TARGET = "9"
def other(s):
    return "8" if str(s) != "8" else "7"
lat = []
for oid, email, st in rows[:N]:
    want = other(st)
    t0 = time.time()
    ctl("PUT", "/__test/orders/%d" % oid, {"status_id": want})
    while status_of(email).get(str(oid)) != want and time.time() - t0 < 30:
        time.sleep(0.02)
    lat.append((time.time() - t0) * 1000)
    if lat[-1] > 29000:
        print("# order %s (%s): not shown as %s: %r" % (oid, email, want, status_of(email).get(str(oid))), file=sys.stderr)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
# The burst: one bulk edit in the shop (POST /__test/orders/bulk, one
# order.status webhook per order), each order timed until the index shows
# it (index-watch: the plugin's reader, one refresh per 2 ms sweep).
done_ids = {str(r[0]) for r in rows[:N]}
db = sqlite3.connect(T + "/state/state.db")
burst = [str(r[0]) for r in db.execute(
    "SELECT order_id FROM orders WHERE status_id != ? AND order_id < 10000000 "
    "ORDER BY order_id DESC LIMIT ?", (TARGET, BURST + N)).fetchall()
    if str(r[0]) not in done_ids][:BURST]
db.close()
w = subprocess.Popen([WATCH, T + "/index/orders.cdb", "bench", "600"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
w.stdin.write("".join("%s %s\n" % (i, TARGET) for i in burst))
w.stdin.close()
time.sleep(0.5)
t0 = time.time()
r = json.loads(ctl("POST", "/__test/orders/bulk",
                   {"order_ids": [int(i) for i in burst],
                    "set": {"status_id": TARGET}}))
t_made = r["time"] - t0
seen = {}
for line in w.stdout:
    oid, t = line.split()
    seen[oid] = float(t) - t0
w.wait()
sent = json.loads(ctl("GET", "/__test/webhooks/sent", None))["sent"]
deliv = [x["time"] - t0 for x in sent if str(x["order_id"]) in set(burst)
         and x["time"] >= t0]
t_deliv = max(deliv) if deliv else float("nan")
cfg = json.loads(ctl("GET", "/__test/config", None))
lim, bw = cfg["bucket_limit"], cfg["bucket_bandwidth"]
items = 2 * -(-len(burst) // 50)   # pages of orders + of their parcels
units = items if cfg["bulk_cost"] == "each" else -(-items // 25)
bucket_s = max(0, units - lim) / bw
bound = t_deliv + 0.2 + bucket_s + 1.0
bl = sorted(seen.values())
bp = lambda q: bl[min(len(bl) - 1, int(q * len(bl)))] if bl else float("nan")
print("| measure (%s orders in the shop, %s in the index, bucket %s/%s s, bulk cost %s) | value |" % (
    ORDERS, TOTAL, lim, bw, cfg["bulk_cost"]))
print("|---|---|")
print("| webhook -> lookup, %d changes one by one: p50 | %.0f ms |" % (len(lat), p(0.5)))
print("| p99 | %.0f ms |" % p(0.99))
print("| burst: %d orders changed by one bulk edit, made in | %.2f s |" % (len(burst), t_made))
print("| burst: last webhook delivered after | %.2f s |" % t_deliv)
print("| burst: bulk edit -> visible per order, p50 / p99 / max | %.2f / %.2f / %.2f s |" % (bp(0.5), bp(0.99), bp(1.0)))
print("| burst: all visible | %s (%d not) |" % ("yes" if len(seen) == len(burst) else "no", len(burst) - len(seen)))
print("| burst: bound = last delivery + 0.2 s wait + bucket (%d units: %.1f s) + 1 s | %.2f s: %s |" % (
    units, bucket_s, bound, "within" if bl and bl[-1] <= bound and len(seen) == len(burst) else "EXCEEDED"))
PY
printf '| daemon: a poll cycle (incremental sync + full publish) at %s orders | %.1f s |\n' "$TOTAL" "$CYCLE"
# the daemon's own part: re-read by REST + publish, per round
bench_rounds "$T/daemon.log"
