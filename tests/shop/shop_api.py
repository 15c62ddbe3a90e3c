"""The webapi routes under /webapi/rest/: auth, bearer check, leaky bucket,
faults, collections and single objects, PUT of an order's status, bulk.
Handlers return Resp with the body already serialised (so cached order
JSON is spliced into list and bulk answers without re-encoding)."""

import base64
import json
import math
import urllib.parse

import shop_filters
import shop_live
from shop_state import PK
from shop_data import parse_date

PREFIX = "/webapi/rest/"
COLLECTIONS = set(PK) | {"application-config", "object-mtime", "bulk",
                         "auth", "webhooks"}
ERR_DESC = {
    "500": ("server_error", "Internal server error"),
    "503": ("temporarily_unavailable", "Service temporarily unavailable"),
    "429": ("temporarily_unavailable", "Too many requests"),
    "timeout": ("server_error", "Request timeout"),
}


class Resp:
    def __init__(self, code, body, headers=None, action=None, fault=None):
        self.code, self.body = code, body
        self.headers = headers or []
        self.action, self.fault = action, fault


def err(shop, code, error, desc, headers=None):
    return Resp(code, shop.dumps({"error": error,
                                  "error_description": desc}), headers)


def not_found(shop):
    return err(shop, 404, "invalid_request", "Resource not found")


def parse_auth(headers, body, ctype):
    """(login, password) from Basic auth or form client_id/secret."""
    h = headers.get("Authorization") or ""
    if h[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(h[6:].strip()).decode("utf-8")
            login, _, pw = raw.partition(":")
            return login, pw
        except (ValueError, UnicodeDecodeError):
            return None, None
    if body:
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"),
                                         keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        if "client_id" in form:
            return form["client_id"][0], form.get("client_secret", [""])[0]
    return None, None


def do_auth(shop, headers, body):
    shop.count("auth")
    login, pw = parse_auth(headers, body, headers.get("Content-Type"))
    a = shop.args
    if login is None:
        return err(shop, 400, "invalid_request",
                   "Missing client credentials")
    if login == a.login and pw == a.password:
        tok = shop.issue_token(login)
        return Resp(200, shop.dumps({"access_token": tok,
                                     "expires_in": int(shop.cfg["expires_in"]),
                                     "token_type": "bearer"}))
    if a.noaccess_login and login == a.noaccess_login and \
            pw == a.noaccess_password:
        return err(shop, 401, "auth_webapi_access_denied",
                   "Administrator does not have access to webapi")
    return err(shop, 401, "auth_failure", "Invalid user credentials")


def bearer(headers):
    h = headers.get("Authorization") or ""
    if h[:7].lower() == "bearer ":
        return h[7:].strip()
    return None


def list_body(shop, res, params, head=False):
    objs = shop.query(res, params)
    limit, page, offset = shop_filters.paging(params)
    count = len(objs)
    pages = int(math.ceil(count / float(limit)))
    if page > pages and count and shop.cfg["page_beyond"] == "404":
        return not_found(shop)
    chunk = objs[offset:offset + limit]
    # live: a page past the last answers "page":1 (section 11)
    shown = page if page <= max(pages, 1) else 1
    body = '{"count":"%d","pages":%d,"page":%d,"list":[%s]}' % (
        count, pages, shown, ",".join(shop.obj_json(res, o) for o in chunk))
    hdrs = [("X-Shop-Result-Count", str(count)),
            ("X-Shop-Result-Page", str(shown)),
            ("X-Shop-Result-Pages", str(pages))]
    return Resp(200, body, hdrs)


def get_one(shop, res, ident):
    try:
        i = int(ident)
    except ValueError:
        return not_found(shop)
    if res == "order-products":
        for lines in shop.lines.values():
            for ln in lines:
                if ln["id"] == str(i):
                    return Resp(200, shop.dumps(ln))
        return not_found(shop)
    obj = shop.table(res).get(i)
    if obj is None:
        return not_found(shop)
    return Resp(200, shop.obj_json(res, obj))


def object_mtime(shop, parts, params):
    if any(k == "object" for k, _ in params):
        return err(shop, 501, "invalid_request", "Not implemented")
    if len(parts) != 3 or parts[1] not in ("order", "status", "parcel"):
        return err(shop, 500, "server_error", "Internal server error")
    try:
        i = int(parts[2])
    except ValueError:
        return not_found(shop)
    if parts[1] == "order":
        o = shop.orders.get(i)
        if o is None:
            return not_found(shop)
        ts = shop.mtime.get(i)
        if ts is None:
            d = max(o["date"], o["status_date"])
            ts = int(parse_date(d).replace(
                tzinfo=shop.tz).timestamp())
        return Resp(200, shop.dumps({"date": ts}))
    return Resp(200, shop.dumps({"date": shop.unix_now()}))


def put_order(shop, ident, body):
    try:
        oid = int(ident)
    except ValueError:
        return not_found(shop)
    if oid not in shop.orders:
        return not_found(shop)
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body or b"null")
        except ValueError:
            return err(shop, 400, "invalid_request", "Invalid JSON body")
    if not isinstance(body, dict) or not body:
        return err(shop, 400, "invalid_request", "Nieprawidłowe dane")
    shop_live.note_put(shop, body)
    if "status_id" in body:
        shop.count("status_puts")
        rej = shop.reject_for(oid)
        if rej is not None:
            return err(shop, 400, "invalid_request", rej)
        try:
            sid = int(str(body["status_id"]).strip())
        except ValueError:
            sid = -1
        if sid not in shop.statuses:
            return err(shop, 400, "invalid_request",
                       "Wartość pola 'status_id' jest niepoprawna: "
                       "Status nie istnieje")
        shop.set_status(oid, sid)
        shop.hooks.fire("order.status", shop.obj_json("orders",
                                                      shop.orders[oid]), oid)
    o = shop.orders[oid]
    for k in ("status_date", "notes", "notes_priv", "notes_pub"):
        if k in body:
            o[k] = str(body[k])
    shop.touch_order(oid)
    return Resp(200, "1")


def route(shop, method, path, params, body):
    """One authenticated, admitted webapi call (also a bulk item)."""
    rel = path[len(PREFIX):].strip("/")
    parts = rel.split("/") if rel else []
    if not parts or parts[0] not in COLLECTIONS or parts[0] in ("auth",
                                                              "bulk"):
        return err(shop, 400, "invalid_request", "Invalid resource path")
    res = parts[0]
    try:
        if res == "object-mtime":
            return object_mtime(shop, parts, params)
        if res == "webhooks":
            return shop.hooks.route(shop, method, parts, body, err, Resp)
        if res == "application-config":
            if method != "GET" or len(parts) > 1:
                return err(shop, 405, "invalid_request",
                           "Method not allowed")
            return Resp(200, shop.dumps(shop.config))
        if len(parts) == 1:
            if method in ("GET", "HEAD"):
                return list_body(shop, res, params)
            return err(shop, 405, "invalid_request", "Method not allowed")
        if len(parts) == 2:
            if method in ("GET", "HEAD"):
                return get_one(shop, res, parts[1])
            if method == "PUT" and res == "orders":
                return put_order(shop, parts[1], body)
            return err(shop, 405, "invalid_request", "Method not allowed")
        return err(shop, 400, "invalid_request", "Invalid resource path")
    except shop_filters.FilterError as e:
        return err(shop, e.code, "invalid_request", e.desc)


def take_fault(shop, method, path, item=False):
    """The fault rule for this request or bulk item.  A "delete" rule is
    no fault of the answer: the order goes from the shop (and, with
    "create", a new one comes) just before the request is answered as
    usual: a change between sub-requests."""
    rule = shop.take_fault(method, path, item)
    if rule is not None and rule["kind"] == "delete":
        if rule["order_id"] in shop.orders:
            shop.delete_order(rule["order_id"])
        if rule["create"] is not None:
            oid = shop.create_order(rule["create"])
            if rule["create_parcel"]:
                shop.add_parcel(oid, {})
        return None
    return rule


def fault_resp(shop, rule):
    k = rule["kind"]
    if k in ("500", "503", "429"):
        e, d = ERR_DESC[k]
        h = [("Retry-After", str(rule["retry_after"]))] if k != "500" \
            else []
        if k == "429":
            shop.count("429")
        return err(shop, int(k), e, d, h)
    return Resp(0, "", action=k, fault=rule)


def bulk(shop, token, body):
    shop.count("bulk_calls")
    try:
        items = json.loads(body or b"null")
    except ValueError:
        return err(shop, 400, "invalid_request", "Invalid JSON body")
    if not isinstance(items, list) or not items:
        return err(shop, 400, "invalid_request", "Invalid bulk request")
    if len(items) > shop.cfg["bulk_max"]:
        return err(shop, 400, "invalid_request",
                   "Too many requests in bulk: max %d" % shop.cfg["bulk_max"])
    cost = len(items) if shop.cfg["bulk_cost"] == "each" else 1
    ra = shop.bucket_take(token, cost)
    if ra is not None:
        shop.count("429")
        return err(shop, 429, "temporarily_unavailable",
                   "Too many requests", [("Retry-After", str(ra))])
    out, errors = [], False
    for it in items:
        shop.count("bulk_items")
        if not isinstance(it, dict):
            it = {}
        iid = it.get("id")
        method = str(it.get("method", "GET")).upper()
        path = str(it.get("path", ""))
        shop.count("bulk_requests", "%s %s" % (method, path.split("?")[0]))
        params = it.get("params") or {}
        if isinstance(params, list):
            params = {}
        if "?" in path:
            path, q = path.split("?", 1)
            pp = dict(urllib.parse.parse_qsl(q, keep_blank_values=True))
            pp.update(params)
            params = pp
        rule = take_fault(shop, method, path, item=True)
        if rule is not None:
            r = fault_resp(shop, rule)
            if r.action in ("garbage", "truncated", "reset"):
                return r
            if r.action == "timeout":
                r = err(shop, 500, *ERR_DESC["timeout"])
        elif not path.startswith(PREFIX):
            r = err(shop, 400, "invalid_request", "Invalid resource path")
        else:
            r = shop_live.scope_refused(shop, path, Resp) or \
                route(shop, method, path, params, it.get("body"))
        if r.code >= 300:
            errors = True
        out.append('{"id":%s,"code":%d,"body":%s}' % (
            shop.dumps(iid), r.code, r.body))
    return Resp(200, '{"errors":%s,"items":[%s]}' % (
        "true" if errors else "false", ",".join(out)))


def handle(shop, method, path, query, headers, body):
    """Whole HTTP request to the webapi.  Called with shop.lock held."""
    shop.count("total")
    shop.count("requests", "%s %s" % (method, path))
    moved = shop_live.redirect(shop, path, query, Resp)
    if moved is not None:
        return moved
    rule = take_fault(shop, method, path)
    token = bearer(headers)
    bkey = token if token and shop.token_ok(token) else None
    if rule is not None:
        r = fault_resp(shop, rule)
        if r.action != "truncated":
            r.headers += shop.bucket_headers(bkey)
            return r
        trunc = r
    else:
        trunc = None
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    rel = path[len(PREFIX):].strip("/")
    if rel == "auth":
        if method != "POST":
            r = err(shop, 405, "invalid_request", "Method not allowed")
        else:
            r = do_auth(shop, headers, body)
    elif bkey is None:
        r = err(shop, 401, "unauthorized_client",
                "Provided access token is invalid")
    elif rel.split("/")[0] in shop.cfg["forbidden"]:
        r = err(shop, 403, "insufficient_scope",
                "The request requires higher privileges than provided by "
                "the access token")
    elif rel == "bulk":
        if method not in ("POST", "PUT"):
            r = err(shop, 405, "invalid_request", "Method not allowed")
        else:
            r = bulk(shop, bkey, body)
    else:
        ra = shop.bucket_take(bkey, 1)
        if ra is not None:
            shop.count("429")
            r = err(shop, 429, "temporarily_unavailable",
                    "Too many requests", [("Retry-After", str(ra))])
        else:
            r = route(shop, method, path, params, body)
    r.headers += shop.bucket_headers(bkey)
    if trunc is not None and not r.action:
        r.action, r.fault = trunc.action, trunc.fault
    shop.count("codes", str(r.code))
    return r
