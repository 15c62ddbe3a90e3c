#!/usr/bin/env python3
"""Reads a published order index (cdb) without our C code (tests/faults).

  cdb_orders.py INDEX [KEY...]

Walks every record of the cdb file and checks its structure (record
lengths inside the data area, the 256 hash tables inside the file).
Prints "orders=N" (keys "#shop:id", one per order) and, per KEY,
"KEY=1" or "KEY=0". Exits 1 with a reason if the file is not a whole cdb.
"""
import struct
import sys


def main(argv):
    path, keys = argv[0], argv[1:]
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 2048:
        sys.exit("shorter than a cdb header (%d bytes)" % len(data))
    tables = [struct.unpack_from("<II", data, 8 * i) for i in range(256)]
    end = min(pos for pos, _ in tables)
    for pos, slots in tables:
        if pos < 2048 or pos + 8 * slots > len(data):
            sys.exit("hash table outside the file")
    pos, found, orders = 2048, set(), 0
    while pos < end:
        if pos + 8 > end:
            sys.exit("record header past the data area")
        klen, dlen = struct.unpack_from("<II", data, pos)
        if pos + 8 + klen + dlen > end:
            sys.exit("record past the data area at %d" % pos)
        key = data[pos + 8:pos + 8 + klen]
        if key.startswith(b"#"):
            orders += 1
        found.add(key)
        pos += 8 + klen + dlen
    print("orders=%d" % orders)
    for k in keys:
        print("%s=%d" % (k, 1 if k.encode() in found else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
