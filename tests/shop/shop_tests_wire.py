"""Sections 9-12 of the checklist (bucket, bulk, faults) and TLS,
keep-alive, determinism, SIGTERM."""

import http.client
import json
import os
import re
import socket
import ssl
import time

from shop_testlib import NOW, basic, section, tap


def test_bucket(s):
    section("9. leaky bucket: X-Shop-Api-*, 429 + Retry-After")
    s.ctl("POST", "config", {"bucket_limit": 10, "bucket_bandwidth": 2})
    s.ctl("POST", "bucket/drain")
    seen = []
    for path in ("/webapi/rest/orders/1", "/webapi/rest/orders/1",
                 "/webapi/rest/orders/999999"):
        _, hd, raw, _ = s.raw("GET", path)
        seen.append(raw)
    calls = [dict((k.lower(), v) for k, v in r)["x-shop-api-calls"]
             for r in seen]
    tap(calls == ["1", "2", "3"], "X-Shop-Api-Calls grows 1, 2, 3 on "
        "sequential calls (also on a 404)")
    names = set(k for r in seen for k, _ in r)
    tap("X-Shop-Api-Calls" in names and "x-shop-api-calls" in names,
        "headers sent both as X-Shop-Api-* and lower-case")
    _, hd, _, _ = s.raw("POST", "/webapi/rest/auth", token=False,
                        headers={"Authorization": basic("api", "bad")})
    tap(hd.get("x-shop-api-limit") == "10" and
        hd.get("x-shop-api-bandwidth") == "2",
        "Limit 10 and Bandwidth 2 on every response (even a 401)")
    s.ctl("POST", "config", {"bucket_limit": 4, "bucket_bandwidth": 1})
    s.ctl("POST", "bucket/drain")
    s.ctl("POST", "reset-counters")
    codes, last = [], None
    for _ in range(6):
        st, hd, body = s.call("GET", "/webapi/rest/statuses")
        codes.append(st)
        if st == 429:
            last = (hd, body)
    tap(codes[:4] == [200] * 4 and codes[4] == 429,
        "bucket of 4: the 5th quick call -> 429")
    tap(last and last[1] == {"error": "temporarily_unavailable",
                             "error_description": "Too many requests"},
        "429 body temporarily_unavailable / Too many requests")
    tap(last and re.match(r"^[1-9]\d*$", last[0].get("retry-after", "")),
        "Retry-After is an integer >= 1")
    tap(s.ctl("GET", "counters")["429"] >= 1, "counters count 429s")
    s.ctl("POST", "clock", {"advance": 5})
    st, _, _ = s.call("GET", "/webapi/rest/statuses")
    tap(st == 200, "after Retry-After (clock advanced) calls pass again")
    s.ctl("POST", "config", {"bucket_limit": 10, "bucket_bandwidth": 2})
    s.ctl("POST", "bucket/drain")
    s.ctl("POST", "faults", {"kind": "429", "count": 3,
                             "path": "/webapi/rest/orders"})
    codes = [s.call("GET", "/webapi/rest/orders?limit=1")[0]
             for _ in range(4)]
    tap(codes == [429, 429, 429, 200], "429 storm: N consecutive 429s "
        "regardless of the bucket")


def bulk_items(n, **params):
    return [{"id": "p%d" % i, "path": "/webapi/rest/orders",
             "method": "GET", "params": dict(limit=50, page=i, **params)}
            for i in range(1, n + 1)]


def test_bulk(s, orders):
    section("10. bulk: <= 25 items, envelope, per-item codes, cost")
    s.ctl("POST", "config", {"bucket_limit": 1000, "bucket_bandwidth": 0.001})
    s.ctl("POST", "bucket/drain")
    s.ctl("POST", "reset-counters")
    items = bulk_items(25, order="order_id asc")
    st, hd, j = s.call("POST", "/webapi/rest/bulk", items)
    tap(st == 200 and j["errors"] is False and
        [i["id"] for i in j["items"]] == ["p%d" % i for i in range(1, 26)],
        "POST bulk of 25 -> 200, items in request order, errors false")
    got = [o["order_id"] for i in j["items"] for o in i["body"]["list"]]
    tap(got == [o["order_id"] for o in orders] and all(
        i["code"] == 200 for i in j["items"]),
        "item bodies are the single calls' envelopes")
    tap(hd["x-shop-api-calls"] == "1", "bulk costs one bucket unit "
        "(default --bulk-cost one)")
    c = s.ctl("GET", "counters")
    tap(c["bulk_calls"] == 1 and c["bulk_items"] == 25,
        "counters bulk_calls and bulk_items")
    st, _, j = s.call("PUT", "/webapi/rest/bulk/", bulk_items(2))
    tap(st == 200 and len(j["items"]) == 2, "PUT /webapi/rest/bulk/ works")
    st, _, e = s.call("POST", "/webapi/rest/bulk", bulk_items(26))
    tap(st == 400 and e["error"] == "invalid_request",
        "26 items -> 400 invalid_request (chosen)")
    flt = {"order_id": {">": "100"}}
    its = [{"id": 1, "path": "/webapi/rest/orders", "method": "GET",
            "params": {"limit": 5, "filters": flt}},
           {"id": 2, "path": "/webapi/rest/orders", "method": "GET",
            "params": {"limit": 5, "filters": json.dumps(flt)}},
           {"id": 3, "path": "/webapi/rest/orders/999999", "method": "GET"},
           {"id": 4, "path": "/webapi/rest/orders/30", "method": "PUT",
            "body": {"status_id": 7}}]
    st, _, j = s.call("POST", "/webapi/rest/bulk", its)
    it = j["items"]
    tap(it[0]["body"] == it[1]["body"] and
        it[0]["body"]["list"][0]["order_id"] == "101",
        "params.filters as an object or a JSON string")
    tap(j["errors"] is True and it[2]["code"] == 404 and
        it[2]["body"]["error"] == "invalid_request",
        "a failing item: its code and error body, errors true")
    tap(it[3]["code"] == 200 and it[3]["body"] == 1,
        "PUT item answers body 1")
    s.ctl("POST", "config", {"bulk_cost": "each"})
    s.ctl("POST", "bucket/drain")
    _, hd, _ = s.call("POST", "/webapi/rest/bulk", bulk_items(3))
    tap(hd["x-shop-api-calls"] == "3", "--bulk-cost each: 3 items cost 3")
    s.ctl("POST", "config", {"bulk_cost": "one", "bucket_limit": 10 ** 6,
                             "bucket_bandwidth": 10 ** 6})
    s.ctl("POST", "faults", {"kind": "503", "path": "/webapi/rest/orders",
                             "skip": 1})
    _, _, j = s.call("POST", "/webapi/rest/bulk", bulk_items(3))
    tap([i["code"] for i in j["items"]] == [200, 503, 200] and
        j["items"][1]["body"]["error"] == "temporarily_unavailable",
        "fault on one bulk item (path prefix, skip 1)")
    s.ctl("POST", "faults", {"kind": "timeout", "path": "/webapi/rest/orders"})
    _, _, j = s.call("POST", "/webapi/rest/bulk", bulk_items(2))
    tap([i["code"] for i in j["items"]] == [500, 200] and
        j["items"][0]["body"]["error"] == "server_error",
        "a bulk item that times out comes back with an error body")


def test_faults(s):
    section("12. faults: 500, 503, timeouts, garbage, truncated, reset")
    s.ctl("DELETE", "faults")
    s.ctl("POST", "bucket/drain")
    s.ctl("POST", "faults", {"kind": "500"})
    st, _, e = s.call("GET", "/webapi/rest/statuses")
    tap(st == 500 and e == {"error": "server_error",
                            "error_description": "Internal server error"},
        "500 server_error envelope")
    s.ctl("POST", "faults", {"kind": "503", "count": 2})
    r = [s.call("GET", "/webapi/rest/statuses") for _ in range(3)]
    tap([x[0] for x in r] == [503, 503, 200] and
        r[0][2]["error"] == "temporarily_unavailable" and
        "retry-after" in r[0][1], "503 temporarily_unavailable x count, "
        "then normal")
    s.ctl("POST", "faults", {"kind": "500", "path": "/webapi/rest/orders"})
    st1 = s.call("GET", "/webapi/rest/statuses")[0]
    st2 = s.call("GET", "/webapi/rest/orders/1")[0]
    tap(st1 == 200 and st2 == 500, "fault limited to a path prefix")
    s.ctl("POST", "faults", {"kind": "garbage"})
    st, hd, _, data = s.raw("GET", "/webapi/rest/statuses")
    try:
        json.loads(data)
        bad = False
    except ValueError:
        bad = True
    tap(st == 200 and bad, "garbage: 200 with a non-JSON body")
    s.ctl("POST", "faults", {"kind": "truncated"})
    try:
        s.raw("GET", "/webapi/rest/orders?limit=50")
        tap(False, "truncated: Content-Length larger than the body")
    except http.client.IncompleteRead:
        tap(True, "truncated: Content-Length larger than the body, "
            "then close")
    s.ctl("POST", "faults", {"kind": "truncated", "mode": "cut"})
    st, _, _, data = s.raw("GET", "/webapi/rest/orders?limit=50")
    try:
        json.loads(data)
        ok = False
    except ValueError:
        ok = st == 200 and len(data) > 100
    tap(ok, "truncated (cut): valid Content-Length, JSON cut short")
    s.ctl("POST", "faults", {"kind": "reset"})
    try:
        s.raw("GET", "/webapi/rest/statuses")
        tap(False, "reset: connection reset")
    except (ConnectionError, http.client.RemoteDisconnected, ssl.SSLError,
            http.client.BadStatusLine, OSError):
        tap(True, "reset: connection dropped without an answer")
    s.ctl("POST", "faults", {"kind": "timeout", "seconds": 2})
    c = s.connect(timeout=0.7)
    t0 = time.time()
    try:
        s.raw("GET", "/webapi/rest/statuses", conn=c)
        tap(False, "timeout: no answer within the client's timeout")
    except (socket.timeout, TimeoutError):
        tap(time.time() - t0 < 1.9, "timeout: no answer within the "
            "client's timeout")
    c.close()
    s.ctl("POST", "faults", {"kind": "timeout", "seconds": 0.5,
                             "answer": True})
    t0 = time.time()
    st = s.call("GET", "/webapi/rest/statuses")[0]
    tap(st == 200 and time.time() - t0 >= 0.5,
        "slow answer (timeout with answer: true)")
    s.ctl("POST", "config", {"gzip": True})
    st, hd, _, data = s.raw("GET", "/webapi/rest/statuses",
                            headers={"Accept-Encoding": "gzip"})
    _, hd2, _, data2 = s.raw("GET", "/webapi/rest/statuses")
    s.ctl("POST", "config", {"gzip": False})
    import gzip
    tap(hd.get("content-encoding") == "gzip" and json.loads(
        gzip.decompress(data)) == json.loads(data2) and
        "content-encoding" not in hd2, "gzip body only when asked "
        "(Accept-Encoding: gzip, config gzip)")
    st = s.call("GET", "/webapi/rest/statuses")[0]
    c = s.ctl("GET", "counters")
    tap(st == 200 and c["faults"] >= 8, "faults used up; counters.faults")


def test_tls(s, tmp):
    section("TLS, keep-alive, control, determinism, SIGTERM")
    ctx = ssl.create_default_context()
    c = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx,
                                    timeout=5)
    try:
        c.request("GET", "/__test/counters")
        c.getresponse().read()
        tap(False, "a client without the test CA fails verification")
    except ssl.SSLCertVerificationError:
        tap(True, "a client without the test CA fails verification")
    ctx = ssl.create_default_context(cafile=os.path.join(tmp,
                                                         "wrong-ca.pem"))
    c = http.client.HTTPSConnection("localhost", s.port, context=ctx,
                                    timeout=5)
    try:
        c.request("GET", "/__test/counters")
        tap(False, "a client trusting the wrong CA fails verification")
    except ssl.SSLCertVerificationError:
        tap(True, "a client trusting the wrong CA fails verification")
    c = http.client.HTTPSConnection("localhost", s.port, context=s.ctx,
                                    timeout=5)
    c.request("GET", "/__test/counters")
    tap(c.getresponse().status == 200, "certificate valid for localhost "
        "and 127.0.0.1")
    ctx = ssl.create_default_context(cafile=os.path.join(tmp, "ca.pem"))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        c = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx,
                                        timeout=5)
        c.request("GET", "/__test/counters")
        tap(False, "TLS 1.1 is refused by the server")
    except ssl.SSLError as e:
        tap("PROTOCOL_VERSION" in str(e) or "ALERT" in str(e),
            "TLS 1.1 is refused by the server (%s)" % e.reason)
    sk = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    sk.sendall(b"GET /__test/counters HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        data = sk.recv(100)
    except OSError:
        data = b""
    sk.close()
    tap(not data.startswith(b"HTTP/"), "plain HTTP gets no HTTP answer")
    idle = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    c = s.connect(timeout=5)
    st = s.raw("GET", "/webapi/rest/statuses", conn=c)[0]
    c.close()
    idle.close()
    tap(st == 200, "a client stalled before its TLS handshake blocks "
        "nobody")
    import threading
    res = []

    def worker():
        cc = s.connect()
        for _ in range(15):
            res.append(s.raw("GET", "/webapi/rest/orders?limit=50",
                             conn=cc)[0])
        cc.close()
    ths = [threading.Thread(target=worker) for _ in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    tap(res == [200] * 60, "4 connections at once, 60 calls, all 200")
    c = s.connect()
    s.raw("GET", "/webapi/rest/statuses", conn=c)
    sock1 = c.sock
    st, hd, _, _ = s.raw("GET", "/webapi/rest/statuses", conn=c)
    tap(sock1 is not None and c.sock is sock1 and st == 200,
        "HTTP/1.1 keep-alive: two calls on one connection")
    c.close()
    import shoper_shop
    a = ["--cert", "x", "--key", "y", "--orders", "80", "--customers",
         "20", "--hostile-pct", "20", "--seed", "3", "--now", NOW]
    dump = lambda sh: [sh.obj_json("orders", sh.orders[i])  # noqa: E731
                       for i in sh.order_ids]
    s1 = dump(shoper_shop.build_shop(shoper_shop.parse_args(a)))
    s2 = dump(shoper_shop.build_shop(shoper_shop.parse_args(a)))
    s3 = dump(shoper_shop.build_shop(shoper_shop.parse_args(
        a[:-4] + ["--seed", "4", "--now", NOW])))
    tap(s1 == s2 and s1 != s3, "same seed -> same data; other seed -> "
        "other data")
    raw = shoper_shop.build_shop(shoper_shop.parse_args(
        a + ["--invalid-utf8", "raw"]))
    body = ("[" + ",".join(dump(raw)) + "]").encode("utf-8",
                                                    "surrogateescape")
    try:
        body.decode("utf-8")
        tap(False, "--invalid-utf8 raw sends non-UTF-8 bytes")
    except UnicodeDecodeError:
        tap(True, "--invalid-utf8 raw sends non-UTF-8 bytes")
    t0 = time.time()
    rc = s.stop()
    tap(rc == 0 and time.time() - t0 < 5, "SIGTERM: clean exit 0")
