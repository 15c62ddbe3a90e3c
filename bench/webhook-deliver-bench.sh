#!/bin/sh
# Webhook -> visible at delivery, at BENCH_HOOK_TOTAL (default 1,000,000)
# orders: a private Dovecot with the plugin (tests/lib/dovecot.sh), the
# test shop with BENCH_HOOK_ORDERS (default 20,000) real orders, the state
# filled with synthetic copies up to TOTAL (bench/seed-state.py) and
# published, the shoper-sync daemon with webhook_listen. BENCH_HOOK_N
# (default 50) status changes one after another, each on a customer's
# newest order: timed from the shop's change until an LMTP delivery from
# that customer carries the new X-Shoper-Order-Status (a delivery every
# 20 ms). The path is the real one: webhook -> daemon -> REST re-read ->
# delta publish -> the plugin's lookup at delivery. Prints a markdown table.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/webhook-deliver-bench.sh
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ORDERS=${BENCH_HOOK_ORDERS:-20000}
TOTAL=${BENCH_HOOK_TOTAL:-1000000}
N=${BENCH_HOOK_N:-50}
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
. "$TOP_SRCDIR/bench/bench-lib.sh"
dc_setup
dc_shop --orders "$ORDERS" --customers $((ORDERS / 5)) --old-orders-pct 0
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
shop_sync_conf "$T/sync" "$DC_INDEX" sklep1 "interval = 3600" \
	"webhook_listen = 127.0.0.1:$PORT"
dc_start >/dev/null || exit 1
# the backfill with a wide bucket, then the shop's default (10, 2/s)
shop_ctl POST /__test/config '{"bucket_limit": 100000, "bucket_bandwidth": 100000}' >/dev/null
"$BIN" -c "$CONF" -q sync || exit 1
if bench_seed "$ORDERS" "$TOTAL"; then
	"$BIN" -c "$CONF" -q sync || exit 1
fi
shop_ctl POST /__test/config '{"bucket_limit": 10, "bucket_bandwidth": 2}' >/dev/null
echo "index: $(stat -c %s "$DC_INDEX") bytes" >&2
"$BIN" -c "$CONF" -q webhooks install --shop sklep1 \
	--url "http://127.0.0.1:$PORT/shoper/sklep1" >/dev/null || exit 1
shop_sync_daemon "$BIN" "$T/daemon.log" 300
"$SHOP_PYTHON" - "$T" "$SHOP_URL" "$SHOP_CA" "$N" "$TOTAL" "$TOP_SRCDIR" <<'PY'
import contextlib, io, json, os, sqlite3, ssl, sys, time, urllib.request
T, URL, CA, N, TOTAL, SRC = sys.argv[1:7]
N = int(N)
sys.path.insert(0, SRC + "/tests/lib")
import dovecot_client
ctx = ssl.create_default_context(cafile=CA)
ctx.check_hostname = False
def ctl(method, path, body):
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode(),
                                 method=method)
    urllib.request.urlopen(req, context=ctx).read()
db = sqlite3.connect(T + "/sync/state/state.db")
rows = db.execute(
    "SELECT email, max(order_id), status_id FROM orders WHERE order_id < 10000000 "
    "GROUP BY lower(email) ORDER BY max(order_id) DESC LIMIT ?", (N,)).fetchall()
db.close()
new = T + "/mail/alice/Maildir/new"
seq = [0]
def status_at_delivery(email):
    seq[0] += 1
    mid = "b%d.%d" % (os.getpid(), seq[0])
    msg = ("From: <%s>\nTo: support@test.example\nSubject: where\n"
           "Message-ID: <%s@test>\nMIME-Version: 1.0\n\nHello\n" % (email, mid)).encode()
    before = set(os.listdir(new)) if os.path.isdir(new) else set()
    with contextlib.redirect_stdout(io.StringIO()):
        dovecot_client.lmtp(T + "/run/lmtp", email, ["alice@test.example"], msg)
    for f in set(os.listdir(new)) - before:
        with open(os.path.join(new, f), "rb") as fh:
            head = fh.read().split(b"\n\n", 1)[0].decode("utf-8", "replace")
        if mid in head:
            for line in head.split("\n"):
                if line.lower().startswith("x-shoper-order-status:"):
                    return line.split(":", 1)[1].strip()
            return ""
    return None
lat, deliveries = [], 0
for email, oid, st in rows:
    was = status_at_delivery(email)
    want = "8" if str(st) != "8" else "7"
    t0 = time.time()
    ctl("PUT", "/__test/orders/%d" % oid, {"status_id": want})
    while time.time() - t0 < 30:
        deliveries += 1
        if status_at_delivery(email) not in (was, None):
            break
        time.sleep(0.02)
    lat.append((time.time() - t0) * 1000)
    if lat[-1] > 29000:
        print("# order %s (%s): was %r, now %r" % (oid, email, was, status_at_delivery(email)), file=sys.stderr)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("| measure (%s orders in the index, LMTP + plugin) | value |" % TOTAL)
print("|---|---|")
print("| shop change -> delivery shows it, %d changes one by one: p50 | %.0f ms |" % (len(lat), p(0.5)))
print("| p99 / max | %.0f / %.0f ms |" % (p(0.99), lat[-1]))
print("| deliveries made while waiting | %d |" % deliveries)
PY
bench_rounds "$T/daemon.log"
