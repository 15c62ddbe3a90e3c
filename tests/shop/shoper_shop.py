#!/usr/bin/env python3
"""A stand-in for one Shoper shop's REST webapi, over HTTPS, for tests.

    python3 shoper_shop.py --cert server.pem --key server.key --port 0 \\
        --port-file FILE [--name sklep1] [--login api] [--password secret]
        [--seed 1] [--orders 1000] [--customers 400] ...

See README.md in this directory and /work/team/SHOP-CONTRACT.md.
Python 3 standard library only."""

import argparse
import os
import signal
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import shop_http  # noqa: E402
from shop_state import Shop  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Test Shoper shop (webapi)")
    a = p.add_argument
    a("--cert", required=True)
    a("--key", required=True)
    a("--host", default="127.0.0.1")
    a("--port", type=int, default=0)
    a("--port-file")
    a("--name", default="sklep1")
    a("--login", default="api")
    a("--password", default="secret")
    a("--noaccess-login", default="noaccess",
      help="a second admin without webapi permission")
    a("--noaccess-password", default="secret")
    a("--seed", type=int, default=1)
    a("--orders", type=int, default=1000)
    a("--customers", type=int, default=400)
    a("--old-orders-pct", type=int, default=10)
    a("--hostile-pct", type=float, default=2)
    a("--invalid-utf8", choices=("replace", "raw"), default="replace",
      help="non-UTF-8 input bytes: U+FFFD (as PHP) or raw bytes")
    a("--bucket-limit", type=int, default=10)
    a("--bucket-bandwidth", type=float, default=2)
    a("--bulk-cost", choices=("one", "each"), default="one")
    a("--expires-in", type=int, default=2592000)
    a("--now", help='"YYYY-MM-DD HH:MM:SS" shop-local start time')
    a("--timezone", default="Europe/Warsaw",
      help="application-config locale_timezone; dates are local to it")
    a("--page-beyond", choices=("empty", "404"), default="empty")
    a("--header-case", choices=("canonical", "lower", "alternate"),
      default="alternate")
    a("--json-style", choices=("php", "utf8"), default="php",
      help="php: \\uXXXX and \\/ escapes like json_encode; utf8: raw")
    a("--gzip", action="store_true",
      help="gzip bodies when the client sends Accept-Encoding: gzip")
    a("--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.bucket_bandwidth == int(args.bucket_bandwidth):
        args.bucket_bandwidth = int(args.bucket_bandwidth)
    if args.invalid_utf8 == "raw":
        args.json_style = "utf8"
    return args


def build_shop(args):
    return Shop(args)


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    shop = build_shop(args)
    srv = shop_http.make_server(shop, args.cert, args.key, args.host,
                                args.port)
    port = srv.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)

    def stop(signum, frame):
        shop.stop_event.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
