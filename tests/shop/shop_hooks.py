"""Webhooks (shoper-webapi.md section 7): the `webhooks` resource (GET
list/one with the secret, POST -> bare id, PUT partial -> 1, DELETE -> 1)
and their delivery: the shop's own changes (the /__test/ control
endpoints, a webapi status PUT) POST the full object to every active
webhook that carries the event, with X-Shop-Domain, X-Shop-License,
X-Shop-Version, X-Webhook-Name, X-Webhook-Id, X-Webhook-Sha1 =
sha1(id:secret:body) and User-Agent.  Faults (POST /__test/webhooks/faults
{"kind", "count"}): duplicate, reorder (held back until the next one),
delay ("seconds"), lose, bad_signature.  Deliveries are logged
(GET /__test/webhooks/sent: event, id, order_id, code, time)."""

import hashlib
import json
import queue
import ssl
import threading
import time
import urllib.error
import urllib.request

EVENTS = ("order.create", "order.edit", "order.paid", "order.status",
          "order.delete", "parcel.create", "parcel.dispatch",
          "parcel.delete")
FAULTS = ("duplicate", "reorder", "delay", "lose", "bad_signature")


class Hooks:
    def __init__(self, shop):
        self.shop = shop
        self.rows = {}
        self.next_id = 1
        self.faults = []
        self.sent = []
        self.held = None
        self.q = queue.Queue()
        # made once: loading the CA store costs ~40 ms, which would be
        # the sender's rate in a burst
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE
        t = threading.Thread(target=self.sender, daemon=True)
        t.start()

    # ---- the resource ----
    def row_json(self, r):
        return dict(r)

    def route(self, shop, method, parts, body, err, Resp):
        if method in ("GET", "HEAD") and len(parts) == 1:
            rows = [self.row_json(r) for _, r in sorted(self.rows.items())]
            body = json.dumps({"count": str(len(rows)),
                               "pages": 1 if rows else 0, "page": 1,
                               "list": rows})
            return Resp(200, body)
        if len(parts) == 2:
            try:
                i = int(parts[1])
            except ValueError:
                i = -1
            if i not in self.rows:
                return err(shop, 404, "invalid_request",
                           "Resource not found")
        try:
            d = json.loads(body or b"null")
        except ValueError:
            d = None
        if method == "POST" and len(parts) == 1:
            r = self.check(d, partial=False)
            if isinstance(r, str):
                return err(shop, 400, "invalid_request", r)
            r["webhook_id"] = str(self.next_id)
            self.rows[self.next_id] = r
            self.next_id += 1
            return Resp(200, r["webhook_id"])
        if method == "GET" and len(parts) == 2:
            return Resp(200, json.dumps(self.row_json(self.rows[i])))
        if method == "PUT" and len(parts) == 2:
            r = self.check(d, partial=True)
            if isinstance(r, str):
                return err(shop, 400, "invalid_request", r)
            self.rows[i].update(r)
            return Resp(200, "1")
        if method == "DELETE" and len(parts) == 2:
            del self.rows[i]
            return Resp(200, "1")
        return err(shop, 405, "invalid_request", "Method not allowed")

    def check(self, d, partial):
        if not isinstance(d, dict):
            return "Nieprawidłowe dane"
        r = {}
        for k in ("url", "active", "format", "events", "secret"):
            if k in d:
                r[k] = d[k]
            elif not partial and k != "secret":
                return "Wartość pola '%s' jest niepoprawna: Pole wymagane" % k
        if "url" in r and not str(r["url"]).startswith(("http://",
                                                       "https://")):
            return "Wartość pola 'url' jest niepoprawna"
        if "events" in r:
            if not isinstance(r["events"], list) or \
                    any(e not in EVENTS for e in r["events"]):
                return "Wartość pola 'events' jest niepoprawna"
        r.setdefault("secret", "") if not partial else None
        if "format" in r:
            r["format"] = int(r["format"])
        if "active" in r:
            r["active"] = bool(r["active"])
        return r

    # ---- delivery ----
    def fire(self, event, obj_json, order_id):
        """Called with shop.lock held: queue one delivery per webhook."""
        for i, r in sorted(self.rows.items()):
            if not r.get("active") or event not in r.get("events", []):
                continue
            fault = None
            for f in self.faults:
                if f["count"] != 0:
                    f["count"] -= 1
                    fault = f
                    break
            self.faults = [f for f in self.faults if f["count"] != 0]
            self.q.put((str(i), r["url"], r.get("secret", ""), event,
                        obj_json.encode("utf-8"), order_id, fault))

    def add_fault(self, d):
        if d.get("kind") not in FAULTS:
            raise ValueError("kind: one of %s" % ", ".join(FAULTS))
        f = {"kind": d["kind"], "count": int(d.get("count", 1)),
             "seconds": float(d.get("seconds", 2))}
        self.faults.append(f)
        return f

    def sender(self):
        while True:
            item = self.q.get()
            hid, url, secret, event, body, oid, fault = item
            kind = fault["kind"] if fault else None
            if kind == "lose":
                self.log(item, "lost")
                continue
            if kind == "reorder":
                self.held = item
                continue
            if kind == "delay":
                threading.Timer(fault["seconds"], self.post,
                                (item,)).start()
                continue
            self.post(item)
            if kind == "duplicate":
                self.post(item)
            if self.held is not None:
                held, self.held = self.held, None
                self.post(held)

    def post(self, item):
        hid, url, secret, event, body, oid, fault = item
        sig = hashlib.sha1(("%s:%s:" % (hid, secret)).encode("utf-8") +
                           body).hexdigest()
        if fault and fault["kind"] == "bad_signature":
            sig = hashlib.sha1(b"forged" + body).hexdigest()
        host = self.shop.shop_url.split("://", 1)[1]
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Shop-Domain": host,
            "X-Shop-License": hashlib.md5(host.encode()).hexdigest(),
            "X-Shop-Version": "5.8.3",
            "X-Webhook-Name": event,
            "X-Webhook-Id": hid,
            "X-Webhook-Sha1": sig,
            "User-Agent": "Shop Webhook Sender 1.0"})
        ctx = self.ctx
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                code = r.status
        except urllib.error.HTTPError as e:
            code = e.code
        except (OSError, ValueError):
            code = 0
        self.log(item, code)

    def log(self, item, code):
        hid, url, secret, event, body, oid, fault = item
        with self.shop.lock:
            self.sent.append({"id": hid, "event": event, "order_id": oid,
                              "code": code, "time": time.time(),
                              "fault": fault["kind"] if fault else None})


def control(shop, method, p, d, ok, bad):
    """/__test/webhooks/...: faults and the delivery log."""
    h = shop.hooks
    if p == "webhooks/faults" and method == "POST":
        return ok({"fault": h.add_fault(d)})
    if p == "webhooks/faults" and method == "DELETE":
        h.faults = []
        return ok({"ok": True})
    if p == "webhooks/sent" and method == "GET":
        return ok({"sent": h.sent, "queued": h.q.qsize()})
    if p == "webhooks/fire" and method == "POST":
        oid = int(d["order_id"])
        o = shop.orders.get(oid)
        body = shop.obj_json("orders", o) if o else json.dumps(
            {"order_id": str(oid)})
        h.fire(d.get("event", "order.edit"), body, oid)
        return ok({"ok": True})
    return None
