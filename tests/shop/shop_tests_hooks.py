"""Tests of the test shop's webhooks (shop_hooks.py): the resource as in
shoper-webapi.md section 7 and the deliveries with their headers and
signature, checked by a receiver here; faults duplicate, lose,
bad_signature."""

import hashlib
import http.server
import json
import threading
import time

from shop_testlib import section, tap


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
