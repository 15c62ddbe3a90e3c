#!/usr/bin/env python3
"""Corrupt variants of a valid order index (tests/faults).

  corrupt_index.py VARIANT SRC DST

zeroed         SRC's size, all zero bytes
wrong-version  the meta record says format version 3 (one past the reader's)
huge-cdb-len   jan@example.com's cdb record says its value is 0xfffffff0 long
huge-tables    every cdb hash table says it is at 0xffffff00 with 2^32-1 slots
huge-count     jan@example.com's record claims 2^62 orders
huge-string    the first string of jan@example.com's first order is 2^62 long
huge-meta      the meta's shop table claims 2^40 shops
All but the first three are rewritten as whole, valid cdb files (right
hashes and tables) so that only the record's content is wrong.
"""
import struct
import sys

KEY = b"jan@example.com"


def cdb_hash(key):
    h = 5381
    for c in key:
        h = (((h << 5) + h) ^ c) & 0xffffffff
    return h


def cdb_read(data):
    end = min(struct.unpack_from("<I", data, 8 * i)[0] for i in range(256))
    pos, recs = 2048, []
    while pos < end:
        klen, dlen = struct.unpack_from("<II", data, pos)
        key = data[pos + 8:pos + 8 + klen]
        recs.append([key, data[pos + 8 + klen:pos + 8 + klen + dlen]])
        pos += 8 + klen + dlen
    return recs


def cdb_write(recs):
    body, slots = bytearray(), [[] for _ in range(256)]
    for key, val in recs:
        h = cdb_hash(key)
        slots[h & 255].append((h, 2048 + len(body)))
        body += struct.pack("<II", len(key), len(val)) + key + val
    header, tables = bytearray(), bytearray()
    pos = 2048 + len(body)
    for entries in slots:
        n = 2 * len(entries)
        table = [(0, 0)] * n
        for h, rpos in entries:
            i = (h >> 8) % n
            while table[i][1] != 0:
                i = (i + 1) % n
            table[i] = (h, rpos)
        header += struct.pack("<II", pos + len(tables), n)
        for h, rpos in table:
            tables += struct.pack("<II", h, rpos)
    return bytes(header + body + tables)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(buf, pos):
    v = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7f) << shift
        if not b & 0x80:
            return v, pos
        shift += 7


def rewrite(data, key, fn):
    recs = cdb_read(data)
    hits = [r for r in recs if r[0] == key]
    if not hits:
        sys.exit("no record %r" % key)
    hits[0][1] = fn(hits[0][1])
    return cdb_write(recs)


def huge_count(val):
    _, pos = read_varint(val, 0)
    return varint(1 << 62) + val[pos:]


def huge_string(val):
    _, pos = read_varint(val, 0)       # count
    _, pos = read_varint(val, pos)     # the order's length (format 2)
    _, pos = read_varint(val, pos)     # shop ref
    _, start = read_varint(val, pos)   # order_id length
    return val[:pos] + varint(1 << 62) + val[start:]


def huge_meta(val):
    pos = 7
    for _ in range(3):                 # version, build_time, max_orders
        _, pos = read_varint(val, pos)
    _, start = read_varint(val, pos)   # shop count
    return val[:pos] + varint(1 << 40) + val[start:]


def wrong_version(val):
    _, pos = read_varint(val, 7)
    return val[:7] + varint(3) + val[pos:]


def main(argv):
    variant, src, dst = argv
    with open(src, "rb") as f:
        data = f.read()
    if cdb_write(cdb_read(data)) != data:
        sys.exit("the cdb writer does not reproduce %s" % src)
    if variant == "zeroed":
        out = bytes(len(data))
    elif variant == "huge-cdb-len":
        out = bytearray(data)
        pos = 2048
        while True:
            klen, dlen = struct.unpack_from("<II", data, pos)
            if data[pos + 8:pos + 8 + klen] == KEY:
                break
            pos += 8 + klen + dlen
        struct.pack_into("<I", out, pos + 4, 0xfffffff0)
    elif variant == "huge-tables":
        out = bytearray(data)
        for i in range(256):
            struct.pack_into("<II", out, 8 * i, 0xffffff00, 0xffffffff)
    elif variant == "huge-count":
        out = rewrite(data, KEY, huge_count)
    elif variant == "huge-string":
        out = rewrite(data, KEY, huge_string)
    elif variant == "huge-meta":
        out = rewrite(data, b"\0meta", huge_meta)
    elif variant == "wrong-version":
        out = rewrite(data, b"\0meta", wrong_version)
    else:
        sys.exit(__doc__)
    with open(dst, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
