#!/usr/bin/env python3
"""Tests of the test Shoper shop against section 10 of shoper-webapi.md,
point by point, over real TLS (verification on, throwaway CA).  TAP output.
Expected values are computed from the raw data (/__test/orders) with code
independent of the shop's filter/sort code.  The checks live in
shop_tests_api.py (sections 1-8) and shop_tests_wire.py (9-12, TLS)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

from shop_testlib import T, Shop  # noqa: E402
from shop_tests_api import (test_auth, test_bearer, test_paging,  # noqa
                            test_sorting, test_filters, test_shapes,
                            test_single, test_status_change)
from shop_tests_wire import test_bucket, test_bulk, test_faults, test_tls  # noqa
from shop_tests_api import test_live_shapes  # noqa: E402
from shop_tests_hooks import test_hooks  # noqa: E402


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
        test_live_shapes(shop, orders)
        test_single(shop)
        test_status_change(shop)
        test_hooks(shop, orders)
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
