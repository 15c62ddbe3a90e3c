"""The control interface for tests, under /__test/ (no auth): counters,
orders and statuses changed as a customer or an admin would, parcels,
faults, clock, tokens and configuration.  See SHOP-CONTRACT.md."""

import json
import re
import time

from shop_api import Resp
import shop_hooks
import shop_live


def ok(obj, code=200):
    return Resp(code, json.dumps(obj, ensure_ascii=False))


def bad(msg, code=400):
    return Resp(code, json.dumps({"error": msg}, ensure_ascii=False))


def full_order(shop, oid):
    o = json.loads(shop.obj_json("orders", shop.orders[oid]))
    o["parcels"] = shop.order_parcels(oid)
    o["lines"] = shop.lines.get(oid, [])
    return o


def set_config(shop, d):
    cfg = shop.cfg
    for k, v in d.items():
        if k not in cfg:
            raise ValueError("unknown config key %r" % k)
        if k == "reject_status_change":
            v = [] if not v else v if isinstance(v, list) else [v]
        elif k == "bulk_cost" and v not in ("one", "each"):
            raise ValueError("bulk_cost: one|each")
        elif k == "page_beyond" and v not in ("empty", "404"):
            raise ValueError("page_beyond: empty|404")
        elif k == "header_case" and v not in ("canonical", "lower",
                                              "alternate"):
            raise ValueError("header_case: canonical|lower|alternate")
        elif k == "json_style":
            if v not in ("php", "utf8"):
                raise ValueError("json_style: php|utf8")
            shop.ojson.clear()
        shop_live.check_config(k, v)
        if k == "embedded_status":
            shop.ojson.clear()
        cfg[k] = v
    return dict(cfg)


def fire(shop, event, oid):
    shop.hooks.fire(event, shop.obj_json("orders", shop.orders[oid]), oid)


def bulk_update(shop, d):
    """A bulk edit in the panel: the same fields set on many orders at
    once, each firing its own webhook as a live shop does (one delivery
    per order, in id order).  Nothing changes unless every id exists."""
    ids = d.get("order_ids")
    fields = d.get("set")
    if not isinstance(ids, list) or not ids:
        raise ValueError("order_ids: a non-empty list")
    if not isinstance(fields, dict) or not fields:
        raise ValueError("set: the fields to change")
    oids = sorted({int(i) for i in ids})
    missing = [i for i in oids if i not in shop.orders]
    if missing:
        return bad("no such order: %s" % missing[0], 404)
    if "status_id" in fields and int(fields["status_id"]) not in \
            shop.statuses:
        raise ValueError("unknown status %s" % fields["status_id"])
    event = "order.status" if "status_id" in fields else \
        "order.paid" if fields.get("is_paid") else "order.edit"
    for oid in oids:
        shop.admin_update(oid, fields)
        fire(shop, event, oid)
    return ok({"changed": len(oids), "event": event, "time": time.time()})


def order_id(shop, s):
    try:
        oid = int(s)
    except ValueError:
        return None
    return oid if oid in shop.orders else None


def handle(shop, method, path, body):
    """Dispatch one control request; called with shop.lock held."""
    try:
        d = json.loads(body) if body else {}
    except ValueError:
        return bad("invalid JSON")
    if not isinstance(d, dict):
        d = {}
    p = path[len("/__test/"):].strip("/")
    try:
        return dispatch(shop, method, p, d)
    except (ValueError, KeyError, TypeError) as e:
        return bad(str(e))


def dispatch(shop, method, p, d):
    if p == "counters" and method == "GET":
        return ok(shop.counters)
    if p == "reset-counters" and method == "POST":
        shop.reset_counters()
        return ok({"ok": True})
    if p == "orders" and method == "GET":
        return Resp(200, "[" + ",".join(
            shop.obj_json("orders", shop.orders[i])
            for i in shop.order_ids) + "]")
    if p == "orders" and method == "POST":
        oid = shop.create_order(d)
        fire(shop, "order.create", oid)
        return ok({"order_id": str(oid)})
    if p == "orders/bulk" and method == "POST":
        return bulk_update(shop, d)
    if p.startswith("webhooks/"):
        r = shop_hooks.control(shop, method, p, d, ok, bad)
        if r is not None:
            return r
    m = re.match(r"^orders/(\d+)(/parcels)?$", p)
    if m:
        oid = order_id(shop, m.group(1))
        if oid is None:
            return bad("no such order", 404)
        if m.group(2):
            if method != "POST":
                return bad("method", 405)
            pid = shop.add_parcel(oid, d)
            pj = shop.obj_json("parcels", shop.parcels[pid])
            shop.hooks.fire("parcel.create", pj, oid)
            if d.get("sent", True):
                shop.hooks.fire("parcel.dispatch", pj, oid)
            return ok({"parcel_id": str(pid)})
        if method == "GET":
            return ok(full_order(shop, oid))
        if method == "PUT":
            shop.admin_update(oid, d)
            fire(shop, "order.status" if "status_id" in d else
                 "order.paid" if d.get("is_paid") else "order.edit", oid)
            return ok(full_order(shop, oid))
        if method == "DELETE":
            body = shop.obj_json("orders", shop.orders[oid])
            shop.delete_order(oid)
            shop.hooks.fire("order.delete", body, oid)
            return ok({"ok": True})
    if p == "statuses" and method == "POST":
        return ok({"status_id": str(shop.add_status(d))})
    m = re.match(r"^statuses/(\d+)$", p)
    if m and method == "PUT":
        sid = int(m.group(1))
        if sid not in shop.statuses:
            return bad("no such status", 404)
        shop.update_status(sid, d)
        return ok(shop.statuses[sid])
    if p == "faults":
        if method == "POST":
            rules = d.get("faults") if "faults" in d else [d]
            return ok({"faults": [shop.add_fault(r) for r in rules]})
        if method == "DELETE":
            shop.faults = []
            return ok({"ok": True})
        if method == "GET":
            return ok({"faults": shop.faults})
    if p == "clock":
        if method == "POST":
            if "advance" in d:
                shop.clock_advance(float(d["advance"]))
            if "set" in d:
                shop.clock_set(d["set"])
        return ok({"now": shop.now_s()})
    if p == "tokens/expire" and method == "POST":
        shop.expire_tokens()
        return ok({"ok": True})
    if p == "bucket/drain" and method == "POST":
        shop.drain_buckets()
        return ok({"ok": True})
    if p == "config":
        if method == "POST":
            return ok(set_config(shop, d))
        return ok(dict(shop.cfg))
    return bad("unknown control path", 404)
