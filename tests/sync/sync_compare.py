#!/usr/bin/env python3
"""Compares what shoper-sync holds (state database and published index, read
with `shoper-sync lookup --json`) with the test shop's own data.

usage: sync_compare.py --url URL --ca CA --login L --password P --shop NAME
          --state STATE_DB --bin SHOPER_SYNC --conf CONF [--max-orders 20]
          [--lookups N]
Prints "ok: ..." or "FAIL: ..." lines; exit 0 when everything matches."""

import argparse
import base64
import json
import sqlite3
import ssl
import subprocess
import sys
import urllib.request


def http(args, method, path, body=None, token=None):
    ctx = ssl.create_default_context(cafile=args.ca)
    req = urllib.request.Request(args.url + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    if path.endswith("/auth"):
        cred = base64.b64encode(
            ("%s:%s" % (args.login, args.password)).encode()).decode()
        req.add_header("Authorization", "Basic " + cred)
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        return json.loads(r.read().decode("utf-8", "surrogateescape"))


def fetch_all(args, token, path):
    """Every row of a list resource through bulk calls of 25 pages."""
    rows, page, pages = [], 1, None
    while pages is None or page <= pages:
        reqs = [{"id": str(p), "path": "/webapi/rest/" + path,
                 "method": "GET", "params": {"limit": 50, "page": p}}
                for p in range(page, page + 25)]
        ans = http(args, "POST", "/webapi/rest/bulk", reqs, token)
        for it in ans["items"]:
            if it["code"] != 200:
                raise RuntimeError("bulk item failed: %r" % it)
            pages = it["body"]["pages"]
            rows.extend(it["body"]["list"])
        page += 25
    return rows


def norm_email(e):
    e = e.strip(" \t\r\n\v\f<>")
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in e)


def customer(o):
    b = o.get("billing_address") or {}
    if not isinstance(b, dict):
        return ""
    if b.get("company"):
        return b["company"]
    return " ".join(x for x in (b.get("firstname") or "",
                                b.get("lastname") or "") if x)


def shipping_name(sh, lang):
    """As shoper-sync picks it: translations[lang], the top-level name,
    pl_PL, any translation."""
    tr = sh.get("translations") or {}
    tr = tr if isinstance(tr, dict) else {}
    for cand in ((tr.get(lang) or {}).get("name"), sh.get("name"),
                 (tr.get("pl_PL") or {}).get("name")):
        if isinstance(cand, str) and cand:
            return cand
    for t in tr.values():
        if isinstance(t, dict) and isinstance(t.get("name"), str):
            return t["name"]
    return ""


def second_key(o):
    """The delivery_email the index stores: a key, and another one."""
    d = o.get("delivery_email") or ""
    k = norm_email(d)
    if "@" not in k or k == norm_email(o.get("email") or ""):
        return ""
    return d


TYPES = {"1": "new", "2": "in-progress", "3": "closed", "4": "not-completed"}


def expected_orders(args, window):
    token = http(args, "POST", "/webapi/rest/auth")["access_token"]
    orders = http(args, "GET", "/__test/orders")
    statuses = {s["status_id"]: s for s in fetch_all(args, token, "statuses")}
    currencies = {c["currency_id"]: c["name"]
                  for c in fetch_all(args, token, "currencies")}
    shippings = {x["shipping_id"]: x
                 for x in fetch_all(args, token, "shippings")}
    parcels = {}
    for p in sorted(fetch_all(args, token, "parcels"),
                    key=lambda p: int(p["parcel_id"])):
        if p.get("shipping_code"):
            parcels.setdefault(p["order_id"], []).append(p["shipping_code"])
    exp = {}
    for o in orders:
        if o["date"] < window:
            continue
        st = statuses.get(o["status_id"], {})
        tr = st.get("translations") or {}
        name = (tr.get(args.lang) or tr.get("pl_PL") or {}).get("name", "")
        exp[o["order_id"]] = {
            "shop": args.shop, "order_id": o["order_id"], "date": o["date"],
            "status_id": o["status_id"], "status_name": name,
            "status_type": TYPES.get(st.get("type"), "unknown"),
            "total": o["sum"], "currency": currencies.get(o["currency_id"], ""),
            "paid": bool(o["is_paid"]),
            "tracking": ", ".join(parcels.get(o["order_id"], [])),
            "customer": customer(o), "email": o["email"],
            "url": "%s/admin/orders/view/id/%s" % (args.url, o["order_id"]),
            "delivery_email": second_key(o),
        }
        sh = shippings.get(o.get("shipping_id"))
        url = sh.get("url") if sh else ""
        exp[o["order_id"]]["shipping"] = (shipping_name(sh, args.lang)
                                          if sh else "")
        exp[o["order_id"]]["tracking_url"] = (url if isinstance(url, str)
                                              else "")
    return exp, len(orders)


def main():
    ap = argparse.ArgumentParser()
    for a in ("url", "ca", "login", "password", "shop", "state", "bin",
              "conf"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--lang", default="pl_PL")
    ap.add_argument("--max-orders", type=int, default=20)
    ap.add_argument("--lookups", type=int, default=100000)
    ap.add_argument("--emails", default="")
    args = ap.parse_args()

    db = sqlite3.connect(args.state)
    db.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    row = db.execute("SELECT window_start FROM cursors WHERE shop=?",
                     (args.shop,)).fetchone()
    if not row:
        print("FAIL: no cursors for shop %s in the state" % args.shop)
        return 1
    window = row[0]
    exp, n_all = expected_orders(args, window)
    fails = 0

    held = {str(r[0]): r for r in db.execute(
        "SELECT order_id, status_id, total, email, customer, paid, date"
        " FROM orders WHERE shop=?", (args.shop,))}
    missing = set(exp) - set(held)
    extra = set(held) - set(exp)
    if missing or extra:
        print("FAIL: state holds %d orders, shop has %d in the window; "
              "missing %s, extra %s" % (len(held), len(exp),
                                        sorted(missing)[:5], sorted(extra)[:5]))
        fails += 1
    else:
        print("ok: state holds exactly the %d orders of the window "
              "(of %d in the shop)" % (len(exp), n_all))
    bad = 0
    for oid, e in exp.items():
        h = held.get(oid)
        if h and (str(h[1]) != e["status_id"] or h[2] != e["total"] or
                  h[3] != e["email"] or h[4] != e["customer"] or
                  bool(h[5]) != e["paid"] or h[6] != e["date"]):
            if bad < 3:
                print("# state differs for %s: %r vs %r" % (oid, h, e))
            bad += 1
    if bad:
        print("FAIL: %d orders differ in the state" % bad)
        fails += 1
    else:
        print("ok: every order's fields match in the state")

    by_email = {}
    for e in exp.values():
        k = norm_email(e["email"])
        d = norm_email(e["delivery_email"])
        if "@" in k:
            by_email.setdefault(k, []).append(e)
        if "@" in d:  # the order's second key (or its only one)
            by_email.setdefault(d, []).append(e)
    keys = ["shop", "order_id", "date", "status_id", "status_name",
            "status_type", "total", "currency", "paid", "tracking",
            "customer", "email", "url", "delivery_email", "shipping",
            "tracking_url"]
    bad = n = 0
    emails = sorted(by_email)
    if len(emails) > args.lookups:
        # a spread sample, plus the customers with the most orders and
        # any the test names
        step = len(emails) / args.lookups
        pick = {emails[int(i * step)] for i in range(args.lookups)}
        pick |= set(sorted(emails, key=lambda k: -len(by_email[k]))[:5])
        pick |= {norm_email(e) for e in args.emails.split(",") if e}
        emails = sorted(k for k in pick if k in by_email)
    for k in emails:
        want = sorted(by_email[k], key=lambda e: (e["date"],
                                                  int(e["order_id"])),
                      reverse=True)[:args.max_orders]
        out = subprocess.run([args.bin, "-c", args.conf, "lookup", "--json",
                              k], capture_output=True)
        got = json.loads(out.stdout.decode("utf-8", "surrogateescape")) \
            if out.returncode == 0 else []
        got = [{x: g.get(x) for x in keys} for g in got]
        want = [{x: w[x] for x in keys} for w in want]
        n += 1
        if got != want:
            if bad < 3:
                print("# index differs for %s:\n#  got  %s\n#  want %s" % (
                    k, json.dumps(got)[:600], json.dumps(want)[:600]))
            bad += 1
    if bad:
        print("FAIL: %d of %d customers differ in the index" % (bad, n))
        fails += 1
    else:
        print("ok: the index answers exactly for %d customers" % n)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
