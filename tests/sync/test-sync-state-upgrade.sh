#!/bin/sh
# A state database made before delivery_email, shipping URL templates and
# the statuses' display order (no such columns) gets them on open; the sync then fills them and the
# published index (format 2) answers by delivery_email with the shipping
# name and tracking URL template, exactly as the test shop has them.
set -u
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 40 --customers 12 || exit 1
mkdir -m 700 "$STATE"
# the tables as the previous version created them
python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE orders(shop TEXT NOT NULL, order_id INTEGER NOT NULL,
 date TEXT NOT NULL, status_id INTEGER, status_date TEXT, currency_id INTEGER,
 shipping_id INTEGER, total_parcels INTEGER, paid INTEGER, total TEXT, email TEXT,
 customer TEXT, synced TEXT, seen INTEGER, PRIMARY KEY(shop, order_id));
CREATE TABLE shippings(shop TEXT NOT NULL, id INTEGER NOT NULL,
 name TEXT, PRIMARY KEY(shop, id));
CREATE TABLE statuses(shop TEXT NOT NULL, status_id INTEGER NOT NULL,
 type INTEGER, active INTEGER, PRIMARY KEY(shop, status_id));
""")
db.commit()
PY
chmod 600 "$STATE/state.db"
sync_run sync
tap $RC "sync with a state database of the previous version"
cols=$(python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(" ".join(sorted(
    [r[1] for r in db.execute("PRAGMA table_info(orders)") if r[1] == "delivery_email"] +
    [r[1] for r in db.execute("PRAGMA table_info(shippings)") if r[1] == "url"] +
    [r[1] for r in db.execute("PRAGMA table_info(statuses)") if r[1] == "position"])))
PY
)
tap "$([ "$cols" = "delivery_email position url" ]; echo $?)" "the new columns were added ($cols)"
n=$(python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM statuses WHERE position IS NOT NULL").fetchone()[0])
PY
)
tap "$([ "$n" -eq 11 ]; echo $?)" "the statuses' display order stored ($n of 11)"
n=$(python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM orders WHERE delivery_email LIKE 'odbior.%'").fetchone()[0])
PY
)
tap "$([ "$n" -gt 0 ]; echo $?)" "delivery e-mails stored ($n orders)"
# every customer and every delivery address of the shop, looked up
sync_compare sklep1 --lookups 100000
tap $? "the index answers exactly by e-mail and delivery_email, with shipping and tracking URL template"
d=$(python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("SELECT delivery_email, order_id FROM orders WHERE"
               " delivery_email LIKE 'odbior.%' AND shipping_id BETWEEN 1 AND 4"
               " ORDER BY order_id DESC").fetchone()
print(*r)
PY
)
set -- $d
out=$("$SYNC_BIN" -c "$CONF" lookup --json "$1")
tap "$(echo "$out" | python3 -c '
import json, sys
o = [x for x in json.load(sys.stdin) if x["order_id"] == sys.argv[1]]
ok = o and "{tracking_number}" in o[0]["tracking_url"] and o[0]["shipping"]
sys.exit(0 if ok else 1)' "$2"; echo $?)" "lookup $1 finds order $2 with its shipping and template"
tap_end
