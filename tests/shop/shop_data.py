"""Deterministic data of the test Shoper shop: reference tables (statuses,
currencies, shippings, payments, config) and generated customers, orders,
order lines and parcels.  Everything comes from random.Random(seed) so the
same seed/orders/customers/now give the same shop.  Objects are shaped like
the real webapi's: ids, money and quantities as strings, is_* booleans,
total_* integers, naive Europe/Warsaw dates."""

import datetime
import random

FMT = "%Y-%m-%d %H:%M:%S"
HISTORY_DAYS = 183

FIRST_M = ["Jan", "Łukasz", "Paweł", "Grzegorz", "Michał", "Bartłomiej",
           "Krzysztof", "Wojciech", "Józef", "Stanisław", "Zbigniew", "Tomasz",
           "Mikołaj", "Jędrzej", "Maciej", "Piotr"]
FIRST_F = ["Anna", "Małgorzata", "Żaneta", "Agnieszka", "Katarzyna", "Łucja",
           "Zofia", "Bożena", "Jadwiga", "Halina", "Urszula", "Ewa", "Gabriela",
           "Elżbieta", "Iwona", "Dorota"]
LAST = [("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
        ("Wójcik", "Wójcik"), ("Zając", "Zając"), ("Brzęczyszczykiewicz",
        "Brzęczyszczykiewicz"), ("Ślęzak", "Ślęzak"), ("Gęsiak", "Gęsiak"),
        ("Łączyński", "Łączyńska"), ("Żółkiewski", "Żółkiewska"),
        ("Nowak", "Nowak"), ("Dąbrowski", "Dąbrowska"), ("Kaczmarek",
        "Kaczmarek"), ("Mazur", "Mazur"), ("Szczęsny", "Szczęsna"),
        ("Krawczyk", "Krawczyk"), ("Pióro", "Pióro")]
CITIES = [("Kraków", "30-001"), ("Łódź", "90-001"), ("Gdańsk", "80-001"),
          ("Wrocław", "50-001"), ("Poznań", "60-001"), ("Białystok",
          "15-001"), ("Zielona Góra", "65-001"), ("Bielsko-Biała", "43-300"),
          ("Świnoujście", "72-600"), ("Częstochowa", "42-200")]
STREETS = ["Rynek", "ul. Długa", "ul. Źródlana", "al. Jerozolimskie",
           "ul. Łąkowa", "ul. Żeromskiego", "ul. Ogrodowa", "os. Słoneczne"]
DOMAINS = ["example.pl", "Example.PL", "poczta.example.com", "wp.example.pl",
           "Onet.Example.eu"]
PRODUCTS = [("Kubek ceramiczny", "KB-01", "24.99"), ("Koszulka bawełniana",
            "TS-02", "59.00"), ("Zeszyt w kratkę", "ZS-03", "4.50"),
            ("Żarówka LED", "ZL-04", "12.30"), ("Łyżka drewniana", "LD-05",
            "7.99"), ("Ręcznik kąpielowy", "RK-06", "39.90"),
            ("Słuchawki", "SL-07", "149.00"), ("Świeca zapachowa", "SZ-08",
            "19.99")]

# (id, type, color, pl_PL, en_US, active) -- like a fresh Polish shop
STATUSES = [
    (1, 1, "#3c8dbc", "Nowe", "New", 1),
    (2, 1, "#f39c12", "Oczekuje na płatność", "Awaiting payment", 1),
    (3, 2, "#ffcc00", "Przyjęte do realizacji", "Accepted", 1),
    (4, 2, "#00c0ef", "W trakcie kompletowania", "Being packed", 1),
    (5, 2, "#605ca8", "Gotowe do wysyłki", "Ready to ship", 1),
    (6, 3, "#5cb85c", "Wysłane", "Shipped", 1),
    (7, 3, "#00a65a", "Zrealizowane", "Completed", 1),
    (8, 4, "#dd4b39", "Anulowane", "Cancelled", 1),
    (9, 4, "#a94442", "Odrzucone", "Rejected", 1),
    (10, 4, "#777777", "Zwrócone", "Returned", 1),
    (11, 2, "#999999", "Wstrzymane", "On hold", 0),
]
SENT_STATUS = 6
CURRENCIES = [(1, "PLN", "1.0000"), (2, "EUR", "4.3125"),
              (3, "USD", "3.9870"), (4, "GBP", "5.0410"),
              (5, "CZK", "0.1712")]
# (id, name, cost, tracking url template: the code is appended)
# Tracking URLs are templates, "{tracking_number}" where the number goes,
# as live shops send them (shoper-webapi.md section 11).
SHIPPINGS = [(1, "Kurier InPost", "14.99",
              "https://inpost.pl/sledzenie-przesylek?number={tracking_number}"),
             (2, "Paczkomat InPost", "12.99",
              "https://inpost.pl/sledzenie-przesylek?number={tracking_number}"),
             (3, "Poczta Polska", "16.50",
              "https://emonitoring.poczta-polska.pl/?numer={tracking_number}"),
             (4, "Kurier DPD", "17.00",
              "https://tracktrace.dpd.com.pl/parcelDetails?p1="
              "{tracking_number}"),
             (5, "Odbiór osobisty", "0.00", "")]
PAYMENTS = [(1, "Przelew bankowy", "Bank transfer"),
            (2, "Pobranie", "Cash on delivery"),
            (3, "Płatność online", "Online payment"),
            (4, "BLIK", "BLIK")]


def tz_of(name="Europe/Warsaw"):
    """The shop's zone (Polish shops: Europe/Warsaw); UTC+1 for a name
    this host doesn't know (a shop may name any)."""
    try:
        import zoneinfo
        return zoneinfo.ZoneInfo(name)
    except Exception:
        return datetime.timezone(datetime.timedelta(hours=1))


def ri(rnd, a, b):
    """rnd.randint's job, faster (generation of big shops)."""
    return a + int(rnd.random() * (b - a + 1))


def pick(rnd, seq):
    return seq[int(rnd.random() * len(seq))]


def fmt(dt):
    return dt.isoformat(" ", "seconds")


def parse_date(s):
    return datetime.datetime.strptime(s, FMT)


def status_obj(st):
    """Status as GET /statuses returns it (with translations)."""
    return st


def make_status(sid, stype, color, pl, en, active, order=None):
    trans = {}
    for i, (loc, name) in enumerate((("pl_PL", pl), ("en_US", en))):
        trans[loc] = {"trans_id": str(sid * 2 - 1 + i), "status_id": str(sid),
                      "lang_id": str(i + 1), "name": name,
                      "message": "Status zamówienia: %s" % name,
                      "message_html": "<p>Status zamówienia: %s</p>" % name}
    return {"status_id": str(sid), "active": str(active),
            "default": "1" if sid == 1 else "0", "color": color,
            "type": str(stype), "email_change": "1",
            "order": str(order if order is not None else sid),
            "translations": trans}


def embedded_status(st):
    """The order's embedded status: no translations."""
    return {k: v for k, v in st.items() if k != "translations"}


def reference_tables():
    statuses = {}
    for sid, stype, color, pl, en, active in STATUSES:
        statuses[sid] = make_status(sid, stype, color, pl, en, active)
    currencies = {}
    for cid, name, rate in CURRENCIES:
        currencies[cid] = {"currency_id": str(cid), "name": name,
                           "rate": rate, "rate_date": "2026-01-02",
                           "default": "1" if cid == 1 else "0",
                           "order": str(cid), "active": "1"}
    shippings = {}
    for sid, name, cost, url in SHIPPINGS:
        shippings[sid] = {
            "shipping_id": str(sid), "name": name, "cost": cost, "tax_id": "1",
            "order": str(sid), "visible": "1", "engine": "",
            "is_default": "1" if sid == 1 else "0", "url": url,
            "pkwiu": "", "depend_on_w": "0", "max_weight": "0.00",
            "min_weight": "0.00", "free_shipping": "0.00",
            "translations": {
                "pl_PL": {"name": name, "description": "",
                          "lang_id": "1", "active": "1"},
                "en_US": {"name": name, "description": "",
                          "lang_id": "2", "active": "1"}},
            "zones": []}
    payments = {}
    for pid, pl, en in PAYMENTS:
        payments[pid] = {
            "payment_id": str(pid), "name": pl.lower().replace(" ", "_"),
            "order": str(pid), "visible": "1", "currencies": [1],
            "translations": {
                "pl_PL": {"title": pl, "description": "", "lang_id": "1",
                          "active": "1"},
                "en_US": {"title": en, "description": "", "lang_id": "2",
                          "active": "1"}}}
    return statuses, currencies, shippings, payments


def app_config(name, zone="Europe/Warsaw"):
    return {"shop_name": name, "shop_full_name": "Sklep testowy " + name,
            "shop_email": "sklep@" + name + ".example.pl",
            "locale_timezone": zone,
            "default_currency_id": "1", "default_currency_name": "PLN",
            "default_language_id": "1", "default_language_name": "pl_PL",
            "shopping_parcel_send_status_id": str(SENT_STATUS),
            "shop_url": "https://%s.example.pl" % name,
            # live shapes: unset flags "", some flags real booleans
            "shop_off": "", "warehouses_enabled": False}


class Customer:
    def __init__(self, cid, first, last, email, city, street, phone):
        self.cid, self.first, self.last = cid, first, last
        self.email, self.city, self.street, self.phone = \
            email, city, street, phone


def ascii_fold(s):
    tbl = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
    return s.translate(tbl)


def make_customers(rnd, n):
    out = []
    for i in range(1, n + 1):
        female = rnd.random() < 0.5
        first = pick(rnd, FIRST_F if female else FIRST_M)
        last = pick(rnd, LAST)[1 if female else 0]
        local = "%s.%s%d" % (ascii_fold(first), ascii_fold(last), i)
        if rnd.random() < 0.6:
            local = local.lower()
        email = local + "@" + pick(rnd, DOMAINS)
        city = pick(rnd, CITIES)
        street = "%s %d" % (pick(rnd, STREETS), ri(rnd, 1, 120))
        phone = "%d" % ri(rnd, 500000000, 899999999)
        out.append(Customer(i, first, last, email, city, street, phone))
    return out


def address(order_id, atype, c, hostile=None):
    a = {"address_id": str(order_id * 2 - 1 + (atype - 1)),
         "order_id": str(order_id), "type": str(atype),
         "firstname": c.first, "lastname": c.last, "company": "",
         "tax_identification_number": "", "city": c.city[0],
         "postcode": c.city[1], "street1": c.street, "street2": "",
         "state": "", "country": "Polska", "country_code": "PL",
         "phone": c.phone}
    if hostile:
        a.update(hostile)
    return a


def hostile_fields(rnd, kind, invalid_utf8):
    """Hostile name/company/street values.  Non-UTF-8 input: a PHP backend's
    json_encode cannot emit invalid UTF-8; the shop sends U+FFFD (like
    JSON_INVALID_UTF8_SUBSTITUTE) by default, or with --invalid-utf8 raw
    the raw bytes (kept here as surrogate escapes, written with
    errors="surrogateescape")."""
    if kind == 0:
        return {"firstname": "Jan\r\nX-Injected: 1",
                "lastname": "Kowalski\r\n\r\n<b>body</b>"}
    if kind == 1:
        return {"firstname": "Ja\u0000n", "lastname": "Nul\u0000owski"}
    if kind == 2:
        return {"company": "Ż" * 2500 + "x" * 2500,
                "street1": "ul. " + "Długa" * 999 + "a"}
    bad = "\udce9\udcb3" if invalid_utf8 == "raw" else "\ufffd\ufffd"
    return {"firstname": "Ren" + bad, "lastname": "Gr" + bad + "ski"}


def gen_dates(rnd, n, now, old_pct):
    n_old = n * old_pct // 100
    secs = []
    for _ in range(n_old):
        secs.append(ri(rnd, (HISTORY_DAYS + 1) * 86400, 200 * 86400))
    for _ in range(n - n_old):
        secs.append(ri(rnd, 60, (HISTORY_DAYS - 1) * 86400))
    secs.sort(reverse=True)
    return [now - datetime.timedelta(seconds=s) for s in secs]


def pick_status(rnd, age_days):
    r = rnd.random()
    if age_days < 2:
        return pick(rnd, [1, 1, 2, 3, 4])
    if age_days < 7:
        return pick(rnd, [3, 4, 5, 6, 6, 8])
    if r < 0.08:
        return pick(rnd, [8, 9, 10])
    return pick(rnd, [6, 7, 7, 7])


def make_order(shop, oid, dt, cust, rnd, sid, hostile):
    """One order dict in webapi shape (status embedded later)."""
    n_lines = ri(rnd, 1, 3)
    lines, total = [], 0
    for j in range(n_lines):
        pi = int(rnd.random() * len(PRODUCTS))
        pname, code, price = PRODUCTS[pi]
        qty = 1 + int(rnd.random() * 3)
        total += int(price.replace(".", "")) * qty
        lines.append((pname, code, price, qty, j, pi))
    ship = pick(rnd, list(shop.shippings))
    ship_cost = int(shop.shippings[ship]["cost"].replace(".", ""))
    total += ship_cost
    cur = 1 if rnd.random() < 0.85 else pick(rnd, [2, 3, 4, 5])
    pay = pick(rnd, list(shop.payments))
    paid = sid in (3, 4, 5, 6, 7) or (sid == 1 and rnd.random() < 0.3)
    money = "%d.%02d" % divmod(total, 100)
    age = (shop.base_now - dt).total_seconds()
    st_date = dt + datetime.timedelta(seconds=min(age, ri(rnd, 
        0, 5 * 86400))) if sid != 1 else dt
    bill = address(oid, 1, cust, hostile)
    deliv = address(oid, 2, cust, hostile)
    o = {
        "order_id": str(oid),
        "user_id": str(cust.cid) if cust.cid % 10 else None,
        "date": fmt(dt), "status_id": str(sid), "status_date": fmt(st_date),
        "confirm_date": fmt(dt), "delivery_date": None,
        "sum": money, "paid": money if paid else "0.00",
        "shipping_cost": "%d.%02d" % divmod(ship_cost, 100),
        "shipping_id": str(ship), "shipping_tax_id": "1",
        "shipping_tax_name": "23%", "shipping_tax_value": "23.00",
        "payment_id": str(pay), "currency_id": str(cur),
        "currency_rate": shop.currencies[cur]["rate"],
        "email": cust.email if rnd.random() < 0.8 else cust.email.lower()
        if rnd.random() < 0.5 else cust.email.upper(),
        "code": "%032x" % rnd.getrandbits(128), "delivery_code": "",
        "confirm": "1", "user_order": "1" if cust.cid % 10 else "0",
        "origin": "0", "lang_id": "1",
        "ip_address": "203.0.113.%d" % ri(rnd, 1, 254),
        "promo_code": "", "code_id": None,
        "discount_client": "0.00", "discount_group": "0.00",
        "discount_levels": "0.00", "discount_code": "0.00",
        "notes": "", "notes_priv": "", "notes_pub": "",
        "is_paid": paid, "is_underpayment": False, "is_overpayment": False,
        "is_cash_on_delivery": pay == 2, "vat_eu": False,
        "total_products": n_lines, "total_parcels": 0,
        "loyalty_cost": 0, "loyalty_score": 0,
        "status": None, "billing_address": bill, "delivery_address": deliv,
        "additional_fields": [],
        "order_url": "%s/admin/orders/view/id/%d" % (shop.shop_url, oid),
        "payment_url": "%s/pl/order/pay/%d" % (shop.shop_url, oid),
    }
    live_order_keys(o, oid, cust, ship, dt)
    return o, lines


def delivery_address_email(email):
    """The second address some customers give for delivery."""
    local, _, domain = email.partition("@")
    return "odbior." + local + "@" + domain


def live_order_keys(o, oid, cust, ship, dt):
    """The keys live 2026 order rows carry that the documentation lacks
    (shoper-webapi.md section 11), derived from the order without the
    random generator so the rest of the data stays as it was. Every 7th
    order has a delivery_email of its own, every 7th another the order's
    e-mail again, the rest null."""
    kind = oid % 7
    o["delivery_email"] = (delivery_address_email(cust.email) if kind == 3
                           else cust.email.upper() if kind == 5 else None)
    o["delivery_date"] = (dt + datetime.timedelta(days=2)).strftime(
        "%Y-%m-%d") if kind in (1, 3) else None
    o["parent_order_id"] = None
    o["registered"] = "1" if cust.cid % 10 else "0"
    o["properties"], o["tags"], o["children"] = [], [], []
    o["pickup_point"] = "KRA01M" if ship == 2 else ""
    o["pickup_point_data"] = ({"name": "KRA01M", "street": "Rynek 1"}
                              if ship == 2 else [])
    o["shipping_additional_fields"] = ({"machine": "KRA01M"} if ship == 2
                                       else [])


def order_lines(oid, lines, first_id):
    out = []
    for pname, code, price, qty, j, pi in lines:
        out.append({"id": str(first_id + j), "order_id": str(oid),
                    "product_id": str(pi + 1),
                    "stock_id": str(100 + j), "name": pname, "code": code,
                    "price": price, "discount_perc": "0.00",
                    "quantity": str(qty), "tax": "23%", "tax_value": "23.00",
                    "unit": "szt.", "unit_fp": "0", "weight": "0.30",
                    "pkwiu": "", "option": "", "delivery_time_hours": "24",
                    "text_options": [], "file_options": [], "children": []})
    return out


def make_parcel(pid, order, shipping_code, sent, now_s):
    return {"parcel_id": str(pid), "order_id": order["order_id"],
            "shipping_id": order["shipping_id"],
            "shipping_code": shipping_code, "sent": "1" if sent else "0",
            "send_date": now_s if sent else None,
            "order_date": order["date"], "delivery_date": None,
            "weight": "1.00", "cod": "0.00", "cod_cost": "0.00",
            "insurance": "0.00", "notes": "", "online": "0",
            "products": [], "delivery_address": order["delivery_address"],
            "billing_address": order["billing_address"]}


def user_obj(c, date_add):
    return {"user_id": str(c.cid), "login": c.email, "email": c.email,
            "firstname": c.first, "lastname": c.last, "group_id": "1",
            "date_add": date_add, "active": "1", "lang_id": "1",
            "origin": "0", "newsletter": "0", "discount": "0.00",
            "additional_fields": []}


def generate(shop, args):
    """Fill shop.orders/lines/parcels/users from the seed."""
    rnd = random.Random(args.seed)
    customers = make_customers(rnd, max(1, args.customers))
    # a few heavy buyers: ~5% of customers place ~40% of orders
    heavy = customers[:max(1, len(customers) // 20)]
    dates = gen_dates(rnd, args.orders, shop.base_now, args.old_orders_pct)
    first_seen = {}
    line_id = 1
    parcel_id = 1
    for i, dt in enumerate(dates):
        oid = i + 1
        cust = pick(rnd, heavy) if rnd.random() < 0.4 else \
            pick(rnd, customers)
        first_seen.setdefault(cust.cid, fmt(dt))
        age = (shop.base_now - dt).total_seconds() / 86400
        sid = pick_status(rnd, age)
        hostile = None
        if args.hostile_pct and rnd.random() * 100 < args.hostile_pct:
            hostile = hostile_fields(rnd, rnd.randrange(4),
                                     args.invalid_utf8)
        o, lines = make_order(shop, oid, dt, cust, rnd, sid, hostile)
        o["status"] = embedded_status(shop.statuses[sid])
        shop.lines[oid] = order_lines(oid, lines, line_id)
        line_id += len(lines)
        if sid in (6, 7) and rnd.random() < 0.8:
            n = 2 if rnd.random() < 0.1 else 1
            for _ in range(n):
                code = "%014d" % rnd.randrange(10 ** 14)
                p = make_parcel(parcel_id, o, code, True, o["status_date"])
                shop.parcels[parcel_id] = p
                parcel_id += 1
                o["total_parcels"] += 1
        shop.orders[oid] = o
    shop.next_line_id = line_id
    shop.next_parcel_id = parcel_id
    shop.customers = {c.cid: c for c in customers}
    for c in customers:
        if c.cid % 10:
            shop.users[c.cid] = user_obj(c, first_seen.get(
                c.cid, fmt(shop.base_now)))
