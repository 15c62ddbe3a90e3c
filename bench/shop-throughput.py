#!/usr/bin/env python3
"""How many orders per second the test shop (tests/shop/) serves: bulk calls
of 25 pages x 50 orders over one keep-alive HTTPS connection, keyset on
order_id, as shoper-sync's backfill asks.  The shop's bucket is opened wide
so only the server's speed counts.

    python3 bench/shop-throughput.py [--orders 50000] [--rounds 1]
"""

import argparse
import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHOP = os.path.join(HERE, "..", "tests", "shop")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json-style", default="php")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shopbench.")
    subprocess.check_call(["sh", os.path.join(SHOP, "make-ca.sh"), tmp])
    pf = os.path.join(tmp, "port")
    t0 = time.time()
    proc = subprocess.Popen([
        sys.executable, os.path.join(SHOP, "shoper_shop.py"),
        "--cert", os.path.join(tmp, "server.pem"),
        "--key", os.path.join(tmp, "server.key"), "--port-file", pf,
        "--orders", str(a.orders), "--customers", str(a.orders // 3 + 1),
        "--bucket-limit", "1000000", "--bucket-bandwidth", "1000000",
        "--json-style", a.json_style, "--now", "2026-11-29 12:00:00"])
    try:
        while not os.path.exists(pf):
            if proc.poll() is not None:
                sys.exit("shop died")
            time.sleep(0.05)
        print("shop with %d orders up in %.1f s" % (a.orders,
                                                    time.time() - t0))
        port = int(open(pf).read())
        ctx = ssl.create_default_context(cafile=os.path.join(tmp, "ca.pem"))
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
        c.request("POST", "/webapi/rest/auth", headers={
            "Authorization": "Basic " + base64.b64encode(
                b"api:secret").decode()})
        tok = json.loads(c.getresponse().read())["access_token"]
        hdr = {"Authorization": "Bearer " + tok,
               "Content-Type": "application/json"}
        for rnd in range(a.rounds):
            cursor, n, calls, nbytes = 0, 0, 0, 0
            t0 = time.time()
            while True:
                flt = {"date": {">=": "2026-05-30 00:00:00"},
                       "order_id": {">": str(cursor)}}
                items = [{"id": str(p), "path": "/webapi/rest/orders",
                          "method": "GET",
                          "params": {"limit": 50, "page": p,
                                     "order": "order_id asc",
                                     "filters": flt}}
                         for p in range(1, 26)]
                c.request("POST", "/webapi/rest/bulk",
                          body=json.dumps(items), headers=hdr)
                r = c.getresponse()
                raw = r.read()
                nbytes += len(raw)
                calls += 1
                body = json.loads(raw)
                got = 0
                for it in body["items"]:
                    lst = it["body"]["list"]
                    got += len(lst)
                    if lst:
                        cursor = int(lst[-1]["order_id"])
                n += got
                if got < 25 * 50:
                    break
            dt = time.time() - t0
            print("round %d: %d orders in %d bulk calls, %.1f MB, %.2f s: "
                  "%.0f orders/s" % (rnd + 1, n, calls, nbytes / 1e6, dt,
                                     n / dt))
    finally:
        proc.terminate()
        proc.wait()
        subprocess.call(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
