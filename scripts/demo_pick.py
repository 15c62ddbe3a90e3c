#!/usr/bin/env python3
"""Picks demo senders from the test shops' orders: SKLEP1.json SKLEP2.json,
each as GET /__test/orders answers. Prints shell assignments.

Only orders inside the history window count, as shoper-sync only keeps
those; for each customer the newest order decides."""
import datetime
import json
import sys

window = datetime.datetime.now() - datetime.timedelta(days=180)
newest = {}
for shop, path in (("sklep1", sys.argv[1]), ("sklep2", sys.argv[2])):
    with open(path, encoding="utf-8") as f:
        orders = json.load(f)
    for o in orders:
        if not o.get("email") or o["date"] < window.strftime("%Y-%m-%d %H:%M:%S"):
            continue
        key = o["email"].strip().lower()
        if "\r" in json.dumps(o) or len(json.dumps(o)) > 4000:
            continue  # keep the demo's senders readable
        if key not in newest or o["date"] > newest[key][1]["date"]:
            newest[key] = (shop, o)


def pick(want):
    for email, (shop, o) in sorted(newest.items()):
        if want(shop, o):
            return email, shop, o
    sys.exit("demo: no suitable customer in the test shop's data")


closed = pick(lambda s, o: s == "sklep1" and o["status"]["type"] == "3")
unpaid = pick(lambda s, o: s == "sklep2" and o["status"]["type"] == "1"
              and not o["is_paid"])
by_subject = pick(lambda s, o: s == "sklep2" and o["status"]["type"] == "2")
print("CLOSED_EMAIL='%s'" % closed[0])
print("UNPAID_EMAIL='%s'" % unpaid[0])
print("SUBJECT_ORDER='%s'" % by_subject[2]["order_id"])
