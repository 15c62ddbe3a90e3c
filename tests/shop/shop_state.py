"""State of one test shop: data tables, clock, tokens, leaky bucket,
faults, counters, JSON caches and the mutations tests and the webapi make."""

import bisect
import datetime
import json
import math
import secrets
import threading

import shop_hooks
import time

import shop_data
from shop_data import fmt, parse_date
import shop_filters
import shop_live

# primary key and filterable fields per collection
RANGE_OPS = (">", ">=", "<", "<=", "=")
PK = {"orders": "order_id", "order-products": "id", "statuses": "status_id",
      "parcels": "parcel_id", "users": "user_id", "currencies": "currency_id",
      "shippings": "shipping_id", "payments": "payment_id",
      "taxes": "tax_id"}


class Shop:
    def __init__(self, args):
        self.args = args
        self.name = args.name
        self.zone = getattr(args, "timezone", None) or "Europe/Warsaw"
        self.tz = shop_data.tz_of(self.zone)
        self.shop_url = "https://%s.example.pl" % args.name
        if args.now:
            self.base_now = parse_date(args.now)
        else:
            # naive shop-local time, as the webapi shows it
            self.base_now = datetime.datetime.now(self.tz).replace(
                tzinfo=None, microsecond=0)
        self.mono0 = time.monotonic()
        self.clock_offset = 0.0
        self.lock = threading.RLock()
        self.hooks = shop_hooks.Hooks(self)
        self.stop_event = threading.Event()
        self.cfg = {"bucket_limit": args.bucket_limit,
                    "bucket_bandwidth": args.bucket_bandwidth,
                    "bulk_cost": args.bulk_cost,
                    "expires_in": args.expires_in,
                    "reject_status_change": [],
                    "page_beyond": args.page_beyond,
                    "header_case": args.header_case,
                    "json_style": args.json_style,
                    "gzip": args.gzip, "bulk_max": 25,
                    "forbidden": []}
        self.cfg.update(shop_live.defaults())
        self.tokens = {}
        self.buckets = {}
        self.faults = []
        self.reset_counters()
        self.resp_serial = 0
        (self.statuses, self.currencies, self.shippings,
         self.payments) = shop_data.reference_tables()
        self.taxes = {1: {"tax_id": "1", "value": "23.00", "name": "23%",
                          "class": "A", "lang": []},
                      2: {"tax_id": "2", "value": "8.00", "name": "8%",
                          "class": "B", "lang": []}}
        self.config = shop_data.app_config(args.name, self.zone)
        self.orders, self.lines, self.parcels, self.users = {}, {}, {}, {}
        self.customers = {}
        shop_data.generate(self, args)
        shop_live.apply_data(self)
        self.order_ids = sorted(self.orders)
        self.mtime = {}
        self.ojson = {}
        self.version = 0
        self.qcache = {}
        self._dates = None
        # orders come, go or change date: the id/date lists are rebuilt
        # (a status change alone keeps them: the same objects, changed)
        self.ids_version = 0
        self._pidx = None

    # ---- clock ----
    def mono(self):
        return time.monotonic() + self.clock_offset

    def now_dt(self):
        return self.base_now + datetime.timedelta(
            seconds=int(time.monotonic() - self.mono0 + self.clock_offset))

    def unix_now(self):
        return int(self.now_dt().replace(tzinfo=self.tz).timestamp())

    def now_s(self):
        return fmt(self.now_dt())

    def clock_advance(self, secs):
        self.clock_offset += float(secs)

    def clock_set(self, s):
        self.clock_advance((parse_date(s) - self.now_dt()).total_seconds())

    # ---- counters ----
    def reset_counters(self):
        self.counters = {"requests": {}, "bulk_requests": {}, "auth": 0,
                         "429": 0, "bulk_calls": 0, "bulk_items": 0,
                         "total": 0, "status_puts": 0, "faults": 0,
                         "codes": {}}

    def count(self, key, sub=None, n=1):
        c = self.counters
        if sub is None:
            c[key] = c.get(key, 0) + n
        else:
            c[key][sub] = c[key].get(sub, 0) + n

    # ---- tokens ----
    def issue_token(self, login):
        tok = secrets.token_hex(20)
        exp = self.now_dt() + datetime.timedelta(
            seconds=int(self.cfg["expires_in"]))
        self.tokens[tok] = {"login": login, "expires": exp}
        return tok

    def token_ok(self, tok):
        t = self.tokens.get(tok)
        return t is not None and self.now_dt() < t["expires"]

    def expire_tokens(self):
        self.tokens.clear()

    # ---- leaky bucket (per token) ----
    def _level(self, key):
        b = self.buckets.get(key)
        if b is None:
            return 0.0
        lvl, t = b
        bw = float(self.cfg["bucket_bandwidth"])
        return max(0.0, lvl - bw * max(0.0, self.mono() - t))

    def bucket_take(self, key, cost):
        """None when admitted, else Retry-After seconds.  A request is
        admitted when it fits under the limit or the bucket is empty (so a
        bulk costing more than the limit can still pass)."""
        lvl = self._level(key)
        limit = float(self.cfg["bucket_limit"])
        bw = max(0.001, float(self.cfg["bucket_bandwidth"]))
        if lvl + cost > limit and lvl > 0:
            need = lvl - max(0.0, limit - cost)
            self.buckets[key] = (lvl, self.mono())
            return max(1, int(math.ceil(need / bw)))
        self.buckets[key] = (lvl + cost, self.mono())
        return None

    def bucket_headers(self, key):
        calls = int(math.ceil(self._level(key))) if key else 0
        return [("X-Shop-Api-Calls", str(calls)),
                ("X-Shop-Api-Limit", str(self.cfg["bucket_limit"])),
                ("X-Shop-Api-Bandwidth", str(self.cfg["bucket_bandwidth"]))]

    def drain_buckets(self):
        self.buckets.clear()

    # ---- faults ----
    def add_fault(self, f):
        kind = str(f.get("kind", ""))
        if kind not in ("500", "503", "timeout", "garbage", "truncated",
                        "429", "reset", "delete"):
            raise ValueError("unknown fault kind %r" % kind)
        rule = {"kind": kind, "count": int(f.get("count", 1)),
                "path": f.get("path"), "skip": int(f.get("skip", 0)),
                "seconds": float(f.get("seconds", 5)),
                "answer": bool(f.get("answer", False)),
                "mode": f.get("mode", "short"),
                "retry_after": int(f.get("retry_after", 1)),
                "method": f.get("method"),
                "order_id": int(f.get("order_id", 0)),
                "create": f.get("create"),
                "create_parcel": bool(f.get("create_parcel", False))}
        self.faults.append(rule)
        return rule

    def take_fault(self, method, path, item=False):
        """The fault for this request (or bulk item), consuming it.  Rules
        without a path match whole HTTP requests only."""
        for r in self.faults:
            if r["count"] == 0:
                continue
            if r["path"] is None:
                if item:
                    continue
            elif not path.startswith(r["path"]):
                continue
            if r["method"] and r["method"].upper() != method:
                continue
            if r["skip"] > 0:
                r["skip"] -= 1
                return None
            if r["count"] > 0:
                r["count"] -= 1
            self.count("faults")
            return r
        return None

    # ---- JSON ----
    def dumps(self, obj):
        if self.cfg["json_style"] == "php":
            return json.dumps(obj, ensure_ascii=True,
                              separators=(",", ":")).replace("/", "\\/")
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def obj_json(self, res, obj):
        if res == "orders":
            oid = int(obj["order_id"])
            s = self.ojson.get(oid)
            if s is None:
                s = self.ojson[oid] = self.dumps(
                    shop_live.order_view(self, obj))
            return s
        return self.dumps(obj)

    def touch_order(self, oid):
        self.ojson.pop(oid, None)
        self.mtime[oid] = self.unix_now()
        self.version += 1

    # ---- queries ----
    def table(self, res):
        return {"orders": self.orders, "statuses": self.statuses,
                "parcels": self.parcels, "users": self.users,
                "currencies": self.currencies, "shippings": self.shippings,
                "payments": self.payments, "taxes": self.taxes}.get(res)

    def known_fields(self, res):
        if res == "order-products":
            return set(self.lines[next(iter(self.lines))][0]) \
                if self.lines else {"id", "order_id"}
        t = self.table(res)
        for o in t.values():
            return set(o)
        return {PK[res]}

    def all_lines(self):
        for oid in self.order_ids:
            for ln in self.lines.get(oid, ()):
                yield ln

    def candidates(self, res, conds):
        """(objects to filter, conditions still to check), in primary key
        order; order_id ranges of orders are cut with bisect."""
        if res == "order-products":
            for c in conds:
                if c.field == "order_id" and c.op in ("=", "in"):
                    ids = [c.value] if c.op == "=" else c.value
                    out = []
                    for i in ids:
                        try:
                            out.extend(self.lines.get(int(float(i)), ()))
                        except (TypeError, ValueError):
                            pass
                    return out, conds
            return list(self.all_lines()), conds
        ids = self.ids_in(conds, "order_id")
        if res == "parcels" and ids is not None:
            pidx = self.parcel_index()
            return [self.parcels[p] for p in sorted(
                p for i in ids for p in pidx.get(i, ()))], conds
        if res != "orders":
            t = self.table(res)
            return [t[k] for k in sorted(t)], conds
        if ids is not None:
            # a re-read by id (webhooks): no scan of every order
            return [self.orders[i] for i in sorted(ids)
                    if i in self.orders], conds
        lo, hi = 0, len(self.order_ids)
        ids = self.order_ids
        rest = []
        dates = self.order_dates()
        for c in conds:
            if c.field == "date" and dates is not None and c.num is None \
                    and c.value is not None and c.op in RANGE_OPS:
                lo, hi = self._bisect(dates, c.op, c.value, lo, hi)
                continue
            if c.field != "order_id" or c.num is None or c.op not in \
                    RANGE_OPS:
                rest.append(c)
                continue
            v = c.num
            if c.op == ">":
                lo = max(lo, bisect.bisect_right(ids, math.floor(v)))
            elif c.op == ">=":
                lo = max(lo, bisect.bisect_left(ids, math.ceil(v)))
            elif c.op == "<":
                hi = min(hi, bisect.bisect_left(ids, math.ceil(v)))
            elif c.op == "<=":
                hi = min(hi, bisect.bisect_right(ids, math.floor(v)))
            elif c.op == "=":
                lo = max(lo, bisect.bisect_left(ids, v))
                hi = min(hi, bisect.bisect_right(ids, v))
        return self._dates[2][lo:hi], rest

    @staticmethod
    def ids_in(conds, field):
        """The ids an `=`/`in` condition on field allows, or None; the
        conditions themselves are still checked on what it returns."""
        for c in conds:
            if c.field != field or c.op not in ("=", "in"):
                continue
            vals = [c.value] if c.op == "=" else c.value
            out = set()
            for v in vals:
                try:
                    out.add(int(float(v)))
                except (TypeError, ValueError):
                    pass
            return out
        return None

    def parcel_index(self):
        """order_id -> parcel ids, rebuilt when parcels come or go."""
        key = (len(self.parcels), self.next_parcel_id)
        if self._pidx is None or self._pidx[0] != key:
            idx = {}
            for pid, p in self.parcels.items():
                idx.setdefault(int(p["order_id"]), []).append(pid)
            self._pidx = (key, idx)
        return self._pidx[1]

    def order_dates(self):
        """Order dates in id order when they never decrease (generated
        data; orders created later), else None: then date ranges bisect."""
        if self._dates is None or self._dates[0] != self.ids_version:
            objs = [self.orders[i] for i in self.order_ids]
            d = [o["date"] for o in objs]
            mono = all(d[i] <= d[i + 1] for i in range(len(d) - 1))
            self._dates = (self.ids_version, d if mono else None, objs)
        return self._dates[1]

    @staticmethod
    def _bisect(vals, op, v, lo, hi):
        if op == ">":
            lo = max(lo, bisect.bisect_right(vals, v))
        elif op == ">=":
            lo = max(lo, bisect.bisect_left(vals, v))
        elif op == "<":
            hi = min(hi, bisect.bisect_left(vals, v))
        elif op == "<=":
            hi = min(hi, bisect.bisect_right(vals, v))
        else:
            lo = max(lo, bisect.bisect_left(vals, v))
            hi = min(hi, bisect.bisect_right(vals, v))
        return lo, hi

    def query(self, res, params):
        """Sorted matching objects for a collection GET (cached per data
        version, so 25 pages of one query filter once)."""
        known = self.known_fields(res) - shop_live.unfilterable(self, res)
        conds, fkey = shop_filters.parse_filters(params, known)
        order = shop_filters.parse_order(params, known)
        key = (res, fkey, tuple(order))
        hit = self.qcache.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        objs, conds = self.candidates(res, conds)
        for c in conds:
            objs = [o for o in objs if c.match(o)]
        if order == [(PK[res], False)]:
            pass
        elif order == [(PK[res], True)]:
            objs = objs[::-1]
        elif order:
            objs = shop_filters.apply_sort(objs, order, PK[res])
        if len(self.qcache) > 256:
            self.qcache.clear()
        self.qcache[key] = (self.version, objs)
        return objs

    # ---- mutations ----
    def order_parcels(self, oid):
        return [self.parcels[p] for p in
                sorted(self.parcel_index().get(int(oid), ()))]

    def set_status(self, oid, sid):
        o = self.orders[oid]
        o["status_id"] = str(sid)
        o["status"] = shop_data.embedded_status(self.statuses[sid])
        o["status_date"] = self.now_s()
        self.touch_order(oid)

    def reject_for(self, oid):
        for r in self.cfg["reject_status_change"]:
            if str(r.get("order_id")) == str(oid):
                return r.get("error_description", "Nie można zmienić statusu")
        return None

    def create_order(self, d):
        email = d.get("email") or "klient@example.pl"
        cust = None
        for c in self.customers.values():
            if c.email.lower() == email.lower():
                cust = c
                break
        if cust is None:
            cid = max(self.customers or [0]) + 1
            cust = shop_data.Customer(cid, d.get("firstname", "Jan"),
                                      d.get("lastname", "Kowalski"), email,
                                      ("Kraków", "30-001"), "Rynek 1",
                                      "600000000")
            self.customers[cid] = cust
            if cid % 10:
                self.users[cid] = shop_data.user_obj(cust, self.now_s())
        oid = (self.order_ids[-1] if self.order_ids else 0) + 1
        dt = parse_date(d["date"]) if d.get("date") else self.now_dt()
        sid = int(d.get("status_id", 1))
        if sid not in self.statuses:
            raise ValueError("unknown status %s" % sid)
        import random
        rnd = random.Random("%s-%d" % (self.args.seed, oid))
        o, lines = shop_data.make_order(self, oid, dt, cust, rnd, sid, None)
        o["email"] = email
        if "delivery_email" in d:
            o["delivery_email"] = d["delivery_email"]
        for k in ("firstname", "lastname"):
            if k in d:
                o["billing_address"][k] = d[k]
                o["delivery_address"][k] = d[k]
        if "sum" in d:
            o["sum"] = "%.2f" % float(d["sum"])
            o["paid"] = o["sum"] if o["is_paid"] else "0.00"
        for k in ("currency_id", "shipping_id", "payment_id"):
            if k in d:
                o[k] = str(d[k])
        if "is_paid" in d:
            o["is_paid"] = bool(d["is_paid"])
            o["paid"] = o["sum"] if o["is_paid"] else "0.00"
        o["status_date"] = fmt(dt)
        o["status"] = shop_data.embedded_status(self.statuses[sid])
        self.orders[oid] = o
        self.lines[oid] = shop_data.order_lines(oid, lines,
                                                self.next_line_id)
        self.next_line_id += len(lines)
        self.order_ids.append(oid)
        self.order_ids.sort()
        self.ids_version += 1
        self.touch_order(oid)
        return oid

    def admin_update(self, oid, d):
        o = self.orders[oid]
        for k, v in d.items():
            if k == "status_id":
                continue
            if k in o and not isinstance(o[k], dict):
                o[k] = v
                if k == "date":
                    self.ids_version += 1
        if "status_id" in d:
            sid = int(d["status_id"])
            if sid not in self.statuses:
                raise ValueError("unknown status %s" % sid)
            self.set_status(oid, sid)
        self.touch_order(oid)

    def delete_order(self, oid):
        del self.orders[oid]
        self.lines.pop(oid, None)
        for pid in [p for p, v in self.parcels.items()
                    if v["order_id"] == str(oid)]:
            del self.parcels[pid]
        self.order_ids.remove(oid)
        self.ids_version += 1
        self.touch_order(oid)

    def add_parcel(self, oid, d):
        o = self.orders[oid]
        pid = self.next_parcel_id
        self.next_parcel_id += 1
        sent = bool(d.get("sent", True))
        code = str(d.get("shipping_code", "%014d" % (10 ** 13 + pid)))
        self.parcels[pid] = shop_data.make_parcel(pid, o, code, sent,
                                                  self.now_s())
        o["total_parcels"] += 1
        snd = int(self.config["shopping_parcel_send_status_id"])
        if sent and o["status_id"] != str(snd):
            self.set_status(oid, snd)
        self.touch_order(oid)
        return pid

    def add_status(self, d):
        sid = max(self.statuses) + 1
        name = d.get("name", "Status %d" % sid)
        self.statuses[sid] = shop_data.make_status(
            sid, int(d.get("type", 2)), d.get("color", "#cccccc"), name,
            d.get("name_en", name), int(d.get("active", 1)))
        self.version += 1
        return sid

    def update_status(self, sid, d):
        st = self.statuses[sid]
        lang = d.get("lang", "pl_PL")
        if "name" in d:
            tr = st["translations"]
            if lang not in tr:
                tr[lang] = dict(next(iter(tr.values())))
            tr[lang]["name"] = d["name"]
        for k in ("active", "type", "color", "order", "email_change"):
            if k in d:
                st[k] = str(d[k])
        emb = shop_data.embedded_status(st)
        for oid, o in self.orders.items():
            if o["status_id"] == str(sid):
                o["status"] = dict(emb)
                self.ojson.pop(oid, None)
        self.version += 1
