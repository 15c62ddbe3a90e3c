"""Sections 1-8 of shoper-webapi.md's mock checklist (auth, bearer,
paging, sorting, filters, data shapes, errors, status change)."""

import json
import math
import re

from shop_testlib import (NOW, all_pages, basic, num, q, qs, section,
                          tap)


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
    s.ctl("POST", "config", {"forbidden": ["parcels"]})
    st, _, e = s.call("GET", "/webapi/rest/parcels")
    st2, _, _ = s.call("GET", "/webapi/rest/orders?limit=1")
    tap(st == 403 and e["error"] == "insufficient_scope" and st2 == 200,
        "scope table: a forbidden resource -> 403 insufficient_scope")
    s.ctl("POST", "config", {"forbidden": []})


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


def test_live_shapes(s, orders):
    """The shapes live 2026 shops send (shoper-webapi.md section 11):
    shippings with a top-level name and a URL template, application-config
    flags "" and ids as strings, delivery_email, date-only delivery_date,
    object shipping_additional_fields."""
    print("# --- live shapes: shippings, application-config, order keys")
    _, _, sh = s.call("GET", "/webapi/rest/shippings")
    tap(all(isinstance(x.get("name"), str) and x["name"] ==
            x["translations"]["pl_PL"]["name"] for x in sh["list"]),
        "shippings: top-level name, also under translations")
    tap(any("{tracking_number}" in x["url"] for x in sh["list"]) and all(
        x["url"] == "" or x["url"].endswith("{tracking_number}")
        for x in sh["list"]), "shippings: url is a {tracking_number} "
        "template")
    _, _, ac = s.call("GET", "/webapi/rest/application-config")
    tap(ac.get("shop_off") == "" and ac.get("warehouses_enabled") is False
        and ac.get("default_currency_id") == "1",
        "application-config: unset flag \"\", a real boolean, string ids")
    tap(all("delivery_email" in o for o in orders) and any(
        o["delivery_email"] and o["delivery_email"].lower() !=
        o["email"].lower() for o in orders) and any(
        o["delivery_email"] is None for o in orders),
        "orders: delivery_email null, the same or another address")
    dd = [o["delivery_date"] for o in orders if o["delivery_date"]]
    tap(dd and all(re.match(r"^\d{4}-\d\d-\d\d$", d) for d in dd),
        "orders: delivery_date date-only")
    tap(any(isinstance(o["shipping_additional_fields"], dict) and
            o["shipping_additional_fields"] for o in orders) and
        all(k in orders[0] for k in ("parent_order_id", "registered",
                                     "properties", "tags", "children",
                                     "pickup_point", "pickup_point_data")),
        "orders: shipping_additional_fields an object, the extra keys")
    oid = s.ctl("POST", "orders", {"email": "live@example.pl",
                                   "delivery_email": "Inny@example.pl"})
    _, _, j = s.call("GET", "/webapi/rest/orders/%s" % oid["order_id"])
    tap(j.get("delivery_email") == "Inny@example.pl",
        "control: an order made with a delivery_email")
    s.ctl("DELETE", "orders/%s" % oid["order_id"])
