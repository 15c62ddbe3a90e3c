#!/usr/bin/env python3
"""Tests of the test Shoper shop against section 10 of shoper-webapi.md,
point by point, over real TLS (verification on, throwaway CA).  TAP output.
Expected values are computed here from the raw data (/__test/orders) with
code independent of the shop's filter/sort code."""

import base64
import http.client
import json
import math
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
NOW = "2026-11-29 12:00:00"
N_ORDERS = 400
T = {"n": 0, "fail": 0}


def tap(ok, what):
    T["n"] += 1
    if not ok:
        T["fail"] += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", T["n"], what))
    sys.stdout.flush()
    return ok


def section(title):
    print("# --- %s" % title)


class Shop:
    def __init__(self, tmp, *extra):
        self.tmp = tmp
        pf = os.path.join(tmp, "port-%d" % len(os.listdir(tmp)))
        self.log = open(pf + ".log", "w")
        self.proc = subprocess.Popen([
            sys.executable, os.path.join(HERE, "shoper_shop.py"),
            "--cert", os.path.join(tmp, "server.pem"),
            "--key", os.path.join(tmp, "server.key"), "--port-file", pf,
            "--orders", str(N_ORDERS), "--customers", "60", "--seed", "7",
            "--hostile-pct", "12", "--now", NOW] + list(extra),
            stdout=self.log, stderr=self.log)
        for _ in range(300):
            if os.path.exists(pf):
                break
            if self.proc.poll() is not None:
                raise SystemExit("shop died")
            time.sleep(0.05)
        self.port = int(open(pf).read())
        self.ctx = ssl.create_default_context(
            cafile=os.path.join(tmp, "ca.pem"))
        self.conn = None
        self.token = None

    def connect(self, timeout=20):
        return http.client.HTTPSConnection("127.0.0.1", self.port,
                                           context=self.ctx, timeout=timeout)

    def raw(self, method, path, body=None, headers=None, token=True,
            conn=None):
        """(status, headers dict lower-case, raw headers, body bytes)."""
        h = dict(headers or {})
        if token is True and self.token:
            h["Authorization"] = "Bearer " + self.token
        elif isinstance(token, str):
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c = conn or self.conn
        if c is None:
            c = self.conn = self.connect()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            c.close()
            if conn is None:
                self.conn = None
            raise
        hd = {k.lower(): v for k, v in r.getheaders()}
        return r.status, hd, r.getheaders(), data

    def call(self, method, path, body=None, **kw):
        st, hd, _, data = self.raw(method, path, body, **kw)
        return st, hd, json.loads(data) if data else None

    def ctl(self, method, path, body=None):
        st, _, data = self.call(method, "/__test/" + path, body, token=False)
        return data

    def auth(self):
        st, _, j = self.call("POST", "/webapi/rest/auth", token=False,
                             headers={"Authorization": basic("api",
                                                             "secret")})
        self.token = j["access_token"]
        return j

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def basic(login, pw):
    return "Basic " + base64.b64encode(
        ("%s:%s" % (login, pw)).encode()).decode()


def q(d):
    return json.dumps(d, separators=(",", ":"))


def qs(**kw):
    import urllib.parse
    return urllib.parse.urlencode(kw)


def all_pages(shop, path, limit=50):
    out, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        st, _, j = shop.call("GET", "%s%slimit=%d&page=%d" % (
            path, sep, limit, page))
        out.extend(j["list"])
        if page >= j["pages"]:
            return out, j
        page += 1


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def test_auth(s):
    section("1. auth: Basic and form, wrong creds, no-webapi user, expiry")
    st, hd, j = s.call("POST", "/webapi/rest/auth", token=False,
                       headers={"Authorization": basic("api", "secret")})
    tap(st == 200 and set(j) == {"access_token", "expires_in",
                                 "token_type"}, "Basic auth -> 200 with "
        "access_token, expires_in, token_type")
    tap(re.match(r"^[0-9a-f]{40}$", j["access_token"]) is not None and
        j["token_type"] == "bearer" and j["expires_in"] == 2592000,
        "token is 40 hex chars, bearer, expires_in 2592000 (int)")
    st, hd, j2 = s.call("POST", "/webapi/rest/auth", token=False,
                        body="client_id=api&client_secret=secret",
                        headers={"Content-Type":
                                 "application/x-www-form-urlencoded"})
    tap(st == 200 and j2["access_token"] != j["access_token"],
        "form client_id/client_secret -> 200, a new token")
    st, _, e = s.call("POST", "/webapi/rest/auth", token=False,
                      headers={"Authorization": basic("api", "wrong")})
    tap(st == 401 and e["error"] == "auth_failure" and
        e.get("error_description"), "wrong password (Basic) -> 401 "
        "auth_failure")
    st, _, e = s.call("POST", "/webapi/rest/auth", token=False,
                      body="client_id=nobody&client_secret=secret",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    tap(st == 401 and e["error"] == "auth_failure",
        "unknown login (form) -> 401 auth_failure")
    st, _, e = s.call("POST", "/webapi/rest/auth", token=False,
                      headers={"Authorization": basic("noaccess",
                                                      "secret")})
    tap(st == 401 and e["error"] == "auth_webapi_access_denied",
        "admin without webapi permission -> 401 auth_webapi_access_denied")
    c = s.ctl("GET", "counters")
    tap(c["auth"] == 5, "counters.auth counts auth calls (5)")
    s.token = j["access_token"]
    st, _, _ = s.call("GET", "/webapi/rest/statuses")
    tap(st == 200, "token works before expiry")
    s.ctl("POST", "clock", {"advance": 2592000 - 10})
    st, _, _ = s.call("GET", "/webapi/rest/statuses")
    tap(st == 200, "token still valid 10 s before expires_in")
    s.ctl("POST", "clock", {"advance": 11})
    st, _, e = s.call("GET", "/webapi/rest/statuses")
    tap(st == 401 and e["error"] == "unauthorized_client",
        "token expired after expires_in (clock advanced) -> 401 "
        "unauthorized_client")
    s.ctl("POST", "clock", {"set": NOW})
    s.auth()
    s.ctl("POST", "tokens/expire")
    st, _, e = s.call("GET", "/webapi/rest/statuses")
    tap(st == 401, "/__test/tokens/expire invalidates issued tokens")
    s.auth()


def test_bearer(s):
    section("2. bearer check on every other route")
    want = {"error": "unauthorized_client",
            "error_description": "Provided access token is invalid"}
    for path in ("/webapi/rest/orders", "/webapi/rest/orders/1",
                 "/webapi/rest/statuses", "/webapi/rest/application-config"):
        st, _, e = s.call("GET", path, token=False)
        tap(st == 401 and e == want, "no token on %s -> 401 %s" % (
            path, want["error_description"]))
    st, _, e = s.call("GET", "/webapi/rest/orders", token="0" * 40)
    tap(st == 401 and e == want, "unknown token -> 401 unauthorized_client")
    st, _, e = s.call("POST", "/webapi/rest/bulk", [], token="x")
    tap(st == 401 and e == want, "bulk without a valid token -> 401")


def test_paging(s, orders):
    section("3. paging: limit, page, offset, envelope, X-Shop-Result-*")
    st, hd, j = s.call("GET", "/webapi/rest/orders")
    tap(len(j["list"]) == 10, "default limit is 10")
    tap(isinstance(j["count"], str) and j["count"] == str(len(orders)) and
        isinstance(j["pages"], int) and isinstance(j["page"], int),
        "envelope: count is a string, pages and page are numbers")
    tap(hd.get("x-shop-result-count") == j["count"] and
        hd.get("x-shop-result-page") == "1" and
        hd.get("x-shop-result-pages") == str(j["pages"]),
        "X-Shop-Result-Count/Page/Pages headers match the envelope")
    for lim, exp in ((1, 1), (50, 50), (51, 10), (1000, 10), (0, 10)):
        st, _, j = s.call("GET", "/webapi/rest/orders?limit=%d" % lim)
        tap(len(j["list"]) == exp and j["pages"] == math.ceil(
            len(orders) / exp), "limit=%d -> %d rows, pages = ceil(count/"
            "%d)" % (lim, exp, exp))
    _, _, p0 = s.call("GET", "/webapi/rest/orders?limit=5&page=0")
    _, _, p1 = s.call("GET", "/webapi/rest/orders?limit=5&page=1")
    _, _, p2 = s.call("GET", "/webapi/rest/orders?limit=5&page=2")
    tap(p0["list"] == p1["list"] and p0["page"] == 1, "page=0 acts as 1")
    ids = [o["order_id"] for o in p1["list"] + p2["list"]]
    tap(ids == [o["order_id"] for o in orders[:10]] and p2["page"] == 2,
        "page 2 continues page 1 (1-based)")
    _, _, j = s.call("GET", "/webapi/rest/orders?limit=5&offset=7")
    tap([o["order_id"] for o in j["list"]] ==
        [o["order_id"] for o in orders[7:12]], "offset=7 starts at the "
        "8th row")
    got, j = all_pages(s, "/webapi/rest/orders")
    tap([o["order_id"] for o in got] == [o["order_id"] for o in orders],
        "walking pages 1..pages returns every order once, in order")
    _, _, j = s.call("GET", "/webapi/rest/orders?limit=50&page=%d" % (
        j["pages"] + 1))
    tap(j["list"] == [] and j["count"] == str(len(orders)),
        "page > pages -> 200 with an empty list (chosen behaviour)")
    _, _, j = s.call("GET", "/webapi/rest/orders?" + qs(
        filters=q({"order_id": {">": 10 ** 9}})))
    tap(j == {"count": "0", "pages": 0, "page": 1, "list": []},
        "empty set -> count \"0\", pages 0, empty list")
    st, hd, _, data = s.raw("HEAD", "/webapi/rest/orders?limit=50")
    tap(st == 200 and data == b"" and hd.get("x-shop-result-count") ==
        str(len(orders)), "HEAD gives the X-Shop-Result-* headers only")


def test_sorting(s, orders):
    section("4. sorting: default id asc, asc/desc, bare field = desc")
    ids = [int(o["order_id"]) for o in orders]
    tap(ids == sorted(ids), "default order is ascending order_id")
    for order, key, rev in (("order_id desc", "order_id", True),
                            ("order_id DESC", "order_id", True),
                            ("order_id", "order_id", True),
                            ("sum asc", "sum", False),
                            ("sum", "sum", True),
                            ("date asc", "date", False)):
        got, _ = all_pages(s, "/webapi/rest/orders?" + qs(order=order))
        vals = [num(o[key]) if key != "date" else o[key] for o in got]
        tap(vals == sorted(vals, reverse=rev) and len(got) == len(orders),
            "order=%r sorts %s%s" % (order, "descending" if rev else
                                     "ascending", " (by value)"
                                     if key == "sum" else ""))
    st, _, e = s.call("GET", "/webapi/rest/orders?order=nosuch+asc")
    tap(st == 400 and e["error"] == "invalid_request",
        "unknown sort field -> 400 invalid_request (chosen)")


def expect(orders, pred):
    return [o["order_id"] for o in orders if pred(o)]


def like(pat):
    return re.compile("^" + ".*".join(re.escape(x) for x in pat.split("%"))
                      + "$", re.I)


def test_filters(s, orders):
    section("5. filters: JSON and bracket, operators, dotted paths")
    ids = lambda lst: [o["order_id"] for o in lst]  # noqa: E731
    d30 = "2026-10-30 00:00:00"
    cases = [
        ({"status_id": "7"}, lambda o: o["status_id"] == "7",
         "equality short form status_id"),
        ({"status_id": 7}, lambda o: o["status_id"] == "7",
         "number 7 equals string \"7\""),
        ({"order_id": {"=": "5"}}, lambda o: o["order_id"] == "5", "="),
        ({"status_id": {"!=": "7"}}, lambda o: o["status_id"] != "7", "!="),
        ({"order_id": {">": "9"}}, lambda o: int(o["order_id"]) > 9,
         "> compares numeric strings by value (10 > 9)"),
        ({"order_id": {">=": 300}}, lambda o: int(o["order_id"]) >= 300,
         ">="),
        ({"sum": {"<": "100"}}, lambda o: float(o["sum"]) < 100,
         "< on money by value"),
        ({"sum": {"<=": "100.5"}}, lambda o: float(o["sum"]) <= 100.5,
         "<="),
        ({"date": {">=": d30, "<=": "2026-11-15 23:59:59"}},
         lambda o: d30 <= o["date"] <= "2026-11-15 23:59:59",
         "date range >= and <= (naive strings)"),
        ({"order_id": {"IN": ["1", "3", 5]}},
         lambda o: o["order_id"] in ("1", "3", "5"), "IN"),
        ({"order_id": {"in": ["2", "4"]}},
         lambda o: o["order_id"] in ("2", "4"), "lower-case in"),
        ({"status_id": {"NOT IN": ["6", "7"]}},
         lambda o: o["status_id"] not in ("6", "7"), "NOT IN"),
        ({"email": {"LIKE": "%example.pl"}},
         lambda o: like("%example.pl").match(o["email"]), "LIKE"),
        ({"email": {"like": "a%"}},
         lambda o: like("a%").match(o["email"]), "lower-case like"),
        ({"email": {"NOT LIKE": "%example.pl"}},
         lambda o: not like("%example.pl").match(o["email"]), "NOT LIKE"),
        ({"billing_address.city": "Kraków"},
         lambda o: o["billing_address"]["city"] == "Kraków",
         "dotted path billing_address.city"),
        ({"is_paid": "1"}, lambda o: o["is_paid"] is True,
         "boolean field equals \"1\""),
        ({"status_id": "6", "date": {">": d30}},
         lambda o: o["status_id"] == "6" and o["date"] > d30,
         "several keys are ANDed"),
    ]
    for f, pred, what in cases:
        got, j = all_pages(s, "/webapi/rest/orders?" + qs(filters=q(f)))
        exp = expect(orders, pred)
        tap(ids(got) == exp and j["count"] == str(len(exp)) and exp,
            "JSON filters: %s (%d rows)" % (what, len(exp)))
    brackets = [
        ("filters[order_id][>]=390", lambda o: int(o["order_id"]) > 390,
         "filters[order_id][>]"),
        ("filters[status_id]=6", lambda o: o["status_id"] == "6",
         "filters[status_id]=v equality"),
        ("filters[date][%3E%3D]=" + d30.replace(" ", "+") +
         "&filters[date][%3C]=2026-11-20", lambda o: d30 <= o["date"] <
         "2026-11-20", "two operators on one field"),
        ("filters[order_id][IN][]=3&filters[order_id][IN][]=8",
         lambda o: o["order_id"] in ("3", "8"), "filters[f][IN][]"),
        ("filters[email][like]=%25Example%25",
         lambda o: like("%Example%").match(o["email"]), "filters[f][like]"),
    ]
    for qstr, pred, what in brackets:
        got, _ = all_pages(s, "/webapi/rest/orders?" + qstr)
        exp = expect(orders, pred)
        tap(ids(got) == exp and exp, "bracket %s (%d rows)" % (
            what, len(exp)))
    for f in ('{"nosuchfield":"1"}', '{"nosuch.path":{">":1}}'):
        st, _, e = s.call("GET", "/webapi/rest/orders?" + qs(filters=f))
        tap(st == 404 and e["error"] == "invalid_request",
            "unknown filter field %s -> 404 invalid_request" % f)
    st, _, e = s.call("GET", "/webapi/rest/orders?filters[code_nope]=1")
    tap(st == 404, "unknown bracket filter field -> 404")
    _, _, j = s.call("GET", "/webapi/rest/statuses?" + qs(filters=q(
        {"translations.pl_PL.name": {"LIKE": "W%"}})))
    names = sorted(x["translations"]["pl_PL"]["name"] for x in j["list"])
    tap(names == ["W trakcie kompletowania", "Wstrzymane", "Wysłane"],
        "statuses: translations.pl_PL.name LIKE \"W%\"")


def test_shapes(s, orders, raw_orders):
    section("6. data shapes: strings, booleans, integers, [] and dates")
    dre = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
    money = re.compile(r"^\d+\.\d\d$")
    ok_ids = ok_money = ok_bool = ok_int = ok_date = ok_addr = True
    for o in orders:
        ok_ids &= all(isinstance(o[k], str) for k in (
            "order_id", "status_id", "shipping_id", "currency_id",
            "payment_id"))
        ok_money &= all(money.match(o[k]) is not None for k in (
            "sum", "paid", "shipping_cost"))
        ok_bool &= all(isinstance(o[k], bool) for k in (
            "is_paid", "is_underpayment", "is_overpayment",
            "is_cash_on_delivery", "vat_eu"))
        ok_int &= all(type(o[k]) is int for k in (
            "total_products", "total_parcels", "loyalty_cost"))
        ok_date &= all(dre.match(o[k]) is not None for k in (
            "date", "status_date", "confirm_date"))
        ok_addr &= all(isinstance(o[a], dict) and all(
            isinstance(v, str) for v in o[a].values()) and
            o[a]["type"] == t for a, t in (("billing_address", "1"),
                                          ("delivery_address", "2")))
    tap(ok_ids, "ids are strings")
    tap(ok_money, "money is a string with two decimals")
    tap(ok_bool, "is_* are booleans")
    tap(ok_int, "total_* are integers")
    tap(ok_date, "dates are naive \"YYYY-MM-DD HH:MM:SS\"")
    tap(ok_addr, "billing_address/delivery_address objects, all strings, "
        "type 1/2")
    tap(all(isinstance(o["status"], dict) and "translations" not in
            o["status"] and o["status"]["status_id"] == o["status_id"]
            for o in orders), "embedded status object without "
        "translations, matching status_id")
    tap(b'"additional_fields":[]' in raw_orders,
        "empty map serialised as PHP [] (additional_fields)")
    tap(b"\\u0142" in raw_orders or b"\\u017" in raw_orders,
        "non-ASCII sent as \\uXXXX escapes like json_encode")
    dates = [o["date"] for o in orders]
    tap(dates == sorted(dates), "order_id grows with date")
    _, _, j = s.call("GET", "/webapi/rest/orders/5")
    tap(j == orders[4], "GET orders/5 equals its list row")
    st, _ = all_pages(s, "/webapi/rest/statuses")
    tap(10 <= len(st) <= 12 and {x["type"] for x in st} ==
        {"1", "2", "3", "4"}, "about 11 statuses with types 1-4")
    tap(all(set(x["translations"]) >= {"pl_PL", "en_US"} and
            isinstance(x["status_id"], str) for x in st),
        "status translations keyed pl_PL and en_US")
    tap(any(x["active"] == "0" for x in st) and any(
        x["translations"]["pl_PL"]["name"] == "Wysłane" for x in st),
        "one inactive status; \"Wysłane\" present")
    _, _, cur = s.call("GET", "/webapi/rest/currencies")
    tap(any(c["currency_id"] == "1" and c["name"] == "PLN"
            for c in cur["list"]) and len(cur["list"]) >= 3,
        "currencies: PLN is id 1, ISO codes in name")
    _, _, sh = s.call("GET", "/webapi/rest/shippings")
    tap(any(x["url"].startswith("https://") for x in sh["list"]) and all(
        "pl_PL" in x["translations"] for x in sh["list"]),
        "shippings with tracking url and translated names")
    _, _, pay = s.call("GET", "/webapi/rest/payments")
    tap(pay["count"] != "0", "payments listed")
    parcels, _ = all_pages(s, "/webapi/rest/parcels")
    tap(parcels and all(re.match(r"^\d+$", p["shipping_code"]) and
                        p["sent"] in ("0", "1") for p in parcels),
        "parcels with shipping_code tracking numbers")
    o = next(x for x in orders if x["total_parcels"] > 0)
    _, _, pj = s.call("GET", "/webapi/rest/parcels?filters[order_id]=" +
                      o["order_id"])
    tap(int(pj["count"]) == o["total_parcels"],
        "parcels?filters[order_id] matches total_parcels")
    _, _, lp = s.call("GET", "/webapi/rest/order-products?" + qs(
        filters=q({"order_id": o["order_id"]})))
    tap(int(lp["count"]) == o["total_products"] and all(
        isinstance(x["quantity"], str) for x in lp["list"]),
        "order-products by order_id, quantity a string")
    _, _, u = s.call("GET", "/webapi/rest/users?limit=1")
    tap(u["count"] != "0" and "email" in u["list"][0], "users listed")
    _, _, ac = s.call("GET", "/webapi/rest/application-config")
    tap(ac.get("locale_timezone") == "Europe/Warsaw" and
        ac.get("default_currency_name") == "PLN",
        "application-config with locale_timezone")
    st, _, m = s.call("GET", "/webapi/rest/object-mtime/order/5")
    tap(st == 200 and type(m["date"]) is int, "object-mtime/order/5 -> "
        "{\"date\": unix time}")
    st, _, m = s.call("GET", "/webapi/rest/object-mtime/orders")
    tap(st == 500 and m["error"] == "server_error",
        "object-mtime/orders (plural) -> 500 like the live shop")
    section("6b. generated data: names, e-mails, history, hostile values")
    txt = json.dumps(orders, ensure_ascii=False)
    tap(re.search("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", txt) is not None,
        "Polish names with diacritics")
    tap(any(re.search("[A-Z]", o["email"]) for o in orders) and
        any(o["email"] == o["email"].lower() for o in orders),
        "mixed-case e-mail addresses")
    per = {}
    for o in orders:
        per[o["email"].lower()] = per.get(o["email"].lower(), 0) + 1
    tap(max(per.values()) >= 10, "customers with many orders (max %d)" %
        max(per.values()))
    tap(any(o["email"] != o2["email"] and o["email"].lower() ==
            o2["email"].lower() for o in orders[:200] for o2 in orders[:60]),
        "one customer's e-mail in different letter case across orders")
    old = [o for o in orders if o["date"] < "2026-05-30 12:00:00"]
    tap(0 < len(old) < len(orders) // 4, "orders older than the 183-day "
        "window (%d)" % len(old))
    names = [o["billing_address"]["firstname"] +
             o["billing_address"]["lastname"] for o in orders]
    tap(any("\r\n" in n for n in names), "hostile: CR/LF in names")
    tap(any("\x00" in n for n in names), "hostile: NUL in names")
    tap(any(len(o["billing_address"]["company"]) >= 5000 for o in orders),
        "hostile: 5000-character fields")
    tap(any("\ufffd" in n for n in names), "hostile: non-UTF-8 input "
        "sent as U+FFFD")


def test_single(s):
    section("7. single-object errors and unknown paths")
    st, _, e = s.call("GET", "/webapi/rest/orders/999999")
    tap(st == 404 and e == {"error": "invalid_request",
                            "error_description": "Resource not found"},
        "GET orders/999999 -> 404 Resource not found")
    st, _, e = s.call("GET", "/webapi/rest/nosuchthing")
    tap(st == 400 and e["error"] == "invalid_request",
        "unknown resource path -> 400 invalid_request")
    st, _, e = s.call("DELETE", "/webapi/rest/statuses/1")
    tap(st == 405 and "error" in e, "unsupported method -> 405 envelope")


def test_status_change(s):
    section("8. status change by PUT orders/{id}")
    s.ctl("POST", "clock", {"set": "2026-11-29 13:00:00"})
    s.ctl("POST", "reset-counters")
    st, _, j = s.call("PUT", "/webapi/rest/orders/20", {"status_id": 7})
    tap(st == 200 and j == 1, "PUT {\"status_id\": 7} -> bare 1")
    _, _, o = s.call("GET", "/webapi/rest/orders/20")
    tap(o["status_id"] == "7" and o["status"]["status_id"] == "7" and
        o["status"]["type"] == "3", "status_id and embedded status updated")
    tap(o["status_date"].startswith("2026-11-29 13:00"),
        "status_date stamped with the shop's clock")
    st, _, j = s.call("PUT", "/webapi/rest/orders/20", {"status_id": "6"})
    _, _, o = s.call("GET", "/webapi/rest/orders/20")
    tap(st == 200 and o["status_id"] == "6", "status_id as a string works")
    st, _, e = s.call("PUT", "/webapi/rest/orders/20", {"status_id": 999})
    tap(st == 400 and e["error"] == "invalid_request",
        "unknown status -> 400 invalid_request")
    s.ctl("POST", "config", {"reject_status_change": {
        "order_id": "21", "error_description": "Zamówienie zablokowane"}})
    st, _, e = s.call("PUT", "/webapi/rest/orders/21", {"status_id": 7})
    tap(st == 400 and e["error_description"] == "Zamówienie zablokowane",
        "configured refusal -> 400 with the given description")
    s.ctl("POST", "config", {"reject_status_change": None})
    st, _, e = s.call("PUT", "/webapi/rest/orders/999999", {"status_id": 7})
    tap(st == 404, "PUT of a missing order -> 404")
    tap(s.ctl("GET", "counters")["status_puts"] == 4,
        "counters.status_puts counts status PUTs")
    s.ctl("PUT", "orders/22", {"status_id": "8"})
    _, _, o = s.call("GET", "/webapi/rest/orders/22")
    tap(o["status_id"] == "8" and o["status"]["type"] == "4" and
        o["status_date"].startswith("2026-11-29 13:00"),
        "control: admin changes a status in the panel (status_date)")
    r = s.ctl("POST", "orders/23/parcels", {"shipping_code": "00812345678901",
                                            "sent": True})
    _, _, pj = s.call("GET", "/webapi/rest/parcels?" + qs(filters=q(
        {"order_id": "23"})))
    _, _, o = s.call("GET", "/webapi/rest/orders/23")
    tap(any(p["shipping_code"] == "00812345678901" and
            p["parcel_id"] == r["parcel_id"] for p in pj["list"]) and
        o["status_id"] == "6", "control: a sent parcel adds tracking and "
        "advances the status to shopping_parcel_send_status_id")
    _, _, last = s.call("GET", "/webapi/rest/orders?order=order_id+desc"
                        "&limit=1")
    r = s.ctl("POST", "orders", {"email": "Nowy.Klient@Example.PL",
                                 "firstname": "Zażółć", "lastname": "Gęślą",
                                 "sum": "99.90", "status_id": "1"})
    _, _, o = s.call("GET", "/webapi/rest/orders/" + r["order_id"])
    tap(int(r["order_id"]) > int(last["list"][0]["order_id"]) and
        o["email"] == "Nowy.Klient@Example.PL" and o["sum"] == "99.90" and
        o["billing_address"]["firstname"] == "Zażółć",
        "control: a new order gets the next order_id")
    sid = s.ctl("POST", "statuses", {"name": "Reklamacja", "type": 4})
    s.ctl("PUT", "statuses/3", {"name": "Przyjęte", "lang": "pl_PL"})
    _, _, j = s.call("GET", "/webapi/rest/statuses?limit=50")
    by = {x["status_id"]: x for x in j["list"]}
    tap(sid["status_id"] in by and by["3"]["translations"]["pl_PL"][
        "name"] == "Przyjęte", "control: status added and renamed")
    s.ctl("DELETE", "orders/" + r["order_id"])
    st, _, _ = s.call("GET", "/webapi/rest/orders/" + r["order_id"])
    tap(st == 404, "control: deleted order is gone")


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


def main():
    tmp = tempfile.mkdtemp(prefix="test_shop.")
    shop = None
    try:
        subprocess.check_call(["sh", os.path.join(HERE, "make-ca.sh"), tmp])
        shop = Shop(tmp)
        test_auth(shop)
        wide = {"bucket_limit": 1000000, "bucket_bandwidth": 1000000}
        shop.ctl("POST", "config", wide)
        test_bearer(shop)
        raw = shop.raw("GET", "/__test/orders", token=False)[3]
        orders = json.loads(raw)
        test_paging(shop, orders)
        test_sorting(shop, orders)
        test_filters(shop, orders)
        test_shapes(shop, orders, raw)
        test_single(shop)
        test_status_change(shop)
        orders = json.loads(shop.raw("GET", "/__test/orders",
                                     token=False)[3])
        test_bucket(shop)
        shop.ctl("POST", "config", wide)
        test_bulk(shop, orders)
        test_faults(shop)
        test_tls(shop, tmp)
        shop = None
    finally:
        if shop:
            shop.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % T["n"])
    return 1 if T["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
