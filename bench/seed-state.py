"""seed-state.py STATE_DB TOTAL: fills shoper-sync's state with copies of
the orders it holds (synced from the test shop) until it holds TOTAL:
order ids from 10,000,000 up (k * 10,000,000 + the original id), their
own e-mail and delivery addresses ("c<k>." + the original), their
parcels with them.
The next `shoper-sync sync` publishes the whole index from the state. The
shop never hears of the copies: benchmarks change the shop's real orders
(ids below 10,000,000), and a full pass, which would drop the copies, is
a day away. So a 1,000,000-order index needs no 1,000,000-order Python
shop (8 GB, minutes to generate and to serve the backfill)."""

import sqlite3
import sys

OCOLS = ("shop, date, status_id, status_date, currency_id, shipping_id, "
         "total_parcels, paid, total, customer, synced, seen")


def main():
    db = sqlite3.connect(sys.argv[1])
    total = int(sys.argv[2])
    real = db.execute("SELECT count(*) FROM orders "
                      "WHERE order_id < 10000000").fetchone()[0]
    have = db.execute("SELECT count(*) FROM orders").fetchone()[0]
    k = 0
    while have < total and real > 0:
        k += 1
        off = 10000000 * k
        n = min(total - have, real)
        # the delivery address too: a copy must not be found under an
        # address of the original
        db.execute("INSERT INTO orders(order_id, email, delivery_email, %s) "
                   "SELECT order_id + ?, 'c%d.' || email, "
                   "'c%d.' || delivery_email, %s FROM orders "
                   "WHERE order_id < 10000000 ORDER BY order_id LIMIT ?"
                   % (OCOLS, k, k, OCOLS), (off, n))
        db.execute("INSERT INTO parcels(shop, parcel_id, order_id, "
                   "shipping_code, seen) SELECT shop, parcel_id + ?, "
                   "order_id + ?, shipping_code, seen FROM parcels "
                   "WHERE order_id < 10000000 AND order_id + ? IN "
                   "(SELECT order_id FROM orders WHERE order_id >= ?)",
                   (off, off, off, off))
        have += n
    db.commit()
    print("state: %d orders" % have, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
