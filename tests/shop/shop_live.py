"""What live shops do that a shop built from the documentation did not
(section 11 of shoper-webapi.md, "Live shops: what recordings show"):
zero dates on some orders, orders without the embedded status object
(switch), and switchable refusals: a filter field the shop does not
support (404, as live on products), a resource the account may not read
(403 insufficient_scope, also inside bulk), a redirecting host."""

import json

ZERO = "0000-00-00 00:00:00"
ZERO_DAY = "0000-00-00"
SCOPE_DESC = ("The request requires higher privileges than provided by "
              "the access token")


def defaults():
    """Config keys (POST /__test/config): unfilterable = {"orders":
    ["status_date"], ...}; redirect = "https://host[:port]" answers every
    webapi request with 301 to that origin; embedded_status = False drops
    the order's "status" object, as live 2026 rows have none."""
    return {"unfilterable": {}, "redirect": "", "embedded_status": True}


def check_config(k, v):
    if k == "unfilterable":
        if not isinstance(v, dict) or not all(
                isinstance(f, list) for f in v.values()):
            raise ValueError("unfilterable: {resource: [field, ...]}")
    elif k == "redirect":
        if not isinstance(v, str):
            raise ValueError("redirect: an origin or \"\"")
    elif k == "embedded_status" and not isinstance(v, bool):
        raise ValueError("embedded_status: true|false")


def apply_data(shop):
    """Zero dates as real orders carry them: new orders (status 1) are
    unconfirmed ("confirm_date" zero), every 3rd of those never had a
    status date, and an unset delivery date is the date-only zero."""
    n = 0
    for oid in sorted(shop.orders):
        o = shop.orders[oid]
        if o.get("status_id") != "1":
            continue
        o["confirm_date"] = ZERO
        if o.get("delivery_date") is None:
            o["delivery_date"] = ZERO_DAY
        n += 1
        if n % 3 == 0:
            o["status_date"] = ZERO


def unfilterable(shop, res):
    return set(shop.cfg["unfilterable"].get(res, ()))


def order_view(shop, obj):
    if shop.cfg["embedded_status"] or "status" not in obj:
        return obj
    return {k: v for k, v in obj.items() if k != "status"}


def scope_refused(shop, path, resp_cls):
    """403 insufficient_scope for a forbidden resource (a bulk item: the
    outer request is "bulk")."""
    rel = path.split("?")[0][len("/webapi/rest/"):].strip("/")
    if rel.split("/")[0] not in shop.cfg["forbidden"]:
        return None
    return resp_cls(403, shop.dumps({"error": "insufficient_scope",
                                     "error_description": SCOPE_DESC}))


def redirect(shop, path, query, resp_cls):
    """A non-canonical host: 301 to the configured origin, before any
    authentication (credentials must never follow it)."""
    target = shop.cfg["redirect"]
    if not target:
        return None
    loc = target.rstrip("/") + path + ("?" + query if query else "")
    shop.count("redirects")
    return resp_cls(301, json.dumps({"moved": loc}),
                    [("Location", loc)])


def note_put(shop, body):
    """Counts the JSON type of each PUT's status_id (counter
    status_id_types: {"int": n, "str": n}): the SDK types it int."""
    if "status_id" not in body:
        return
    kind = type(body["status_id"]).__name__
    t = shop.counters.setdefault("status_id_types", {})
    t[kind] = t.get(kind, 0) + 1
