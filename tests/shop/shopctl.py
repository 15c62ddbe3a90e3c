#!/usr/bin/env python3
"""Talks to the test shop's control interface (/__test/...) over HTTPS,
trusting only the test CA.

    shopctl.py [--url URL] [--ca CA] METHOD PATH [JSON]

URL and CA default to $SHOP_URL and $SHOP_CA.  PATH is relative to /__test/
("counters") or absolute ("/__test/counters").  Prints the JSON answer;
exits 1 on an HTTP error (>= 400) or a connection failure."""

import argparse
import http.client
import os
import ssl
import sys
import urllib.parse


def call(url, ca, method, path, body=None, timeout=30):
    """(status, text) of one control request."""
    u = urllib.parse.urlsplit(url)
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection(u.hostname, u.port or 443,
                                       context=ctx, timeout=timeout)
    if not path.startswith("/"):
        path = "/__test/" + path
    hdrs = {"Content-Type": "application/json"}
    data = body.encode("utf-8") if body else None
    try:
        conn.request(method.upper(), path, body=data, headers=hdrs)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default=os.environ.get("SHOP_URL"))
    p.add_argument("--ca", default=os.environ.get("SHOP_CA"))
    p.add_argument("method")
    p.add_argument("path")
    p.add_argument("json", nargs="?")
    a = p.parse_args()
    if not a.url or not a.ca:
        sys.stderr.write("shopctl: need --url/--ca or SHOP_URL/SHOP_CA\n")
        return 2
    try:
        status, text = call(a.url, a.ca, a.method, a.path, a.json)
    except (OSError, http.client.HTTPException) as e:
        sys.stderr.write("shopctl: %s\n" % e)
        return 1
    sys.stdout.write(text + "\n")
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
