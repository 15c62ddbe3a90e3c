"""Tests of the test shop's webhooks (shop_hooks.py): the resource as in
shoper-webapi.md section 7 and the deliveries with their headers and
signature, checked by a receiver here; faults duplicate, lose,
bad_signature; the bulk edit (POST /__test/orders/bulk)."""

import hashlib
import http.server
import json
import threading
import time

from shop_testlib import q, qs, section, tap


class Receiver:
    def __init__(self):
        got = self.got = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                got.append((dict(self.headers), self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hook" % self.srv.server_port

    def wait(self, n, secs=10):
        t0 = time.time()
        while len(self.got) < n and time.time() - t0 < secs:
            time.sleep(0.05)
        return len(self.got) >= n


def test_hooks(s, orders):
    section("7. webhooks: resource and deliveries")
    rcv = Receiver()
    body = {"url": rcv.url, "active": True, "format": 0,
            "events": ["order.status", "order.paid", "parcel.create"],
            "secret": "s3cr3t"}
    st, _, hid = s.call("POST", "/webapi/rest/webhooks", body)
    tap(st == 200 and isinstance(hid, int), "POST webhooks -> bare id")
    st, _, one = s.call("GET", "/webapi/rest/webhooks/%d" % hid)
    tap(st == 200 and one["secret"] == "s3cr3t" and
        one["webhook_id"] == str(hid), "GET webhooks/{id} shows the secret")
    st, _, j = s.call("PUT", "/webapi/rest/webhooks/%d" % hid,
                      {"events": body["events"] + ["order.delete"]})
    tap(st == 200 and j == 1, "PUT partial -> 1")
    st, _, lst = s.call("GET", "/webapi/rest/webhooks")
    tap(st == 200 and lst["count"] == "1" and
        "order.delete" in lst["list"][0]["events"], "listed with the change")
    st, _, e = s.call("POST", "/webapi/rest/webhooks", {"url": rcv.url})
    tap(st == 400 and e["error"] == "invalid_request",
        "POST without events -> 400")
    oid = int(orders[-1]["order_id"])
    s.ctl("PUT", "orders/%d" % oid, {"status_id": "3"})
    tap(rcv.wait(1), "a status change is delivered")
    h, raw = rcv.got[0]
    want = hashlib.sha1(("%d:s3cr3t:" % hid).encode() + raw).hexdigest()
    tap(h.get("X-Webhook-Sha1") == want and
        h.get("X-Webhook-Id") == str(hid) and
        h.get("X-Webhook-Name") == "order.status",
        "X-Webhook-Sha1 = sha1(id:secret:body), id and event headers")
    tap(all(k in h for k in ("X-Shop-Domain", "X-Shop-License",
                             "X-Shop-Version", "User-Agent")) and
        json.loads(raw)["order_id"] == str(oid),
        "shop headers, body the full order")
    s.ctl("POST", "webhooks/faults", {"kind": "duplicate"})
    s.ctl("PUT", "orders/%d" % oid, {"status_id": "4"})
    tap(rcv.wait(3), "duplicate fault: delivered twice")
    s.ctl("POST", "webhooks/faults", {"kind": "bad_signature"})
    s.ctl("PUT", "orders/%d" % oid, {"status_id": "5"})
    tap(rcv.wait(4) and rcv.got[3][0]["X-Webhook-Sha1"] != hashlib.sha1(
        ("%d:s3cr3t:" % hid).encode() + rcv.got[3][1]).hexdigest(),
        "bad_signature fault: a wrong X-Webhook-Sha1")
    s.ctl("POST", "webhooks/faults", {"kind": "lose"})
    s.ctl("PUT", "orders/%d" % oid, {"status_id": "6"})
    time.sleep(0.5)
    sent = s.ctl("GET", "webhooks/sent")["sent"]
    tap(len(rcv.got) == 4 and sent[-1]["code"] == "lost",
        "lose fault: not delivered, logged as lost")
    test_bulk_edit(s, orders, rcv, hid)
    s.ctl("POST", "config", {"forbidden": ["webhooks"]})
    st, _, e = s.call("GET", "/webapi/rest/webhooks")
    tap(st == 403 and e["error"] == "insufficient_scope",
        "forbidden webhooks -> 403 insufficient_scope")
    s.ctl("POST", "config", {"forbidden": []})
    st, _, j = s.call("DELETE", "/webapi/rest/webhooks/%d" % hid)
    tap(st == 200 and j == 1, "DELETE -> 1")
    st, _, _ = s.call("GET", "/webapi/rest/webhooks/%d" % hid)
    tap(st == 404, "gone after DELETE")
    rcv.srv.shutdown()


def test_bulk_edit(s, orders, rcv, hid):
    """POST /__test/orders/bulk: one call changes many orders, each with
    its own signed order.status webhook; a bad call changes nothing."""
    ids = [int(o["order_id"]) for o in orders[:30]]
    n0 = len(rcv.got)
    r = s.ctl("POST", "orders/bulk", {"order_ids": ids,
                                      "set": {"status_id": "7"}})
    tap(r.get("changed") == 30 and r.get("event") == "order.status",
        "orders/bulk: 30 orders changed by one call")
    tap(rcv.wait(n0 + 30), "orders/bulk: one webhook per order")
    got = rcv.got[n0:n0 + 30]
    bodies = [json.loads(raw) for _, raw in got]
    tap(sorted(int(b["order_id"]) for b in bodies) == sorted(ids) and
        all(b["status_id"] == "7" for b in bodies) and
        all(h.get("X-Webhook-Name") == "order.status" and
            h.get("X-Webhook-Sha1") == hashlib.sha1(
                ("%d:s3cr3t:" % hid).encode() + raw).hexdigest()
            for h, raw in got),
        "orders/bulk: each body the changed order, signed, order.status")
    st, _, lst = s.call("GET", "/webapi/rest/orders?" + qs(
        filters=q({"order_id": {"in": ids}}), limit=50))
    tap(st == 200 and lst["count"] == "30" and
        all(o["status_id"] == "7" for o in lst["list"]),
        "orders/bulk: the webapi shows all 30 changed (order_id IN)")
    st, _, pl = s.call("GET", "/webapi/rest/parcels?" + qs(
        filters=q({"order_id": {"in": ids}}), limit=50))
    want = sum(len(s.ctl("GET", "orders/%d" % i)["parcels"]) for i in ids)
    tap(st == 200 and int(pl["count"]) == want and
        all(int(p["order_id"]) in ids for p in pl["list"]),
        "parcels by order_id IN: the orders' parcels, no others")
    bad_ids = {"order_ids": ids[:2] + [999999999], "set": {"status_id": "8"}}
    st, _, _ = s.call("POST", "/__test/orders/bulk", bad_ids, token=False)
    tap(st == 404 and s.ctl("GET", "orders/%d" % ids[0])["status_id"] ==
        "7", "orders/bulk with an unknown id -> 404, nothing changed")
    bad_st = {"order_ids": ids, "set": {"status_id": "99"}}
    st, _, _ = s.call("POST", "/__test/orders/bulk", bad_st, token=False)
    tap(st == 400 and s.ctl("GET", "orders/%d" % ids[0])["status_id"] ==
        "7", "orders/bulk with an unknown status -> 400, nothing changed")
    r = s.ctl("POST", "orders/bulk", {"order_ids": ids[:3],
                                      "set": {"is_paid": True}})
    tap(r.get("event") == "order.paid" and rcv.wait(n0 + 33),
        "orders/bulk set is_paid -> order.paid webhooks")
