#!/bin/sh
# Webhook -> visible: a test shop of BENCH_HOOK_ORDERS (default 10,000)
# orders, the shoper-sync daemon with webhook_listen, BENCH_HOOK_N
# (default 50) status changes one after another, each timed from the
# shop's change to `shoper-sync lookup` showing it (polled every 20 ms),
# then a burst of BENCH_HOOK_BURST (default 200) changes at once, timed
# until all show. Publishing is the full publish (or the incremental one
# once fix-delta's sync_publish_orders() is in). Prints a markdown table.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/webhook-bench.sh
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ORDERS=${BENCH_HOOK_ORDERS:-10000}
N=${BENCH_HOOK_N:-50}
BURST=${BENCH_HOOK_BURST:-200}
BIN="$TOP_BUILDDIR/cli/shoper-sync"
. "$TOP_SRCDIR/tests/lib/shop.sh"
T=$(mktemp -d /tmp/webhook-bench.XXXXXX)
chmod 700 "$T"
DPID=
trap '[ -n "$DPID" ] && kill $DPID; shop_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
shop_ca_init "$T/ca" >/dev/null 2>&1 || exit 1
shop_start "$T/ca" bench --orders "$ORDERS" --customers $((ORDERS / 5)) \
	--old-orders-pct 0 --bucket-limit 10 --bucket-bandwidth 2 \
	--login api --password secret || exit 1
printf 'secret\n' >"$T/pw"
chmod 600 "$T/pw"
mkdir -p "$T/index"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/c.conf" <<EOC
[sync]
index = $T/index/orders.cdb
state_dir = $T/state
interval = 3600
webhook_listen = 127.0.0.1:$PORT

[shop bench]
url = $SHOP_URL
login = api
password_file = $T/pw
ca_file = $SHOP_CA
EOC
"$BIN" -c "$T/c.conf" -q sync || exit 1
"$BIN" -c "$T/c.conf" -q webhooks install --shop bench \
	--url "http://127.0.0.1:$PORT/shoper/bench" >/dev/null || exit 1
"$BIN" -c "$T/c.conf" daemon >"$T/daemon.log" 2>&1 &
DPID=$!
sleep 2
python3 - "$T" "$BIN" "$SHOP_URL" "$SHOP_CA" "$N" "$BURST" "$ORDERS" <<'PY'
import json, sqlite3, ssl, subprocess, sys, time, urllib.request
T, BIN, URL, CA, N, BURST, ORDERS = sys.argv[1:8]
N, BURST = int(N), int(BURST)
ctx = ssl.create_default_context(cafile=CA)
ctx.check_hostname = False
def ctl(method, path, body):
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method=method)
    urllib.request.urlopen(req, context=ctx).read()
db = sqlite3.connect(T + "/state/state.db")
rows = db.execute("SELECT order_id, email, status_id FROM orders ORDER BY order_id DESC LIMIT ?", (N + BURST,)).fetchall()
db.close()
def status_of(email):
    out = subprocess.run([BIN, "-c", T + "/c.conf", "lookup", "--json", email],
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
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
burst = rows[N:N + BURST]
t0 = time.time()
for oid, email, st in burst:
    ctl("PUT", "/__test/orders/%d" % oid, {"status_id": other(st)})
t_sent = time.time() - t0
pending = {(oid, email, other(st)) for oid, email, st in burst}
while pending and time.time() - t0 < 120:
    for item in list(pending):
        if status_of(item[1]).get(str(item[0])) == item[2]:
            pending.discard(item)
    time.sleep(0.05)
t_all = time.time() - t0
print("| measure (%s orders, bucket 10/2 s) | value |" % ORDERS)
print("|---|---|")
print("| webhook -> lookup, %d changes one by one: p50 | %.0f ms |" % (len(lat), p(0.5)))
print("| p99 | %.0f ms |" % p(0.99))
print("| burst of %d changes: made in | %.1f s |" % (len(burst), t_sent))
print("| burst: all visible after | %.1f s (%d not) |" % (t_all, len(pending)))
PY
# the daemon's own part: re-read by REST + publish, per round
sed -n 's/.*orders re-read .* in \([0-9]*\) ms$/\1/p' "$T/daemon.log" | sort -n |
	awk '{v[NR]=$1} END {i = int(NR * 0.99); if (i < 1) i = 1
		if (NR) printf "| daemon: re-read + publish, %d rounds: p50 / p99 | %d / %d ms |\n", NR, v[int((NR+1)/2)], v[i]}'
